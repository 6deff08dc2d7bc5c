package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A killed pool worker fails only the task it was running; the tasks sent to it that it had not started run on
 * other workers; a replacement that cannot start at once is retried. Each case is made deterministic: the worker
 * holds its tasks behind a task or an initializer that waits on an event, or is stopped (SIGSTOP) while a task is
 * on its way, before it is killed (SIGKILL).
 */
class ProcessPoolWorkerLossIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** Counts its start at {@code starts[slot]}, writes its worker's pid, waits for the gate; returns the slot. */
    static int gated(int slot, SharedArray starts, SharedValue pid, SharedEvent gate) {
        starts.incrementAndGet(slot);
        pid.setLong(ProcessHandle.current().pid());
        try {
            if (!gate.await(WAIT)) {
                throw new IllegalStateException("gate not opened");
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return slot;
    }

    /** Counts its start at {@code starts[slot]}; returns its worker's pid. */
    static long counted(int slot, SharedArray starts) {
        starts.incrementAndGet(slot);
        return ProcessHandle.current().pid();
    }

    private static void signal(String signal, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertTrue(kill.waitFor(30, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal + " " + pid);
    }

    private static void killAndAwait(long pid) throws InterruptedException {
        ProcessHandle worker = ProcessHandle.of(pid).orElseThrow();
        worker.destroyForcibly(); // SIGKILL
        Poll.until("worker " + pid + " to die", WAIT, () -> !worker.isAlive());
    }

    @Test
    void shouldFailTheRunningTaskOfAKilledWorkerAndRunTheTasksQueuedAtItElsewhere() throws Exception {
        try (ProcessPool pool = new ProcessPool(1);
                SharedEvent gate = new SharedEvent();
                SharedValue pid = SharedValue.raw('q', 0L);
                SharedArray starts = SharedArray.rawOfLength('q', 6)) {
            AsyncResult<Integer> running = pool.applyAsync(() -> gated(0, starts, pid, gate));
            List<AsyncResult<Long>> queued = new ArrayList<>();
            for (int slot = 1; slot < 6; slot++) {
                int s = slot;
                queued.add(pool.applyAsync(() -> counted(s, starts))); // the first at least in the worker's pipe
            }
            Poll.until("the gated task to start", WAIT, () -> pid.getLong() != 0);
            long victim = pid.getLong();
            killAndAwait(victim);
            ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(WAIT));
            assertInstanceOf(WorkerLostException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("ended while it ran task"), e.getCause().getMessage());
            for (int slot = 1; slot < 6; slot++) {
                long ranIn = queued.get(slot - 1).get(WAIT);
                assertNotEquals(victim, ranIn, "task " + slot + " ran in the killed worker");
                assertEquals(1, starts.getLong(slot), "task " + slot + " ran once");
            }
            assertEquals(1, starts.getLong(0), "the running task is not run again");
        }
    }

    @Test
    void shouldRunATaskSentToAWorkerThatWasKilledBeforeItReadIt() throws Exception {
        try (ProcessPool pool = new ProcessPool(1);
                SharedArray starts = SharedArray.rawOfLength('q', 2)) {
            long victim = pool.apply(() -> counted(0, starts)); // the worker is idle in its loop now
            ProcessHandle worker = ProcessHandle.of(victim).orElseThrow();
            signal("STOP", victim); // it cannot read what comes
            try {
                // nothing queued, the worker's credits free, its pipe empty: sent directly, in its pipe at return
                AsyncResult<Long> sent = pool.applyAsync(() -> counted(1, starts));
                killAndAwait(victim);
                long ranIn = sent.get(WAIT); // before: WorkerLostException, as if it had run there
                assertNotEquals(victim, ranIn);
                assertEquals(1, starts.getLong(1), "it ran once");
            } finally {
                if (worker.isAlive()) { // the test failed early: let the stopped worker go
                    signal("CONT", victim);
                }
            }
        }
    }

    @Test
    void shouldRunTheTasksOfAWorkerKilledInItsInitializerElsewhere() throws Exception {
        try (SharedEvent gate = new SharedEvent();
                SharedValue initializerPid = SharedValue.raw('q', 0L);
                SharedValue initializers = SharedValue.raw('q', 0L);
                SharedArray starts = SharedArray.rawOfLength('q', 3)) {
            SerializableRunnable initializer = () -> {
                if (initializers.incrementAndGet() == 1) { // the first worker only waits, for good
                    initializerPid.setLong(ProcessHandle.current().pid());
                    try {
                        gate.await(WAIT);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
            try (ProcessPool pool = new ProcessPool(1, initializer, 0, null)) {
                List<AsyncResult<Long>> results = new ArrayList<>();
                for (int slot = 0; slot < 3; slot++) {
                    int s = slot;
                    results.add(pool.applyAsync(() -> counted(s, starts))); // sent while the initializer runs
                }
                Poll.until("the first initializer to wait", WAIT, () -> initializerPid.getLong() != 0);
                long victim = initializerPid.getLong();
                killAndAwait(victim);
                for (int slot = 0; slot < 3; slot++) {
                    assertNotEquals(victim, results.get(slot).get(WAIT), "task " + slot); // before: the first failed
                    assertEquals(1, starts.getLong(slot), "task " + slot + " ran once");
                }
                assertEquals(2, initializers.getLong(), "one replacement");
            }
        }
    }

    @Test
    void shouldRunTheTasksQueuedAtAWorkerKilledAfterShutdownOnAReplacement() throws Exception {
        ProcessPool pool = new ProcessPool(1);
        try (SharedEvent gate = new SharedEvent();
                SharedValue pid = SharedValue.raw('q', 0L);
                SharedArray starts = SharedArray.rawOfLength('q', 3)) {
            // quick tasks first: the worker's credit window grows past two, so that its STOP follows the tasks
            // into its pipe after shutdown() (the replacement needs a STOP of its own then)
            assertEquals(200, pool.map(x -> x, IntStream.range(0, 200).boxed().toList(), 1).size());
            AsyncResult<Integer> running = pool.applyAsync(() -> gated(0, starts, pid, gate));
            AsyncResult<Long> queued1 = pool.applyAsync(() -> counted(1, starts));
            AsyncResult<Long> queued2 = pool.applyAsync(() -> counted(2, starts));
            Poll.until("the gated task to start", WAIT, () -> pid.getLong() != 0);
            pool.shutdown(); // Python's close(): what was submitted still runs
            long victim = pid.getLong();
            killAndAwait(victim);
            ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(WAIT));
            assertInstanceOf(WorkerLostException.class, e.getCause());
            assertNotEquals(victim, queued1.get(WAIT)); // before: WorkerLostException (never started)
            assertNotEquals(victim, queued2.get(WAIT));
            assertEquals(1, starts.getLong(1));
            assertEquals(1, starts.getLong(2));
            assertTrue(pool.join(WAIT), "the replacement got a STOP and exited");
        } finally {
            pool.close();
        }
    }

    @Test
    void shouldRetryAReplacementWorkerThatFailsToStartAndGoOn(@TempDir Path dir) throws Exception {
        Path java = dir.resolve("java");
        Files.writeString(java, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
        Context context = Multiprocessing.getContext("spawn").withJvm(ChildJvm.defaults().withExecutable(java));
        Logger logger = Logger.getLogger(ProcessPool.class.getName()); // held: the handler stays attached
        List<String> retries = new CopyOnWriteArrayList<>();
        Handler restore = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getMessage().contains("could not start (attempt")) {
                    retries.add(record.getMessage());
                    try { // the launch can work again from the next attempt on
                        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(restore);
        try (ProcessPool pool = new ProcessPool(1, null, 0, context);
                SharedEvent gate = new SharedEvent();
                SharedValue pid = SharedValue.raw('q', 0L);
                SharedArray starts = SharedArray.rawOfLength('q', 1)) {
            AsyncResult<Integer> running = pool.applyAsync(() -> gated(0, starts, pid, gate));
            Poll.until("the gated task to start", WAIT, () -> pid.getLong() != 0);
            long victim = pid.getLong();
            // the next launch fails in the parent (exec: permission denied), as when the JDK's spawn helper is killed
            Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rw-------"));
            killAndAwait(victim);
            ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(WAIT));
            assertInstanceOf(WorkerLostException.class, e.getCause());
            long ranIn = pool.apply(() -> ProcessHandle.current().pid()); // before: BrokenProcessPoolException
            assertNotEquals(victim, ranIn);
            assertFalse(pool.isShutdown(), "not broken");
            assertEquals(1, retries.size(), "one failed start, retried: " + retries);
            assertTrue(retries.get(0).contains("attempt 1 of"), retries.get(0));
        } finally {
            logger.removeHandler(restore);
        }
    }

    /** Captured by a function: reading it in a worker (any JVM but the test's) ends that JVM, once counted. */
    static final class HaltWhenRead implements java.io.Serializable {
        @java.io.Serial
        private static final long serialVersionUID = 1L;
        private final long testPid = ProcessHandle.current().pid();
        private final SharedValue deaths;

        HaltWhenRead(SharedValue deaths) {
            this.deaths = deaths;
        }

        @java.io.Serial
        private void readObject(java.io.ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            if (ProcessHandle.current().pid() != testPid) {
                deaths.incrementAndGet();
                Runtime.getRuntime().halt(5);
            }
        }
    }

    @Test
    void shouldFailTheTasksOfACallWhoseFunctionEndsTheWorkerThatReadsIt() throws Exception {
        try (ProcessPool pool = new ProcessPool(1);
                SharedValue deaths = SharedValue.raw('q', 0L)) {
            HaltWhenRead poison = new HaltWhenRead(deaths);
            SerializableFunction<Integer, Integer> function = x -> poison.hashCode() + x;
            // a fresh worker's credit window is two: two workers read the call's function (its JOB) and die, each
            // failing the two tasks it had; not each task re-sent until LOST_WORKERS workers died with it
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> pool.mapAsync(function, List.of(1, 2, 3, 4), 1).get(WAIT));
            assertInstanceOf(WorkerLostException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("ended while it ran task"), e.getCause().getMessage());
            assertTrue(deaths.getLong() <= 2, deaths.getLong() + " workers died");
            assertEquals(List.of(1, 8), pool.map(ProcessPoolWorkerLossIT::cube, List.of(1, 2), 1), "the pool goes on");
        }
    }

    @Test
    void shouldBreakAPoolWhoseInitializerEndsItsWorkers() throws Exception {
        // READY comes after the initializer: a worker that exits in it never ran a task, and counts as one that
        // could not start (before: the first task of each new worker failed with WorkerLostException, for good)
        try (ProcessPool pool = new ProcessPool(1, () -> System.exit(3), 0, null)) {
            BrokenProcessPoolException e = assertThrows(BrokenProcessPoolException.class,
                    () -> pool.map(ProcessPoolWorkerLossIT::cube, List.of(1, 2), 1));
            assertTrue(e.getMessage().contains("could not start") && e.getMessage().contains("exit code 3"),
                    e.getMessage());
        }
    }

    static int cube(int x) {
        return x * x * x;
    }
}

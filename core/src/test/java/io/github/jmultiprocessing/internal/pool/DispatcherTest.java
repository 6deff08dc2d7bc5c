package io.github.jmultiprocessing.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.jmultiprocessing.BrokenProcessPoolException;
import io.github.jmultiprocessing.WorkerLostException;
import java.io.EOFException;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.ResourceBundle;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Dispatch and supervision on fake {@link Link}s, without child JVMs: the test plays each worker (reads what the
 * dispatcher sends, answers READY and DONE, ends with an exit code and a started word).
 */
class DispatcherTest {

    private static final long WAIT_MILLIS = 10_000;

    private final List<FakeLink> links = new CopyOnWriteArrayList<>();
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private Dispatcher dispatcher;

    @AfterEach
    void terminate() {
        if (dispatcher != null) {
            dispatcher.terminate(); // kills every fake: its receiver sees the end
        }
    }

    /** A dispatcher whose first {@code healthy} starts give fake links, the later ones throw. */
    private Dispatcher dispatcher(int healthy) {
        return dispatcher(healthy, 0);
    }

    /** {@link #dispatcher(int)}, its workers replaced after {@code maxTasksPerChild} tasks (0: never). */
    private Dispatcher dispatcher(int healthy, int maxTasksPerChild) {
        Dispatcher.Starter starter = new Dispatcher.Starter() {
            private int starts;

            @Override
            public synchronized Link start(String name) {
                if (++starts > healthy) {
                    throw new IllegalStateException("no JVM for " + name + " (start " + starts + ")");
                }
                FakeLink link = new FakeLink(name);
                links.add(link);
                return link;
            }

            @Override
            public boolean exiting() {
                return false;
            }
        };
        dispatcher = new Dispatcher("TestPool", maxTasksPerChild, starter, (t, trace) -> t, new RecordingLogger(warnings));
        return dispatcher;
    }

    /** A call of {@code count} one-item tasks, submitted as the pool submits it. */
    private RecordingJob submit(int count) {
        dispatcher.checkRunning();
        RecordingJob job = new RecordingJob(dispatcher.nextId(), count);
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Task task = new Task(dispatcher.nextId(), job, i, List.of(i));
            job.taskIds.add(task.id);
            tasks.add(task);
        }
        job.expect(count);
        job.single = count == 1;
        dispatcher.submit(job, tasks);
        return job;
    }

    @Test
    void shouldFailOnlyTheRunningTaskAndRequeueTheUnstartedOnesWhenAWorkerIsLost() throws Exception {
        dispatcher(2).startWorkers(1);
        FakeLink first = links.get(0);
        first.ready();
        RecordingJob job = submit(3);
        // a fresh worker's credit window holds 2 tasks: the third stays queued
        List<Long> atFirst = first.takeTasks(2);
        assertEquals(List.of(job.taskIds.get(0), job.taskIds.get(1)), atFirst, "in queue order");
        first.die(1, atFirst.get(0)); // System.exit(1) inside the first task; the second never started

        FakeLink second = awaitLink(1);
        second.serve();
        assertTrue(job.awaitDone(), "every task ended");
        assertInstanceOf(WorkerLostException.class, job.outcomes.get(atFirst.get(0)), "the running task fails");
        assertEquals(1, job.outcomes.get(atFirst.get(1)), "the unstarted one ran on the replacement");
        assertEquals(2, job.outcomes.get(job.taskIds.get(2)), "and the queued one");
        assertEquals(List.of(atFirst.get(1), job.taskIds.get(2)), second.tasksServed, "the requeued one first");
        assertEquals(2, links.size(), "one replacement");
        assertEquals(Dispatcher.State.RUNNING, dispatcher.state());
    }

    @Test
    void shouldRetryAReplacementThatFailsToStartThenBreakThePool() throws Exception {
        dispatcher(1).startWorkers(1);
        FakeLink first = links.get(0);
        first.ready();
        RecordingJob job = submit(1); // a lone task: from the caller's thread, straight into the worker's pipe
        long task = first.takeTasks(1).get(0);
        first.die(-9, 0); // killed before it started the task: the task is requeued, a replacement is due

        awaitTrue(() -> dispatcher.state() == Dispatcher.State.BROKEN, "the pool breaks");
        assertEquals(5, warnings.size(), "the lost worker, then the 4 failed starts before the last, each logged: "
                + warnings);
        assertTrue(warnings.get(0).contains("worker ProcessPoolWorker-1 (pid -1) ended unexpectedly with exit code"
                + " -9; a replacement starts"), warnings.get(0));
        assertTrue(warnings.get(4).contains("attempt 4 of 5"), warnings.get(4));
        assertTrue(job.awaitDone(), "the requeued task ended");
        BrokenProcessPoolException broken = assertInstanceOf(BrokenProcessPoolException.class,
                job.outcomes.get(task), "the requeued task fails with the pool");
        assertTrue(broken.getMessage().contains("5 attempts"), broken.getMessage());
        assertInstanceOf(IllegalStateException.class, broken.getCause(), "the start's own failure as cause");
        BrokenProcessPoolException later = assertThrows(BrokenProcessPoolException.class, dispatcher::checkRunning);
        assertSame(broken.getCause(), later.getCause(), "and every later call");
    }

    @Test
    void shouldBreakThePoolAtOnceWhenTheFirstWorkerCannotBoot() throws Exception {
        dispatcher(5).startWorkers(1);
        links.get(0).die(1, 0); // exit code 1 before READY: no worker of this pool was ever ready

        awaitTrue(() -> dispatcher.state() == Dispatcher.State.BROKEN, "the pool breaks");
        BrokenProcessPoolException broken = assertThrows(BrokenProcessPoolException.class, dispatcher::checkRunning);
        assertTrue(broken.getMessage().contains("could not start: it exited with exit code 1 before it was ready"),
                broken.getMessage());
        assertEquals(1, links.size(), "no replacement: the same failure awaits every worker");
        assertEquals(List.of(), warnings);
    }

    @Test
    void shouldSendAStopPerWorkerAfterTheLastTaskOnShutdown() throws Exception {
        dispatcher(2).startWorkers(2);
        for (FakeLink link : links) {
            link.ready();
        }
        RecordingJob job = submit(40);
        dispatcher.shutdown();
        assertThrows(IllegalStateException.class, () -> submit(1), "no call after shutdown");
        for (FakeLink link : links) {
            link.serve();
        }
        assertTrue(dispatcher.join(Duration.ofMillis(WAIT_MILLIS)), "the workers exit once told to");
        assertTrue(dispatcher.isTerminated());
        assertTrue(job.awaitDone());
        for (int i = 0; i < 40; i++) {
            assertEquals(i, job.outcomes.get(job.taskIds.get(i)), "task " + i + " ran");
        }
        int served = 0;
        for (FakeLink link : links) {
            List<Byte> kinds = link.kindsSeen;
            assertEquals(PoolFrames.STOP, kinds.get(kinds.size() - 1), link.name + " stops last: " + kinds);
            assertEquals(1, kinds.stream().filter(k -> k == PoolFrames.STOP).count(), link.name + ": one STOP");
            served += link.tasksServed.size();
        }
        assertEquals(40, served, "each task ran once");
        assertEquals(2, links.size(), "no replacement for a worker told to stop");
    }

    @Test
    void shouldStartTheHeldBackWorkersOneByOneAsTheBootingOnesBecomeReady() throws Exception {
        dispatcher(3).startWorkers(3, 1);
        assertEquals(1, links.size(), "one boots at first");
        RecordingJob job = submit(1); // a lone task goes to the one started, before it is ready
        links.get(0).ready();
        FakeLink second = awaitLink(1);
        assertEquals(2, links.size(), "the next once the first is ready, not the third");
        second.ready();
        awaitLink(2).ready();
        links.get(0).serve();
        assertTrue(job.awaitDone());
        assertEquals(0, job.outcomes.get(job.taskIds.get(0)));
        assertEquals(3, links.size());
        assertEquals(List.of(), warnings);
    }

    @Test
    void shouldStartAHeldBackWorkerWhenTheBootingOneEndsOrIsSlow() throws Exception {
        dispatcher(4).startWorkers(3, 1);
        links.get(0).ready(); // a worker was ready once: the next one's death below is not the pool's end
        awaitLink(1).die(-9, 0); // killed while it booted: its replacement and the third start
        awaitLink(3);
        dispatcher.terminate();
        long before = System.nanoTime();
        dispatcher(2).startWorkers(2, 1); // a fresh pool whose first worker never becomes ready
        awaitTrue(() -> links.size() == 6, "the held-back worker starts anyway");
        assertTrue(System.nanoTime() - before >= TimeUnit.MILLISECONDS.toNanos(900), "after about a second");
    }

    @Test
    void shouldNotStartHeldBackWorkersAfterAShutdownWithNothingQueued() throws Exception {
        dispatcher(3).startWorkers(3, 1);
        dispatcher.shutdown();
        FakeLink first = links.get(0);
        first.ready();
        first.serve();
        assertTrue(dispatcher.join(Duration.ofMillis(WAIT_MILLIS)), "the one worker exits once told to");
        assertEquals(1, links.size(), "no worker started only to stop");
        assertEquals(List.of(PoolFrames.STOP), first.kindsSeen);
    }

    @Test
    void shouldStartHeldBackWorkersAfterAShutdownWhileTasksAreQueuedEachWithAStop() throws Exception {
        dispatcher(3).startWorkers(3, 1);
        RecordingJob job = submit(40); // the first worker takes one at a time while others are held back
        dispatcher.shutdown();
        FakeLink first = links.get(0);
        first.ready();
        awaitLink(1).ready();
        awaitLink(2).ready();
        for (FakeLink link : links) {
            link.serve();
        }
        assertTrue(dispatcher.join(Duration.ofMillis(WAIT_MILLIS)), "all exit once told to");
        assertTrue(job.awaitDone());
        assertEquals(40, job.outcomes.size());
        for (FakeLink link : links) {
            assertEquals(1, link.kindsSeen.stream().filter(k -> k == PoolFrames.STOP).count(), link.name);
        }
    }

    @Test
    void shouldQueueTasksForHeldBackWorkersRatherThanSendThemAllToTheStartedOne() throws Exception {
        dispatcher(2).startWorkers(2, 1);
        RecordingJob a = submit(1);
        RecordingJob b = submit(1); // with both workers up, it would go to the other: it waits for it
        FakeLink first = links.get(0);
        assertEquals(List.of(a.taskIds.get(0)), first.takeTasks(1));
        Thread.sleep(100);
        assertEquals(List.of(), List.copyOf(first.sent), "one task at a time while a worker is held back");
        first.ready();
        FakeLink second = awaitLink(1);
        assertEquals(List.of(b.taskIds.get(0)), second.takeTasks(1), "the queued task goes to the second");
        second.ready();
    }

    @Test
    void shouldRetireAWorkerAtMaxTasksPerChildAndRunTheRestOnItsReplacements() throws Exception {
        dispatcher(5, 2).startWorkers(1);
        RecordingJob job = submit(5);
        for (int worker = 0; worker < 3; worker++) { // 2 + 2 + 1 tasks
            FakeLink link = awaitLink(worker);
            link.ready();
            link.serve(2); // exits with 0 after 2 tasks, as PoolWorker does at maxtasksperchild
        }
        assertTrue(job.awaitDone(), "every task ended");
        for (int i = 0; i < 5; i++) {
            assertEquals(i, job.outcomes.get(job.taskIds.get(i)), "task " + i + " ran, none lost to a retirement");
        }
        for (FakeLink link : links) {
            assertTrue(link.tasksServed.size() <= 2, link.name + " was sent no more than its 2: " + link.tasksServed);
        }
        awaitTrue(() -> links.size() >= 3, "the third worker");
        assertEquals(Dispatcher.State.RUNNING, dispatcher.state());
        assertEquals(List.of(), warnings, "a retirement is not a failure");
    }

    @Test
    void shouldCancelEveryOutstandingTaskByTheTimeTerminateReturnsAndStartNoReplacement() throws Exception {
        dispatcher(5).startWorkers(2);
        for (FakeLink link : links) {
            link.ready();
        }
        RecordingJob job = submit(30);
        links.get(0).takeTasks(2); // in flight on both workers, the rest queued; nobody answers
        links.get(1).takeTasks(2);
        dispatcher.terminate();
        assertEquals(30, job.outcomes.size(), "every task ended when terminate returned");
        for (Object outcome : job.outcomes.values()) {
            assertInstanceOf(CancellationException.class, outcome);
        }
        assertTrue(dispatcher.join(Duration.ofMillis(WAIT_MILLIS)));
        assertTrue(dispatcher.isTerminated());
        assertEquals(2, links.size(), "no worker replaced after terminate");
        for (FakeLink link : links) {
            assertFalse(link.isAlive(), link.name + " killed");
        }
        assertThrows(IllegalStateException.class, () -> submit(1), "no call after terminate");
    }

    @Test
    void shouldEndEveryCallSubmittedWhileTerminateRuns() throws Exception {
        dispatcher(5).startWorkers(2);
        for (FakeLink link : links) {
            link.ready();
            link.serve();
        }
        List<RecordingJob> jobs = new CopyOnWriteArrayList<>();
        List<Thread> submitters = new ArrayList<>();
        java.util.concurrent.CountDownLatch going = new java.util.concurrent.CountDownLatch(2);
        for (int t = 0; t < 2; t++) {
            Thread submitter = new Thread(() -> {
                going.countDown();
                try {
                    while (true) {
                        jobs.add(submit(1 + jobs.size() % 3));
                    }
                } catch (IllegalStateException terminated) {
                    // the pool is terminated: the submits stop
                }
            });
            submitter.start();
            submitters.add(submitter);
        }
        assertTrue(going.await(WAIT_MILLIS, TimeUnit.MILLISECONDS));
        Thread.sleep(20);
        dispatcher.terminate();
        for (Thread submitter : submitters) {
            submitter.join(WAIT_MILLIS);
            assertFalse(submitter.isAlive(), "submits end once the pool is terminated");
        }
        assertFalse(jobs.isEmpty());
        for (RecordingJob job : jobs) {
            assertTrue(job.awaitDone(), "a call submitted during terminate ended: " + job.outcomes);
            for (Object outcome : job.outcomes.values()) {
                assertTrue(outcome instanceof Integer || outcome instanceof CancellationException,
                        "a result or a cancellation: " + outcome);
            }
        }
    }

    private FakeLink awaitLink(int index) throws InterruptedException {
        awaitTrue(() -> links.size() > index, "worker " + index + " starts");
        return links.get(index);
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(5); // polling a condition, with a deadline
        }
    }

    /** A call that records each task's outcome: its result, or its exception. */
    private static final class RecordingJob extends Job {
        final List<Long> taskIds = new CopyOnWriteArrayList<>();
        final Map<Long, Object> outcomes = new ConcurrentHashMap<>();
        private final int count;

        RecordingJob(long id, int count) {
            super(id, (Function<Object, Object> & Serializable) x -> x, PoolFrames.FUNCTION, count, 1);
            this.count = count;
        }

        @Override
        public void done(Task task, List<Object> values) {
            record(task, values.get(0));
            super.done(task, values);
        }

        @Override
        public void failed(Task task, Throwable t) {
            record(task, t);
            super.failed(task, t);
        }

        private void record(Task task, Object outcome) {
            if (outcomes.putIfAbsent(task.id, outcome) != null) {
                throw new AssertionError("task " + task.id + " ended twice");
            }
        }

        /** {@return true once every task ended} */
        boolean awaitDone() throws InterruptedException, ExecutionException {
            try {
                result.handle((values, failure) -> null).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                return false;
            }
            return outcomes.size() == count;
        }
    }

    /** A worker played by the test: what the dispatcher sends is queued for it; what it answers, for the receiver. */
    private static final class FakeLink implements Link {
        private static final byte[] END = new byte[0];

        final String name;
        final BlockingQueue<byte[]> sent = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> answers = new LinkedBlockingQueue<>();
        final List<Byte> kindsSeen = new CopyOnWriteArrayList<>();
        final List<Long> tasksServed = new CopyOnWriteArrayList<>();
        private volatile boolean ended;
        private volatile boolean connectionClosed;
        private volatile boolean closed;
        private volatile int exitCode;
        private volatile long startedLast;

        FakeLink(String name) {
            this.name = name;
        }

        void ready() {
            answers.add(new byte[] {PoolFrames.READY});
        }

        /** The worker ends: its exit code, the number in its started word, then the end of its pipe. */
        void die(int code, long started) {
            startedLast = started;
            exitCode = code;
            ended = true;
            answers.add(END);
        }

        /** {@return the numbers of the next {@code n} tasks sent (a TASKS batch counts as its tasks)} */
        List<Long> takeTasks(int n) throws Exception {
            List<Long> tasks = new ArrayList<>();
            while (tasks.size() < n) {
                byte[] message = next();
                switch (PoolFrames.kind(message)) {
                    case PoolFrames.TASK, PoolFrames.CALL -> tasks.add(PoolFrames.number(message));
                    case PoolFrames.TASKS -> {
                        for (byte[] task : PoolFrames.unbatch(message)) {
                            tasks.add(PoolFrames.number(task));
                        }
                    }
                    default -> { } // a JOB (the function) or a FORGET
                }
            }
            return tasks;
        }

        private byte[] next() throws InterruptedException, IOException {
            byte[] message = sent.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            if (message == null) {
                throw new AssertionError(name + ": nothing sent in " + WAIT_MILLIS + " ms");
            }
            kindsSeen.add(PoolFrames.kind(message));
            return message;
        }

        /** Answers every task with its own item, in a thread of its own, until a STOP: then the worker exits. */
        void serve() {
            serve(Integer.MAX_VALUE);
        }

        /** {@link #serve()}, the worker exiting with 0 after {@code limit} tasks (Python's maxtasksperchild). */
        void serve(int limit) {
            Thread server = new Thread(() -> {
                try {
                    while (true) {
                        byte[] message = next();
                        switch (PoolFrames.kind(message)) {
                            case PoolFrames.TASK, PoolFrames.CALL -> answer(message);
                            case PoolFrames.TASKS -> {
                                for (byte[] task : PoolFrames.unbatch(message)) {
                                    answer(task);
                                }
                            }
                            case PoolFrames.STOP -> {
                                die(0, 0);
                                return;
                            }
                            default -> { } // a JOB or a FORGET
                        }
                        if (tasksServed.size() >= limit) {
                            answers.add(new byte[] {PoolFrames.RETIRE}); // as PoolWorker says before it exits
                            die(0, startedLast);
                            return;
                        }
                    }
                } catch (Exception | AssertionError e) {
                    die(70, 0);
                }
            }, name + "-fake-worker");
            server.setDaemon(true);
            server.start();
        }

        private void answer(byte[] task) throws IOException {
            long number = PoolFrames.number(task);
            startedLast = number;
            tasksServed.add(number);
            int itemsAt = PoolFrames.kind(task) == PoolFrames.CALL ? PoolFrames.callItems(task) : 17;
            answers.add(PoolFrames.done(number, PoolFrames.items(task, itemsAt)));
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long pid() {
            return -1;
        }

        @Override
        public void send(byte[] message) throws IOException {
            if (connectionClosed || ended) {
                throw new IOException(name + ": broken pipe");
            }
            sent.add(message);
        }

        @Override
        public byte[] receive() throws IOException, InterruptedException {
            byte[] message = answers.take();
            if (message == END) {
                answers.add(END); // for a later receive
                throw new EOFException(name + " ended");
            }
            return message;
        }

        @Override
        public boolean fitsNow(int length) throws IOException {
            if (connectionClosed) {
                throw new IOException(name + ": closed");
            }
            return true;
        }

        @Override
        public void closeConnection() {
            connectionClosed = true;
            answers.add(END);
        }

        @Override
        public boolean isAlive() {
            return !ended;
        }

        @Override
        public void join(Duration timeout) {
            // the test ends a worker (die) before its pipe ends: reaped at once
        }

        @Override
        public void kill() {
            if (closed) {
                throw new IllegalStateException(name + " closed");
            }
            if (!ended) {
                die(-9, startedLast);
            }
        }

        @Override
        public OptionalInt exitCode() {
            return ended ? OptionalInt.of(exitCode) : OptionalInt.empty();
        }

        @Override
        public long startedLast() {
            return startedLast;
        }

        @Override
        public String errorHead(int lines) {
            return "";
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** Keeps the warnings the dispatcher logs. */
    private record RecordingLogger(List<String> warnings) implements System.Logger {
        @Override
        public String getName() {
            return "DispatcherTest";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            warnings.add(msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            warnings.add(format);
        }
    }
}

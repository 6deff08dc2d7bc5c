package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.Poll;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** ProcessPool across real worker JVMs. */
class ProcessPoolIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    static int cube(int x) {
        return x * x * x;
    }

    static long pid(Object ignored) {
        return ProcessHandle.current().pid();
    }

    @Test
    void shouldMapApplyAndKeepOrderWithAnyChunkSize() throws Exception {
        try (ProcessPool pool = new ProcessPool(2)) {
            List<Integer> numbers = IntStream.range(0, 1000).boxed().toList();
            List<Integer> cubes = numbers.stream().map(ProcessPoolIT::cube).toList();
            assertEquals(cubes, pool.map(ProcessPoolIT::cube, numbers));
            for (int chunksize : new int[] {1, 7, 1000, 5000}) {
                assertEquals(cubes, pool.map(ProcessPoolIT::cube, numbers, chunksize), "chunksize " + chunksize);
            }
            assertEquals(List.of(), pool.map(ProcessPoolIT::cube, List.of(), 3), "an empty map, at once");
            assertEquals(27, pool.apply(() -> cube(3)));
            AsyncResult<Integer> async = pool.applyAsync(() -> cube(4));
            assertEquals(64, async.get(WAIT));
            assertTrue(async.ready());
            assertTrue(async.successful());
            assertEquals(List.of(8, 27), pool.mapAsync(ProcessPoolIT::cube, List.of(2, 3), 0).get(WAIT));
            Set<Long> pids = new HashSet<>(pool.map(ProcessPoolIT::pid, numbers, 1));
            assertTrue(pids.size() >= 1 && !pids.contains(ProcessHandle.current().pid()), "work runs in workers");
        }
    }

    @Test
    void shouldBootSpawnWorkersAFewAtATimeAndRunTasksOnEveryOne() throws Exception {
        Context spawn = Multiprocessing.getContext("spawn");
        int cpus = Runtime.getRuntime().availableProcessors();
        assertEquals(Math.min(4, Math.max(1, cpus / 2)), Math.min(4, ProcessPool.bootsAtOnce(4, null, spawn)),
                "half the CPUs boot at a time");
        assertEquals(4, ProcessPool.bootsAtOnce(4, () -> { }, spawn), "all at once with an initializer");
        assertEquals(4, ProcessPool.bootsAtOnce(4, null, Multiprocessing.getContext("forkserver")),
                "all at once from standbys");
        try (ProcessPool pool = new ProcessPool(3, null, 0, spawn)) {
            assertEquals(1, pool.apply(() -> 1), "the first worker serves before the others are up");
            Set<Long> pids = new HashSet<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (pids.size() < 3 && System.nanoTime() - deadline < 0) { // held-back workers start meanwhile
                pids.addAll(pool.map(ProcessPoolIT::pid, IntStream.range(0, 60).boxed().toList(), 1));
            }
            assertEquals(3, pids.size(), "every worker runs tasks: " + pids);
        }
    }

    static int failOn(int x) {
        if (x == 13) {
            throw new ArithmeticException("unlucky " + x);
        }
        return x;
    }

    @Test
    void shouldRethrowATasksExceptionWithItsTypeAndTheWorkersTrace() throws Exception {
        try (ProcessPool pool = new ProcessPool(2)) {
            List<Integer> numbers = IntStream.range(0, 100).boxed().toList();
            ArithmeticException e = assertThrows(ArithmeticException.class,
                    () -> pool.map(ProcessPoolIT::failOn, numbers, 5));
            assertEquals("unlucky 13", e.getMessage());
            assertInstanceOf(RemoteTraceback.class, e.getCause(), "the worker's trace as cause");
            assertTrue(e.getCause().getMessage().contains("failOn"), e.getCause().getMessage());
            AsyncResult<Integer> async = pool.applyAsync(() -> failOn(13));
            ExecutionException wrapped = assertThrows(ExecutionException.class, () -> async.get(WAIT));
            assertInstanceOf(ArithmeticException.class, wrapped.getCause());
            assertFalse(async.successful());
            IllegalArgumentException unsendable = assertThrows(IllegalArgumentException.class,
                    () -> pool.apply(() -> new Object()), "a result that cannot be serialized fails its task");
            assertTrue(unsendable.getMessage().contains("java.lang.Object"), unsendable.getMessage());
            SerializableFunction<Object, Object> same = x -> x;
            AsyncResult<List<Object>> unsendableItem = pool.mapAsync(same, List.of(new Object()), 0);
            ExecutionException itemFailure = assertThrows(ExecutionException.class, () -> unsendableItem.get(WAIT),
                    "an item that cannot be serialized fails its call, not the submission");
            assertInstanceOf(IllegalArgumentException.class, itemFailure.getCause());
            assertEquals(List.of(1, 2), pool.map(ProcessPoolIT::failOn, List.of(1, 2)), "the workers survived");
        }
    }

    static int sleepFor(long millis, SharedValue pid) {
        pid.set(ProcessHandle.current().pid());
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return 1;
    }

    @Test
    void shouldFailOnlyTheTasksOfAWorkerThatDiesAndReplaceIt() throws Exception {
        try (ProcessPool pool = new ProcessPool(2)) {
            SharedValue victim = SharedValue.of('q', 0L);
            AsyncResult<Integer> doomed = pool.applyAsync(() -> sleepFor(60_000, victim));
            Poll.until("the task to start", WAIT, () -> ((Number) victim.get()).longValue() != 0);
            long pid = ((Number) victim.get()).longValue();
            assertThrows(TimeoutException.class, () -> doomed.get(Duration.ofMillis(50)), "still running");
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            ExecutionException e = assertThrows(ExecutionException.class, () -> doomed.get(WAIT));
            assertInstanceOf(WorkerLostException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("pid " + pid), e.getCause().getMessage());
            List<Integer> numbers = IntStream.range(0, 200).boxed().toList();
            assertEquals(numbers.stream().map(ProcessPoolIT::cube).toList(), pool.map(ProcessPoolIT::cube,
                    numbers, 1), "the pool goes on, with a replacement");
            Set<Long> pids = new HashSet<>(pool.map(ProcessPoolIT::pid, numbers, 1));
            assertFalse(pids.contains(pid));
        }
    }

    @Test
    void shouldRunTasksOnThreadsWithTheThreadStartMethod() throws Exception {
        // Python's multiprocessing.dummy.Pool: the workers are threads of this JVM, their pipe ends shared
        long start = System.nanoTime();
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(err, true));
        try (ProcessPool pool = new ProcessPool(2, null, 1, Multiprocessing.getContext("thread"))) {
            assertEquals(42, pool.apply(() -> 6 * 7));
            assertEquals(List.of(1, 8, 27, 64), pool.map(ProcessPoolIT::cube, List.of(1, 2, 3, 4), 1));
            assertEquals(Set.of(ProcessHandle.current().pid()), new HashSet<>(pool.map(ProcessPoolIT::pid,
                    List.of(1, 2, 3), 1)));
        } finally {
            System.setErr(original);
        }
        assertTrue(System.nanoTime() - start < WAIT.toNanos());
        assertFalse(err.toString().contains("pool worker:"), "terminating idle thread workers printed:\n" + err);
    }

    @Test
    void shouldRunTheInitializerOncePerWorkerAndRecycleWorkers() throws Exception {
        SharedValue count = SharedValue.of('i', 0);
        try (ProcessPool pool = new ProcessPool(2, () -> count.incrementAndGet(), 1, null)) {
            List<Long> pids = pool.map(ProcessPoolIT::pid, List.of(1, 2, 3, 4, 5, 6), 1);
            assertEquals(6, new HashSet<>(pids).size(), "maxTasksPerChild=1: a fresh worker per task");
            Poll.until("the replacements' initializers", WAIT, () -> count.getInt() >= 6);
        }
        try (ProcessPool pool = new ProcessPool(1, () -> {
            throw new IllegalStateException("no database");
        }, 0, null)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> pool.map(ProcessPoolIT::cube, List.of(1, 2)));
            assertTrue(e.getMessage().contains("pool broken") && e.getMessage().contains("no database"),
                    e.getMessage());
            assertThrows(IllegalStateException.class, () -> pool.apply(() -> 1), "not retried forever");
        }
    }

    @Test
    void shouldFinishQueuedWorkOnShutdownAndCancelItOnTerminate() throws Exception {
        ProcessPool pool = new ProcessPool(2);
        SharedValue started = SharedValue.of('q', 0L);
        AsyncResult<List<Integer>> queued = pool.mapAsync(ProcessPoolIT::cube, List.of(1, 2, 3), 1);
        assertThrows(IllegalStateException.class, pool::join, "join before shutdown or terminate");
        pool.shutdown();
        assertThrows(IllegalStateException.class, () -> pool.apply(() -> 1), "pool not running");
        pool.join();
        assertEquals(List.of(1, 8, 27), queued.get(WAIT), "what was queued finished");

        ProcessPool other = new ProcessPool(1);
        AsyncResult<Integer> running = other.applyAsync(() -> sleepFor(60_000, started));
        Poll.until("the task to start", WAIT, () -> ((Number) started.get()).longValue() != 0);
        long worker = ((Number) started.get()).longValue();
        other.close(); // try-with-resources: terminate
        assertThrows(CancellationException.class, () -> running.get(10, TimeUnit.SECONDS));
        assertFalse(ProcessHandle.of(worker).map(ProcessHandle::isAlive).orElse(false), "no worker outlives it");
        assertNotEquals(0, worker);
    }

    @Test
    void shouldRunCallbacksOnThePoolsCallbackThreadBeforeTheResultIsReady() throws Exception {
        try (ProcessPool pool = new ProcessPool(2)) {
            java.util.concurrent.ConcurrentLinkedQueue<String> seen = new java.util.concurrent.ConcurrentLinkedQueue<>();
            AsyncResult<Integer> ok = pool.applyAsync(() -> cube(2),
                    v -> seen.add(Thread.currentThread().getName() + " " + v), e -> seen.add("error " + e));
            assertEquals(8, ok.get(WAIT));
            assertTrue(seen.stream().anyMatch(x -> x.contains("callbacks 8")), "ran before ready: " + seen);
            AsyncResult<List<Integer>> failed = pool.mapAsync(ProcessPoolIT::failOn, List.of(1, 13), 1, v -> seen.add(
                    "unexpected"), e -> seen.add("error " + e.getClass().getSimpleName()));
            assertThrows(ExecutionException.class, () -> failed.get(WAIT));
            assertTrue(seen.contains("error ArithmeticException"), seen.toString());
            assertFalse(seen.contains("unexpected"));
        }
    }

    @Test
    void shouldStreamImapInOrderWithBoundedLookAhead() throws Exception {
        try (ProcessPool pool = new ProcessPool(2)) {
            long[] pulled = {0};
            long n = 10_000_000L;
            Iterable<Long> lazy = () -> new java.util.Iterator<>() {
                private long next;

                @Override
                public boolean hasNext() {
                    return next < n;
                }

                @Override
                public Long next() {
                    pulled[0]++;
                    return next++;
                }
            };
            java.util.Iterator<Long> results = pool.imap(x -> x * 2, lazy, 10_000);
            long count = 0;
            long maxAhead = 0;
            while (results.hasNext()) {
                assertEquals(count * 2, results.next());
                count++;
                maxAhead = Math.max(maxAhead, pulled[0] - count);
            }
            assertEquals(n, count, "every item, in order");
            assertTrue(maxAhead <= 2L * 8 * 2 * 10_000, "the source is read a bounded window ahead: " + maxAhead);

            List<Integer> numbers = IntStream.range(0, 500).boxed().toList();
            Set<Integer> unordered = new HashSet<>();
            pool.imapUnordered(ProcessPoolIT::cube, numbers, 3).forEachRemaining(unordered::add);
            assertEquals(new HashSet<>(numbers.stream().map(ProcessPoolIT::cube).toList()), unordered);

            java.util.Iterator<Integer> failing = pool.imap(ProcessPoolIT::failOn, List.of(11, 12, 13, 14));
            assertEquals(11, failing.next());
            assertEquals(12, failing.next());
            assertThrows(ArithmeticException.class, failing::next, "the exception at its place");
            assertEquals(14, failing.next(), "and the iteration goes on, as in Python");
            assertFalse(failing.hasNext());
        }
    }

    @Test
    void shouldRefuseAFunctionThatCannotBeSentAndSurviveShutdownRacingSubmissions() throws Exception {
        try (ProcessPool pool = new ProcessPool(1)) {
            Object notSerializable = new Object();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pool.applyAsync(() -> notSerializable.hashCode()), "refused in the caller, at once");
            assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
            assertEquals(42, pool.apply(() -> 42), "the pool goes on");
        }
        for (int round = 0; round < 5; round++) {
            ProcessPool pool = new ProcessPool(1);
            Thread submitter = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        pool.mapAsync(ProcessPoolIT::cube, List.of(1, 2, 3), 1);
                    }
                } catch (IllegalStateException stopped) {
                    // the pool was shut down: done
                }
            });
            Thread.sleep(20);
            pool.shutdown();
            Thread joiner = Thread.ofPlatform().daemon().start(() -> {
                try {
                    pool.join();
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            });
            joiner.join(WAIT.toMillis());
            assertFalse(joiner.isAlive(), "join returned in round " + round);
            submitter.join(WAIT.toMillis());
        }
    }

    static int pow(int base, int exponent) {
        return (int) Math.pow(base, exponent);
    }

    @Test
    void shouldStarmapAndServeAsAnExecutorService() throws Exception {
        try (ProcessPool pool = new ProcessPool(2)) {
            assertEquals(List.of(8, 9), pool.starmap(args -> pow((int) args[0], (int) args[1]),
                    List.of(new Object[] {2, 3}, new Object[] {3, 2}), 0));
            List<Object> called = new java.util.concurrent.CopyOnWriteArrayList<>();
            assertEquals(List.of(16), pool.starmapAsync(args -> pow((int) args[0], (int) args[1]),
                    List.<Object[]>of(new Object[] {2, 4}), 1, called::add, called::add).get(WAIT));
            assertEquals(List.of(List.of(16)), called, "the callback ran before the result was ready");
            java.util.concurrent.ExecutorService executor = pool.asExecutorService();
            java.util.concurrent.Future<Integer> future = executor.submit((SerializableCallable<Integer>) () -> cube(5));
            assertInstanceOf(java.util.concurrent.CompletableFuture.class, future);
            assertEquals(125, future.get(60, TimeUnit.SECONDS));
            assertThrows(IllegalArgumentException.class, () -> executor.submit(() -> 1),
                    "a lambda that is not serializable is refused");
            List<java.util.concurrent.Callable<Integer>> tasks = List.of((SerializableCallable<Integer>) () -> 1,
                    (SerializableCallable<Integer>) () -> 2, (SerializableCallable<Integer>) () -> failOn(13));
            List<java.util.concurrent.Future<Integer>> all = executor.invokeAll(tasks);
            assertEquals(1, all.get(0).get());
            assertEquals(2, all.get(1).get());
            assertThrows(ExecutionException.class, () -> all.get(2).get());
            int any = executor.invokeAny(tasks);
            assertTrue(any == 1 || any == 2, "a successful one: " + any);
            assertFalse(executor.isShutdown());
            executor.shutdown();
            assertTrue(executor.isShutdown());
            assertTrue(executor.awaitTermination(60, TimeUnit.SECONDS));
            assertTrue(executor.isTerminated());
        }
    }

    static int exitWith(int code) {
        System.exit(code);
        return 0;
    }

    @Test
    void shouldRunTasksQueuedBehindTheOneThatKilledItsWorkerOnItsReplacement() throws Exception {
        try (ProcessPool pool = new ProcessPool(1)) {
            AsyncResult<Integer> doomed = pool.applyAsync(() -> exitWith(4));
            List<AsyncResult<Integer>> behind = IntStream.range(0, 5).mapToObj(i -> pool.applyAsync(() -> cube(i)))
                    .toList(); // the first of them waits in the dying worker's pipe
            ExecutionException e = assertThrows(ExecutionException.class, () -> doomed.get(WAIT));
            assertInstanceOf(WorkerLostException.class, e.getCause());
            for (int i = 0; i < behind.size(); i++) {
                assertEquals(cube(i), behind.get(i).get(WAIT), "task " + i + " never started: it runs elsewhere");
            }
        }
    }

    @Test
    void shouldReportAWorkerThatExitsAndCheckResultsBeforeReady() throws Exception {
        try (ProcessPool pool = new ProcessPool(1)) {
            AsyncResult<Integer> exiting = pool.applyAsync(() -> exitWith(3));
            ExecutionException e = assertThrows(ExecutionException.class, () -> exiting.get(WAIT));
            assertInstanceOf(WorkerLostException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("exit code 3"), e.getCause().getMessage());
            SharedValue started = SharedValue.of('q', 0L);
            AsyncResult<Integer> slow = pool.applyAsync(() -> sleepFor(300, started));
            assertThrows(IllegalStateException.class, slow::successful, "successful() before ready()");
            assertEquals(1, slow.get(WAIT));
            assertTrue(slow.successful());
        }
    }

    @Test
    void shouldLeaveNoWorkerBehindWhenItsParentIsKilled() throws Exception {
        try (io.github.jmultiprocessing.testing.JavaMain parent =
                io.github.jmultiprocessing.testing.JavaMain.start(PoolParentMain.class)) {
            Poll.until("the parent's pool to work", WAIT, () -> parent.output().contains("ready"));
            List<Long> workers = parent.output().lines().filter(l -> l.startsWith("worker "))
                    .map(l -> Long.parseLong(l.substring(7))).toList();
            assertFalse(workers.isEmpty(), parent.output());
            parent.process().destroyForcibly();
            assertTrue(parent.process().waitFor(60, TimeUnit.SECONDS));
            for (long worker : workers) {
                Poll.until("worker " + worker + " to exit after its parent", WAIT,
                        () -> !ProcessHandle.of(worker).map(ProcessHandle::isAlive).orElse(false));
            }
        }
        try (io.github.jmultiprocessing.testing.Children children = new io.github.jmultiprocessing.testing.Children()) {
            JvmProcess reaper = children.start(() -> { }); // a library JVM start reaps the killed parent's segments
            assertEquals(0, io.github.jmultiprocessing.testing.Children.joinWithin(reaper, WAIT));
        }
    }
}

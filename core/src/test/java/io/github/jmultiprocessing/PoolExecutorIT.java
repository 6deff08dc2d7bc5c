package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * {@link ProcessPool#asExecutorService()} against the {@link ExecutorService} contract (as the JSR-166 TCK's
 * AbstractExecutorServiceTest checks it) and Python's {@code Executor.map}, across real worker JVMs.
 */
class PoolExecutorIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    static int sleepThen(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return millis;
    }

    static int sleepFor(int millis, SharedValue started) {
        started.set(ProcessHandle.current().pid());
        return sleepThen(millis);
    }

    static int answer() {
        return 42;
    }

    static int cube(int x) {
        return x * x * x;
    }

    @Test
    void shouldReturnOnlyDoneFuturesFromATimedInvokeAllTheUnfinishedCancelled() throws Exception {
        try (ProcessPool pool = new ProcessPool(1)) {
            ExecutorService executor = pool.asExecutorService();
            SharedValue heldRan = SharedValue.of('i', 0);
            SharedValue queuedRan = SharedValue.of('i', 0);
            // a fresh worker holds two tasks (the one it runs, one in its pipe); the third waits in the pool's queue
            List<Callable<Integer>> tasks = List.of((SerializableCallable<Integer>) () -> sleepThen(6000),
                    (SerializableCallable<Integer>) () -> (int) heldRan.incrementAndGet(),
                    (SerializableCallable<Integer>) () -> (int) queuedRan.incrementAndGet());
            long start = System.nanoTime();
            List<Future<Integer>> futures = executor.invokeAll(tasks, 3, TimeUnit.SECONDS);
            long took = System.nanoTime() - start;
            assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(2900) && took < TimeUnit.MILLISECONDS.toNanos(5900),
                    "returned at the timeout: " + took / 1_000_000 + " ms");
            for (Future<Integer> future : futures) {
                assertTrue(future.isDone(), "every returned future is done");
                assertTrue(future.isCancelled(), "an unfinished one cancelled");
                assertThrows(CancellationException.class, future::get);
            }
            // the worker runs what it held to its end (results dropped); the queued task never runs
            assertEquals(0, executor.submit((SerializableCallable<Integer>) () -> queuedRan.getInt()).get(60,
                    TimeUnit.SECONDS), "the task withdrawn from the queue never ran (it was ahead of this one)");
            assertEquals(1, heldRan.getInt(), "the task the worker held ran, its result dropped");
            assertTrue(futures.get(0).isCancelled(), "and its future stays cancelled");
        }
    }

    @Test
    void shouldReportTheExceptionOfAnExecutedTaskToTheUncaughtExceptionHandler() throws Exception {
        java.util.concurrent.LinkedBlockingQueue<Throwable> reported = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> reported.add(e));
        try (ProcessPool pool = new ProcessPool(1)) {
            pool.asExecutorService().execute(() -> {
                throw new IllegalStateException("lost in execute");
            });
            Throwable e = reported.poll(60, java.util.concurrent.TimeUnit.SECONDS);
            assertInstanceOf(IllegalStateException.class, e, "as a ThreadPoolExecutor's, not dropped");
            assertEquals("lost in execute", e.getMessage());
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
    }

    @Test
    void shouldRejectTasksAfterShutdown() throws Exception {
        ProcessPool pool = new ProcessPool(1);
        ExecutorService executor = pool.asExecutorService();
        executor.shutdown();
        assertThrows(RejectedExecutionException.class,
                () -> executor.submit((SerializableCallable<Integer>) () -> 1));
        assertThrows(RejectedExecutionException.class, () -> executor.execute((SerializableRunnable) () -> { }));
        assertThrows(RejectedExecutionException.class,
                () -> executor.invokeAll(List.of((SerializableCallable<Integer>) () -> 1)));
        assertThrows(RejectedExecutionException.class,
                () -> pool.asExecutorService().map(PoolExecutorIT::cube, List.of(1)));
        assertTrue(executor.awaitTermination(60, TimeUnit.SECONDS));
    }

    @Test
    void shouldCancelQueuedFuturesOnShutdownNowAsAsyncResultsAre() throws Exception {
        ProcessPool pool = new ProcessPool(1);
        ExecutorService executor = pool.asExecutorService();
        SharedValue started = SharedValue.of('q', 0L);
        Future<Integer> running = executor.submit((SerializableCallable<Integer>) () -> sleepFor(60_000, started));
        Future<Integer> held = executor.submit((SerializableCallable<Integer>) () -> 2);
        Future<Integer> queued = executor.submit((SerializableCallable<Integer>) () -> 3);
        AsyncResult<Integer> queuedToo = pool.applyAsync(() -> 4);
        Poll.until("the first task to start", WAIT, () -> ((Number) started.get()).longValue() != 0);
        executor.shutdownNow();
        for (Future<Integer> future : List.of(running, held, queued, queuedToo)) {
            assertTrue(future.isDone());
            assertTrue(future.isCancelled(), "cancelled, as the AsyncResult is");
            assertThrows(CancellationException.class, () -> future.get(60, TimeUnit.SECONDS),
                    "a CancellationException itself, not in an ExecutionException");
        }
        assertTrue(executor.awaitTermination(60, TimeUnit.SECONDS));
    }

    /**
     * invokeAny's contract: an ExecutionException when no task succeeded, also when the tasks were cancelled by a
     * shutdownNow meanwhile (the JDK's own invokeAny wraps a task's CancellationException so), never the
     * CancellationException itself.
     */
    @Test
    void shouldThrowExecutionExceptionFromInvokeAnyWhoseTasksWereCancelled() throws Exception {
        ProcessPool pool = new ProcessPool(1);
        ExecutorService executor = pool.asExecutorService();
        SharedValue started = SharedValue.of('q', 0L);
        List<Callable<Integer>> tasks = List.of(
                (SerializableCallable<Integer>) () -> sleepFor(60_000, started),
                (SerializableCallable<Integer>) () -> sleepThen(60_000));
        CompletableFuture<Void> stopper = CompletableFuture.runAsync(() -> {
            try {
                Poll.until("the first task to start", WAIT, () -> ((Number) started.get()).longValue() != 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executor.shutdownNow();
        });
        try {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> executor.invokeAny(tasks, 60, TimeUnit.SECONDS));
            assertInstanceOf(CancellationException.class, e.getCause(), "its cause says why");
        } finally {
            stopper.get(60, TimeUnit.SECONDS);
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldWithdrawACancelledQueuedTaskSoThatItNeverRuns() throws Exception {
        try (ProcessPool pool = new ProcessPool(1)) {
            ExecutorService executor = pool.asExecutorService();
            SharedValue started = SharedValue.of('q', 0L);
            SharedValue ran = SharedValue.of('i', 0);
            Future<Integer> running = executor.submit((SerializableCallable<Integer>) () -> sleepFor(1000, started));
            Future<Integer> held = executor.submit((SerializableCallable<Integer>) () -> 2);
            Future<?> queued = executor.submit((SerializableRunnable) () -> ran.incrementAndGet());
            Future<String> queuedWithResult = executor.submit((SerializableRunnable) () -> ran.incrementAndGet(),
                    "done");
            Poll.until("the first task to start", WAIT, () -> ((Number) started.get()).longValue() != 0);
            assertTrue(queued.cancel(true));
            assertTrue(queuedWithResult.cancel(false), "a submit(Runnable, result) future reaches the queue too");
            for (Future<?> future : List.of(queued, queuedWithResult)) {
                assertTrue(future.isCancelled());
                assertTrue(future.isDone());
                assertThrows(CancellationException.class, future::get);
            }
            assertFalse(held.cancel(true), "a task a worker holds counts as running (as CPython's Future.cancel)");
            assertFalse(held.isCancelled());
            assertEquals(1000, running.get(60, TimeUnit.SECONDS));
            assertEquals(2, held.get(60, TimeUnit.SECONDS));
            assertEquals(0, executor.submit((SerializableCallable<Integer>) () -> ran.getInt())
                    .get(60, TimeUnit.SECONDS), "the cancelled tasks never ran (they were ahead of this one)");
        }
    }

    @Test
    void shouldSendAPlainLambdaAndRefuseATaskThatIsNotSerializable() throws Exception {
        try (ProcessPool pool = new ProcessPool(1)) {
            PoolExecutor executor = pool.asExecutorService();
            SharedValue ran = SharedValue.of('i', 0);
            CompletableFuture<Integer> value = executor.submit(() -> 6 * 7); // javac: submit(SerializableCallable)
            assertEquals(42, value.get(60, TimeUnit.SECONDS));
            CompletableFuture<?> none = executor.submit(() -> {
                ran.incrementAndGet();
            }); // submit(SerializableRunnable)
            assertNull(none.get(60, TimeUnit.SECONDS));
            assertEquals("ok", executor.submit(() -> {
                ran.incrementAndGet();
            }, "ok").get(60, TimeUnit.SECONDS));
            executor.execute(() -> ran.incrementAndGet());
            assertEquals(42, executor.submit(PoolExecutorIT::answer).get(60, TimeUnit.SECONDS), "method references too");
            Poll.until("the executed task", WAIT, () -> ran.getInt() == 3);
            CompletableFuture<Long> counted = executor.submit(() -> ran.incrementAndGet()); // a value: a Callable
            assertEquals(4L, counted.get(60, TimeUnit.SECONDS));

            Callable<Integer> plain = () -> 1; // a Callable variable: not serializable
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> executor.submit(plain));
            assertTrue(refused.getMessage().contains("serializable"), refused.getMessage());
            Runnable plainRunnable = () -> { };
            assertThrows(IllegalArgumentException.class, () -> executor.execute(plainRunnable));
            assertThrows(NullPointerException.class, () -> executor.submit((Callable<Integer>) null));
        }
    }

    @Test
    void shouldMapLazilyInOrderWithATimeoutFromTheCall() throws Exception {
        try (ProcessPool pool = new ProcessPool(2)) {
            PoolExecutor executor = pool.asExecutorService();
            List<Integer> cubes = new ArrayList<>();
            executor.map(PoolExecutorIT::cube, List.of(1, 2, 3, 4, 5), WAIT, 2).forEachRemaining(cubes::add);
            assertEquals(List.of(1, 8, 27, 64, 125), cubes);
            List<Integer> items = List.of(1, 2, 3);
            List<Integer> plain = new ArrayList<>();
            executor.map(PoolExecutorIT::cube, items).forEachRemaining(plain::add);
            assertEquals(List.of(1, 8, 27), plain);

            long start = System.nanoTime();
            IMapIterator<Integer> slow = executor.map(PoolExecutorIT::sleepThen, List.of(10, 5000, 10),
                    Duration.ofMillis(1500), 1);
            assertEquals(10, slow.next());
            CompletionException late = assertThrows(CompletionException.class, slow::next);
            long took = System.nanoTime() - start;
            assertInstanceOf(TimeoutException.class, late.getCause());
            assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(1490) && took < TimeUnit.MILLISECONDS.toNanos(4500),
                    "the timeout counts from the call: " + took / 1_000_000 + " ms");
            assertFalse(slow.hasNext(), "after its timeout the map is over");

            IMapIterator<Integer> timed = executor.map(PoolExecutorIT::sleepThen, List.of(500), Duration.ZERO, 1);
            assertThrows(TimeoutException.class, () -> timed.next(WAIT), "the map's timeout bounds a timed next");
            assertThrows(ArithmeticException.class,
                    () -> executor.map(x -> 1 / x, List.of(1, 0), WAIT, 1).forEachRemaining(x -> { }),
                    "a task's exception at its place");
        }
    }
}

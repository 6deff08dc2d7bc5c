package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** ProcessPool's direct sends, batches and credit windows across real worker JVMs. */
class ProcessPoolBatchingIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    static int haltOn(int x, int victim) {
        if (x == victim) {
            Runtime.getRuntime().halt(7);
        }
        return x;
    }

    static int slowOn(int x, int slow, long millis) {
        if (x == slow) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        return x;
    }

    static byte[] echo(byte[] payload) {
        return payload;
    }

    @Test
    void shouldNotForgetAFunctionWhoseTaskIsInTheSameBatch() throws Exception {
        try (ProcessPool pool = new ProcessPool(1)) {
            // A long stream keeps one call alive while many short calls come and go: every 32 calls the stream's
            // function is the oldest the worker knows, and a new call's JOB evicts it (FORGET).
            Iterator<Integer> stream = pool.imap(x -> x + 1, IntStream.range(0, 1_000_000).boxed()::iterator);
            CompletableFuture<Void> consumer = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 200_000; i++) {
                    assertEquals(i + 1, stream.next());
                }
            });
            List<CompletableFuture<Void>> callers = new ArrayList<>();
            for (int thread = 0; thread < 3; thread++) {
                callers.add(CompletableFuture.runAsync(() -> {
                    for (int call = 0; call < 300 && !consumer.isDone(); call++) {
                        try {
                            assertEquals(List.of(call, call + 1, call + 2),
                                    pool.map(x -> x, List.of(call, call + 1, call + 2), 1));
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
            }
            for (CompletableFuture<Void> caller : callers) {
                caller.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            consumer.get(WAIT.toSeconds(), TimeUnit.SECONDS); // ExecutionException: "a task of an unknown call"
        }
    }

    @Test
    void shouldBlameTheTaskThatKilledItsWorkerNotTheOneBeforeItInItsBatch() throws Exception {
        try (ProcessPool pool = new ProcessPool(1)) {
            assertEquals(List.of(0, 2, 3, 4), pool.map(x -> haltOn(x, 1), List.of(0, 2, 3, 4), 1)); // warm
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> pool.mapAsync(x -> haltOn(x, 1), List.of(0, 1, 2, 3), 1).get(WAIT));
            assertInstanceOf(WorkerLostException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("(items 1..1 "), e.getCause().getMessage());
        }
    }

    @Test
    void shouldNotHoldAQuickResultBackForTheSlowTaskAfterIt() throws Exception {
        try (ProcessPool pool = new ProcessPool(1)) {
            assertEquals(List.of(0, 2), pool.map(x -> slowOn(x, 1, 3_000), List.of(0, 2), 1)); // warm
            Iterator<Integer> unordered = pool.imapUnordered(x -> slowOn(x, 1, 3_000), List.of(0, 1), 1);
            long start = System.nanoTime();
            assertEquals(0, unordered.next());
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 2_000, "the quick result took " + millis + " ms");
            assertEquals(1, unordered.next());
        }
    }

    @Test
    void shouldNotBlockApplyAsyncOnAFullPipe() throws Exception {
        try (ProcessPool pool = new ProcessPool(1)) {
            for (int i = 0; i < 300; i++) {
                pool.apply(() -> 1); // a window of several tasks
            }
            SharedValue started = SharedValue.of('q', 0L);
            AsyncResult<Integer> busy = pool.applyAsync(() -> ProcessPoolIT.sleepFor(4_000, started));
            io.github.jmultiprocessing.testing.Poll.until("the slow task to start", WAIT,
                    () -> ((Number) started.get()).longValue() != 0);
            byte[] payload = new byte[40_000];
            long start = System.nanoTime();
            List<AsyncResult<byte[]>> big = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                big.add(pool.applyAsync(() -> echo(payload)));
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 2_000, "applyAsync blocked " + millis + " ms");
            assertEquals(1, busy.get(WAIT));
            for (AsyncResult<byte[]> each : big) {
                assertEquals(40_000, each.get(WAIT).length);
            }
        }
    }

    @Test
    void shouldNotDeadlockWhenAResultsContinuationSubmits() throws Exception {
        ProcessPool pool = new ProcessPool(1);
        try {
            for (int i = 0; i < 300; i++) {
                pool.apply(() -> 1);
            }
            byte[] payload = new byte[40_000];
            List<CompletableFuture<?>> all = new java.util.concurrent.CopyOnWriteArrayList<>();
            CompletableFuture<Void> submitting = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 40; i++) {
                    // a continuation runs on the thread that completes the result: the pool's receiver
                    all.add(pool.applyAsync(() -> echo(payload)).future()
                            .thenCompose(bytes -> pool.applyAsync(() -> echo(payload)).future()));
                }
            });
            try {
                submitting.get(30, TimeUnit.SECONDS);
                CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                StringBuilder stacks = new StringBuilder("stuck:");
                Thread.getAllStackTraces().forEach((thread, stack) -> {
                    if (thread.getName().contains("ProcessPool") || thread.getName().contains("ForkJoin")) {
                        stacks.append("\n").append(thread.getName());
                        for (int i = 0; i < Math.min(14, stack.length); i++) {
                            stacks.append("\n    ").append(stack[i]);
                        }
                    }
                });
                throw new AssertionError(stacks.toString(), e);
            }
        } finally {
            pool.terminate();
            assertTrue(pool.join(WAIT));
        }
    }
}

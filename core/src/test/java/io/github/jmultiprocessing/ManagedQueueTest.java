package io.github.jmultiprocessing;

import io.github.jmultiprocessing.testing.BlockingQueueContract;
import java.util.concurrent.BlockingQueue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.manager.ServedSynchronizers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The queue a manager serves (Python's {@code queue.Queue} on the server), on its own, in this JVM. */
class ManagedQueueTest implements BlockingQueueContract {

    @Override
    public BlockingQueue<Integer> newQueue(int capacity) {
        return queue(capacity);
    }

    private static final Duration SHORT = Duration.ofMillis(20);

    /** {@return the queue a manager serves, as {@link Manager} makes it} */
    private static ServedSynchronizers.QueueObject<Integer> queue(int maxsize) {
        return new ServedSynchronizers.QueueObject<>(maxsize, QueueShutDownException::new);
    }

    @Test
    void shouldRefusePutsAndDrainGetsAfterShutdown() throws Exception {
        ServedSynchronizers.QueueObject<Integer> q = queue(0);
        q.put(1);
        q.put(2);
        assertFalse(q.isShutdown());
        q.shutdown();
        assertTrue(q.isShutdown());
        assertThrows(QueueShutDownException.class, () -> q.put(3));
        assertThrows(QueueShutDownException.class, () -> q.putNowait(3));
        assertThrows(QueueShutDownException.class, () -> q.offer(3));
        assertThrows(QueueShutDownException.class, () -> q.offer(3, 1, TimeUnit.SECONDS));
        assertThrows(QueueShutDownException.class, () -> q.add(3));
        assertEquals(2, q.qsize());
        assertEquals(1, q.get());
        assertEquals(2, q.getNowait());
        long start = System.nanoTime();
        assertThrows(QueueShutDownException.class, q::get);
        assertThrows(QueueShutDownException.class, () -> q.get(Duration.ofSeconds(30)));
        assertThrows(QueueShutDownException.class, () -> q.poll(30, TimeUnit.SECONDS));
        assertThrows(QueueShutDownException.class, q::getNowait);
        assertThrows(QueueShutDownException.class, q::poll);
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "no get waited its timeout");
        assertNull(q.peek());
        assertEquals(0, q.drainTo(new ArrayList<>()));
        q.clear();
    }

    @Test
    void shouldCountDroppedElementsAsDoneOnImmediateShutdown() throws Exception {
        ServedSynchronizers.QueueObject<Integer> q = queue(3);
        for (int i = 0; i < 3; i++) {
            q.put(i);
        }
        assertTrue(q.full());
        assertEquals(0, q.get());
        q.shutdown(true);
        assertTrue(q.empty());
        assertThrows(QueueShutDownException.class, q::get);
        assertFalse(q.join(SHORT), "the one taken is unfinished");
        q.taskDone();
        assertTrue(q.join(SHORT), "the two dropped were counted done");
    }

    @Test
    void shouldWakeWaitingGettersPuttersAndJoinersOnShutdown() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            ServedSynchronizers.QueueObject<Integer> empty = queue(0);
            ServedSynchronizers.QueueObject<Integer> full = queue(1);
            full.put(0);
            CompletableFuture<Integer> getter = CompletableFuture.supplyAsync(() -> {
                try {
                    return empty.take();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            CompletableFuture<Void> putter = CompletableFuture.runAsync(() -> {
                try {
                    full.put(1);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            CompletableFuture<Boolean> joiner = CompletableFuture.supplyAsync(() -> {
                try {
                    full.join();
                    return true;
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            assertThrows(java.util.concurrent.TimeoutException.class, () -> getter.get(200, TimeUnit.MILLISECONDS));
            assertFalse(putter.isDone() || joiner.isDone());
            empty.shutdown();
            full.shutdown(true);
            for (CompletableFuture<?> waiter : List.of(getter, putter)) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> waiter.get(30, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof QueueShutDownException, String.valueOf(e.getCause()));
            }
            assertTrue(joiner.get(30, TimeUnit.SECONDS), "the element dropped was counted done: join ends");
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void shouldKeepTheCollectionMethodsALinkedBlockingQueueHad() throws Exception {
        ServedSynchronizers.QueueObject<Integer> q = queue(0);
        for (int i = 0; i < 6; i++) {
            q.put(i);
        }
        assertTrue(q.contains(3));
        assertTrue(q.remove((Object) 3));
        assertFalse(q.contains(3));
        assertTrue(q.removeIf(x -> x == 4));
        var it = q.iterator();
        assertEquals(0, it.next());
        it.remove();
        assertEquals(List.of(1, 2, 5), new ArrayList<>(q));
        assertEquals("[1, 2, 5]", q.toString());
        assertEquals(Integer.MAX_VALUE, q.remainingCapacity());
        assertEquals(List.of(1, 2), q.drain(2));
        assertEquals(1, q.size());
        assertThrows(NullPointerException.class, () -> q.put(null));
    }
}

package io.github.jmultiprocessing.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@link BlockingQueue} contract, run against every queue of the library (as JCTools' {@code QueueSanityTest}
 * runs against every queue): a test class implements {@link #newQueue(int)} and gets these tests. Only what the
 * interface's Javadoc promises is asserted; a queue's own extensions are tested beside it.
 */
public interface BlockingQueueContract {

    /**
     * {@return a new, empty queue of the kind under test}
     *
     * @param capacity its bound, or 0 for an unbounded queue
     */
    BlockingQueue<Integer> newQueue(int capacity);

    /** Releases what {@link #newQueue} made (closes it); by default nothing. */
    default void dispose(BlockingQueue<Integer> queue) {
        if (queue instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new AssertionError("closing " + queue, e);
            }
        }
    }

    @Test
    default void shouldKeepFifoOrderThroughEveryInsertAndRemoveMethod() throws Exception {
        BlockingQueue<Integer> q = newQueue(0);
        try {
            assertTrue(q.add(1));
            assertTrue(q.offer(2));
            q.put(3);
            assertTrue(q.offer(4, 1, TimeUnit.SECONDS));
            assertEquals(4, q.size());
            assertFalse(q.isEmpty());
            assertEquals(1, q.peek());
            assertEquals(1, q.element());
            assertEquals(1, q.remove());
            assertEquals(2, q.poll());
            assertEquals(3, q.take());
            assertEquals(4, q.poll(1, TimeUnit.SECONDS));
            assertTrue(q.isEmpty());
            assertEquals(0, q.size());
        } finally {
            dispose(q);
        }
    }

    @Test
    default void shouldAnswerAnEmptyQueueAsTheInterfaceSays() throws Exception {
        BlockingQueue<Integer> q = newQueue(0);
        try {
            assertNull(q.peek());
            assertNull(q.poll());
            assertNull(q.poll(10, TimeUnit.MILLISECONDS), "a timed poll of an empty queue times out with null");
            assertNull(q.poll(-1, TimeUnit.SECONDS), "a negative timeout does not wait");
            assertThrows(NoSuchElementException.class, q::element);
            assertThrows(NoSuchElementException.class, q::remove);
            assertFalse(q.iterator().hasNext());
            assertEquals(0, q.drainTo(new ArrayList<>()));
        } finally {
            dispose(q);
        }
    }

    @Test
    default void shouldRefuseNullEverywhere() throws Exception {
        BlockingQueue<Integer> q = newQueue(0);
        try {
            assertThrows(NullPointerException.class, () -> q.add(null));
            assertThrows(NullPointerException.class, () -> q.offer(null));
            assertThrows(NullPointerException.class, () -> q.put(null));
            assertThrows(NullPointerException.class, () -> q.offer(null, 1, TimeUnit.MILLISECONDS));
            assertEquals(0, q.size(), "nothing was added");
            q.add(1);
            assertThrows(NullPointerException.class, () -> q.drainTo(null));
            assertThrows(NullPointerException.class, () -> q.drainTo(null, 1));
            assertEquals(1, q.size(), "a refused drain takes nothing");
        } finally {
            dispose(q);
        }
    }

    @Test
    default void shouldRefuseToDrainIntoItself() {
        BlockingQueue<Integer> q = newQueue(0);
        try {
            q.add(1);
            assertThrows(IllegalArgumentException.class, () -> q.drainTo(q));
            assertThrows(IllegalArgumentException.class, () -> q.drainTo(q, 1));
            assertEquals(1, q.size());
        } finally {
            dispose(q);
        }
    }

    @Test
    default void shouldHonourItsBound() throws Exception {
        BlockingQueue<Integer> q = newQueue(2);
        try {
            assertEquals(2, q.remainingCapacity());
            assertTrue(q.offer(1));
            q.put(2);
            assertEquals(0, q.remainingCapacity());
            assertFalse(q.offer(3), "offer on a full queue returns false");
            assertFalse(q.offer(3, 10, TimeUnit.MILLISECONDS), "a timed offer on a full queue times out");
            assertThrows(IllegalStateException.class, () -> q.add(3), "add on a full queue throws");
            assertEquals(2, q.size());
            assertEquals(1, q.take());
            assertEquals(1, q.remainingCapacity());
        } finally {
            dispose(q);
        }
    }

    @Test
    default void shouldReportAnUnboundedQueueAsIntegerMaxValue() {
        BlockingQueue<Integer> q = newQueue(0);
        try {
            assertEquals(Integer.MAX_VALUE, q.remainingCapacity());
        } finally {
            dispose(q);
        }
    }

    @Test
    default void shouldDrainInOrderAndAtMostMaxElements() {
        BlockingQueue<Integer> q = newQueue(0);
        try {
            for (int i = 0; i < 5; i++) {
                q.add(i);
            }
            List<Integer> out = new ArrayList<>();
            assertEquals(0, q.drainTo(out, 0));
            assertEquals(2, q.drainTo(out, 2));
            assertEquals(List.of(0, 1), out);
            assertEquals(3, q.drainTo(out));
            assertEquals(List.of(0, 1, 2, 3, 4), out);
            assertTrue(q.isEmpty());
        } finally {
            dispose(q);
        }
    }

    @Test
    default void shouldIterateRemoveAndContainWithoutTakingOthers() {
        BlockingQueue<Integer> q = newQueue(0);
        try {
            q.addAll(List.of(1, 2, 3));
            List<Integer> seen = new ArrayList<>();
            for (Iterator<Integer> it = q.iterator(); it.hasNext(); ) {
                seen.add(it.next());
            }
            assertEquals(List.of(1, 2, 3), seen);
            assertEquals(3, q.size(), "iterating takes nothing");
            assertTrue(q.contains(2));
            assertFalse(q.contains(7));
            try { // an optional operation of Collection: done as the contract says, or refused, never half done
                assertTrue(q.remove(Integer.valueOf(2)));
                assertFalse(q.remove(Integer.valueOf(2)));
                assertEquals(List.of(1, 3), new ArrayList<>(q));
            } catch (UnsupportedOperationException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().isEmpty(), "says why");
                assertEquals(List.of(1, 2, 3), new ArrayList<>(q), "nothing removed");
            }
            q.clear();
            assertTrue(q.isEmpty());
        } finally {
            dispose(q);
        }
    }

    @Test
    default void shouldWakeABlockedTakeWhenAnElementArrives() throws Exception {
        BlockingQueue<Integer> q = newQueue(0);
        try {
            CountDownLatch waiting = new CountDownLatch(1);
            CompletableFuture<Integer> taken = CompletableFuture.supplyAsync(() -> {
                waiting.countDown();
                try {
                    return q.poll(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            assertTrue(waiting.await(10, TimeUnit.SECONDS));
            Thread.sleep(20); // most likely blocked in poll by now; either way the element must arrive
            q.put(42);
            assertEquals(42, taken.get(30, TimeUnit.SECONDS));
        } finally {
            dispose(q);
        }
    }

    @Test
    default void shouldWakeABlockedPutWhenRoomIsMade() throws Exception {
        BlockingQueue<Integer> q = newQueue(1);
        try {
            q.put(1);
            CompletableFuture<Boolean> put = CompletableFuture.supplyAsync(() -> {
                try {
                    return q.offer(2, 30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            Thread.sleep(20);
            assertEquals(1, q.take());
            assertTrue(put.get(30, TimeUnit.SECONDS));
            assertEquals(2, q.take());
        } finally {
            dispose(q);
        }
    }

    @Test
    default void shouldThrowInterruptedExceptionFromABlockedTakeWhenInterrupted() throws Exception {
        BlockingQueue<Integer> q = newQueue(0);
        try {
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, q::take, "an interrupt pending at the call");
            assertFalse(Thread.interrupted(), "the interrupt status is cleared");
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, () -> q.poll(30, TimeUnit.SECONDS));
            assertFalse(Thread.interrupted());
        } finally {
            Thread.interrupted();
            dispose(q);
        }
    }
}

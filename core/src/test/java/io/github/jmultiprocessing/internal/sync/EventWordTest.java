package io.github.jmultiprocessing.internal.sync;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The event word's protocol on its own, over plain memory: Python's {@code Event} semantics. */
class EventWordTest {

    private static MemorySegment event(Arena arena) {
        return arena.allocate(EventLayout.SIZE, 128);
    }

    @Test
    void shouldSetClearAndAnswerIsSet() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = event(arena);
            assertFalse(EventWord.isSet(memory));
            assertFalse(EventWord.await(memory, 0), "an unset event does not wait with no time");
            EventWord.set(memory);
            assertTrue(EventWord.isSet(memory));
            assertTrue(EventWord.await(memory, 0));
            EventWord.set(memory); // twice is set
            EventWord.clear(memory);
            assertFalse(EventWord.isSet(memory));
            EventWord.clear(memory); // twice is clear
            assertFalse(EventWord.isSet(memory));
        }
    }

    @Test
    void shouldTimeOutAnAwaitOfAnUnsetEvent() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = event(arena);
            long start = System.nanoTime();
            assertFalse(EventWord.await(memory, TimeUnit.MILLISECONDS.toNanos(30)));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(30));
        }
    }

    @Test
    void shouldWakeAWaiterWhoseSetWasClearedAtOnce() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = event(arena);
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
                started.countDown();
                try {
                    return EventWord.await(memory, TimeUnit.SECONDS.toNanos(30));
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (memory.get(java.lang.foreign.ValueLayout.JAVA_INT, EventLayout.WAITERS) == 0) { // it blocks
                assertTrue(System.nanoTime() < deadline, "the waiter never blocked");
                Thread.sleep(1);
            }
            EventWord.set(memory);
            EventWord.clear(memory);
            assertTrue(waiter.get(30, TimeUnit.SECONDS), "the set woke it though the flag is clear again");
            assertFalse(EventWord.isSet(memory));
        }
    }

    @Test
    void shouldThrowInterruptedExceptionFromAnInterruptedAwait() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = event(arena);
            Thread.currentThread().interrupt();
            try {
                EventWord.await(memory, TimeUnit.SECONDS.toNanos(30));
                throw new AssertionError("await returned though interrupted");
            } catch (InterruptedException expected) {
                assertFalse(Thread.currentThread().isInterrupted(), "the status is cleared");
            }
        }
    }
}

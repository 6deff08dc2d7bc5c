package io.github.jmultiprocessing.internal.sync;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The waiting core on its own, over plain memory: the one timeout conversion every timed wait uses, and the event
 * count's contract (a signal with no waiter costs nothing, one with a waiter moves the count and wakes it; a wait
 * on a count that moved returns at once; an interrupt is never lost).
 */
class WaitCoreTest {

    private static final long SEQ = LockLayout.SEQ;
    private static final long WAITERS = LockLayout.WAITERS;

    private static MemorySegment words(Arena arena) {
        return arena.allocate(LockLayout.SIZE, LockLayout.ALIGNMENT);
    }

    @Test
    void shouldConvertEveryTimeoutToNanosInRangeSaturatingAtTheTop() {
        assertEquals(0, WaitCore.nanos(Duration.ofNanos(-1)), "negative: do not wait");
        assertEquals(0, WaitCore.nanos(Duration.ofSeconds(Long.MIN_VALUE)), "hugely negative: do not wait");
        assertEquals(0, WaitCore.nanos(Duration.ZERO));
        assertEquals(1_500_000_000L, WaitCore.nanos(Duration.ofMillis(1_500)));
        assertEquals(Long.MAX_VALUE, WaitCore.nanos(ChronoUnit.FOREVER.getDuration()));
        assertEquals(Long.MAX_VALUE, WaitCore.nanos(Duration.ofMillis(Long.MAX_VALUE)));
        assertEquals(Long.MAX_VALUE, WaitCore.nanos(Duration.ofSeconds(Long.MAX_VALUE / 1_000_000_000L)));
        assertThrows(NullPointerException.class, () -> WaitCore.nanos(null));
        assertEquals(0, WaitCore.nanos(-5, TimeUnit.SECONDS));
        assertEquals(2_000_000L, WaitCore.nanos(2, TimeUnit.MILLISECONDS));
        assertEquals(Long.MAX_VALUE, WaitCore.nanos(Long.MAX_VALUE, TimeUnit.DAYS));
    }

    @Test
    void shouldNotMoveTheCountWhenNobodyWaits() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = words(arena);
            WaitCore.signal(memory, SEQ, WAITERS, 1);
            assertEquals(0, WaitCore.sequence(memory, SEQ), "a signal with no waiter writes nothing");
            WaitCore.enter(memory, WAITERS);
            assertEquals(1, memory.get(JAVA_INT, WAITERS));
            WaitCore.signal(memory, SEQ, WAITERS, 1);
            assertEquals(1, WaitCore.sequence(memory, SEQ), "one waiter: the count moves");
            WaitCore.leave(memory, WAITERS);
            assertEquals(0, memory.get(JAVA_INT, WAITERS));
        }
    }

    @Test
    void shouldReturnAtOnceWhenTheCountMovedSinceItWasRead() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = words(arena);
            WaitCore.enter(memory, WAITERS);
            int observed = WaitCore.sequence(memory, SEQ);
            WaitCore.signal(memory, SEQ, WAITERS, 1); // between the caller's read and its wait
            long start = System.nanoTime();
            assertFalse(WaitCore.await(memory, SEQ, observed, TimeUnit.SECONDS.toNanos(10), 0));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "not a lost wake-up");
            WaitCore.leave(memory, WAITERS);
        }
    }

    @Test
    void shouldWakeAWaiterOnASignalLongBeforeItsSlice() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = words(arena);
            CompletableFuture<Long> waited = CompletableFuture.supplyAsync(() -> {
                WaitCore.enter(memory, WAITERS);
                try {
                    int observed = WaitCore.sequence(memory, SEQ);
                    long start = System.nanoTime();
                    for (int round = 0; WaitCore.sequence(memory, SEQ) == observed; round++) {
                        WaitCore.await(memory, SEQ, observed, TimeUnit.SECONDS.toNanos(30), round);
                    }
                    return System.nanoTime() - start;
                } finally {
                    WaitCore.leave(memory, WAITERS);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (memory.get(JAVA_INT, WAITERS) == 0) {
                assertTrue(System.nanoTime() - deadline < 0, "the waiter entered");
                Thread.sleep(1);
            }
            Thread.sleep(20); // most likely blocked by now
            WaitCore.signal(memory, SEQ, WAITERS, 1);
            assertTrue(waited.get(10, TimeUnit.SECONDS) < TimeUnit.SECONDS.toNanos(10), "woken, not timed out");
            assertEquals(0, memory.get(JAVA_INT, WAITERS));
        }
    }

    @Test
    void shouldTimeOutASliceAndNeverLoseAnInterrupt() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = words(arena);
            long start = System.nanoTime();
            WaitCore.await(memory, SEQ, 0, TimeUnit.MILLISECONDS.toNanos(20), 0);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "the slice bounds the wait");
            Thread.currentThread().interrupt();
            boolean cleared = WaitCore.await(memory, SEQ, 0, TimeUnit.MILLISECONDS.toNanos(20), 0);
            boolean stillSet = Thread.interrupted(); // clears it for the next test
            assertTrue(cleared ^ stillSet, "the flag is still set, or reported cleared for the caller to restore: "
                    + "cleared=" + cleared + " stillSet=" + stillSet);
        }
    }

    @Test
    void shouldSpinThenYieldThenGiveUpBackingOff() {
        long start = System.nanoTime();
        for (int attempt = 0; attempt < WaitCore.SPINS; attempt++) {
            assertTrue(WaitCore.backOff(attempt, start), "spins first");
        }
        long past = System.nanoTime() - WaitCore.YIELD_NANOS - 1;
        assertFalse(WaitCore.backOff(WaitCore.SPINS, past), "then yields only for YIELD_NANOS");
    }
}

package io.github.jmultiprocessing.internal.ctypes;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.shm.HeapBlock;
import io.github.jmultiprocessing.internal.shm.SharedHeap;
import io.github.jmultiprocessing.internal.sync.LockLayout;
import io.github.jmultiprocessing.internal.sync.LockWord;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CellsTest {

    private final Object owner = new Object();
    private SharedHeap.Claim claim;

    private HeapBlock block(long size) {
        HeapBlock block = SharedHeap.allocate(size, Cells.ARRAY_ALIGNMENT);
        claim = SharedHeap.claim(owner, block);
        return block;
    }

    @AfterEach
    void giveBack() {
        if (claim != null) {
            claim.close();
        }
    }

    @Test
    void shouldSizeArrayBlocksInWholeWordsAroundEveryCell() {
        assertEquals(64, Cells.VALUE_BLOCK);
        assertEquals(8, Cells.arrayBlockSize(TypeCode.BYTE, 0));
        assertEquals(8, Cells.arrayBlockSize(TypeCode.BYTE, 5));
        assertEquals(16, Cells.arrayBlockSize(TypeCode.SHORT, 5));
        assertEquals(24, Cells.arrayBlockSize(TypeCode.DOUBLE, 3));
    }

    @Test
    void shouldLeaveTheLockFreeAfterEachAccessAndNotTakeItAgainWhenHeld() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment word = arena.allocate(LockLayout.SIZE, LockLayout.ALIGNMENT);
            Cells cells = new Cells(TypeCode.INT, block(Cells.arrayBlockSize(TypeCode.INT, 4)), () -> word);
            assertTrue(cells.isSynchronized());
            cells.copyFrom(new long[] {1, 2, 3, 4}, 0, 0, 4);
            assertEquals(3, cells.addAndGet(8, 0));
            assertFalse(LockWord.isLocked(word));

            LockWord.acquireUninterruptibly(word); // the caller's own hold, as under SharedValue.getLock().locked()
            cells.setSlice(4, new Object[] {20, 30});
            assertEquals(List.of(1, 20, 30, 4), cells.slice(0, 4));
            assertTrue(LockWord.isHeldByCurrentThread(word), "an access inside the caller's hold released it");
            LockWord.release(word);
        }
    }

    @Test
    void shouldWaitForTheLockHeldByAnotherThreadBeforeABulkCopy() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment word = arena.allocate(LockLayout.SIZE, LockLayout.ALIGNMENT);
            Cells cells = new Cells(TypeCode.DOUBLE, block(Cells.arrayBlockSize(TypeCode.DOUBLE, 2)), () -> word);
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch letGo = new CountDownLatch(1);
            Thread holder = Thread.ofPlatform().start(() -> {
                LockWord.acquireUninterruptibly(word);
                held.countDown();
                try {
                    letGo.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    cells.copyFrom(new double[] {1.5, 2.5}, 0, 0, 2); // inside the hold: no wait
                    LockWord.release(word);
                }
            });
            assertTrue(held.await(30, TimeUnit.SECONDS));
            CompletableFuture<double[]> copy = CompletableFuture.supplyAsync(() -> {
                double[] out = new double[2];
                cells.copyTo(0, out, 0, 2);
                return out;
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (word.get(JAVA_INT, LockLayout.WAITERS) == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // until the copier blocks on the lock word
            }
            assertEquals(1, word.get(JAVA_INT, LockLayout.WAITERS), "the copy did not wait for the lock");
            assertFalse(copy.isDone());
            letGo.countDown();
            assertArrayEquals(new double[] {1.5, 2.5}, copy.get(30, TimeUnit.SECONDS));
            holder.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(LockWord.isLocked(word));
        }
    }

    @Test
    void shouldAskForTheLockWordAtEachAccessSoThatAClosedLockFailsTheAccess() {
        try (Arena arena = Arena.ofConfined()) {
            AtomicReference<MemorySegment> word = new AtomicReference<>(
                    arena.allocate(LockLayout.SIZE, LockLayout.ALIGNMENT));
            Cells cells = new Cells(TypeCode.LONG_LONG, block(Cells.VALUE_BLOCK), word::get);
            cells.setLong(0, 7);
            word.set(SharedHeap.closedMemory()); // what SharedLock.memory() answers once the lock is closed
            assertThrows(IllegalStateException.class, () -> cells.getLong(0));
            assertThrows(IllegalStateException.class, () -> cells.copyTo(0, new long[1], 0, 1));
        }
    }

    @Test
    void shouldWorkWithoutALockAndFailEveryAccessOnceClosed() {
        Cells raw = new Cells(TypeCode.UNSIGNED_SHORT, block(Cells.arrayBlockSize(TypeCode.UNSIGNED_SHORT, 3)), null);
        assertFalse(raw.isSynchronized());
        raw.initialize(Cells.checkValues(TypeCode.UNSIGNED_SHORT, new Object[] {1, 65535, 3.0}));
        assertEquals(65535, raw.getAndAdd(2, 1));
        assertEquals(List.of(1, 0, 3), raw.slice(0, 3));
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
                () -> raw.copyFrom(new long[] {5, 65536}, 0, 0, 2));
        assertTrue(tooBig.getMessage().contains("value=65536"), tooBig.getMessage());
        assertEquals(List.of(1, 0, 3), raw.slice(0, 3), "a rejected copy wrote part of its values");

        Cells closed = raw.closed();
        assertTrue(closed.isClosed());
        assertFalse(raw.isClosed());
        assertThrows(IllegalStateException.class, () -> closed.get(0));
        assertThrows(IllegalStateException.class, () -> closed.copyTo(0, new int[3], 0, 3));
        assertThrows(IllegalStateException.class, () -> closed.withLockWord(null).slice(0, 1));
    }

    @Test
    void shouldRejectAccessorsThatDoNotSuitTheType() {
        Cells doubles = new Cells(TypeCode.DOUBLE, block(Cells.VALUE_BLOCK), null);
        IllegalStateException notInteger = assertThrows(IllegalStateException.class,
                () -> doubles.copyTo(0, new long[1], 0, 1));
        assertEquals("typecode='d' is not an integer type (expected one of b B h H i I l L q Q)",
                notInteger.getMessage());
        assertThrows(IllegalStateException.class, () -> doubles.getInt(0));
        assertThrows(NullPointerException.class,
                () -> Cells.checkValues(TypeCode.DOUBLE, new Object[] {1.0, null}));
    }
}

package io.github.jmultiprocessing.internal.sync;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The lock word's protocol on its own, over plain memory (the public locks, {@code SharedLock} and
 * {@code SharedRLock}, run {@code LockContract} on top of it, and the ITs across processes): the owner word's
 * encoding, release by any thread, timed and interruptible waits that leave no waiter counted, and the take-over
 * from a holder whose process died.
 */
class LockWordTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private static MemorySegment lock(Arena arena) {
        return arena.allocate(LockLayout.SIZE, LockLayout.ALIGNMENT);
    }

    private static int waiters(MemorySegment lock) {
        return (int) JAVA_INT.varHandle().getVolatile(lock, LockLayout.WAITERS);
    }

    private static void within(long nanos, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, what + " within " + nanos / 1_000_000 + " ms");
            Thread.sleep(1);
        }
    }

    @Test
    void shouldNameTheHolderByPidAndThreadInTheOwnerWord() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment lock = lock(arena);
            assertFalse(LockWord.isLocked(lock));
            assertEquals(0, LockWord.ownerPid(lock));
            assertTrue(LockWord.tryAcquire(lock));
            assertEquals(LockWord.token(), lock.get(JAVA_LONG, LockLayout.OWNER));
            assertEquals(ProcessIdentity.pid(), LockWord.token() >>> 40, "pid << 40 | thread tag");
            assertEquals(ProcessIdentity.pid(), LockWord.ownerPid(lock));
            assertTrue(LockWord.isLocked(lock));
            assertTrue(LockWord.isHeldByCurrentThread(lock));
            assertFalse(LockWord.ownerDied(lock));
            assertFalse(LockWord.tryAcquire(lock), "not recursive");
            LockWord.release(lock);
            assertEquals(0L, lock.get(JAVA_LONG, LockLayout.OWNER));
            assertFalse(LockWord.isHeldByCurrentThread(lock));
        }
    }

    @Test
    void shouldRefuseToReleaseAnUnlockedLock() {
        try (Arena arena = Arena.ofConfined()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> LockWord.release(lock(arena)));
            assertTrue(e.getMessage().contains("release of an unlocked lock"), e.getMessage());
        }
    }

    @Test
    void shouldLetAnotherThreadReleaseAndWakeABlockedAcquirer() throws Exception {
        try (Arena arena = Arena.ofShared(); ExecutorService threads = Executors.newFixedThreadPool(2)) {
            MemorySegment lock = lock(arena);
            assertEquals(LockWord.ACQUIRED, LockWord.acquire(lock, -1, true));
            Future<Integer> blocked = threads.submit(() -> LockWord.acquire(lock, 30 * SECOND, true));
            within(5 * SECOND, () -> waiters(lock) == 1, "the acquirer counted as a waiter");
            assertFalse(blocked.isDone());
            threads.submit(() -> LockWord.release(lock)).get(5, TimeUnit.SECONDS); // Python's Lock: any thread
            assertEquals(LockWord.ACQUIRED, blocked.get(5, TimeUnit.SECONDS));
            assertEquals(0, waiters(lock), "the woken acquirer left the waiters");
            assertTrue(LockWord.isLocked(lock));
            assertFalse(LockWord.isHeldByCurrentThread(lock), "held by the other thread now");
        }
    }

    @Test
    void shouldTimeOutWithNoWaiterLeftCounted() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment lock = lock(arena);
            assertTrue(LockWord.tryAcquire(lock));
            CompletableFuture<Integer> other = CompletableFuture.supplyAsync(() -> {
                try {
                    assertEquals(LockWord.TIMED_OUT, LockWord.acquire(lock, 0, true), "timeout 0: one try");
                    long start = System.nanoTime();
                    int result = LockWord.acquire(lock, TimeUnit.MILLISECONDS.toNanos(50), true);
                    assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50), "waited it out");
                    return result;
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            assertEquals(LockWord.TIMED_OUT, other.get(10, TimeUnit.SECONDS));
            assertEquals(0, waiters(lock));
            assertTrue(LockWord.isHeldByCurrentThread(lock));
        }
    }

    @Test
    void shouldThrowOnInterruptOnlyWhenInterruptibleAndKeepTheFlagOtherwise() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment lock = lock(arena);
            assertTrue(LockWord.tryAcquire(lock));
            CountDownLatch waiting = new CountDownLatch(2);
            Object[] outcome = new Object[1];
            Thread interruptible = Thread.ofPlatform().start(() -> {
                waiting.countDown();
                try {
                    outcome[0] = LockWord.acquire(lock, 30 * SECOND, true);
                } catch (InterruptedException e) {
                    outcome[0] = e;
                }
            });
            boolean[] flagKept = new boolean[1];
            int[] result = new int[1];
            Thread uninterruptible = Thread.ofPlatform().start(() -> {
                waiting.countDown();
                result[0] = LockWord.acquireUninterruptibly(lock);
                flagKept[0] = Thread.currentThread().isInterrupted();
                LockWord.release(lock);
            });
            assertTrue(waiting.await(5, TimeUnit.SECONDS));
            within(5 * SECOND, () -> waiters(lock) == 2, "both blocked");
            interruptible.interrupt();
            uninterruptible.interrupt();
            interruptible.join(5_000);
            assertFalse(interruptible.isAlive(), "the interruptible acquire ended");
            assertTrue(outcome[0] instanceof InterruptedException, "threw InterruptedException: " + outcome[0]);
            within(5 * SECOND, () -> waiters(lock) == 1, "the interrupted waiter left");
            assertTrue(uninterruptible.isAlive(), "the uninterruptible acquire waits on");
            LockWord.release(lock);
            uninterruptible.join(5_000);
            assertFalse(uninterruptible.isAlive());
            assertEquals(LockWord.ACQUIRED, result[0]);
            assertTrue(flagKept[0], "the interrupt is kept for later, as Lock.lock() keeps it");
            assertEquals(0, waiters(lock));
        }
    }

    @Test
    void shouldTakeOverFromAHolderWhoseProcessDied() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        assertTrue(exited.waitFor(10, TimeUnit.SECONDS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment lock = lock(arena);
            lock.set(JAVA_LONG, LockLayout.OWNER, exited.pid() << 40 | 1); // held by a thread of a dead process
            assertEquals(exited.pid(), LockWord.ownerPid(lock));
            assertEquals(LockWord.TIMED_OUT, LockWord.acquire(lock, 0, false), "no wait: no liveness check");
            assertEquals(LockWord.RECOVERED, LockWord.acquire(lock, 5 * SECOND, false));
            assertTrue(LockWord.isHeldByCurrentThread(lock));
            assertTrue(LockWord.ownerDied(lock), "EOWNERDEAD, as a robust mutex says it");
            assertEquals(LockWord.token() | LockWord.OWNER_DIED, lock.get(JAVA_LONG, LockLayout.OWNER));
            LockWord.release(lock);
            assertFalse(LockWord.ownerDied(lock), "released with the take-over");
            assertEquals(LockWord.ACQUIRED, LockWord.acquire(lock, 0, false));
        }
    }

    @Test
    void shouldNotTakeOverFromALiveHolder() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment lock = lock(arena);
            lock.set(JAVA_LONG, LockLayout.OWNER, ProcessHandle.current().parent().orElseThrow().pid() << 40 | 1);
            long start = System.nanoTime();
            assertEquals(LockWord.TIMED_OUT, LockWord.acquire(lock, 3 * LockWord.CHECK_NANOS, false),
                    "a live holder in another process keeps its lock past several liveness checks");
            assertTrue(System.nanoTime() - start >= 3 * LockWord.CHECK_NANOS);
        }
    }

    @Test
    void shouldExcludeEachOtherUnderContention() throws Exception {
        int threads = 4;
        int rounds = 20_000;
        try (Arena arena = Arena.ofShared(); ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            MemorySegment lock = lock(arena);
            long[] counter = new long[1]; // plain: only the lock orders the increments
            Future<?>[] futures = new Future<?>[threads];
            for (int t = 0; t < threads; t++) {
                futures[t] = pool.submit(() -> {
                    for (int i = 0; i < rounds; i++) {
                        LockWord.acquireUninterruptibly(lock);
                        try {
                            counter[0]++;
                        } finally {
                            LockWord.release(lock);
                        }
                    }
                });
            }
            for (Future<?> future : futures) {
                try {
                    future.get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw new AssertionError(e.getCause());
                }
            }
            LockWord.acquireUninterruptibly(lock);
            assertEquals((long) threads * rounds, counter[0]);
            LockWord.release(lock);
            assertEquals(0, waiters(lock));
        }
    }
}

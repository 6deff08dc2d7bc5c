package io.github.jmultiprocessing.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The {@link Lock} contract, run against every lock of the library: a test class implements {@link #newLock()}
 * and gets these tests. Only what the interface's Javadoc promises (and what every implementation here shares) is
 * asserted; reentrancy and who may unlock differ between them and are tested beside each.
 */
public interface LockContract {

    /** {@return a new, unlocked lock of the kind under test} */
    Lock newLock();

    /** Releases what {@link #newLock} made (closes it); by default nothing, or {@code close()} if it has one. */
    default void dispose(Lock lock) {
        if (lock instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new AssertionError("closing " + lock, e);
            }
        }
    }

    /** {@return whether another thread could take the lock now} */
    private static boolean freeForAnotherThread(Lock lock) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            boolean got = lock.tryLock();
            if (got) {
                lock.unlock();
            }
            return got;
        }).get(30, TimeUnit.SECONDS);
    }

    @Test
    default void shouldExcludeOtherThreadsWhileHeldAndFreeThemOnUnlock() throws Exception {
        Lock lock = newLock();
        try {
            lock.lock();
            assertFalse(freeForAnotherThread(lock), "tryLock from another thread while held");
            lock.unlock();
            assertTrue(freeForAnotherThread(lock), "tryLock from another thread once unlocked");
            assertTrue(lock.tryLock());
            lock.unlock();
        } finally {
            dispose(lock);
        }
    }

    @Test
    default void shouldTimeOutATimedTryLockWhileAnotherThreadHoldsIt() throws Exception {
        Lock lock = newLock();
        try {
            lock.lock();
            long start = System.nanoTime();
            boolean got = CompletableFuture.supplyAsync(() -> {
                try {
                    return lock.tryLock(50, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }).get(30, TimeUnit.SECONDS);
            assertFalse(got);
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50), "waited its timeout");
            lock.unlock();
        } finally {
            dispose(lock);
        }
    }

    @Test
    default void shouldHandTheLockToAWaiterWhenReleased() throws Exception {
        Lock lock = newLock();
        try {
            lock.lock();
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
                started.countDown();
                try {
                    boolean got = lock.tryLock(30, TimeUnit.SECONDS);
                    if (got) {
                        lock.unlock();
                    }
                    return got;
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            Thread.sleep(20);
            lock.unlock();
            assertTrue(waiter.get(30, TimeUnit.SECONDS));
        } finally {
            dispose(lock);
        }
    }

    @Test
    default void shouldThrowInterruptedExceptionFromLockInterruptiblyWhenInterrupted() throws Exception {
        Lock lock = newLock();
        try {
            lock.lock();
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            CountDownLatch started = new CountDownLatch(1);
            Thread blocked = Thread.ofPlatform().start(() -> {
                started.countDown();
                try {
                    lock.lockInterruptibly();
                    thrown.complete(null);
                } catch (Throwable e) {
                    thrown.complete(e);
                }
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            Thread.sleep(20);
            blocked.interrupt();
            assertTrue(thrown.get(30, TimeUnit.SECONDS) instanceof InterruptedException, "lockInterruptibly threw "
                    + thrown.get());
            blocked.join(TimeUnit.SECONDS.toMillis(30));
            lock.unlock();
        } finally {
            dispose(lock);
        }
    }

    @Test
    default void shouldKeepACounterExactUnderContention() throws Exception {
        Lock lock = newLock();
        try {
            int[] counter = {0};
            int threads = 4;
            int each = 2_000;
            CompletableFuture<?>[] all = new CompletableFuture<?>[threads];
            for (int t = 0; t < threads; t++) {
                all[t] = CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < each; i++) {
                        lock.lock();
                        try {
                            counter[0]++;
                        } finally {
                            lock.unlock();
                        }
                    }
                }, r -> Thread.ofPlatform().start(r));
            }
            CompletableFuture.allOf(all).get(60, TimeUnit.SECONDS);
            lock.lock();
            try {
                assertEquals(threads * each, counter[0]);
            } finally {
                lock.unlock();
            }
        } finally {
            dispose(lock);
        }
    }

    /** {@return a condition of {@code lock}; the test is skipped for a lock that has none (the interface allows it)} */
    private static Condition conditionOf(Lock lock) {
        try {
            return lock.newCondition();
        } catch (UnsupportedOperationException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isEmpty(), "says why");
            Assumptions.abort("no conditions: " + e.getMessage());
            throw e;
        }
    }

    @Test
    default void shouldMakeConditionsThatWakeAWaiterOnSignal() throws Exception {
        Lock lock = newLock();
        try {
            Condition condition = conditionOf(lock);
            boolean[] ready = {false};
            CountDownLatch waiting = new CountDownLatch(1);
            CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
                lock.lock();
                try {
                    waiting.countDown();
                    long nanos = TimeUnit.SECONDS.toNanos(30);
                    while (!ready[0] && nanos > 0) {
                        nanos = condition.awaitNanos(nanos);
                    }
                    return ready[0];
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                } finally {
                    lock.unlock();
                }
            }, r -> Thread.ofPlatform().start(r));
            assertTrue(waiting.await(10, TimeUnit.SECONDS));
            lock.lock();
            try {
                ready[0] = true;
                condition.signal();
            } finally {
                lock.unlock();
            }
            assertTrue(waiter.get(30, TimeUnit.SECONDS));
        } finally {
            dispose(lock);
        }
    }

    @Test
    default void shouldRefuseToAwaitAConditionWithoutHoldingTheLock() {
        Lock lock = newLock();
        try {
            Condition condition = conditionOf(lock);
            assertThrows(IllegalMonitorStateException.class, () -> condition.await(1, TimeUnit.MILLISECONDS));
        } finally {
            dispose(lock);
        }
    }
}

package io.github.jmultiprocessing;

import java.util.concurrent.locks.Lock;
import io.github.jmultiprocessing.testing.LockContract;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SharedLockTest implements LockContract {

    @Override
    public Lock newLock() {
        return new SharedLock();
    }

    @Test
    void shouldAcquireAndRelease() {
        SharedLock lock = new SharedLock();
        assertFalse(lock.isLocked());
        lock.acquire();
        assertTrue(lock.isLocked());
        assertTrue(lock.isHeldByCurrentThread());
        assertFalse(lock.tryAcquire());
        assertFalse(lock.ownerDied());
        lock.release();
        assertFalse(lock.isLocked());
        assertTrue(lock.tryLock());
        lock.unlock();
    }

    @Test
    void shouldRefuseToReleaseAnUnlockedLock() {
        SharedLock lock = new SharedLock();
        IllegalStateException e = assertThrows(IllegalStateException.class, lock::release);
        assertTrue(e.getMessage().contains("unlocked"), e.getMessage());
    }

    @Test
    void shouldReleaseWhenTheTryWithResourcesBlockEnds() {
        SharedLock lock = new SharedLock();
        try (var _ = lock.locked()) {
            assertTrue(lock.isHeldByCurrentThread());
        }
        assertFalse(lock.isLocked());
    }

    @Test
    void shouldTimeOutWhileAnotherThreadHoldsIt() throws Exception {
        SharedLock lock = new SharedLock();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread holder = Thread.ofPlatform().start(() -> {
            lock.acquire();
            held.countDown();
            try {
                done.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // ends the test
            }
            lock.release();
        });
        assertTrue(held.await(30, TimeUnit.SECONDS));
        long start = System.nanoTime();
        assertFalse(lock.acquire(Duration.ofMillis(50)));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
        assertFalse(lock.tryLock(0, TimeUnit.SECONDS));
        assertFalse(lock.acquire(Duration.ofMillis(-5)));
        done.countDown();
        assertTrue(lock.acquire(Duration.ofSeconds(30)));
        lock.release();
        holder.join(30_000);
    }

    @Test
    void shouldLetAnotherThreadReleaseLikePython() throws Exception {
        SharedLock lock = new SharedLock();
        lock.acquire();
        Thread other = Thread.ofPlatform().start(lock::release);
        other.join(30_000);
        assertFalse(lock.isLocked());
    }

    @Test
    void shouldThrowWhenInterruptedWhileWaitingInterruptibly() throws Exception {
        SharedLock lock = new SharedLock();
        lock.acquire();
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch waiting = new CountDownLatch(1);
        Thread waiter = Thread.ofPlatform().start(() -> {
            waiting.countDown();
            try {
                lock.lockInterruptibly();
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        assertTrue(waiting.await(30, TimeUnit.SECONDS));
        waiter.interrupt();
        waiter.join(30_000);
        assertTrue(interrupted.get());
        lock.release();
    }

    @Test
    void shouldExcludeThreadsFromEachOther() throws Exception {
        SharedLock lock = new SharedLock();
        SharedValue counter = SharedValue.raw('q');
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 20_000; i++) {
                    try (var _ = lock.locked()) {
                        counter.setLong(counter.getLong() + 1);
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join(60_000);
        }
        assertEquals(80_000, counter.getLong());
    }

    @Test
    void shouldKeepVirtualThreadsMovingWhenTheHolderSleeps() throws Exception {
        SharedLock lock = new SharedLock();
        SharedValue counter = SharedValue.raw('i');
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4 * Runtime.getRuntime().availableProcessors(); t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 20; i++) {
                    try (var _ = lock.locked()) {
                        counter.setInt(counter.getInt() + 1);
                        Thread.sleep(1); // unmounts while holding: waiters must not pin every carrier
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            assertTrue(thread.join(Duration.ofSeconds(60)), "virtual threads stalled on the lock");
        }
        assertEquals(threads.size() * 20, counter.getInt());
    }

    @Test
    void shouldNotSpinWhenTheWaiterIsInterruptedButWaitsUninterruptibly() throws Exception {
        SharedLock lock = new SharedLock();
        lock.acquire();
        CountDownLatch started = new CountDownLatch(1);
        Thread waiter = Thread.ofPlatform().start(() -> {
            Thread.currentThread().interrupt();
            started.countDown();
            lock.acquire();
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt must be kept");
            lock.release();
        });
        assertTrue(started.await(30, TimeUnit.SECONDS));
        Thread.sleep(50); // let it reach the blocking phase
        // the waiter's own CPU time: the whole JVM's also counted other work of this test JVM (the JIT, a jar of
        // the class path's directories made in the background for an earlier test's children)
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuBefore = threads.getThreadCpuTime(waiter.threadId());
        Thread.sleep(600);
        long cpu = threads.getThreadCpuTime(waiter.threadId()) - cpuBefore; // a spinning waiter: ~600 ms
        lock.release();
        waiter.join(30_000);
        assertTrue(cpu < TimeUnit.MILLISECONDS.toNanos(400), "an interrupted waiter burned " + cpu / 1_000_000 + " ms CPU");
    }

    @Test
    void shouldMakeConditionsOverItself() throws Exception {
        SharedLock lock = new SharedLock();
        SharedCondition condition = lock.newCondition();
        try (var _ = lock.locked()) {
            assertFalse(condition.await(Duration.ofMillis(20)));
            assertTrue(lock.isHeldByCurrentThread(), "the lock must be held again after the wait");
        }
    }
}

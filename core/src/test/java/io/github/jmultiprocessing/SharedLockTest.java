package io.github.jmultiprocessing;

import java.util.concurrent.locks.Lock;
import io.github.jmultiprocessing.testing.LockContract;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
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

    /** {@return this JVM's /proc task directory of the thread with that (native) name} */
    private static Path waiterTask(String name) throws java.io.IOException {
        try (var tasks = java.nio.file.Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    if (java.nio.file.Files.readString(task.resolve("comm")).strip().equals(name)) {
                        return task;
                    }
                } catch (java.io.IOException ended) {
                    // a thread that ended meanwhile
                }
            }
        }
        throw new AssertionError("no thread named " + name);
    }

    /** {@return a thread's user + system CPU time in clock ticks (/proc/.../stat fields 14 and 15)} */
    private static long cpuTicks(Path task) throws java.io.IOException {
        String stat = java.nio.file.Files.readString(task.resolve("stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // from field 3 (state) on
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    @Test
    void shouldNotSpinWhenTheWaiterIsInterruptedButWaitsUninterruptibly() throws Exception {
        SharedLock lock = new SharedLock();
        lock.acquire();
        CountDownLatch started = new CountDownLatch(1);
        Thread waiter = Thread.ofPlatform().name("lock-waiter").start(() -> {
            Thread.currentThread().interrupt();
            started.countDown();
            lock.acquire();
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt must be kept");
            lock.release();
        });
        assertTrue(started.await(30, TimeUnit.SECONDS));
        Thread.sleep(50); // let it reach the blocking phase
        // the waiter's own CPU time, from the kernel's account of its thread (the JVM names it): the whole JVM's
        // also counted other work of this test JVM (the JIT, a jar of the class path's directories made in the
        // background for an earlier test's children)
        Path task = waiterTask("lock-waiter");
        long ticksBefore = cpuTicks(task);
        Thread.sleep(600);
        long ticks = cpuTicks(task) - ticksBefore; // clock ticks, 100 a second: a spinning waiter ~60
        lock.release();
        waiter.join(30_000);
        assertTrue(ticks < 40, "an interrupted waiter burned " + ticks * 10 + " ms CPU");
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

package io.github.jmultiprocessing.internal.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.jmultiprocessing.testing.LockContract;
import java.time.Duration;
import java.util.concurrent.locks.Lock;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The locks a manager serves ({@code manager.lock()}, {@code manager.rlock()}), in this JVM, against the Lock
 * contract (they have no conditions: a manager makes those with {@code manager.condition()}), and the release race
 * a review found.
 */
class ServedLockTest implements LockContract {

    @Override
    public Lock newLock() {
        return new ServedSynchronizers.LockObject();
    }

    /** The reentrant lock a manager serves. */
    @Nested
    class Reentrant implements LockContract {
        @Override
        public Lock newLock() {
            return new ServedSynchronizers.RLockObject();
        }
    }

    /** Two concurrent releases of a held lock: one fails, and the lock is free once (not with two permits). */
    @Test
    void shouldNotGiveALockTwoPermitsOnConcurrentReleases() throws Exception {
        int broken = 0;
        for (int i = 0; i < 5_000 && broken == 0; i++) {
            ServedSynchronizers.LockObject lock = new ServedSynchronizers.LockObject();
            lock.acquire();
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            Runnable release = () -> {
                try {
                    start.await();
                    lock.release();
                } catch (IllegalStateException expected) {
                    // the second release of a lock released once
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            Thread other = new Thread(release);
            other.start();
            release.run();
            other.join();
            if (lock.acquire(Duration.ZERO) && lock.acquire(Duration.ZERO)) {
                broken++;
            }
        }
        assertEquals(0, broken, "a Lock acquired twice without a release");
    }
}

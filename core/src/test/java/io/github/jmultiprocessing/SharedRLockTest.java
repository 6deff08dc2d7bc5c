package io.github.jmultiprocessing;

import java.util.concurrent.locks.Lock;
import io.github.jmultiprocessing.testing.LockContract;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SharedRLockTest implements LockContract {

    @Override
    public Lock newLock() {
        return new SharedRLock();
    }

    @Test
    void shouldLetTheOwnerAcquireAgain() {
        SharedRLock lock = new SharedRLock();
        lock.acquire();
        assertTrue(lock.tryAcquire());
        try (var _ = lock.locked()) {
            assertEquals(3, lock.getHoldCount());
        }
        assertEquals(2, lock.getHoldCount());
        lock.release();
        lock.release();
        assertFalse(lock.isLocked());
        assertEquals(0, lock.getHoldCount());
    }

    @Test
    void shouldRefuseReleaseByANonOwner() throws Exception {
        SharedRLock lock = new SharedRLock();
        IllegalMonitorStateException unheld = assertThrows(IllegalMonitorStateException.class, lock::release);
        assertTrue(unheld.getMessage().contains("un-acquired"), unheld.getMessage());
        lock.acquire();
        AtomicBoolean refused = new AtomicBoolean();
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                lock.release();
            } catch (IllegalMonitorStateException e) {
                refused.set(true);
            }
            try {
                refused.set(refused.get() && !lock.acquire(Duration.ofMillis(20)));
            } catch (InterruptedException e) {
                refused.set(false);
            }
        });
        other.join(30_000);
        assertTrue(refused.get());
        assertTrue(lock.isHeldByCurrentThread());
        lock.release();
    }

    @Test
    void shouldTravelAsAHandleToTheSameLock() throws Exception {
        SharedRLock lock = new SharedRLock();
        SharedRLock copy = SharedValueTest.roundTrip(lock);
        lock.acquire();
        assertTrue(copy.isHeldByCurrentThread());
        copy.acquire();
        assertEquals(2, lock.getHoldCount());
        copy.release();
        lock.release();
        assertFalse(copy.isLocked());
    }
}

package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.Children;
import io.github.jmultiprocessing.testing.Poll;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SharedLockIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    static void addUnderLock(SharedValue counter, SharedLock lock, int times) {
        for (int i = 0; i < times; i++) {
            try (var _ = lock.locked()) {
                counter.setLong(counter.getLong() + 1);
            }
        }
    }

    @Test
    void shouldExcludeProcessesFromEachOther() throws Exception {
        SharedLock lock = new SharedLock();
        SharedValue counter = SharedValue.raw('q');
        try (Children children = new Children()) {
            JvmProcess a = children.start(() -> addUnderLock(counter, lock, 50_000));
            JvmProcess b = children.start(() -> addUnderLock(counter, lock, 50_000));
            addUnderLock(counter, lock, 50_000);
            assertEquals(0, Children.joinWithin(a, WAIT));
            assertEquals(0, Children.joinWithin(b, WAIT));
        }
        assertEquals(150_000, counter.getLong());
        assertFalse(lock.isLocked());
    }

    static void holdForever(SharedLock lock, SharedValue holding) {
        lock.acquire();
        holding.setInt(1);
        JvmProcessIT.sleepForever();
    }

    @Test
    void shouldRecoverALockWhoseHolderWasKilled() throws Exception {
        SharedLock lock = new SharedLock();
        SharedValue holding = SharedValue.raw('i');
        try (Children children = new Children()) {
            JvmProcess holder = children.start(() -> holdForever(lock, holding));
            Poll.until("the child to hold the lock", WAIT, () -> holding.getInt() == 1);
            assertFalse(lock.tryAcquire());
            assertTrue(lock.toString().contains("locked by pid " + holder.pid().orElseThrow()), lock.toString());
            holder.kill();
            assertEquals(-9, Children.joinWithin(holder, WAIT));
            assertTrue(lock.acquire(Duration.ofSeconds(30)), "the lock of a dead holder must be taken over");
            assertTrue(lock.ownerDied());
            lock.release();
            assertFalse(lock.ownerDied());
            assertTrue(lock.tryAcquire());
            assertFalse(lock.ownerDied());
            lock.release();
        }
    }

    static void waitForLock(SharedLock lock, SharedValue outcome) {
        lock.acquire();
        outcome.setInt(lock.ownerDied() ? 1 : 2);
        lock.release();
    }

    @Test
    void shouldHandAKilledHoldersLockToAWaitingProcess() throws Exception {
        SharedLock lock = new SharedLock();
        SharedValue holding = SharedValue.raw('i');
        SharedValue outcome = SharedValue.raw('i');
        try (Children children = new Children()) {
            JvmProcess holder = children.start(() -> holdForever(lock, holding));
            Poll.until("the child to hold the lock", WAIT, () -> holding.getInt() == 1);
            JvmProcess waiter = children.start(() -> waitForLock(lock, outcome));
            assertFalse(waiter.join(Duration.ofMillis(300)), "the waiter must block while the holder lives");
            holder.kill();
            assertEquals(0, Children.joinWithin(waiter, WAIT));
            assertEquals(1, outcome.getInt(), "the waiter must be told the owner died");
            assertFalse(lock.isLocked());
        }
    }
}

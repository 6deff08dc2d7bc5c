package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.Children;
import io.github.jmultiprocessing.testing.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import org.junit.jupiter.api.Test;

/** Every synchronizer across real child JVMs, including what survivors see when a process dies. */
class SynchronizersIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    static void addRecursively(SharedRLock lock, SharedValue counter, int times) {
        for (int i = 0; i < times; i++) {
            try (var _ = lock.locked(); var _ = lock.locked()) {
                counter.setInt(counter.getInt() + 1);
            }
        }
    }

    @Test
    void shouldExcludeProcessesWithARecursiveLock() throws Exception {
        SharedRLock lock = new SharedRLock();
        SharedValue counter = SharedValue.raw('i');
        try (Children children = new Children()) {
            JvmProcess a = children.start(() -> addRecursively(lock, counter, 20_000));
            JvmProcess b = children.start(() -> addRecursively(lock, counter, 20_000));
            assertEquals(0, Children.joinWithin(a, WAIT));
            assertEquals(0, Children.joinWithin(b, WAIT));
        }
        assertEquals(40_000, counter.getInt());
    }

    static void holdRecursively(SharedRLock lock, SharedValue holding) {
        lock.acquire();
        lock.acquire();
        holding.setInt(1);
        JvmProcessIT.sleepForever();
    }

    @Test
    void shouldRecoverARecursiveLockWhoseOwnerWasKilled() throws Exception {
        SharedRLock lock = new SharedRLock();
        SharedValue holding = SharedValue.raw('i');
        try (Children children = new Children()) {
            JvmProcess owner = children.start(() -> holdRecursively(lock, holding));
            Poll.until("the owner", WAIT, () -> holding.getInt() == 1);
            owner.kill();
            Children.joinWithin(owner, WAIT);
            assertTrue(lock.acquire(Duration.ofSeconds(30)));
            assertTrue(lock.ownerDied());
            assertEquals(1, lock.getHoldCount(), "the survivor holds it once, whatever the dead owner held");
            lock.release();
            assertFalse(lock.isLocked());
        }
    }

    static void occupy(SharedSemaphore slots, SharedValue inside, SharedValue maxInside) {
        for (int i = 0; i < 200; i++) {
            try (var _ = slots.acquired()) {
                long now = inside.incrementAndGet();
                long max;
                while (now > (max = maxInside.getLong()) && !maxInside.compareAndSet(max, now)) {
                    Thread.onSpinWait();
                }
                Thread.onSpinWait();
                inside.addAndGet(-1);
            }
        }
    }

    @Test
    void shouldLetAtMostValueProcessesIn() throws Exception {
        SharedSemaphore slots = new SharedSemaphore(2);
        SharedValue inside = SharedValue.raw('q');
        SharedValue maxInside = SharedValue.raw('q');
        try (Children children = new Children()) {
            List<JvmProcess> started = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                started.add(children.start(() -> occupy(slots, inside, maxInside)));
            }
            for (JvmProcess p : started) {
                assertEquals(0, Children.joinWithin(p, WAIT));
            }
        }
        assertTrue(maxInside.getLong() <= 2, "max inside " + maxInside.getLong());
        assertEquals(2, slots.getValue());
    }

    static void takeAndHang(SharedSemaphore semaphore, SharedValue holding) {
        semaphore.acquire();
        holding.setInt(1);
        JvmProcessIT.sleepForever();
    }

    @Test
    void shouldGiveBackTheBoundedPermitOfAKilledProcessButNotAPlainOne() throws Exception {
        SharedBoundedSemaphore bounded = new SharedBoundedSemaphore(1);
        SharedSemaphore plain = new SharedSemaphore(1);
        SharedValue holdingBounded = SharedValue.raw('i');
        SharedValue holdingPlain = SharedValue.raw('i');
        try (Children children = new Children()) {
            JvmProcess a = children.start(() -> takeAndHang(bounded, holdingBounded));
            JvmProcess b = children.start(() -> takeAndHang(plain, holdingPlain));
            Poll.until("both holders", WAIT, () -> holdingBounded.getInt() == 1 && holdingPlain.getInt() == 1);
            a.kill();
            b.kill();
            Children.joinWithin(a, WAIT);
            Children.joinWithin(b, WAIT);
            assertTrue(bounded.acquire(Duration.ofSeconds(30)), "a dead holder's bounded permit must come back");
            bounded.release();
            assertEquals(1, bounded.getValue());
            assertFalse(plain.acquire(Duration.ofMillis(200)), "a plain semaphore is a counter: the permit is gone");
        }
    }

    static void acquireAndLeave(SharedSemaphore semaphore) {
        semaphore.acquire(); // never released: a leaked permit
    }

    @Test
    void shouldGiveBackAPermitAProcessLeftWithButNeverInventOne() throws Exception {
        SharedBoundedSemaphore leaked = new SharedBoundedSemaphore(1);
        SharedBoundedSemaphore handedOver = new SharedBoundedSemaphore(1);
        try (Children children = new Children()) {
            JvmProcess a = children.start(() -> acquireAndLeave(leaked));
            assertEquals(0, Children.joinWithin(a, WAIT));
            assertTrue(leaked.acquire(Duration.ofSeconds(30)), "a permit its holder exited with comes back");

            JvmProcess b = children.start(() -> acquireAndLeave(handedOver));
            assertEquals(0, Children.joinWithin(b, WAIT));
            handedOver.release(); // the producer/consumer pattern: this process releases what b took
            assertTrue(handedOver.acquire(Duration.ofSeconds(30)));
            assertFalse(handedOver.acquire(Duration.ofMillis(200)), "no permit beyond the bound may appear");
        }
    }

    static void useOnce(SharedBoundedSemaphore semaphore) {
        try (var _ = semaphore.acquired()) {
            Thread.onSpinWait();
        }
    }

    @Test
    void shouldStillGiveBackADeadHoldersPermitAfterManyProcessesUsedTheSemaphore() throws Exception {
        SharedBoundedSemaphore semaphore = new SharedBoundedSemaphore(1);
        SharedValue holding = SharedValue.raw('i');
        try (Children children = new Children()) {
            for (int i = 0; i < 32; i++) { // more processes than holder slots: each frees its slot when done
                JvmProcess user = children.start(() -> useOnce(semaphore));
                assertEquals(0, Children.joinWithin(user, WAIT));
            }
            JvmProcess holder = children.start(() -> takeAndHang(semaphore, holding));
            Poll.until("the holder", WAIT, () -> holding.getInt() == 1);
            holder.kill();
            Children.joinWithin(holder, WAIT);
            assertTrue(semaphore.acquire(Duration.ofSeconds(30)), "the dead holder's permit must come back");
        }
    }

    static void waitThenMark(SharedEvent event, SharedValue mark) {
        try {
            if (event.await(Duration.ofSeconds(30))) {
                mark.setInt(1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shouldWakeEventWaitersInOtherProcesses() throws Exception {
        SharedEvent go = new SharedEvent();
        SharedEvent done = new SharedEvent();
        SharedValue mark = SharedValue.raw('i');
        try (Children children = new Children()) {
            JvmProcess waiter = children.start(() -> {
                waitThenMark(go, mark);
                done.set();
            });
            assertFalse(done.await(Duration.ofMillis(100)));
            go.set();
            assertTrue(done.await(WAIT));
            assertEquals(0, Children.joinWithin(waiter, WAIT));
            assertEquals(1, mark.getInt());
        }
    }

    static void ponger(SharedEvent ping, SharedEvent pong, int rounds) {
        try {
            for (int i = 0; i < rounds; i++) {
                ping.await();
                ping.clear();
                pong.set();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shouldHandATurnBackAndForthWithoutLosingOne() throws Exception {
        SharedEvent ping = new SharedEvent();
        SharedEvent pong = new SharedEvent();
        try (Children children = new Children()) {
            JvmProcess child = children.start(() -> ponger(ping, pong, 5_000));
            for (int i = 0; i < 5_000; i++) {
                ping.set();
                assertTrue(pong.await(WAIT), "round " + i);
                pong.clear();
            }
            assertEquals(0, Children.joinWithin(child, WAIT), "the child must have seen every turn");
        }
    }

    static void waitOnCondition(SharedCondition condition, SharedValue waiting, SharedValue woken) {
        try (var _ = condition.locked()) {
            waiting.incrementAndGet();
            if (condition.await(Duration.ofSeconds(30))) {
                woken.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shouldNotifyExactlyNWaitersAcrossProcesses() throws Exception {
        SharedCondition condition = new SharedCondition();
        SharedValue waiting = SharedValue.raw('i');
        SharedValue woken = SharedValue.raw('i');
        try (Children children = new Children()) {
            List<JvmProcess> started = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                started.add(children.start(() -> waitOnCondition(condition, waiting, woken)));
            }
            // a waiter counts itself while holding the lock and releases it only by waiting
            Poll.until("three waiters", WAIT, () -> waiting.getInt() == 3);
            try (var _ = condition.locked()) {
                condition.notify(1);
            }
            Poll.until("one woken", WAIT, () -> woken.getInt() == 1);
            assertFalse(started.stream().filter(JvmProcess::isAlive).count() < 2);
            Thread.sleep(200);
            assertEquals(1, woken.getInt(), "notify(1) must wake exactly one process");
            try (var _ = condition.locked()) {
                condition.signalAll();
            }
            for (JvmProcess p : started) {
                assertEquals(0, Children.joinWithin(p, WAIT));
            }
            assertEquals(3, woken.getInt());
        }
    }

    static void meet(SharedBarrier barrier, SharedArray indexes, int slot) {
        try {
            indexes.setLong(slot, barrier.await(Duration.ofSeconds(30)));
        } catch (BrokenBarrierException e) {
            indexes.setLong(slot, -1);
        } catch (InterruptedException e) {
            indexes.setLong(slot, -2);
        }
    }

    @Test
    void shouldTripABarrierOfProcessesAndRunTheActionOnce() throws Exception {
        SharedValue actions = SharedValue.raw('i');
        SharedBarrier barrier = new SharedBarrier(3, () -> actions.incrementAndGet(), null);
        SharedArray indexes = SharedArray.ofLength('q', 3);
        try (Children children = new Children()) {
            JvmProcess a = children.start(() -> meet(barrier, indexes, 0));
            JvmProcess b = children.start(() -> meet(barrier, indexes, 1));
            meet(barrier, indexes, 2);
            Children.joinWithin(a, WAIT);
            Children.joinWithin(b, WAIT);
        }
        Set<Long> seen = new HashSet<>();
        for (long index : indexes.toLongArray()) {
            seen.add(index);
        }
        assertEquals(Set.of(0L, 1L, 2L), seen);
        assertEquals(1, actions.getInt());
    }

    static void meetWithDefaultTimeout(SharedBarrier barrier, SharedValue outcome) {
        try {
            barrier.await();
            outcome.setInt(1);
        } catch (BrokenBarrierException e) {
            outcome.setInt(2);
        } catch (InterruptedException e) {
            outcome.setInt(3);
        }
    }

    @Test
    void shouldBreakForEveryProcessWhenOnePartyTimesOut() throws Exception {
        SharedBarrier barrier = new SharedBarrier(3, null, Duration.ofMillis(300));
        SharedValue first = SharedValue.raw('i');
        SharedValue second = SharedValue.raw('i');
        try (Children children = new Children()) {
            JvmProcess a = children.start(() -> meetWithDefaultTimeout(barrier, first));
            JvmProcess b = children.start(() -> meetWithDefaultTimeout(barrier, second));
            Children.joinWithin(a, WAIT);
            Children.joinWithin(b, WAIT);
        }
        assertEquals(2, first.getInt());
        assertEquals(2, second.getInt());
        assertTrue(barrier.isBroken());
    }
}

package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedConditionTest {

    static void awaitOnce(SharedCondition condition, SharedValue woken) {
        try (var _ = condition.locked()) {
            if (condition.await(Duration.ofSeconds(30))) {
                woken.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shouldWakeExactlyNWaiters() throws Exception {
        SharedCondition condition = new SharedCondition();
        SharedValue woken = SharedValue.raw('i');
        SharedValue waiting = SharedValue.raw('i');
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                waiting.incrementAndGet();
                awaitOnce(condition, woken);
            }));
        }
        Poll.until("five waiters", Duration.ofSeconds(30), () -> waiting.getInt() == 5);
        Thread.sleep(50); // they enqueue under the lock after counting themselves
        try (var _ = condition.locked()) {
            condition.notify(2);
        }
        Poll.until("two woken", Duration.ofSeconds(30), () -> woken.getInt() == 2);
        Thread.sleep(100);
        assertEquals(2, woken.getInt(), "notify(2) must wake exactly two");
        try (var _ = condition.locked()) {
            condition.signalAll();
        }
        for (Thread thread : threads) {
            thread.join(30_000);
        }
        assertEquals(5, woken.getInt());
    }

    @Test
    void shouldRequireTheLock() {
        SharedCondition condition = new SharedCondition(new SharedLock());
        assertThrows(IllegalMonitorStateException.class, () -> condition.notify(1));
        assertThrows(IllegalMonitorStateException.class, condition::await);
    }

    @Test
    void shouldRestoreRecursiveHoldsAfterAWait() throws Exception {
        SharedRLock rlock = new SharedRLock();
        SharedCondition condition = rlock.newCondition();
        rlock.acquire();
        rlock.acquire();
        assertFalse(condition.await(Duration.ofMillis(10)));
        assertEquals(2, rlock.getHoldCount());
        rlock.release();
        rlock.release();
    }

    @Test
    void shouldWaitForAPredicate() throws Exception {
        SharedCondition condition = new SharedCondition();
        SharedValue items = SharedValue.raw('i');
        Thread producer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 3; i++) {
                try (var _ = condition.locked()) {
                    items.incrementAndGet();
                    condition.signal();
                }
            }
        });
        try (var _ = condition.locked()) {
            assertTrue(condition.waitFor(() -> items.getInt() == 3, Duration.ofSeconds(30)));
            assertFalse(condition.waitFor(() -> items.getInt() == 4, Duration.ofMillis(20)));
        }
        producer.join(30_000);
    }
}

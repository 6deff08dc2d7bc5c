package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SharedSemaphoreTest {

    @Test
    void shouldCountPermits() throws Exception {
        SharedSemaphore semaphore = new SharedSemaphore(2);
        assertTrue(semaphore.tryAcquire());
        try (var _ = semaphore.acquired()) {
            assertEquals(0, semaphore.getValue());
            assertFalse(semaphore.tryAcquire());
            assertFalse(semaphore.acquire(Duration.ofMillis(20)));
        }
        assertEquals(1, semaphore.getValue());
        semaphore.release(3);
        assertEquals(4, semaphore.getValue());
        assertThrows(IllegalArgumentException.class, () -> new SharedSemaphore(-1));
        assertThrows(IllegalArgumentException.class, () -> semaphore.release(0));
    }

    @Test
    void shouldWakeAWaiterOnRelease() throws Exception {
        SharedSemaphore semaphore = new SharedSemaphore(0);
        CountDownLatch acquired = new CountDownLatch(1);
        Thread waiter = Thread.ofPlatform().start(() -> {
            semaphore.acquire();
            acquired.countDown();
        });
        assertFalse(acquired.await(50, TimeUnit.MILLISECONDS));
        semaphore.release();
        assertTrue(acquired.await(30, TimeUnit.SECONDS));
        waiter.join(30_000);
    }

    @Test
    void shouldRefuseABoundedReleaseAboveTheInitialValue() throws Exception {
        SharedBoundedSemaphore bounded = new SharedBoundedSemaphore(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, bounded::release);
        assertTrue(e.getMessage().contains("released too many times"), e.getMessage());
        bounded.acquire();
        bounded.release();
        assertEquals(1, bounded.getValue());
        assertInstanceOf(SharedBoundedSemaphore.class, SharedValueTest.roundTrip(bounded));
        SharedSemaphore plain = SharedValueTest.roundTrip(new SharedSemaphore(5));
        assertFalse(plain instanceof SharedBoundedSemaphore);
        assertEquals(5, plain.getValue());
    }
}

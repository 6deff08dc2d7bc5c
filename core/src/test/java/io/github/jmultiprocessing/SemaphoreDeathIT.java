package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.Children;
import io.github.jmultiprocessing.testing.Poll;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A process that dies inside {@code acquire()} or {@code release()} of a bounded semaphore, at the worst moment
 * (the permit count changed, the holder record not yet), neither loses a permit nor invents one. The children
 * die there deterministically: the test-only property {@code jmultiprocessing.test.dieInSemaphore} makes them
 * {@code Runtime.halt} (no shutdown hook, no cleanup: as {@code kill -9}) at that exact point.
 */
class SemaphoreDeathIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String DIE_IN = "jmultiprocessing.test.dieInSemaphore";
    private static final int HALT_STATUS = 86;

    static void acquire(SharedBoundedSemaphore semaphore) {
        semaphore.acquire();
    }

    static void acquireRelease(SharedBoundedSemaphore semaphore) {
        semaphore.acquire();
        semaphore.release();
    }

    static void acquireHold(SharedBoundedSemaphore semaphore, SharedValue holding) {
        semaphore.acquire();
        holding.setInt(1);
        JvmProcessIT.sleepForever();
    }

    private static JvmProcess dyingIn(Children children, String where, SerializableRunnable target) {
        JvmProcess process = children.add(target);
        process.setChildJvm(Multiprocessing.getChildJvm().withProperty(DIE_IN, where));
        process.start();
        return process;
    }

    /** Both permits can be taken, a third cannot, and after giving both back the value is the bound. */
    private static void assertAllPermitsAndNoMore(SharedBoundedSemaphore semaphore) throws InterruptedException {
        assertTrue(semaphore.acquire(Duration.ofSeconds(10)), "first permit");
        assertTrue(semaphore.acquire(Duration.ofSeconds(10)), "second permit: lost by the dead process");
        assertFalse(semaphore.acquire(Duration.ofMillis(300)), "a third permit: invented by a recovery");
        semaphore.release(2);
        assertEquals(2, semaphore.getValue());
    }

    @Test
    void shouldKeepThePermitOfAProcessThatDiedInsideAcquire() throws Exception {
        SharedBoundedSemaphore semaphore = new SharedBoundedSemaphore(2);
        try (Children children = new Children()) {
            JvmProcess child = dyingIn(children, "acquire", () -> acquire(semaphore));
            assertEquals(HALT_STATUS, Children.joinWithin(child, WAIT), "the child must die inside acquire");
            assertEquals(1, semaphore.getValue(), "it died after taking the permit");
            assertAllPermitsAndNoMore(semaphore);
        }
    }

    @Test
    void shouldKeepThePermitOfAProcessThatDiedInsideRelease() throws Exception {
        SharedBoundedSemaphore semaphore = new SharedBoundedSemaphore(2);
        try (Children children = new Children()) {
            JvmProcess child = dyingIn(children, "release", () -> acquireRelease(semaphore));
            assertEquals(HALT_STATUS, Children.joinWithin(child, WAIT), "the child must die inside release");
            assertAllPermitsAndNoMore(semaphore);
        }
    }

    @Test
    void shouldKeepThePermitsWhenTheProcessGivingBackADeadHoldersPermitDiesDoingIt() throws Exception {
        SharedBoundedSemaphore semaphore = new SharedBoundedSemaphore(2);
        SharedValue holding = SharedValue.raw('i');
        try (Children children = new Children()) {
            JvmProcess holder = children.start(() -> acquireHold(semaphore, holding));
            Poll.until("the holder", WAIT, () -> holding.getInt() == 1);
            assertTrue(semaphore.acquire(Duration.ofSeconds(10))); // value 0: the next acquirer must reclaim
            holder.kill();
            Children.joinWithin(holder, WAIT);
            JvmProcess reclaimer = dyingIn(children, "reclaim", () -> acquire(semaphore));
            assertEquals(HALT_STATUS, Children.joinWithin(reclaimer, WAIT), "the child must die inside a reclaim");
            semaphore.release();
            assertAllPermitsAndNoMore(semaphore);
        }
    }
}

package io.github.jmultiprocessing.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for a condition another process makes true, with a deadline. */
public final class Poll {

    private Poll() {
    }

    /**
     * Waits until the condition holds.
     *
     * @param what      what is awaited, for the failure message
     * @param timeout   the deadline
     * @param condition the condition
     * @throws InterruptedException if interrupted
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(1);
        }
    }
}

package io.github.jmultiprocessing;

import java.time.Duration;

/**
 * A semaphore held by a {@link Manager}'s server, used through a proxy: Python's {@code manager.Semaphore(value)}
 * and {@code manager.BoundedSemaphore(value)} (whose {@link #release()} beyond its initial value is an error).
 *
 * <pre>{@code
 * try (Manager manager = Multiprocessing.manager()) {
 *     ManagedSemaphore slots = manager.semaphore(2);                 // Python: manager.Semaphore(2)
 *     slots.acquire();
 *     try {
 *         // at most two processes in here at once
 *     } finally {
 *         slots.release();
 *     }
 * }
 * }</pre>
 */
public interface ManagedSemaphore {

    /** Takes a permit, waiting as long as it takes (Python's {@code acquire()}). */
    void acquire();

    /**
     * Takes a permit, waiting at most {@code timeout}.
     *
     * @param timeout the longest wait
     * @return true if taken
     * @throws InterruptedException if interrupted while waiting
     */
    boolean acquire(Duration timeout) throws InterruptedException;

    /**
     * Returns a permit (Python's {@code release()}).
     *
     * @throws IllegalStateException if a bounded semaphore would go above its initial value
     */
    void release();

    /** {@return the permits free now} */
    int getValue();
}

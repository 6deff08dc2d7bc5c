package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.shm.HeapBlock;
import java.io.Serial;

/**
 * A semaphore whose value never exceeds its initial value: Python's {@code multiprocessing.BoundedSemaphore}.
 *
 * <p>A release that would raise the value above the initial value throws {@link IllegalStateException} (Python's
 * {@code ValueError}). Permits are tracked per process (for up to 27 processes): if a process dies holding
 * permits, a waiter gives them back within about 10 ms, so survivors are not starved by a dead holder; a process
 * killed inside {@code acquire} or {@code release} neither loses a permit nor leaves one to be given back twice.
 *
 * <pre>{@code
 * try (var slots = new SharedBoundedSemaphore(2)) {                  // Python: BoundedSemaphore(2)
 *     slots.acquire();
 *     slots.release();
 *     slots.release();                                               // IllegalStateException: above 2
 * }
 * }</pre>
 */
public final class SharedBoundedSemaphore extends SharedSemaphore {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * A bounded semaphore (Python's {@code BoundedSemaphore(value)}).
     *
     * @param value the initial and greatest number of permits, 0 or more
     * @throws IllegalArgumentException if negative
     */
    public SharedBoundedSemaphore(int value) {
        super(value, true);
    }

    SharedBoundedSemaphore(HeapBlock block) {
        super(block);
    }
}

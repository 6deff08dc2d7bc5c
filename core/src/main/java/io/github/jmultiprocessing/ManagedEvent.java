package io.github.jmultiprocessing;

import java.time.Duration;

/** An event held by a {@link Manager}'s server, used through a proxy: Python's {@code manager.Event()}. */
public interface ManagedEvent {

    /** Sets the flag and wakes every waiter. */
    void set();

    /** Clears the flag. */
    void clear();

    /** {@return true if the flag is set} */
    boolean isSet();

    /**
     * Waits until the flag is set (Python's {@code wait()}).
     *
     * @throws InterruptedException if interrupted while waiting
     */
    void await() throws InterruptedException;

    /**
     * Waits at most {@code timeout} for the flag (Python's {@code wait(timeout)}).
     *
     * @param timeout the longest wait
     * @return the flag
     * @throws InterruptedException if interrupted while waiting
     */
    boolean await(Duration timeout) throws InterruptedException;
}

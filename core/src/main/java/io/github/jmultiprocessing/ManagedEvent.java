package io.github.jmultiprocessing;

import java.time.Duration;

/**
 * An event held by a {@link Manager}'s server, used through a proxy: Python's {@code manager.Event()}.
 *
 * <pre>{@code
 * try (Manager manager = Multiprocessing.manager()) {
 *     ManagedEvent started = manager.event();                        // Python: manager.Event()
 *     var p = new JvmProcess(() -> started.set());
 *     p.start();
 *     System.out.println(started.await(Duration.ofSeconds(30)));     // Python: started.wait(30) -> true
 *     p.join();
 * }
 * }</pre>
 */
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

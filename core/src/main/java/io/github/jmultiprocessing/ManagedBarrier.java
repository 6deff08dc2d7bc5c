package io.github.jmultiprocessing;

import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeoutException;

/**
 * A barrier held by a {@link Manager}'s server, used through a proxy: Python's {@code manager.Barrier(parties)}.
 *
 * <pre>{@code
 * try (Manager manager = Multiprocessing.manager()) {
 *     ManagedBarrier barrier = manager.barrier(2);                  // Python: manager.Barrier(2)
 *     var p = new JvmProcess(() -> barrier.await());
 *     p.start();
 *     barrier.await();                                              // both pass together
 *     p.join();
 * }
 * }</pre>
 */
public interface ManagedBarrier {

    /**
     * Waits until every party has arrived (Python's {@code wait()}).
     *
     * @return this party's arrival index, from {@code parties - 1} down to 0
     * @throws BrokenBarrierException if the barrier is or becomes broken
     * @throws InterruptedException   if interrupted while waiting (the barrier breaks)
     */
    int await() throws BrokenBarrierException, InterruptedException;

    /**
     * Waits at most {@code timeout}; on timeout the barrier breaks, as in Python.
     *
     * @param timeout the longest wait
     * @return this party's arrival index
     * @throws BrokenBarrierException if the barrier is or becomes broken
     * @throws InterruptedException   if interrupted while waiting
     * @throws TimeoutException       if the time passed
     */
    int await(Duration timeout) throws BrokenBarrierException, InterruptedException, TimeoutException;

    /** Breaks the barrier: waiters and later callers get {@link BrokenBarrierException}. */
    void abort();

    /** Returns the barrier to its first state (waiters get {@link BrokenBarrierException}). */
    void reset();

    /** {@return the parties needed} */
    int getParties();

    /** {@return the parties waiting now} */
    int getNumberWaiting();

    /** {@return true if broken} */
    boolean isBroken();
}

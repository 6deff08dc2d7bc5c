package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A condition variable held by a {@link Manager}'s server, used through a proxy: Python's
 * {@code manager.Condition(lock)}. It is its own lock ({@link #acquire()}, {@link #release()}); waiting releases it
 * and takes it back, as in Python.
 *
 * <pre>{@code
 * try (Manager manager = Multiprocessing.manager()) {
 *     ManagedCondition ready = manager.condition();                  // Python: manager.Condition()
 *     ManagedValue<Boolean> done = manager.value(false);
 *     var p = new JvmProcess(() -> {
 *         ready.lock();
 *         try {
 *             done.set(true);
 *             ready.signalAll();                                     // Python: cond.notify_all()
 *         } finally {
 *             ready.unlock();
 *         }
 *     });
 *     ready.lock();
 *     try {
 *         p.start();
 *         while (!done.get()) {
 *             ready.await();                                         // releases the lock while it waits
 *         }
 *     } finally {
 *         ready.unlock();
 *     }
 *     p.join();
 * }
 * }</pre>
 */
public interface ManagedCondition extends ManagedLock {

    /**
     * Waits until signalled (Python's {@code wait()}); the caller must hold the lock.
     *
     * @throws InterruptedException  if interrupted while waiting
     * @throws IllegalStateException if the caller does not hold the lock
     */
    void await() throws InterruptedException;

    /**
     * Waits until signalled or {@code timeout} passes (Python's {@code wait(timeout)}).
     *
     * @param timeout the longest wait
     * @return false if the time passed
     * @throws InterruptedException  if interrupted while waiting
     * @throws IllegalStateException if the caller does not hold the lock
     */
    boolean await(Duration timeout) throws InterruptedException;

    /** Wakes one waiter (Python's {@code notify()}); the caller must hold the lock. */
    void signal();

    /** Wakes every waiter (Python's {@code notify_all()}); the caller must hold the lock. */
    void signalAll();

    /**
     * Waits until {@code predicate} is true (Python's {@code wait_for}); the predicate runs here, with the lock held.
     *
     * @param predicate the condition waited for
     * @param timeout   the longest wait
     * @return the predicate's last value
     * @throws InterruptedException if interrupted while waiting
     */
    default boolean waitFor(BooleanSupplier predicate, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + WaitCore.nanos(timeout);
        boolean result = predicate.getAsBoolean();
        while (!result) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            await(Duration.ofNanos(left));
            result = predicate.getAsBoolean();
        }
        return result;
    }
}

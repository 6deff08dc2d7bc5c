package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A lock held by a {@link Manager}'s server, used through a proxy: Python's {@code manager.Lock()} (not reentrant,
 * released by any holder) and {@code manager.RLock()} (reentrant, owned by the thread that took it). A
 * {@link Lock}, with Python's names beside.
 *
 * <pre>{@code
 * try (Manager manager = Multiprocessing.manager()) {
 *     ManagedLock lock = manager.lock();                             // Python: manager.Lock()
 *     Map<String, Integer> counts = manager.dict();
 *     var p = new JvmProcess(() -> {
 *         lock.lock();                                               // Python: with lock:
 *         try {
 *             counts.merge("n", 1, Integer::sum);                    // read and write as one step
 *         } finally {
 *             lock.unlock();
 *         }
 *     });
 *     p.start();
 *     p.join();
 * }
 * }</pre>
 */
public interface ManagedLock extends Lock {

    /** Takes the lock, waiting as long as it takes (Python's {@code acquire()}). */
    void acquire();

    /**
     * Takes the lock, waiting at most {@code timeout} (Python's {@code acquire(timeout=...)}).
     *
     * @param timeout the longest wait
     * @return true if taken
     * @throws InterruptedException if interrupted while waiting
     */
    boolean acquire(Duration timeout) throws InterruptedException;

    /** Releases the lock (Python's {@code release()}). */
    void release();

    @Override
    default void lock() {
        acquire();
    }

    @Override
    default void lockInterruptibly() throws InterruptedException {
        while (!acquire(Duration.ofSeconds(1))) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    @Override
    default boolean tryLock() {
        try {
            return acquire(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    default boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return acquire(Duration.ofNanos(WaitCore.nanos(time, unit)));
    }

    @Override
    default void unlock() {
        release();
    }

    /** Not supported: a managed condition is {@link Manager#condition()}, its own lock. */
    @Override
    default Condition newCondition() {
        throw new UnsupportedOperationException("a managed lock has no condition (expected manager.condition(),"
                + " a condition with its own lock)");
    }
}

package io.github.jmultiprocessing.ignite;

import io.github.jmultiprocessing.ManagedCondition;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCondition;
import org.apache.ignite.IgniteException;
import org.apache.ignite.IgniteInterruptedException;
import org.apache.ignite.IgniteLock;

/**
 * A {@link ClusterManager}'s reentrant lock (Python's {@code RLock}: owned by the thread that took it) and its
 * condition (Python's {@code Condition}, its own lock): an Ignite failover-safe reentrant lock, released when the
 * node holding it leaves the cluster, and a condition of it.
 *
 * <p>Its life is its entry of the objects cache: callers wait in slices of {@value #SLICE_MILLIS} ms and look at
 * that entry between them, so that once the manager removed it a caller waiting to take the lock leaves with
 * {@link IllegalStateException} (Ignite refuses to remove a lock that has waiters). A slice ending in
 * {@link #await()} is not a wake-up: it goes on waiting. A caller waiting on the condition when the manager
 * closes may stay waiting: Ignite's condition cannot take its lock back once the lock is being removed.
 */
final class ClusterRLock implements ManagedCondition, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;
    private static final String CONDITION = "condition";
    private static final long SLICE_MILLIS = 100;

    private final ClusterRef ref;
    private final boolean condition;
    private transient volatile IgniteLock lock;

    private ClusterRLock(ClusterRef ref, boolean condition) {
        this.ref = ref;
        this.condition = condition;
    }

    /** {@return a new reentrant lock in the cluster, named {@code name} (its entry too); with a condition if asked} */
    static ClusterRLock create(Ignite ignite, String name, boolean condition) {
        ignite.getOrCreateCache(ClusterRef.objectsCache()).put(name, Boolean.TRUE);
        ignite.reentrantLock(name, true, false, true);
        return new ClusterRLock(new ClusterRef(ignite, name), condition);
    }

    /**
     * Throws if the object was removed (its manager closed), first letting go of the lock if this thread holds it.
     *
     * @throws IllegalStateException if removed
     */
    private void requireAlive() {
        if (!ref.objects().containsKey(ref.name)) {
            IgniteLock known = lock;
            if (known != null && !known.removed()) {
                try {
                    while (known.isHeldByCurrentThread()) {
                        known.unlock();
                    }
                } catch (RuntimeException e) {
                    // already removed
                }
            }
            throw ref.gone();
        }
    }

    IgniteLock igniteLock() {
        IgniteLock known = lock;
        if (known == null || known.removed()) {
            known = ref.ignite().reentrantLock(ref.name, true, false, false);
            if (known == null) {
                throw ref.gone();
            }
            lock = known;
        }
        return known;
    }

    /** {@return an Ignite failure of a lock the manager removed meanwhile as {@link ClusterRef#gone()}, else as is} */
    private RuntimeException removed(IgniteException e) {
        if (ref.objects().containsKey(ref.name)) {
            return e;
        }
        IllegalStateException gone = ref.gone();
        gone.initCause(e);
        return gone;
    }

    @Override
    public void acquire() {
        boolean interrupted = false;
        while (true) {
            try {
                if (acquire(null)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true; // not interruptible, as the local manager's acquire()
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean acquire(Duration timeout) throws InterruptedException {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + ClusterRef.nanos(timeout);
        try {
            if (igniteLock().tryLock()) {
                return true;
            }
            while (true) {
                long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                if (igniteLock().tryLock(Math.min(left, TimeUnit.MILLISECONDS.toNanos(SLICE_MILLIS)),
                        TimeUnit.NANOSECONDS)) {
                    requireAlive(); // taken as the manager closed (its closer let go): give it up, and leave
                    return true;
                }
                requireAlive();
            }
        } catch (IgniteInterruptedException e) {
            throw ClusterRef.interrupted(e);
        } catch (IgniteException e) {
            throw removed(e);
        }
    }

    @Override
    public void release() {
        IgniteLock held = igniteLock();
        if (!held.isHeldByCurrentThread()) {
            requireAlive(); // a caller that left because the object was removed let go of it already
            throw new IllegalStateException("release of an RLock not held by this thread");
        }
        held.unlock();
    }

    private IgniteCondition condition() {
        if (!condition) {
            throw new UnsupportedOperationException("an RLock has no condition (expected manager.condition())");
        }
        IgniteLock held = igniteLock();
        if (!held.isHeldByCurrentThread()) {
            throw new IllegalStateException("the condition's lock is not held by this thread (expected acquire()"
                    + " first)");
        }
        return held.getOrCreateCondition(CONDITION);
    }

    @Override
    public void await() throws InterruptedException {
        await(null);
    }

    @Override
    public boolean await(Duration timeout) throws InterruptedException {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + ClusterRef.nanos(timeout);
        IgniteCondition waited = condition();
        try {
            while (true) {
                long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                if (waited.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(SLICE_MILLIS)),
                        TimeUnit.NANOSECONDS)) {
                    return true;
                }
                requireAlive();
            }
        } catch (IgniteInterruptedException e) {
            throw ClusterRef.interrupted(e);
        } catch (IgniteException e) {
            throw removed(e);
        }
    }

    @Override
    public void signal() {
        condition().signal();
    }

    @Override
    public void signalAll() {
        condition().signalAll();
    }

    @Override
    public String toString() {
        IgniteLock held = igniteLock();
        return (condition ? "Condition(" : "RLock(") + (held.isLocked() ? "locked" : "unlocked") + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterRLock other && other.ref.equals(ref);
    }

    @Override
    public int hashCode() {
        return ref.hashCode();
    }
}

package io.github.jmultiprocessing.ignite;

import io.github.jmultiprocessing.ManagedCondition;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCondition;
import org.apache.ignite.IgniteInterruptedException;
import org.apache.ignite.IgniteLock;

/**
 * A {@link ClusterManager}'s reentrant lock (Python's {@code RLock}: owned by the thread that took it) and its
 * condition (Python's {@code Condition}, its own lock): an Ignite failover-safe reentrant lock, released when the
 * node holding it leaves the cluster, and a condition of it.
 */
final class ClusterRLock implements ManagedCondition, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;
    private static final String CONDITION = "condition";

    private final ClusterRef ref;
    private final boolean condition;
    private transient volatile IgniteLock lock;

    private ClusterRLock(ClusterRef ref, boolean condition) {
        this.ref = ref;
        this.condition = condition;
    }

    /** {@return a new reentrant lock in the cluster, named {@code name}; with a condition if asked} */
    static ClusterRLock create(Ignite ignite, String name, boolean condition) {
        ignite.reentrantLock(name, true, false, true);
        return new ClusterRLock(new ClusterRef(ignite, name), condition);
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

    @Override
    public void acquire() {
        igniteLock().lock();
    }

    @Override
    public boolean acquire(Duration timeout) throws InterruptedException {
        long nanos = ClusterRef.nanos(timeout);
        try {
            return nanos == 0 ? igniteLock().tryLock() : igniteLock().tryLock(nanos, TimeUnit.NANOSECONDS);
        } catch (IgniteInterruptedException e) {
            throw ClusterRef.interrupted(e);
        }
    }

    @Override
    public void release() {
        IgniteLock held = igniteLock();
        if (!held.isHeldByCurrentThread()) {
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
        try {
            condition().await();
        } catch (IgniteInterruptedException e) {
            throw ClusterRef.interrupted(e);
        }
    }

    @Override
    public boolean await(Duration timeout) throws InterruptedException {
        try {
            return condition().await(ClusterRef.nanos(timeout), TimeUnit.NANOSECONDS);
        } catch (IgniteInterruptedException e) {
            throw ClusterRef.interrupted(e);
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

package io.github.jmultiprocessing.ignite;

import io.github.jmultiprocessing.ManagedLock;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteInterruptedException;
import org.apache.ignite.IgniteSemaphore;

/**
 * A {@link ClusterManager}'s lock (Python's {@code Lock}: not reentrant, released by anyone) and its semaphores:
 * an Ignite failover-safe semaphore, whose permits taken by a node that leaves the cluster (killed, or cut off for
 * longer than the failure detection timeout) are given back. A lock is a semaphore of one permit whose release when
 * not taken is an error, as a bounded semaphore's release beyond its bound is. That check and the release are two
 * calls: two releases racing past one taken permit may both pass it.
 */
final class ClusterLock implements ManagedLock, io.github.jmultiprocessing.ManagedSemaphore, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final ClusterRef ref;
    private final String kind;
    private final int bound; // releases beyond it are refused; 0 for none
    private transient volatile IgniteSemaphore semaphore;

    private ClusterLock(ClusterRef ref, String kind, int bound) {
        this.ref = ref;
        this.kind = kind;
        this.bound = bound;
    }

    /** {@return a new lock in the cluster, named {@code name}} */
    static ClusterLock lock(Ignite ignite, String name) {
        ignite.semaphore(name, 1, true, true);
        return new ClusterLock(new ClusterRef(ignite, name), "Lock", 1);
    }

    /** {@return a new semaphore in the cluster, named {@code name}, refusing releases beyond its value if bounded} */
    static ClusterLock semaphore(Ignite ignite, String name, int value, boolean bounded) {
        if (value < 0) {
            throw new IllegalArgumentException("value=" + value + " (expected >= 0)");
        }
        ignite.semaphore(name, value, true, true);
        return new ClusterLock(new ClusterRef(ignite, name), bounded ? "BoundedSemaphore" : "Semaphore",
                bounded ? value : 0);
    }

    private IgniteSemaphore semaphore() {
        IgniteSemaphore known = semaphore;
        if (known == null || known.removed()) {
            known = ref.ignite().semaphore(ref.name, 0, true, false);
            if (known == null) {
                throw ref.gone();
            }
            semaphore = known;
        }
        return known;
    }

    @Override
    public void acquire() {
        semaphore().acquireUninterruptibly();
    }

    @Override
    public boolean acquire(Duration timeout) throws InterruptedException {
        long nanos = timeout.isNegative() ? 0 : timeout.toNanos();
        try {
            return nanos == 0 ? semaphore().tryAcquire() : semaphore().tryAcquire(nanos, TimeUnit.NANOSECONDS);
        } catch (IgniteInterruptedException e) {
            throw ClusterRef.interrupted(e);
        }
    }

    @Override
    public void release() {
        IgniteSemaphore permits = semaphore();
        if (bound > 0 && permits.availablePermits() >= bound) {
            throw new IllegalStateException(bound == 1 && kind.equals("Lock") ? "release of an unlocked lock"
                    : "semaphore released too many times (bound " + bound + ")");
        }
        permits.release();
    }

    @Override
    public int getValue() {
        return semaphore().availablePermits();
    }

    @Override
    public String toString() {
        int permits = getValue();
        return kind.equals("Lock") ? "Lock(" + (permits == 0 ? "locked" : "unlocked") + ")"
                : kind + "(value=" + permits + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterLock other && other.ref.equals(ref);
    }

    @Override
    public int hashCode() {
        return ref.hashCode();
    }
}

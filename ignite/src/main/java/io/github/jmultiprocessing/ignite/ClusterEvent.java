package io.github.jmultiprocessing.ignite;

import io.github.jmultiprocessing.ManagedEvent;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import org.apache.ignite.Ignite;

/**
 * A {@link ClusterManager}'s event: its flag one entry of the objects cache, its waiters on a condition of a
 * failover-safe lock of its own (set takes the lock, sets the flag, wakes them all).
 */
final class ClusterEvent implements ManagedEvent, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final ClusterRef ref;
    private final ClusterRLock guard;

    private ClusterEvent(ClusterRef ref, ClusterRLock guard) {
        this.ref = ref;
        this.guard = guard;
    }

    /** {@return a new event in the cluster, named {@code name} (its lock: name + ":lock"), clear} */
    static ClusterEvent create(Ignite ignite, String name) {
        ignite.getOrCreateCache(ClusterRef.objectsCache()).put(name, 0L);
        return new ClusterEvent(new ClusterRef(ignite, name), ClusterRLock.create(ignite, lockName(name), true));
    }

    static String lockName(String name) {
        return name + ":lock";
    }

    private void flag(long value) {
        if (!ref.objects().replace(ref.name, value)) {
            throw ref.gone();
        }
    }

    @Override
    public void set() {
        guard.acquire();
        try {
            flag(1L);
            guard.signalAll();
        } finally {
            guard.release();
        }
    }

    @Override
    public void clear() {
        flag(0L);
    }

    @Override
    public boolean isSet() {
        Object flag = ref.objects().get(ref.name);
        if (flag == null) {
            throw ref.gone();
        }
        return (Long) flag == 1L;
    }

    @Override
    public void await() throws InterruptedException {
        if (isSet()) {
            return;
        }
        guard.acquire();
        try {
            while (!isSet()) {
                guard.await();
            }
        } finally {
            guard.release();
        }
    }

    @Override
    public boolean await(Duration timeout) throws InterruptedException {
        if (isSet()) {
            return true;
        }
        long deadline = System.nanoTime() + Math.max(0, Math.min(timeout.toNanos(), Long.MAX_VALUE / 4));
        if (!guard.acquire(timeout)) {
            return isSet();
        }
        try {
            boolean set;
            while (!(set = isSet())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                guard.await(Duration.ofNanos(left));
            }
            return set;
        } finally {
            guard.release();
        }
    }

    @Override
    public String toString() {
        return "Event(" + (isSet() ? "set" : "clear") + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterEvent other && other.ref.equals(ref);
    }

    @Override
    public int hashCode() {
        return ref.hashCode();
    }
}

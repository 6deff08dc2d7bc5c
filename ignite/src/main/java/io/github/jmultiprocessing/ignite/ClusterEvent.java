package io.github.jmultiprocessing.ignite;

import io.github.jmultiprocessing.ManagedEvent;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import org.apache.ignite.Ignite;

/**
 * A {@link ClusterManager}'s event: its flag and a count of its sets in one entry of the objects cache (twice the
 * count, plus 1 while set), its waiters on a condition of a failover-safe lock of its own. {@code set} and
 * {@code clear} change the entry under the lock; a waiter returns true once the flag is set or was set since it
 * began (a {@code set} then {@code clear} while it waits still wakes it with true, as Python's).
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

    /** {@return the entry: twice the number of sets, plus 1 while set} */
    private long state() {
        Object state = ref.objects().get(ref.name);
        if (state == null) {
            throw ref.gone();
        }
        return (Long) state;
    }

    private void write(long state) {
        if (!ref.objects().replace(ref.name, state)) {
            throw ref.gone();
        }
    }

    @Override
    public void set() {
        guard.acquire();
        try {
            long state = state();
            if ((state & 1) == 0) {
                write(state + 3); // from sets * 2 to (sets + 1) * 2 + 1
                guard.signalAll();
            }
        } finally {
            guard.release();
        }
    }

    @Override
    public void clear() {
        guard.acquire();
        try {
            long state = state();
            if ((state & 1) == 1) {
                write(state - 1);
            }
        } finally {
            guard.release();
        }
    }

    @Override
    public boolean isSet() {
        return (state() & 1) == 1;
    }

    @Override
    public void await() throws InterruptedException {
        await(null);
    }

    @Override
    public boolean await(Duration timeout) throws InterruptedException {
        long begun = state();
        if ((begun & 1) == 1) {
            return true;
        }
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + ClusterRef.nanos(timeout);
        if (timeout == null) {
            guard.acquire();
        } else if (!guard.acquire(timeout)) {
            return isSet();
        }
        try {
            while (true) {
                long state = state();
                if ((state & 1) == 1 || state >> 1 != begun >> 1) {
                    return true;
                }
                if (timeout == null) {
                    guard.await();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    guard.await(Duration.ofNanos(left));
                }
            }
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

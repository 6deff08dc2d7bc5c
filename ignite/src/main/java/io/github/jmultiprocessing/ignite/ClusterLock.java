package io.github.jmultiprocessing.ignite;

import io.github.jmultiprocessing.ManagedLock;
import io.github.jmultiprocessing.ManagedSemaphore;
import io.github.jmultiprocessing.ignite.ObjectOps.Acquire;
import io.github.jmultiprocessing.ignite.ObjectOps.Permits;
import io.github.jmultiprocessing.ignite.ObjectOps.Release;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.apache.ignite.Ignite;

/**
 * A {@link ClusterManager}'s lock (Python's {@code Lock}: not reentrant, released by anyone) and its semaphores: one
 * entry of the objects cache holding the free permits, the bound, and how many permits each node holds; taking and
 * giving back are entry processors there, atomic, the bound checked in the same step. A permit held by a node that
 * left the cluster (killed, or silent beyond the failure detection timeout) is given back by the next caller that
 * finds none free: it names the holders Ignite no longer lists. A release by another node than the taker's moves
 * the record to the releaser's side, so the taker leaving later gives nothing back twice. A caller that finds no
 * permit looks again after a pause growing from 50 us to 10 ms (each look a round trip).
 */
final class ClusterLock implements ManagedLock, ManagedSemaphore, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;
    private static final long FIRST_PAUSE_NANOS = 50_000;
    private static final long LAST_PAUSE_NANOS = 10_000_000;

    private final ClusterRef ref;
    private final String kind;

    private ClusterLock(ClusterRef ref, String kind) {
        this.ref = ref;
        this.kind = kind;
    }

    /** {@return a new lock in the cluster, named {@code name}} */
    static ClusterLock lock(Ignite ignite, String name) {
        ignite.getOrCreateCache(ClusterRef.objectsCache()).put(name, new Permits(1, 1, new HashMap<>()));
        return new ClusterLock(new ClusterRef(ignite, name), "Lock");
    }

    /** {@return a new semaphore in the cluster, named {@code name}, refusing releases beyond its value if bounded} */
    static ClusterLock semaphore(Ignite ignite, String name, int value, boolean bounded) {
        if (value < 0) {
            throw new IllegalArgumentException("value=" + value + " (expected >= 0)");
        }
        ignite.getOrCreateCache(ClusterRef.objectsCache()).put(name, new Permits(value, bounded ? value : 0,
                new HashMap<>()));
        return new ClusterLock(new ClusterRef(ignite, name), bounded ? "BoundedSemaphore" : "Semaphore");
    }

    private Object call(ObjectOps.ObjectOp<Object> op) {
        return ref.invoke(ref.name, op);
    }

    /** One try: {@return true if a permit was taken; else the holders that have left are given back next time} */
    private boolean tryOnce(HashSet<UUID> departed) {
        Ignite ignite = ref.ignite();
        Object result = call(new Acquire(ignite.cluster().localNode().id(), new HashSet<>(departed)));
        departed.clear();
        if (result == Boolean.TRUE) {
            return true;
        }
        @SuppressWarnings("unchecked")
        Set<UUID> holders = (Set<UUID>) result;
        for (UUID holder : holders) {
            if (ignite.cluster().node(holder) == null) {
                departed.add(holder);
            }
        }
        return false;
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
        HashSet<UUID> departed = new HashSet<>();
        long pause = FIRST_PAUSE_NANOS;
        while (!tryOnce(departed)) {
            if (!departed.isEmpty()) {
                continue; // give back what the departed held, at once
            }
            long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            LockSupport.parkNanos(Math.min(pause, left));
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            pause = Math.min(pause * 2, LAST_PAUSE_NANOS);
        }
        return true;
    }

    @Override
    public void release() {
        call(new Release(ref.ignite().cluster().localNode().id(), kind.equals("Lock")
                ? "release of an unlocked lock" : "semaphore released too many times"));
    }

    @Override
    public int getValue() {
        Object state = ref.objects().get(ref.name);
        if (state == null) {
            throw ref.gone();
        }
        return ((Permits) state).free();
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

package io.github.jmultiprocessing.ignite;

import io.github.jmultiprocessing.ManagedBarrier;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.ignite.Ignite;

/**
 * A {@link ClusterManager}'s barrier: Python's {@code threading.Barrier} state machine (filling, draining,
 * resetting, broken; the parties inside) in one entry of the objects cache, with the node of each party inside,
 * read and written only under a lock of its own (a {@link ClusterLock}: given back if its holder's node leaves).
 * Waiters let go of the lock and look again every {@value #LOOK_MILLIS} ms; a party whose node has left the
 * cluster breaks a filling round (as the local manager's does) and is taken out, so the barrier can be reset and
 * used again. Once the manager removed the barrier, waiters leave with {@link IllegalStateException}.
 */
final class ClusterBarrier implements ManagedBarrier, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;
    private static final long FILLING = 0;
    private static final long DRAINING = 1;
    private static final long RESETTING = -1;
    private static final long BROKEN = -2;
    private static final long LOOK_MILLIS = 2;

    private final ClusterRef ref;
    private final ClusterLock guard;
    private final int parties;

    private ClusterBarrier(ClusterRef ref, ClusterLock guard, int parties) {
        this.ref = ref;
        this.guard = guard;
        this.parties = parties;
    }

    /** {@return a new barrier in the cluster, named {@code name} (its lock: name + ":lock")} */
    static ClusterBarrier create(Ignite ignite, String name, int parties) {
        if (parties < 1) {
            throw new IllegalArgumentException("parties=" + parties + " (expected >= 1)");
        }
        ignite.getOrCreateCache(ClusterRef.objectsCache()).put(name, new long[] {FILLING, 0});
        return new ClusterBarrier(new ClusterRef(ignite, name), ClusterLock.lock(ignite, lockName(name)), parties);
    }

    /** {@return the name of a barrier's lock, an entry of the objects cache too} */
    static String lockName(String name) {
        return name + ":lock";
    }

    /**
     * {@return the state: [state, parties inside, then each inside party's node id as two longs]}, read under the
     * lock; a party of a node that left the cluster is taken out, and breaks a filling round
     */
    private long[] read() {
        Object stored = ref.objects().get(ref.name);
        if (stored == null) {
            throw ref.gone();
        }
        long[] state = (long[]) stored;
        Ignite ignite = ref.ignite();
        long[] kept = new long[state.length];
        kept[0] = state[0];
        int length = 2;
        for (int i = 2; i < state.length; i += 2) {
            if (ignite.cluster().node(new UUID(state[i], state[i + 1])) != null) {
                kept[length++] = state[i];
                kept[length++] = state[i + 1];
            }
        }
        if (length == state.length) {
            return state;
        }
        long left = (length - 2) / 2;
        kept[1] = left;
        kept[0] = state[0] == FILLING ? BROKEN
                : left == 0 && (state[0] == DRAINING || state[0] == RESETTING) ? FILLING : state[0];
        long[] pruned = java.util.Arrays.copyOf(kept, length);
        ref.objects().put(ref.name, pruned);
        return pruned;
    }

    /** Writes the state, adding ({@code +1}) or taking out ({@code -1}) this node's party, or neither (0). */
    private void write(long[] state, long next, int party) {
        UUID me = ref.ignite().cluster().localNode().id();
        long[] written;
        if (party > 0) {
            written = java.util.Arrays.copyOf(state, state.length + 2);
            written[state.length] = me.getMostSignificantBits();
            written[state.length + 1] = me.getLeastSignificantBits();
            written[1] = state[1] + 1;
        } else if (party < 0) {
            written = state.clone();
            for (int i = 2; i < state.length; i += 2) {
                if (state[i] == me.getMostSignificantBits() && state[i + 1] == me.getLeastSignificantBits()) {
                    written = new long[state.length - 2];
                    System.arraycopy(state, 0, written, 0, i);
                    System.arraycopy(state, i + 2, written, i, state.length - i - 2);
                    break;
                }
            }
            written[1] = (written.length - 2) / 2;
        } else {
            written = state.clone();
        }
        written[0] = next;
        ref.objects().put(ref.name, written);
    }

    @Override
    public int await() throws BrokenBarrierException, InterruptedException {
        try {
            return await(null);
        } catch (TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public int await(Duration timeout) throws BrokenBarrierException, InterruptedException, TimeoutException {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + ClusterRef.nanos(timeout);
        guard.acquire();
        try {
            long[] state = read();
            while (state[0] == DRAINING || state[0] == RESETTING) { // the last round is still leaving
                if (!waitUntil(deadline)) { // nothing changed: the round goes on leaving
                    throw new TimeoutException("the barrier's last round had not left within " + timeout);
                }
                state = read();
            }
            if (state[0] == BROKEN) {
                throw new BrokenBarrierException();
            }
            int index = (int) state[1];
            boolean last = index + 1 == parties;
            write(state, last ? DRAINING : FILLING, +1);
            try {
                if (!last) {
                    while ((state = read())[0] == FILLING) {
                        try {
                            if (!waitUntil(deadline)) {
                                breakIt();
                                throw new TimeoutException("the barrier's parties did not all arrive within "
                                        + timeout);
                            }
                        } catch (InterruptedException e) {
                            breakIt();
                            throw e;
                        }
                    }
                    if (state[0] < 0) {
                        throw new BrokenBarrierException();
                    }
                }
                return parties - 1 - index;
            } finally {
                state = read();
                long left = state[1] - 1;
                long next = left == 0 && (state[0] == DRAINING || state[0] == RESETTING) ? FILLING : state[0];
                write(state, next, -1);
            }
        } finally {
            guard.release();
        }
    }

    /**
     * Lets go of the lock for {@value #LOOK_MILLIS} ms, or until the deadline, and takes it again: {@return false if
     * the deadline had passed (the lock still held)}
     */
    private boolean waitUntil(long deadline) throws InterruptedException {
        long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        guard.release();
        try {
            LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(LOOK_MILLIS)));
        } finally {
            guard.acquire();
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return true;
    }

    private void breakIt() {
        write(read(), BROKEN, 0);
    }

    @Override
    public void abort() {
        guard.acquire();
        try {
            breakIt();
        } finally {
            guard.release();
        }
    }

    @Override
    public void reset() {
        guard.acquire();
        try {
            long[] state = read();
            if (state[1] > 0) {
                write(state, state[0] == FILLING || state[0] == BROKEN ? RESETTING : state[0], 0);
            } else {
                write(state, FILLING, 0);
            }
        } finally {
            guard.release();
        }
    }

    @Override
    public int getParties() {
        return parties;
    }

    @Override
    public int getNumberWaiting() {
        long[] state = stored();
        return state[0] == FILLING ? (int) state[1] : 0;
    }

    @Override
    public boolean isBroken() {
        return stored()[0] == BROKEN;
    }

    /** {@return the state as stored, read without the lock} */
    private long[] stored() {
        Object stored = ref.objects().get(ref.name);
        if (stored == null) {
            throw ref.gone();
        }
        return (long[]) stored;
    }

    @Override
    public String toString() {
        return "Barrier(parties=" + parties + ", waiting=" + getNumberWaiting() + ", broken=" + isBroken() + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterBarrier other && other.ref.equals(ref);
    }

    @Override
    public int hashCode() {
        return ref.hashCode();
    }
}

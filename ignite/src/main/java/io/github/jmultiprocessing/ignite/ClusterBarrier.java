package io.github.jmultiprocessing.ignite;

import io.github.jmultiprocessing.ManagedBarrier;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeoutException;
import org.apache.ignite.Ignite;

/**
 * A {@link ClusterManager}'s barrier: Python's {@code threading.Barrier} state machine (filling, draining,
 * resetting, broken; the parties inside) in one entry of the objects cache, read and written only under a
 * failover-safe lock of its own, whose condition its waiters wait on. A party whose process dies while it waits
 * still counts as arrived (the lock it held is released; its arrival is not taken back): the round may then be
 * released one party short, where the local manager breaks it.
 */
final class ClusterBarrier implements ManagedBarrier, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;
    private static final int FILLING = 0;
    private static final int DRAINING = 1;
    private static final int RESETTING = -1;
    private static final int BROKEN = -2;

    private final ClusterRef ref;
    private final ClusterRLock guard;
    private final int parties;

    private ClusterBarrier(ClusterRef ref, ClusterRLock guard, int parties) {
        this.ref = ref;
        this.guard = guard;
        this.parties = parties;
    }

    /** {@return a new barrier in the cluster, named {@code name} (its lock: name + ":lock")} */
    static ClusterBarrier create(Ignite ignite, String name, int parties) {
        if (parties < 1) {
            throw new IllegalArgumentException("parties=" + parties + " (expected >= 1)");
        }
        ignite.getOrCreateCache(ClusterRef.objectsCache()).put(name, new int[] {FILLING, 0});
        return new ClusterBarrier(new ClusterRef(ignite, name), ClusterRLock.create(ignite, ClusterEvent.lockName(
                name), true), parties);
    }

    /** {@return the state and the parties inside; under the lock} */
    private int[] read() {
        Object state = ref.objects().get(ref.name);
        if (state == null) {
            throw ref.gone();
        }
        return (int[]) state;
    }

    private void write(int state, int count) {
        ref.objects().put(ref.name, new int[] {state, count});
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
            int[] state = read();
            while (state[0] == DRAINING || state[0] == RESETTING) { // the last round is still leaving
                if (!waitUntil(deadline)) { // nothing changed: the round goes on leaving
                    throw new TimeoutException("the barrier's last round had not left within " + timeout);
                }
                state = read();
            }
            if (state[0] == BROKEN) {
                throw new BrokenBarrierException();
            }
            int index = state[1];
            write(FILLING, index + 1);
            try {
                if (index + 1 == parties) {
                    write(DRAINING, index + 1);
                    guard.signalAll();
                } else {
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
                int count = state[1] - 1;
                int next = count == 0 && (state[0] == DRAINING || state[0] == RESETTING) ? FILLING : state[0];
                write(next, count);
                if (next != state[0]) {
                    guard.signalAll();
                }
            }
        } finally {
            guard.release();
        }
    }

    /** Waits on the condition until signalled or the deadline: {@return false if it passed} */
    private boolean waitUntil(long deadline) throws InterruptedException {
        if (deadline == Long.MAX_VALUE) {
            guard.await();
            return true;
        }
        long left = deadline - System.nanoTime();
        return left > 0 && guard.await(Duration.ofNanos(left));
    }

    private void breakIt() {
        write(BROKEN, read()[1]);
        guard.signalAll();
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
            int[] state = read();
            if (state[1] > 0) {
                write(state[0] == FILLING || state[0] == BROKEN ? RESETTING : state[0], state[1]);
            } else {
                write(FILLING, 0);
            }
            guard.signalAll();
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
        int[] state = read();
        return state[0] == FILLING ? state[1] : 0;
    }

    @Override
    public boolean isBroken() {
        return read()[0] == BROKEN;
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

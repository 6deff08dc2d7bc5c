package io.github.jmultiprocessing.ignite;

import io.github.jmultiprocessing.ManagedEvent;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.apache.ignite.Ignite;

/**
 * A {@link ClusterManager}'s event: one entry of the objects cache holding twice the number of its sets, plus 1
 * while set; {@code set} and {@code clear} are entry processors there. A waiter returns true once the flag is set
 * or was set since it began (a {@code set} then {@code clear} while it waits still wakes it with true, as Python's);
 * it looks again after a pause growing from 50 us to 10 ms, and leaves with {@link IllegalStateException} once the
 * manager removed the event.
 */
final class ClusterEvent implements ManagedEvent, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final ClusterRef ref;

    private ClusterEvent(ClusterRef ref) {
        this.ref = ref;
    }

    /** {@return a new event in the cluster, named {@code name}, clear} */
    static ClusterEvent create(Ignite ignite, String name) {
        ignite.getOrCreateCache(ClusterRef.objectsCache()).put(name, 0L);
        return new ClusterEvent(new ClusterRef(ignite, name));
    }

    /** {@return the entry: twice the number of sets, plus 1 while set} */
    private long state() {
        Object state = ref.objects().get(ref.name);
        if (state == null) {
            throw ref.gone();
        }
        return (Long) state;
    }

    private void change(boolean set) {
        ref.invoke(ref.name, new ObjectOps.Flag(set));
    }

    @Override
    public void set() {
        change(true);
    }

    @Override
    public void clear() {
        change(false);
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
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + ClusterRef.nanos(timeout);
        long begun = state();
        long pause = 50_000;
        for (long state = begun; (state & 1) == 0 && state >> 1 == begun >> 1; state = state()) {
            long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            LockSupport.parkNanos(Math.min(pause, left));
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            pause = Math.min(pause * 2, 10_000_000);
        }
        return true;
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

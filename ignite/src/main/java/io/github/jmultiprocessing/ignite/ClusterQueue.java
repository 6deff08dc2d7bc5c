package io.github.jmultiprocessing.ignite;

import io.github.jmultiprocessing.ManagedJoinableQueue;
import io.github.jmultiprocessing.QueueShutDownException;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteInterruptedException;
import org.apache.ignite.IgniteQueue;
import org.apache.ignite.configuration.CollectionConfiguration;

/**
 * A {@link ClusterManager}'s queue and joinable queue: an Ignite queue (bounded if asked; one backup, so its
 * elements survive the loss of a node), with its shutdown flag and, for a joinable one, its count of unfinished
 * elements in the objects cache. A call blocked in {@code take}, {@code put} or a timed one waits in slices of
 * {@value #SLICE_MILLIS} ms and looks at the shutdown flag between them: a shutdown wakes it within that time. A
 * put costs a round trip more to read the flag (two for a joinable queue: the count), until the flag was seen set.
 *
 * @param <E> the elements' type
 */
final class ClusterQueue<E> extends AbstractQueue<E> implements ManagedJoinableQueue<E>, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;
    private static final long SLICE_MILLIS = 100;

    private final ClusterRef ref;
    private final int maxsize;
    private final boolean joinable;
    private transient volatile IgniteQueue<E> queue;
    private transient volatile boolean shutDown; // seen set: it never clears

    private ClusterQueue(ClusterRef ref, int maxsize, boolean joinable) {
        this.ref = ref;
        this.maxsize = maxsize;
        this.joinable = joinable;
    }

    /** {@return a new queue in the cluster, named {@code name}, of at most maxsize elements (0: no bound)} */
    static <E> ClusterQueue<E> create(Ignite ignite, String name, int maxsize, boolean joinable) {
        if (maxsize < 0) {
            throw new IllegalArgumentException("maxsize=" + maxsize + " (expected >= 0, 0 for no bound)");
        }
        ignite.getOrCreateCache(ClusterRef.objectsCache()).putAll(java.util.Map.of(flag(name), 0L, tasks(name), 0L));
        ignite.queue(name, maxsize, new CollectionConfiguration().setBackups(1));
        return new ClusterQueue<>(new ClusterRef(ignite, name), maxsize, joinable);
    }

    /** Removes a queue and its state from the cluster. */
    static void destroy(Ignite ignite, String name) {
        ignite.getOrCreateCache(ClusterRef.objectsCache()).removeAll(java.util.Set.of(flag(name), tasks(name)));
        IgniteQueue<Object> queue = ignite.queue(name, 0, null);
        if (queue != null) {
            queue.close();
        }
    }

    private static String flag(String name) {
        return name + ":shutdown";
    }

    private static String tasks(String name) {
        return name + ":tasks";
    }

    private IgniteQueue<E> queue() {
        IgniteQueue<E> known = queue;
        if (known == null || known.removed()) {
            known = ref.ignite().queue(ref.name, 0, null);
            if (known == null) {
                throw ref.gone();
            }
            queue = known;
        }
        return known;
    }

    private long count(long delta) {
        return ref.invoke(tasks(ref.name), new ObjectOps.Add(delta, 0));
    }

    @Override
    public boolean isShutdown() {
        if (!shutDown) {
            Object flag = ref.objects().get(flag(ref.name));
            if (flag == null) {
                throw ref.gone();
            }
            shutDown = (Long) flag == 1L;
        }
        return shutDown;
    }

    private void requireOpen() {
        if (isShutdown()) {
            throw new QueueShutDownException("the queue is shut down");
        }
    }

    @Override
    public int maxsize() {
        return maxsize;
    }

    @Override
    public boolean offer(E e) {
        Objects.requireNonNull(e, "a queue's element cannot be null");
        requireOpen();
        if (joinable) {
            count(1);
        }
        boolean added = queue().offer(e);
        if (!added && joinable) {
            count(-1);
        }
        return added && !undoneAfterShutdown(e);
    }

    /**
     * Takes back an element added while the queue was being shut down (the flag was read before the add): a shutdown
     * is final for adds, as the local queue's. {@return false if the queue is open: the add stands}
     *
     * @throws QueueShutDownException if the add was taken back
     */
    private boolean undoneAfterShutdown(E e) {
        if (!isShutdown()) {
            return false;
        }
        if (queue().remove(e) && joinable) {
            count(-1);
        }
        throw new QueueShutDownException("the queue is shut down");
    }

    @Override
    public void put(E e) throws InterruptedException {
        offer(e, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean offer(E e, long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(e, "a queue's element cannot be null");
        requireOpen();
        long deadline = deadline(timeout, unit);
        if (joinable) {
            count(1);
        }
        boolean added = false;
        try {
            while (!(added = queue().offer(e, slice(deadline), TimeUnit.NANOSECONDS))) {
                requireOpen();
                if (deadline != Long.MAX_VALUE && deadline - System.nanoTime() <= 0) {
                    return false;
                }
            }
        } catch (IgniteInterruptedException ex) {
            throw ClusterRef.interrupted(ex);
        } finally {
            if (!added && joinable) {
                count(-1);
            }
        }
        undoneAfterShutdown(e);
        return true;
    }

    @Override
    public E poll() {
        E e = queue().poll();
        if (e == null) {
            requireOpen();
        }
        return e;
    }

    @Override
    public E take() throws InterruptedException {
        return poll(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    @Override
    public E poll(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = deadline(timeout, unit);
        try {
            while (true) {
                E e = queue().poll(slice(deadline), TimeUnit.NANOSECONDS);
                if (e != null) {
                    return e;
                }
                if (isShutdown()) {
                    return poll(); // what is left, or the shutdown
                }
                if (deadline != Long.MAX_VALUE && deadline - System.nanoTime() <= 0) {
                    return null;
                }
            }
        } catch (IgniteInterruptedException ex) {
            throw ClusterRef.interrupted(ex);
        }
    }

    private static long deadline(long timeout, TimeUnit unit) {
        long nanos = Math.max(0, unit.toNanos(timeout));
        return nanos >= Long.MAX_VALUE / 4 ? Long.MAX_VALUE : System.nanoTime() + nanos;
    }

    private static long slice(long deadline) {
        long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
        return Math.max(0, Math.min(left, TimeUnit.MILLISECONDS.toNanos(SLICE_MILLIS)));
    }

    @Override
    public E peek() {
        return queue().peek();
    }

    @Override
    public int size() {
        return queue().size();
    }

    @Override
    public int remainingCapacity() {
        return maxsize == 0 ? Integer.MAX_VALUE : Math.max(0, maxsize - size());
    }

    @Override
    public List<E> drain(int maxElements) {
        List<E> taken = new ArrayList<>();
        IgniteQueue<E> elements = queue();
        for (E e; taken.size() < maxElements && (e = elements.poll()) != null; ) {
            taken.add(e);
        }
        return taken;
    }

    @Override
    public boolean remove(Object o) {
        return queue().remove(o);
    }

    @Override
    public boolean contains(Object o) {
        return queue().contains(o);
    }

    @Override
    public void clear() {
        queue().clear();
    }

    @Override
    public Object[] toArray() {
        return queue().toArray();
    }

    /** {@return an iterator over a copy, whose {@code remove} removes the element from the queue} */
    @Override
    @SuppressWarnings("unchecked")
    public Iterator<E> iterator() {
        Iterator<Object> copy = java.util.Arrays.asList(toArray()).iterator();
        return new Iterator<>() {
            private Object last;

            @Override
            public boolean hasNext() {
                return copy.hasNext();
            }

            @Override
            public E next() {
                last = copy.next();
                return (E) last;
            }

            @Override
            public void remove() {
                if (last == null) {
                    throw new IllegalStateException("no element to remove (expected next() first)");
                }
                ClusterQueue.this.remove(last);
                last = null;
            }
        };
    }

    @Override
    public void shutdown(boolean immediate) {
        ref.invoke(flag(ref.name), new ObjectOps.Swap(1L));
        shutDown = true;
        if (immediate) {
            int dropped = drain(Integer.MAX_VALUE).size();
            if (joinable && dropped > 0) {
                ref.invoke(tasks(ref.name), new ObjectOps.Add(-dropped, Long.MIN_VALUE, true));
            }
        }
    }

    @Override
    public void taskDone() {
        if (!joinable) {
            throw new UnsupportedOperationException("task_done of a queue that is not joinable (expected"
                    + " manager.joinableQueue())");
        }
        count(-1);
    }

    @Override
    public void join() throws InterruptedException {
        join(null);
    }

    @Override
    public boolean join(Duration timeout) throws InterruptedException {
        if (!joinable) {
            throw new UnsupportedOperationException("join of a queue that is not joinable (expected"
                    + " manager.joinableQueue())");
        }
        long deadline = timeout == null ? Long.MAX_VALUE : deadline(ClusterRef.nanos(timeout), TimeUnit.NANOSECONDS);
        long pause = 1;
        while (count(0) > 0) {
            if (deadline != Long.MAX_VALUE && deadline - System.nanoTime() <= 0) {
                return false;
            }
            Thread.sleep(pause); // the count is a cache entry: no one wakes a waiter, so it looks again
            pause = Math.min(pause * 2, 50);
        }
        return true;
    }

    @Override
    public String toString() {
        return (joinable ? "JoinableQueue" : "Queue") + "(maxsize=" + maxsize + ", size=" + size() + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterQueue<?> other && other.ref.equals(ref);
    }

    @Override
    public int hashCode() {
        return ref.hashCode();
    }
}

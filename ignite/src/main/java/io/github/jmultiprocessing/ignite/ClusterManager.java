package io.github.jmultiprocessing.ignite;

import io.github.jmultiprocessing.ManagedBarrier;
import io.github.jmultiprocessing.ManagedCondition;
import io.github.jmultiprocessing.ManagedEvent;
import io.github.jmultiprocessing.ManagedJoinableQueue;
import io.github.jmultiprocessing.ManagedLock;
import io.github.jmultiprocessing.ManagedQueue;
import io.github.jmultiprocessing.ManagedSemaphore;
import io.github.jmultiprocessing.ManagedValue;
import io.github.jmultiprocessing.Namespace;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteException;
import org.apache.ignite.IgniteLock;

/**
 * The objects of Python's {@code SyncManager} held by an Ignite cluster instead of a server process: the same
 * methods and proxy interfaces as {@link io.github.jmultiprocessing.Manager}'s ({@code dict()} is a {@link Map},
 * {@code queue()} a {@link ManagedQueue}, {@code lock()} a {@link ManagedLock}, ...), so that a program switches by
 * the one line that makes its manager.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.start(2);
 *      ClusterManager manager = new ClusterManager(cluster.ignite())) {   // was: Multiprocessing.manager()
 *     Map<Integer, String> d = manager.dict();
 *     JvmProcess p = new JvmProcess(() -> d.put(1, "1"));                 // the child joins the cluster
 *     p.start(); p.join();
 * }
 * }</pre>
 *
 * <p>What holds what: a dict is a cache of its own, each key an entry; a list, a namespace, a value, a lock or
 * semaphore (its free permits and the permits each node holds), an event, and the state of a queue or a barrier are
 * entries of one transactional cache, changed by entry processors; a queue is an Ignite queue; an rlock and a
 * condition are Ignite's failover-safe reentrant lock and its condition. What a node held when it left the cluster
 * (killed, or silent beyond the failure detection timeout, {@link ClusterConfig#withFailureDetection}) is given
 * back: its permits, its rlock, its place at a barrier (which breaks the round). Every cache has one backup: the
 * objects survive the loss of one server node. A call is a round trip to the node holding the data, or a
 * transaction; see each method for what costs more.
 *
 * <p>Proxies are serializable and find their object by name: passed to a child process (a {@link
 * io.github.jmultiprocessing.JvmProcess}), to a task of a {@link ClusterPool}, or stored in another managed object,
 * they reach the same object. A child that is not a node of the cluster joins it as a client at its first use of a
 * proxy (a few seconds; the child needs Ignite's flags, which children inherit), if the manager's node was started
 * by this library ({@link LocalCluster}, {@link Cluster#connect}). Closing the manager removes its objects from the
 * cluster (Python's manager shutdown ends its objects too); using a proxy afterwards throws
 * {@link IllegalStateException}. The manager does not own the cluster.
 *
 * <p>Differences from the local manager: iteration order is kept for dicts (insertion order, as Python's) and lists;
 * a dict's keys cannot be null; objects a program never closes stay in the cluster until it stops; {@code array}
 * is not offered.
 */
public final class ClusterManager implements AutoCloseable {

    private final Ignite ignite;
    /** Held to make an object (shared), and to close (exclusive): an object made is removed by close. */
    private final ReentrantReadWriteLock making = new ReentrantReadWriteLock();
    private final List<Runnable> removals = new ArrayList<>(); // guarded by this
    private boolean closed; // guarded by making's write lock

    /**
     * A manager whose objects the cluster of this node holds.
     *
     * @param ignite a started node of the cluster (a client, typically: {@link Cluster#ignite()})
     */
    public ClusterManager(Ignite ignite) {
        this.ignite = Objects.requireNonNull(ignite, "ignite");
        ignite.getOrCreateCache(ClusterRef.objectsCache());
    }

    /**
     * Makes an object: its removal is recorded first, so that a partly made object is removed by close too.
     *
     * @param kind    its kind, in its name
     * @param removal what removes it, given its name
     * @param maker   what makes it, given its name
     */
    private <T> T make(String kind, Function<String, Runnable> removal, Function<String, T> maker) {
        making.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the ClusterManager is closed");
            }
            String name = "jmp-" + kind + "-" + UUID.randomUUID();
            synchronized (this) {
                removals.add(removal.apply(name));
            }
            return maker.apply(name);
        } finally {
            making.readLock().unlock();
        }
    }

    /**
     * {@return a new empty dict (Python's {@code manager.dict()})}: a cache of its own, so creating one takes a
     * cluster-wide exchange (tens of milliseconds); a put costs two round trips (one draws its insertion number), a
     * get one
     *
     * @param <K> keys
     * @param <V> values
     */
    public <K, V> Map<K, V> dict() {
        return make("dict", name -> () -> ClusterDict.destroy(ignite, name), name -> ClusterDict.create(ignite, name));
    }

    /**
     * {@return a new dict holding a copy of {@code initial} (Python's {@code manager.dict(mapping)})}
     *
     * @param initial the entries (serializable)
     * @param <K>     keys
     * @param <V>     values
     */
    public <K, V> Map<K, V> dict(Map<? extends K, ? extends V> initial) {
        Map<K, V> dict = dict();
        dict.putAll(initial);
        return dict;
    }

    /**
     * {@return a new empty list (Python's {@code manager.list()})}: one cache entry; each call runs where it is
     *
     * @param <E> elements
     */
    public <E> List<E> list() {
        return list(List.of());
    }

    /**
     * {@return a new list holding {@code initial}'s elements (Python's {@code manager.list(sequence)})}
     *
     * @param initial the elements (serializable)
     * @param <E>     elements
     */
    public <E> List<E> list(Collection<? extends E> initial) {
        return make("list", this::removeEntry, name -> ClusterList.create(ignite, name, initial));
    }

    /** {@return a new namespace (Python's {@code manager.Namespace()})} */
    public Namespace namespace() {
        return make("namespace", this::removeEntry, name -> ClusterNamespace.create(ignite, name));
    }

    /**
     * {@return a new unbounded queue (Python's {@code manager.Queue()})}
     *
     * @param <E> elements
     */
    public <E> ManagedQueue<E> queue() {
        return queue(0);
    }

    /**
     * {@return a new queue of at most {@code maxsize} elements (Python's {@code manager.Queue(maxsize)})}
     *
     * @param maxsize the bound, 0 for none
     * @param <E>     elements
     */
    public <E> ManagedQueue<E> queue(int maxsize) {
        return makeQueue(maxsize, false);
    }

    /**
     * {@return a new unbounded joinable queue (Python's {@code manager.JoinableQueue()})}
     *
     * @param <E> elements
     */
    public <E> ManagedJoinableQueue<E> joinableQueue() {
        return joinableQueue(0);
    }

    /**
     * {@return a new joinable queue of at most {@code maxsize} elements}
     *
     * @param maxsize the bound, 0 for none
     * @param <E>     elements
     */
    public <E> ManagedJoinableQueue<E> joinableQueue(int maxsize) {
        return makeQueue(maxsize, true);
    }

    private <E> ClusterQueue<E> makeQueue(int maxsize, boolean joinable) {
        return make(joinable ? "joinablequeue" : "queue", name -> () -> ClusterQueue.destroy(ignite, name),
                name -> ClusterQueue.create(ignite, name, maxsize, joinable));
    }

    /** {@return a new lock (Python's {@code manager.Lock()}): not reentrant, released by anyone} */
    public ManagedLock lock() {
        return make("lock", this::removeEntry, name -> ClusterLock.lock(ignite, name));
    }

    /** {@return a new reentrant lock (Python's {@code manager.RLock()}), owned by the thread that takes it} */
    public ManagedLock rlock() {
        return make("rlock", this::removeEntryAndOwnLock, name -> ClusterRLock.create(ignite, name, false));
    }

    /**
     * {@return a new semaphore (Python's {@code manager.Semaphore(value)})}
     *
     * @param value the permits
     */
    public ManagedSemaphore semaphore(int value) {
        return makeSemaphore(value, false);
    }

    /**
     * {@return a new bounded semaphore (Python's {@code manager.BoundedSemaphore(value)})}
     *
     * @param value the permits, also the most there can be
     */
    public ManagedSemaphore boundedSemaphore(int value) {
        return makeSemaphore(value, true);
    }

    private ManagedSemaphore makeSemaphore(int value, boolean bounded) {
        return make(bounded ? "boundedsemaphore" : "semaphore", this::removeEntry,
                name -> ClusterLock.semaphore(ignite, name, value, bounded));
    }

    /** {@return a new condition over its own reentrant lock (Python's {@code manager.Condition()})} */
    public ManagedCondition condition() {
        return make("condition", this::removeEntryAndOwnLock, name -> ClusterRLock.create(ignite, name, true));
    }

    /** {@return a new event (Python's {@code manager.Event()})} */
    public ManagedEvent event() {
        return make("event", this::removeEntry, name -> ClusterEvent.create(ignite, name));
    }

    /**
     * {@return a new barrier (Python's {@code manager.Barrier(parties)})}
     *
     * @param parties the parties it waits for
     */
    public ManagedBarrier barrier(int parties) {
        return make("barrier", this::removeBarrier, name -> ClusterBarrier.create(ignite, name, parties));
    }

    /**
     * {@return a new value (Python's {@code manager.Value(typecode, value)}; the type code is not needed)}
     *
     * @param initial the value (serializable)
     * @param <T>     its type
     */
    public <T> ManagedValue<T> value(T initial) {
        return make("value", this::removeEntry, name -> ClusterValue.create(ignite, name, initial));
    }

    private Runnable removeEntry(String name) {
        return () -> ignite.cache(ClusterRef.OBJECTS).remove(name);
    }

    private Runnable removeEntryAndOwnLock(String name) {
        return () -> {
            ignite.cache(ClusterRef.OBJECTS).remove(name);
            closeLock(name);
        };
    }

    private Runnable removeBarrier(String name) {
        return () -> ignite.cache(ClusterRef.OBJECTS).removeAll(java.util.Set.of(name, ClusterBarrier.lockName(name)));
    }

    /**
     * Removes a reentrant lock, once its waiters have left (they look at its object's entry, removed first, every
     * 100 ms and leave) and this thread let go of it: Ignite refuses to remove a lock that is held or waited for.
     * Tries for 5 s, then leaves the lock's structure in the cluster: its object's entry is gone, so its proxies
     * throw all the same (a lock another process goes on holding, or one Ignite still counts waiters of).
     */
    private void closeLock(String name) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            IgniteLock lock = ignite.reentrantLock(name, true, false, false);
            if (lock == null) {
                return;
            }
            try {
                while (lock.isHeldByCurrentThread()) {
                    lock.unlock();
                }
                lock.close();
                return;
            } catch (IgniteException e) {
                if (System.nanoTime() - deadline > 0) {
                    return; // left behind, unusable: see above
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // its waiters are leaving
            }
        }
    }

    /**
     * Removes every object this manager made from the cluster (as Python's manager shutdown ends its objects): their
     * proxies, anywhere, then throw {@link IllegalStateException}. Closing again does nothing; a cluster already gone
     * has nothing to remove.
     */
    @Override
    public void close() {
        List<Runnable> made;
        making.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            synchronized (this) {
                made = List.copyOf(removals);
                removals.clear();
            }
        } finally {
            making.writeLock().unlock();
        }
        RuntimeException failure = null;
        for (Runnable removal : made) {
            try {
                removal.run();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null && ignite.cluster().forServers().nodes().size() > 0) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "ClusterManager[" + ignite.name() + "]";
    }
}

package io.github.jmultiprocessing;

import java.net.SocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code SyncManager}, what {@code multiprocessing.Manager()} returns: a server process holding dicts,
 * lists, queues, locks and the like, used from any process through proxies ({@link Multiprocessing#manager()}
 * starts one).
 *
 * <pre>{@code
 * try (Manager manager = Multiprocessing.manager()) {       // Python: with Manager() as manager:
 *     Map<Integer, String> d = manager.dict();               //     d = manager.dict()
 *     List<Integer> l = manager.list(List.of(1, 2, 3));      //     l = manager.list([1, 2, 3])
 *     JvmProcess p = new JvmProcess(() -> { d.put(1, "1"); Collections.reverse(l); });
 *     p.start(); p.join();                                  // the child's changes are seen here
 * }
 * }</pre>
 *
 * <p>Proxies are JDK types where the whole contract holds: {@code dict} is a {@link Map}, {@code list} a
 * {@link List}, {@code queue} a {@link java.util.concurrent.BlockingQueue}, {@code lock} a
 * {@link java.util.concurrent.locks.Lock}. Each call is a round trip to the server; a map's views and iterators
 * are copies (Python's {@code keys()} is a list too); a list's iterators read a copy and write through
 * ({@code set}, {@code add}, {@code remove}), and its {@code subList} is a view that writes through, so
 * {@code Collections.reverse}, {@code shuffle}, {@code sort} and {@code rotate} work. A proxy can be passed to
 * children and stored in other managed objects (a list of dicts): it is stored as a reference, read back as a
 * proxy of the same object, and a change through it is seen by all. In the text of the object holding it, it is
 * that reference ({@code [<ListProxy object, typeid 'list' at 0x...>]}, as Python prints it), so a list that holds
 * itself prints.
 */
public final class Manager extends BaseManager {

    /** A manager on a fresh Unix domain socket, with this process's authkey; {@link #start()} it. */
    public Manager() {
        this(null, null);
    }

    /**
     * A manager at an address.
     *
     * @param address where its server listens, or null for a fresh Unix domain socket
     * @param authkey the key clients must hold, or null for this process's authkey
     */
    public Manager(SocketAddress address, byte[] authkey) {
        this(address, authkey, null);
    }

    /**
     * A manager at an address whose server starts with a context's method and {@link ChildJvm} settings (Python's
     * {@code SyncManager(address, authkey, ctx=ctx)}).
     *
     * @param address where its server listens, or null for a fresh Unix domain socket
     * @param authkey the key clients must hold, or null for this process's authkey
     * @param context the context, or null for the default
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Manager(SocketAddress address, byte[] authkey, Context context) {
        super(address, authkey, context);
        for (ManagerTypes type : ManagerTypes.values()) {
            register(type.typeid(), type, (Class) type.proxyInterface());
        }
    }

    /**
     * {@return a new empty dict (Python's {@code manager.dict()})}
     *
     * @param <K> keys
     * @param <V> values
     */
    @SuppressWarnings("unchecked")
    public <K, V> Map<K, V> dict() {
        return create("dict", Map.class, (Object) null);
    }

    /**
     * {@return a new dict holding a copy of {@code initial} (Python's {@code manager.dict(mapping)})}
     *
     * @param initial the entries (serializable)
     * @param <K>     keys
     * @param <V>     values
     */
    @SuppressWarnings("unchecked")
    public <K, V> Map<K, V> dict(Map<? extends K, ? extends V> initial) {
        return create("dict", Map.class, new java.util.LinkedHashMap<>(initial));
    }

    /**
     * {@return a new empty list (Python's {@code manager.list()})}
     *
     * @param <E> elements
     */
    @SuppressWarnings("unchecked")
    public <E> List<E> list() {
        return create("list", List.class, (Object) null);
    }

    /**
     * {@return a new list holding {@code initial}'s elements (Python's {@code manager.list(sequence)})}
     *
     * @param initial the elements (serializable)
     * @param <E>     elements
     */
    @SuppressWarnings("unchecked")
    public <E> List<E> list(Collection<? extends E> initial) {
        return create("list", List.class, new java.util.ArrayList<>(initial));
    }

    /** {@return a new namespace (Python's {@code manager.Namespace()})} */
    public Namespace namespace() {
        return create("Namespace", Namespace.class);
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
    @SuppressWarnings("unchecked")
    public <E> ManagedQueue<E> queue(int maxsize) {
        return create("Queue", ManagedQueue.class, maxsize);
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
    @SuppressWarnings("unchecked")
    public <E> ManagedJoinableQueue<E> joinableQueue(int maxsize) {
        return create("JoinableQueue", ManagedJoinableQueue.class, maxsize);
    }

    /** {@return a new lock (Python's {@code manager.Lock()}): not reentrant, released by anyone} */
    public ManagedLock lock() {
        return create("Lock", ManagedLock.class);
    }

    /** {@return a new reentrant lock (Python's {@code manager.RLock()}), owned by the thread that takes it} */
    public ManagedLock rlock() {
        return create("RLock", ManagedLock.class);
    }

    /**
     * {@return a new semaphore (Python's {@code manager.Semaphore(value)})}
     *
     * @param value the permits
     */
    public ManagedSemaphore semaphore(int value) {
        return create("Semaphore", ManagedSemaphore.class, value);
    }

    /**
     * {@return a new bounded semaphore (Python's {@code manager.BoundedSemaphore(value)})}
     *
     * @param value the permits, also the most there can be
     */
    public ManagedSemaphore boundedSemaphore(int value) {
        return create("BoundedSemaphore", ManagedSemaphore.class, value);
    }

    /** {@return a new condition over its own reentrant lock (Python's {@code manager.Condition()})} */
    public ManagedCondition condition() {
        return create("Condition", ManagedCondition.class);
    }

    /** {@return a new event (Python's {@code manager.Event()})} */
    public ManagedEvent event() {
        return create("Event", ManagedEvent.class);
    }

    /**
     * {@return a new barrier (Python's {@code manager.Barrier(parties)})}
     *
     * @param parties the parties it waits for
     */
    public ManagedBarrier barrier(int parties) {
        return create("Barrier", ManagedBarrier.class, parties);
    }

    /**
     * {@return a new value (Python's {@code manager.Value(typecode, value)}; the type code is not needed)}
     *
     * @param initial the value (serializable)
     * @param <T>     its type
     */
    @SuppressWarnings("unchecked")
    public <T> ManagedValue<T> value(T initial) {
        return create("Value", ManagedValue.class, initial);
    }

    /**
     * {@return a new array of numbers (Python's {@code manager.Array(typecode, sequence)})}
     *
     * @param typecode a type code of Python's {@code array} module ({@code 'i'}, {@code 'd'}, ...)
     * @param values   the elements
     * @throws IllegalArgumentException if the type code is unknown or a value does not fit
     */
    public ManagedArray array(char typecode, List<?> values) {
        return create("Array", ManagedArray.class, typecode, new java.util.ArrayList<>(values));
    }
}

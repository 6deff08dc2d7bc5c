package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.codec.CompactCodec;
import io.github.jmultiprocessing.internal.shm.LibraryThreads;
import io.github.jmultiprocessing.internal.shm.UseCount;
import io.github.jmultiprocessing.internal.codec.MessageCodec;
import io.github.jmultiprocessing.internal.queue.QueueChannel;
import io.github.jmultiprocessing.internal.ring.RecordReader;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A first-in first-out queue in shared memory for any number of producer and consumer threads and processes:
 * Python's {@code multiprocessing.Queue}, and a {@link BlockingQueue}.
 *
 * <pre>{@code
 * var q = new SharedQueue<Integer>();            // Python: q = Queue()
 * var p = new JvmProcess(() -> {
 *     for (int i = 1; i <= 5; i++) {
 *         q.put(i * i);                          // Python: q.put(i * i)
 *     }
 * });
 * p.start();
 * p.join();
 * while (!q.empty()) {
 *     System.out.println(q.get());
 * }
 * }</pre>
 *
 * <p>{@code put} returns once the message is in shared memory: there is no feeder thread, so a process that puts
 * and exits at once loses nothing, and joining a process that put items before they were taken does not
 * deadlock (two classic pitfalls of Python's queue). An unbounded queue ({@code maxsize} 0, the default) never
 * makes {@code put} wait: it grows by linking further rings of shared memory and gives them back as they drain.
 * A bounded one holds at most {@code maxsize} messages. Messages of any size (up to 1 GiB) travel whole. If the
 * segment directory has no room for the next ring, that {@code put} (or {@code offer}) throws an
 * {@link java.io.UncheckedIOException} naming the directory, its free space and the size it needed; nothing was
 * put, the queue keeps what it holds, and a later {@code put} works once there is room.
 *
 * <p>Elements travel through a codec: boxed primitives, strings and primitive arrays directly, anything else by
 * Java serialization through the JVM-wide {@link java.io.ObjectInputFilter}; one that cannot be serialized fails
 * in {@code put}, in the sender, and the queue is unchanged. As a {@link BlockingQueue}, the queue refuses
 * {@code null}: put a sentinel object where Python code puts {@code None}. Its iterator walks a snapshot and
 * does not remove; {@link #size()} and the Python counts are exact only while nobody puts or takes.
 *
 * <p>{@link #shutdown()} (Python 3.13's {@code Queue.shutdown}) ends the queue for every process: from then on
 * every method that adds ({@code put}, {@code putNowait}, {@code offer} in all its forms, {@code add},
 * {@code addAll}) throws {@link QueueShutDownException} instead of adding or returning false, and every method that
 * takes ({@code get}, {@code getNowait}, {@code take}, {@code poll} in both forms, {@code remove()}) takes what is
 * left and then throws it instead of waiting, returning null or throwing {@link QueueEmptyException}; puts and
 * gets waiting at that moment, in any process, wake and throw it. {@code peek}, {@code size}, {@code iterator},
 * {@code drainTo} and {@code clear} keep working ({@code drainTo} takes what is left and returns how many).
 * {@code shutdown(true)} also drops what is left, so that gets throw at once. The JDK's {@code BlockingQueue} has no
 * shutdown; an exception (rather than {@code false} or {@code null}) is what keeps a producer or consumer loop from
 * spinning on a queue that will never take or give anything again.
 *
 * <p>If a process dies while putting or taking, no message is half delivered: one is either in the queue whole
 * or not at all, and the others go on after a few milliseconds. A queue whose shared memory is found corrupt (bytes
 * no put can have written, changed by another process of the same user) is broken for good: every put and get on
 * it, and a {@code join} with tasks not done (they never will be), in every process, throws an {@link java.io.UncheckedIOException} caused by a
 * {@link java.io.StreamCorruptedException}, those waiting at that moment within about 10 ms; with
 * {@link MessageChecksum#CRC32C} a message whose bytes changed is dropped instead (its get throws, the next goes
 * on). Memory consistency effects: actions in a process
 * before it puts an object happen-before actions after that object is taken, in any process.
 *
 * @param <E> the element type
 */
public class SharedQueue<E> extends AbstractQueue<E>
        implements BlockingQueue<E>, MultiprocessingQueue<E>, AutoCloseable, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Bytes of the first ring; later ones grow as needed. Every ring's pages are allocated when it is created. */
    static final int CAPACITY = 64 * 1024;

    private final transient QueueChannel channel;
    private final transient Codec<E> codec; // null: any object, through MessageCodec
    private final transient UseCount use;
    private final transient java.lang.ref.Cleaner.Cleanable cleanable; // closes the queue once unreachable
    private final transient RecordReader<?> leftovers; // reads elements dropped unread; null: plain bytes

    /** Creates an unbounded queue (Python's {@code Queue()}). */
    public SharedQueue() {
        this(0);
    }

    /**
     * Creates a queue of at most {@code maxsize} messages (Python's {@code Queue(maxsize)}).
     *
     * @param maxsize the most messages, 0 for no limit
     * @throws IllegalArgumentException if maxsize is negative
     */
    public SharedQueue(int maxsize) {
        this(QueueChannel.create(maxsize, CAPACITY, false), null);
    }

    /**
     * Creates a typed queue whose elements travel through {@code codec}, written and read in place in shared
     * memory (no serialization, no intermediate byte array).
     *
     * @param maxsize the most messages, 0 for no limit
     * @param codec   the codec; it travels with the queue to other processes
     * @throws IllegalArgumentException if maxsize is negative
     */
    public SharedQueue(int maxsize, Codec<E> codec) {
        this(QueueChannel.create(maxsize, CAPACITY, false), Objects.requireNonNull(codec, "codec"));
    }

    /**
     * Creates a queue of at most {@code maxsize} messages, each with a checksum or not.
     *
     * @param maxsize  the most messages, 0 for no limit
     * @param checksum whether each message carries a checksum checked before it is delivered
     * @throws IllegalArgumentException if maxsize is negative
     */
    public SharedQueue(int maxsize, MessageChecksum checksum) {
        this(QueueChannel.create(maxsize, CAPACITY, false, checksum.enabled()), null);
    }

    /**
     * Creates a typed queue (see {@link #SharedQueue(int, Codec)}) whose messages carry a checksum or not.
     *
     * @param maxsize  the most messages, 0 for no limit
     * @param codec    the codec; it travels with the queue to other processes
     * @param checksum whether each message carries a checksum checked before it is delivered
     * @throws IllegalArgumentException if maxsize is negative
     */
    public SharedQueue(int maxsize, Codec<E> codec, MessageChecksum checksum) {
        this(QueueChannel.create(maxsize, CAPACITY, false, checksum.enabled()), Objects.requireNonNull(codec,
                "codec"));
    }

    SharedQueue(QueueChannel channel, Codec<E> codec) {
        this.channel = channel;
        this.codec = codec;
        // Elements dropped unread (left at the last close, or by an immediate shutdown) are read so that the shared
        // objects in them give back their tickets; a codec's elements are plain bytes.
        RecordReader<?> leftovers = codec != null ? null : src -> {
            MessageCodec.discard(src.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            return null;
        };
        this.leftovers = leftovers;
        UseCount use = new UseCount("the queue is closed (close() was called on this queue object)",
                () -> channel.close(leftovers));
        this.use = use;
        this.cleanable = Unreachable.CLEANER.register(this, () -> use.close(() -> { }));
        Unreachable.OPEN.put(this, channel);
    }

    // ---- Python's names

    /**
     * Puts an element, waiting at most {@code timeout} for a place in a bounded queue (Python's
     * {@code put(obj, timeout=...)}).
     *
     * @param e       the element
     * @param timeout the longest wait; zero or negative does not wait
     * @throws QueueFullException       if no place came free in time
     * @throws QueueShutDownException   if the queue is shut down, also while waiting
     * @throws IllegalArgumentException if the element cannot be serialized
     * @throws IllegalStateException    if this queue object is closed
     * @throws java.io.UncheckedIOException if the queue must grow and the segment directory has no room
     * @throws InterruptedException     if interrupted while waiting
     */
    public void put(E e, Duration timeout) throws InterruptedException {
        if (!offer(e, WaitCore.nanos(timeout), true)) {
            throw new QueueFullException("queue full: maxsize=" + maxsize() + " messages, none taken within "
                    + timeout);
        }
    }

    /**
     * Puts an element if there is a place now (Python's {@code put_nowait}).
     *
     * @param e the element
     * @throws QueueFullException       if the queue is full
     * @throws QueueShutDownException   if the queue is shut down
     * @throws IllegalArgumentException if the element cannot be serialized
     * @throws IllegalStateException    if this queue object is closed
     * @throws java.io.UncheckedIOException if the queue must grow and the segment directory has no room
     */
    public void putNowait(E e) {
        if (!offer(e)) {
            throw new QueueFullException("queue full: maxsize=" + maxsize() + " messages");
        }
    }

    /**
     * Takes the oldest element, waiting as long as needed (Python's {@code get()}).
     *
     * @return the element
     * @throws QueueShutDownException if the queue is shut down and empty, also while waiting
     * @throws IllegalStateException  if this queue object is closed (also while waiting)
     * @throws UncheckedIOException   if the element cannot be decoded here
     * @throws InterruptedException   if interrupted while waiting
     */
    @Override
    public E get() throws InterruptedException {
        return take();
    }

    /**
     * Takes the oldest element, waiting at most {@code timeout} (Python's {@code get(timeout=...)}).
     *
     * @param timeout the longest wait; zero or negative does not wait
     * @return the element
     * @throws QueueEmptyException    if none came in time
     * @throws QueueShutDownException if the queue is shut down and empty, also while waiting
     * @throws IllegalStateException  if this queue object is closed (also while waiting)
     * @throws UncheckedIOException   if the element cannot be decoded here
     * @throws InterruptedException   if interrupted while waiting
     */
    @Override
    public E get(Duration timeout) throws InterruptedException {
        E e = take(WaitCore.nanos(timeout), true);
        if (e == null) {
            throw new QueueEmptyException("queue empty: nothing came within " + timeout);
        }
        return e;
    }

    /**
     * Takes the oldest element if there is one now (Python's {@code get_nowait}).
     *
     * @return the element
     * @throws QueueEmptyException    if the queue is empty
     * @throws QueueShutDownException if the queue is shut down and empty
     * @throws IllegalStateException  if this queue object is closed
     * @throws UncheckedIOException   if the element cannot be decoded here
     */
    public E getNowait() {
        E e = poll();
        if (e == null) {
            throw new QueueEmptyException("queue empty");
        }
        return e;
    }

    /** {@return the number of elements now (Python's {@code qsize}); exact only while nobody puts or takes} */
    public int qsize() {
        return size();
    }

    /** {@return true if the queue is empty now (Python's {@code empty})} */
    @Override
    public boolean empty() {
        checkOpen();
        return channel.size() == 0;
    }

    /** {@return true if a bounded queue is full now (Python's {@code full})} */
    public boolean full() {
        checkOpen();
        return maxsize() > 0 && channel.size() >= maxsize();
    }

    /**
     * Shuts the queue down for every process (Python 3.13's {@code shutdown()}): see the class comment for what
     * each method does afterwards. Waiting puts and gets, in any process, wake and throw
     * {@link QueueShutDownException}. Shutting down again does nothing.
     *
     * @throws IllegalStateException if this queue object is closed
     */
    @Override
    public void shutdown() {
        shutdown(false);
    }

    /**
     * Shuts the queue down as {@link #shutdown()}; {@code immediate} also drops every element left (Python's
     * {@code shutdown(immediate=True)}), so that gets throw at once, and a {@link SharedJoinableQueue} counts each
     * one dropped as a task done, which may end a {@code join()}.
     *
     * @param immediate true to drop the elements left
     * @throws IllegalStateException if this queue object is closed
     * @throws UncheckedIOException  if the queue's memory is corrupt (it is shut down all the same)
     */
    @Override
    public void shutdown(boolean immediate) {
        enter();
        try {
            channel.shutdown(immediate, leftovers);
        } catch (IOException e) {
            throw new UncheckedIOException("queue " + channel.name() + ": " + e.getMessage(), e);
        } finally {
            use.leave();
        }
    }

    /**
     * {@return true once the queue was shut down, by any process (Python's {@code is_shutdown})}
     *
     * @throws IllegalStateException if this queue object is closed
     */
    @Override
    public boolean isShutdown() {
        checkOpen();
        return channel.isShutdown();
    }

    /** {@return the most elements the queue holds, 0 for no limit} */
    public int maxsize() {
        return channel.maxsize();
    }

    /**
     * Ends this process's use of this queue object (Python's {@code close()}): later {@code put} and {@code get}
     * on it throw {@link IllegalStateException}, threads waiting in them wake and throw, and its mappings are
     * released. Elements already put stay in the queue for other processes; nothing is lost. Closing twice does
     * nothing.
     */
    @Override
    public void close() {
        cleanable.clean(); // closes once: waiters see the flag within a wait slice; the last one out unmaps
    }

    /**
     * The cleaner of queue objects nobody closed, and the queue objects of this JVM (weakly), whose holds end at
     * exit, so that the last process to end unlinks the queue; started on first use.
     */
    private static final class Unreachable {
        static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create(
                LibraryThreads.factory("queue-cleaner"));
        static final java.util.Map<SharedQueue<?>, QueueChannel> OPEN = java.util.Collections.synchronizedMap(
                new java.util.WeakHashMap<>());

        static {
            io.github.jmultiprocessing.internal.shm.SegmentLedger.beforeExit(() -> {
                List<QueueChannel> channels;
                synchronized (OPEN) {
                    channels = new ArrayList<>(OPEN.values());
                }
                channels.forEach(QueueChannel::leave); // not unmapped: a daemon thread may be inside
            });
        }
    }

    /**
     * Python's {@code join_thread()}: returns at once, since every {@code put} has already written its element
     * to shared memory (there is no feeder thread to wait for).
     *
     * @throws IllegalStateException if the queue object is not closed yet (as Python requires)
     */
    public void joinThread() {
        if (!use.isClosed()) {
            throw new IllegalStateException("joinThread() before close() (expected close() first, as in Python)");
        }
    }

    /** Python's {@code cancel_join_thread()}: nothing to cancel, every {@code put} is already in shared memory. */
    public void cancelJoinThread() {
        // no feeder thread: nothing is ever left behind
    }

    // ---- BlockingQueue

    /**
     * {@inheritDoc}
     *
     * @throws QueueShutDownException if the queue is shut down (not {@code false}: see the class comment)
     */
    @Override
    public boolean offer(E e) {
        try {
            return offer(e, 0, false);
        } catch (InterruptedException ex) {
            throw new AssertionError("a put that does not wait was interrupted", ex);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws QueueShutDownException if the queue is shut down, also while waiting
     */
    @Override
    public boolean offer(E e, long timeout, TimeUnit unit) throws InterruptedException {
        return offer(e, WaitCore.nanos(timeout, unit), true);
    }

    /**
     * Same as Python's {@code put(obj)}: waits for a place in a bounded queue as long as needed.
     *
     * @throws QueueShutDownException if the queue is shut down, also while waiting
     */
    @Override
    public void put(E e) throws InterruptedException {
        offer(e, -1, true);
    }

    /**
     * {@inheritDoc}
     *
     * @throws QueueShutDownException if the queue is shut down and empty, also while waiting
     */
    @Override
    public E take() throws InterruptedException {
        return take(-1, true);
    }

    /**
     * {@inheritDoc}
     *
     * @throws QueueShutDownException if the queue is shut down and empty (not {@code null}: see the class comment)
     */
    @Override
    public E poll() {
        try {
            return take(0, false);
        } catch (InterruptedException e) {
            throw new AssertionError("a get that does not wait was interrupted", e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws QueueShutDownException if the queue is shut down and empty, also while waiting
     */
    @Override
    public E poll(long timeout, TimeUnit unit) throws InterruptedException {
        return take(WaitCore.nanos(timeout, unit), true);
    }

    @Override
    public E peek() {
        enter();
        try {
            return decode(channel.peek());
        } catch (IOException e) {
            throw new UncheckedIOException("queue " + channel.name() + ": " + e.getMessage(), e);
        } finally {
            use.leave();
        }
    }

    @Override
    public int size() {
        checkOpen();
        return (int) Math.min(Integer.MAX_VALUE, channel.size());
    }

    @Override
    public int remainingCapacity() {
        return maxsize() == 0 ? Integer.MAX_VALUE : Math.max(0, maxsize() - size());
    }

    @Override
    public int drainTo(Collection<? super E> c) {
        return drainTo(c, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super E> c, int maxElements) {
        Objects.requireNonNull(c, "c");
        if (c == this) {
            throw new IllegalArgumentException("cannot drain a queue into itself");
        }
        int n = 0;
        for (E e; n < maxElements && (e = pollOrNull()) != null; n++) {
            c.add(e);
        }
        return n;
    }

    /** Removes every element now; works on a shut-down queue too. */
    @Override
    public void clear() {
        while (pollOrNull() != null) {
            // the next one
        }
    }

    /** {@return the oldest element if there is one now, else null (also on a shut-down queue)} */
    private E pollOrNull() {
        try {
            return poll();
        } catch (QueueShutDownException e) {
            return null;
        }
    }

    /**
     * {@return an iterator over a snapshot of the elements now, oldest first} Its {@code remove} throws
     * {@link UnsupportedOperationException}, and so do {@code remove(Object)}, {@code removeAll}, {@code retainAll}
     * and {@code removeIf}, which go through it (optional operations of {@link java.util.Collection}): elements lie in
     * rings of shared memory that other processes take from the front, and Python's queue has no remove either.
     */
    @Override
    public Iterator<E> iterator() {
        enter();
        try {
            List<E> elements = new ArrayList<>();
            for (byte[] bytes : channel.snapshot()) {
                elements.add(decode(bytes));
            }
            Iterator<E> snapshot = elements.iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return snapshot.hasNext();
                }

                @Override
                public E next() {
                    return snapshot.next();
                }

                @Override
                public void remove() {
                    throw new UnsupportedOperationException("a queue in shared memory removes only from its front"
                            + " (expected get, take or poll; remove(Object), removeAll, retainAll and removeIf are"
                            + " not supported)");
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException("queue " + channel.name() + ": " + e.getMessage(), e);
        } finally {
            use.leave();
        }
    }

    // ---- the work

    private boolean offer(E e, long timeoutNanos, boolean interruptible) throws InterruptedException {
        Objects.requireNonNull(e, "null elements are not allowed in a BlockingQueue (put a sentinel object where"
                + " Python code puts None)");
        enter();
        try {
            boolean put = put(e, timeoutNanos);
            if (!put && use.isClosed()) {
                throw new IllegalStateException("the queue was closed while putting");
            }
            return put;
        } catch (QueueChannel.ShutDown ex) {
            throw new QueueShutDownException(ex.getMessage());
        } catch (IOException ex) {
            throw new UncheckedIOException("queue " + channel.name() + ": " + ex.getMessage(), ex);
        } catch (InterruptedException ex) {
            if (!interruptible) {
                Thread.currentThread().interrupt();
                return false;
            }
            throw ex;
        } finally {
            use.leave();
        }
    }

    /** Puts through the codec, written in place; an object without a fast path is serialized first. */
    private boolean put(E e, long timeoutNanos) throws InterruptedException, IOException {
        if (codec != null) {
            int size = codec.size(e);
            if (size < 0) {
                throw new IllegalArgumentException("codec size=" + size + " for " + e + " (expected >= 0)");
            }
            return channel.put(size, dst -> codec.write(e, dst), timeoutNanos, use::isClosed);
        }
        long size = MessageCodec.directSize(e);
        if (size < 0 || size > Integer.MAX_VALUE) { // fails here, in the sender, with the queue unchanged
            byte[] message = MessageCodec.encode(e);
            boolean put = false;
            try {
                put = channel.put(message, timeoutNanos, use::isClosed);
                return put;
            } finally {
                if (!put) { // refused (full, closed, failed): the handles in it give their tickets back
                    MessageCodec.discard(message);
                }
            }
        }
        return channel.put((int) size, dst -> MessageCodec.write(e, dst), timeoutNanos, use::isClosed);
    }

    private E read(MemorySegment src) throws IOException {
        if (codec != null) {
            return codec.read(src);
        }
        try {
            @SuppressWarnings("unchecked")
            E e = (E) MessageCodec.decode(src, 0, src.byteSize());
            return e;
        } catch (ClassNotFoundException ex) {
            throw new IOException("cannot decode an element: class " + ex.getMessage() + " not found here", ex);
        }
    }

    private E take(long timeoutNanos, boolean interruptible) throws InterruptedException {
        enter();
        try {
            E e = channel.get(this::read, timeoutNanos, use::isClosed);
            if (e == null && use.isClosed()) {
                throw new IllegalStateException("the queue was closed while getting");
            }
            return e;
        } catch (QueueChannel.ShutDown ex) {
            throw new QueueShutDownException(ex.getMessage());
        } catch (IOException ex) {
            throw new UncheckedIOException("queue " + channel.name() + ": " + ex.getMessage(), ex);
        } catch (InterruptedException ex) {
            if (!interruptible) {
                Thread.currentThread().interrupt();
                return null;
            }
            throw ex;
        } finally {
            use.leave();
        }
    }

    private E decode(byte[] bytes) throws IOException {
        return bytes == null ? null : read(MemorySegment.ofArray(bytes));
    }

    private void checkOpen() {
        use.checkOpen();
    }

    private void enter() {
        use.enter();
    }

    QueueChannel channel() {
        return channel;
    }

    /**
     * {@return the queue's name, for a handle about to be sent} Takes a ticket: the queue outlives this object
     * until the receiver attaches.
     *
     * @throws IllegalStateException if this queue object is closed
     */
    String sendName() {
        if (use.isClosed()) {
            throw new IllegalStateException("cannot send a closed queue object");
        }
        use.enter();
        try {
            channel.send();
        } finally {
            use.leave();
        }
        return channel.name();
    }

    Handle.Kind kind() {
        return Handle.Kind.QUEUE;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + channel.name() + (use.isClosed() ? ", closed"
                : ", qsize=" + channel.size() + (channel.isShutdown() ? ", shut down" : ""))
                + (maxsize() > 0 ? ", maxsize=" + maxsize() : "") + "]";
    }

    /**
     * Sends a handle in place of this object: the segment's name and where in it the object lies, never its bytes;
     * the receiver maps the same memory.
     *
     * @return the handle that travels
     */
    @Serial
    Object writeReplace() { // not private: the subclass travels through it too
        return new Handle(kind(), sendName(), codec);
    }

    /**
     * Refuses a stream that holds this object itself rather than its handle (a forged or corrupt stream).
     *
     * @param in the stream
     * @throws InvalidObjectException always
     */
    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("SharedQueue travels as a handle");
    }

    /** {@return the object a child's compact bootstrap carries, read from its handle's fields ({@link BootstrapForms})} */
    static Object readForm(CompactCodec.Reader in) throws IOException, ClassNotFoundException {
        return new Handle(in).readResolve();
    }

    /** Writes the handle this object travels as ({@code writeReplace}'s), in a child's compact bootstrap. */
    static void writeForm(Object handle, CompactCodec.Writer out) throws IOException {
        ((Handle) handle).writeTo(out);
    }

    /**
     * The serialized form of the queues ({@code SharedQueue}, {@code SharedJoinableQueue}, {@code SharedSimpleQueue}):
     * which queue, and which class to attach it as.
     */
    static final class Handle implements Serializable {

        @Serial
        private static final long serialVersionUID = 1L;

        /** The class on the receiving side. */
        enum Kind {
            /** {@link SharedQueue}. */
            QUEUE,
            /** {@link SharedJoinableQueue}. */
            JOINABLE,
            /** {@link SharedSimpleQueue}. */
            SIMPLE
        }

        private final Kind kind;
        private final String name;
        private final Codec<?> codec;

        Handle(Kind kind, String name, Codec<?> codec) {
            this.kind = kind;
            this.name = name;
            this.codec = codec;
        }

        Handle(CompactCodec.Reader in) throws IOException, ClassNotFoundException {
            int ordinal = in.data().readUnsignedByte();
            if (ordinal >= Kind.values().length) {
                throw new java.io.StreamCorruptedException("queue kind " + ordinal);
            }
            this.kind = Kind.values()[ordinal];
            this.name = in.data().readUTF();
            this.codec = BootstrapForms.read(in, Codec.class);
        }

        void writeTo(CompactCodec.Writer out) throws IOException {
            out.data().writeByte(kind.ordinal());
            out.data().writeUTF(name);
            out.writeValue(codec);
        }

        @Serial
        @SuppressWarnings({"rawtypes", "unchecked"})
        private Object readResolve() throws InvalidObjectException {
            QueueChannel channel;
            try {
                channel = QueueChannel.attach(name);
            } catch (UncheckedIOException e) {
                throw (InvalidObjectException) new InvalidObjectException("the queue " + name
                        + " is gone (its creator exited?)").initCause(e);
            }
            return switch (kind) {
                case QUEUE -> new SharedQueue(channel, codec);
                case JOINABLE -> new SharedJoinableQueue(channel, codec);
                case SIMPLE -> new SharedSimpleQueue(channel);
            };
        }
    }
}

package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.codec.CompactCodec;
import io.github.jmultiprocessing.internal.codec.MessageCodec;
import io.github.jmultiprocessing.internal.connection.MessagePort;
import io.github.jmultiprocessing.internal.connection.PipeChannel;
import io.github.jmultiprocessing.internal.connection.SocketWire;
import io.github.jmultiprocessing.internal.ring.EndHolders;
import io.github.jmultiprocessing.internal.shm.LibraryThreads;
import io.github.jmultiprocessing.internal.shm.MappedSegment;
import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import io.github.jmultiprocessing.internal.shm.SegmentTable;
import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import io.github.jmultiprocessing.internal.shm.UseCount;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.io.EOFException;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.io.StreamCorruptedException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One end of a {@link Pipe}: Python's {@code multiprocessing.connection.Connection}. Sends and receives whole
 * messages: objects ({@link #send}, {@link #recv}) or bytes ({@link #sendBytes}, {@link #recvBytes}); a message
 * is never merged with another or split, a zero-length one is a message.
 *
 * <p>Passing a connection to a child process (captured by a {@link JvmProcess} target) gives the child its own
 * copy of the end. As with Python's file descriptors, {@link #close()} closes this process's copy only: the other
 * end sees the end of the stream ({@link EOFException} once drained, "broken pipe" when sending) when every
 * process has closed its copy or ended (at exit a JVM closes its copies; one killed is noticed within ~10 ms).
 *
 * <p>Unlike Python's, a connection is safe for several threads and processes at once: each message is sent and
 * received whole, under a lock per direction in shared memory. If a process dies in the middle of sending a large
 * message, the half message is dropped and the next one arrives; if one dies in the middle of receiving, the
 * next receiver skips the rest of that message.
 *
 * <p>A pipe whose shared memory is found corrupt (bytes no sender can have written, changed by another process of the
 * same user) is broken for good: the side that finds it throws {@link java.io.StreamCorruptedException}, and so do
 * every later {@code send}, {@code recv} and {@code poll} on either end in every process, and those waiting at that
 * moment within about 10 ms. A pipe opened with {@link MessageChecksum#CRC32C} also checks each message's bytes: one
 * that changed is dropped, its {@code recv} throws a {@code StreamCorruptedException} naming the checksum, and the
 * next {@code recv} goes on with the next message.
 *
 * <p>Objects travel through a codec: {@code null}, boxed primitives, strings and primitive arrays directly,
 * anything else by Java serialization through the JVM-wide {@link java.io.ObjectInputFilter}. Memory consistency
 * effects: actions in a process before it sends a message happen-before actions after the message is received.
 *
 * <pre>{@code
 * Pipe pipe = Pipe.open();                                 // Python: parent_conn, child_conn = Pipe()
 * Connection parentEnd = pipe.left(), childEnd = pipe.right();
 * var p = new JvmProcess(() -> {
 *     childEnd.send(List.of(42, "hello"));                 // Python: conn.send([42, 'hello'])
 *     childEnd.close();
 * });
 * p.start();
 * System.out.println(parentEnd.recv());                    // [42, hello]
 * p.join();
 * }</pre>
 */
public final class Connection implements AutoCloseable, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The ends being serialized for a child on this thread, if a start is in progress; see {@link #credits}. */
    private static final ThreadLocal<List<EndHolders>> IN_FLIGHT = new ThreadLocal<>();
    /**
     * The closers of this JVM's open connections: run at exit, as an OS closes a process's file descriptors, and by
     * the cleaner for a connection that became unreachable unclosed, as a file descriptor is closed with its object.
     */
    private static final java.util.Set<java.lang.ref.Cleaner.Cleanable> OPEN =
            java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        io.github.jmultiprocessing.internal.shm.SegmentLedger.beforeExit(() -> OPEN.forEach(
                java.lang.ref.Cleaner.Cleanable::clean));
    }

    private final transient String segment; // a pipe's segment, or the socket's description
    private final transient int end;
    private final transient PipeChannel channel; // null for a socket connection
    private final transient MessagePort endpoint;
    private transient boolean handOff = true; // a pipe end's waits: hand-offs unless streamWaits()
    private final transient UseCount use;
    private final transient java.lang.ref.Cleaner.Cleanable closer;

    private Connection(String segment, int end, MappedSegment mapped) {
        this.segment = segment;
        this.end = end;
        this.use = new UseCount("the connection is closed", () -> SegmentTable.release(mapped));
        try {
            this.channel = PipeChannel.open(mapped.segment(), end);
        } catch (StreamCorruptedException e) {
            SegmentTable.release(mapped);
            throw new IllegalArgumentException("segment " + segment + " cannot be opened as a pipe: "
                    + e.getMessage(), e);
        }
        this.endpoint = MessagePort.of(channel);
        this.closer = Closer.register(this, use, endpoint, channel, segment);
        channel.handOffWaits(true);
    }

    /**
     * Makes this end's waits those of a stream, not of a request and reply: with one CPU they spin and yield before
     * they block, as the pool's links want (its caller's threads and the worker profit from the yield window; a
     * user's pipe round trip is faster without it). Set before the end is shared; travels with the end.
     */
    void streamWaits() {
        handOff = false;
        channel.handOffWaits(false);
    }

    /** {@return true if this pipe end's waits are hand-offs (the default), false after {@link #streamWaits()}} */
    boolean handOffWaits() {
        return handOff;
    }

    /** A connection over an authenticated (or deliberately unauthenticated) socket. */
    Connection(SocketWire wire, String description) {
        this.segment = description;
        this.end = -1;
        this.channel = null;
        this.endpoint = MessagePort.of(wire);
        this.use = new UseCount("the connection is closed", () -> { });
        this.closer = Closer.register(this, use, endpoint, null, description);
    }

    /**
     * Closes this process's copy of an end: from {@link #close()}, at exit, or once the connection is unreachable.
     * Holds everything but the connection itself, so that it can run for a collected one.
     */
    private static final class Closer implements Runnable {
        private final UseCount use;
        private final MessagePort endpoint;
        private final PipeChannel channel;
        private final String segment;
        private java.lang.ref.Cleaner.Cleanable cleanable; // set once registered

        private Closer(UseCount use, MessagePort endpoint, PipeChannel channel, String segment) {
            this.use = use;
            this.endpoint = endpoint;
            this.channel = channel;
            this.segment = segment;
        }

        static java.lang.ref.Cleaner.Cleanable register(Connection connection, UseCount use, MessagePort endpoint,
                PipeChannel channel, String segment) {
            Closer closer = new Closer(use, endpoint, channel, segment);
            closer.cleanable = LibraryThreads.cleaner().register(connection, closer);
            OPEN.add(closer.cleanable);
            return closer.cleanable;
        }

        @Override
        public void run() {
            use.close(() -> {
                OPEN.remove(cleanable);
                endpoint.close();
                if (channel != null && channel.unheld()) { // no live process holds either end: nobody can attach
                    try {
                        SegmentTable.unlink(segment);
                    } catch (UncheckedIOException e) {
                        // the other end's last holder unlinked it first
                    }
                }
            });
        }
    }

    static Connection[] newPipe(int capacity, boolean duplex, boolean checksum) {
        String name = ShmDirectory.randomName("jmp-pipe-" + ProcessIdentity.pid() + "-");
        MappedSegment mapped = SegmentTable.create(name, PipeChannel.size(capacity, duplex), true);
        PipeChannel.format(mapped.segment(), capacity, duplex, checksum);
        Connection left = new Connection(name, 0, mapped);
        Connection right = new Connection(name, 1, SegmentTable.attach(name));
        left.channel.holders().add(ProcessIdentity.pid(), 1);
        right.channel.holders().add(ProcessIdentity.pid(), 1);
        return new Connection[] {left, right};
    }

    // ---- sending

    /**
     * Sends an object; waits while the pipe is full.
     *
     * @param obj the object, serializable (or null)
     * @throws IllegalArgumentException if it cannot be serialized (nothing is sent)
     * @throws IllegalStateException    if this connection is closed or only receives
     * @throws IOException              if the other end is closed in every process ("broken pipe")
     * @throws InterruptedException     if interrupted before the message started
     */
    public void send(Object obj) throws IOException, InterruptedException {
        byte[] bytes = MessageCodec.encode(obj);
        boolean sent = false;
        try {
            sendBytes(bytes, 0, bytes.length);
            sent = true;
        } finally {
            if (!sent) { // not sent (broken pipe, closed, interrupted): the handles in it give their tickets back
                MessageCodec.discard(bytes);
            }
        }
    }

    /**
     * Sends the bytes as one message.
     *
     * @param buf the bytes
     * @throws IllegalStateException if this connection is closed or only receives
     * @throws IOException           if the other end is closed in every process ("broken pipe")
     * @throws InterruptedException  if interrupted before the message started
     */
    public void sendBytes(byte[] buf) throws IOException, InterruptedException {
        sendBytes(buf, 0, buf.length);
    }

    /**
     * {@return true if a message of {@code length} bytes would be sent now without waiting for room (always for a
     * socket, which the kernel buffers)} For the pool, the only writer of its pipes.
     *
     * @param length the message length
     * @throws IOException if the pipe's memory is corrupt
     */
    boolean fitsNow(int length) throws IOException {
        return channel == null || channel.fitsNow(length);
    }

    /**
     * Sends {@code size} bytes of {@code buf} from {@code offset} as one message.
     *
     * @param buf    the bytes
     * @param offset where the message starts
     * @param size   its length
     * @throws IllegalArgumentException if offset or size fall outside the buffer
     * @throws IllegalStateException    if this connection is closed or only receives
     * @throws IOException              if the other end is closed in every process ("broken pipe")
     * @throws InterruptedException     if interrupted before the message started
     */
    public void sendBytes(byte[] buf, int offset, int size) throws IOException, InterruptedException {
        Objects.requireNonNull(buf, "buf");
        if (offset < 0 || size < 0 || offset > buf.length - size) {
            throw new IllegalArgumentException("offset=" + offset + " size=" + size + " (expected within a buffer of "
                    + buf.length + " bytes)");
        }
        enter(true);
        try {
            endpoint.send(buf, offset, size, use::isClosed);
        } catch (IOException e) {
            checkOpen();
            throw e;
        } finally {
            use.leave();
        }
    }

    // ---- receiving

    /**
     * Receives an object, waiting as long as needed.
     *
     * @return the object
     * @throws EOFException          if the other end is closed in every process and every message was received
     * @throws IllegalStateException if this connection is closed (also while waiting) or only sends
     * @throws IOException           if the message cannot be decoded (corrupt, or its class is unknown or filtered)
     * @throws InterruptedException  if interrupted while waiting
     */
    public Object recv() throws IOException, InterruptedException {
        byte[] bytes = receive();
        try {
            return MessageCodec.decode(bytes, 0, bytes.length);
        } catch (ClassNotFoundException e) {
            throw new IOException("cannot decode the message: class " + e.getMessage() + " not found here", e);
        }
    }

    /**
     * Receives a message's bytes, waiting as long as needed.
     *
     * @return the bytes
     * @throws EOFException          if the other end is closed in every process and every message was received
     * @throws IllegalStateException if this connection is closed (also while waiting) or only sends
     * @throws IOException           if the pipe's memory is corrupt
     * @throws InterruptedException  if interrupted while waiting
     */
    public byte[] recvBytes() throws IOException, InterruptedException {
        return receive();
    }

    /**
     * Receives a message's bytes, refusing one longer than {@code maxLength}: as in Python, a longer message is
     * an error that closes this connection.
     *
     * @param maxLength the longest message accepted, 0 or more
     * @return the bytes
     * @throws IllegalArgumentException if maxLength is negative
     * @throws EOFException             if the other end is closed in every process and every message was received
     * @throws IllegalStateException    if this connection is closed (also while waiting) or only sends
     * @throws IOException              if the message is longer (the connection is then closed)
     * @throws InterruptedException     if interrupted while waiting
     */
    public byte[] recvBytes(int maxLength) throws IOException, InterruptedException {
        if (maxLength < 0) {
            throw new IllegalArgumentException("maxLength=" + maxLength + " (expected >= 0)");
        }
        byte[] bytes;
        try {
            bytes = receive(maxLength);
        } catch (StreamCorruptedException e) {
            if (channel != null) {
                throw e; // a corrupt pipe: not a length refused
            }
            close(); // a socket refused the length before reading the body: the stream is out of step
            throw new IOException(e.getMessage() + " (expected <= maxLength " + maxLength + "); the connection is"
                    + " now closed", e);
        }
        if (bytes.length > maxLength) {
            close();
            throw new IOException("message length=" + bytes.length + " (expected <= maxLength " + maxLength
                    + "); the connection is now closed");
        }
        return bytes;
    }

    /**
     * Receives a message into {@code buf} from index 0.
     *
     * @param buf where to put it
     * @return the message length
     * @throws BufferTooShortException if it does not fit (it is received, and carried by the exception)
     * @throws EOFException            if the other end is closed in every process and every message was received
     * @throws IllegalStateException   if this connection is closed (also while waiting) or only sends
     * @throws IOException             if the pipe's memory is corrupt
     * @throws InterruptedException    if interrupted while waiting
     */
    public int recvBytesInto(byte[] buf) throws IOException, InterruptedException {
        return recvBytesInto(buf, 0);
    }

    /**
     * Receives a message into {@code buf} from {@code offset}.
     *
     * @param buf    where to put it
     * @param offset where it starts, 0 to {@code buf.length}
     * @return the message length
     * @throws IllegalArgumentException if offset falls outside the buffer
     * @throws BufferTooShortException  if it does not fit (it is received, and carried by the exception)
     * @throws EOFException             if the other end is closed in every process and every message was received
     * @throws IllegalStateException    if this connection is closed (also while waiting) or only sends
     * @throws IOException              if the pipe's memory is corrupt
     * @throws InterruptedException     if interrupted while waiting
     */
    public int recvBytesInto(byte[] buf, int offset) throws IOException, InterruptedException {
        Objects.requireNonNull(buf, "buf");
        if (offset < 0 || offset > buf.length) {
            throw new IllegalArgumentException("offset=" + offset + " (expected 0.." + buf.length + ")");
        }
        byte[] bytes = receive();
        if (bytes.length > buf.length - offset) {
            throw new BufferTooShortException(bytes, buf.length - offset);
        }
        System.arraycopy(bytes, 0, buf, offset, bytes.length);
        return bytes.length;
    }

    private byte[] receive() throws IOException, InterruptedException {
        return receive(SocketWire.MAX_MESSAGE);
    }

    private byte[] receive(int maxLength) throws IOException, InterruptedException {
        enter(false);
        try {
            byte[] bytes = endpoint.recv(use::isClosed, maxLength);
            if (bytes == null) {
                throw new IllegalStateException("the connection was closed while receiving");
            }
            return bytes;
        } finally {
            use.leave();
        }
    }

    /**
     * {@return true if a message can be received now without waiting} Also true once the stream has ended, so
     * that {@code recv} throws at once, as in Python.
     *
     * @throws IllegalStateException if this connection is closed or only sends
     * @throws IOException           if the pipe's memory is corrupt
     */
    public boolean poll() throws IOException {
        try {
            return poll(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Waits at most {@code timeout} until a message can be received, without receiving it.
     *
     * @param timeout the longest wait; zero or negative does not wait
     * @return true if a message is waiting, or the stream has ended
     * @throws IllegalStateException if this connection is closed or only sends
     * @throws IOException           if the pipe's memory is corrupt
     * @throws InterruptedException  if interrupted while waiting
     */
    public boolean poll(Duration timeout) throws IOException, InterruptedException {
        long nanos = WaitCore.nanos(timeout);
        enter(false);
        try {
            return endpoint.poll(nanos, use::isClosed);
        } finally {
            use.leave();
        }
    }

    private void enter(boolean send) {
        use.enter();
        if (send ? !endpoint.writable() : !endpoint.readable()) {
            use.leave();
            throw new IllegalStateException("this end of a simplex pipe only " + (send ? "receives" : "sends")
                    + " (expected " + (send ? "recv" : "send") + " here)");
        }
    }

    private void checkOpen() {
        use.checkOpen();
    }

    // ---- state

    /** {@return true if this end receives} */
    public boolean readable() {
        return endpoint.readable();
    }

    /** {@return true if this end sends} */
    public boolean writable() {
        return endpoint.writable();
    }

    /** {@return the pipe's segment name, or the socket's description (for tests)} */
    String segmentName() {
        return segment;
    }

    /** {@return true if the pipe's messages carry a checksum (false for a socket connection; for tests)} */
    boolean checksummed() {
        return channel != null && channel.checksummed();
    }

    /** {@return true once {@link #close()} was called on this object} */
    public boolean isClosed() {
        return use.isClosed();
    }

    /**
     * Closes this process's copy of the end; the other end sees the end of the stream once every process has
     * closed its copy or died. Threads of this process waiting on the connection wake and throw
     * {@link IllegalStateException}; one in the middle of a message finishes it first. Does not wait; the memory
     * is unmapped once no thread uses the connection, and the pipe's segment unlinked once no process holds either
     * end. Closing twice does nothing. A connection that becomes unreachable unclosed is closed by a cleaner, as
     * is every open one at exit.
     */
    @Override
    public void close() {
        closer.clean();
    }

    @Override
    public String toString() {
        return "Connection[" + segment + (channel == null ? " " : " end " + end + " ") + (readable() ? "r" : "")
                + (writable() ? "w" : "") + (use.isClosed() ? ", closed" : "") + "]";
    }

    // ---- passing to other processes

    /**
     * Starts counting the connections serialized on this thread as copies for a child being started.
     *
     * @return the list to pass to {@link #credit}
     */
    static List<EndHolders> beginTransfer() {
        List<EndHolders> credits = new ArrayList<>();
        IN_FLIGHT.set(credits);
        return credits;
    }

    /**
     * Moves the copies serialized for a child to the child, or gives them back if it did not start.
     *
     * @param credits  from {@link #beginTransfer}
     * @param childPid the child, or 0 if it was not started
     */
    static void credit(List<EndHolders> credits, long childPid) {
        IN_FLIGHT.remove();
        for (EndHolders holders : credits) {
            if (childPid != 0) {
                holders.add(childPid, 1);
            }
            holders.add(ProcessIdentity.pid(), -1);
        }
    }

    /**
     * Sends a handle in place of this connection: the pipe's segment name and which end this is; the receiver
     * maps the same pipe and takes this end over.
     *
     * @return the handle that travels
     * @throws java.io.NotSerializableException if this is a socket connection, which cannot travel
     */
    @Serial
    Object writeReplace() throws java.io.NotSerializableException {
        checkOpen();
        if (channel == null) {
            throw new java.io.NotSerializableException("a socket connection (" + segment + ") cannot be sent to"
                    + " another process (expected a Pipe connection)");
        }
        channel.holders().add(ProcessIdentity.pid(), 1); // the copy in flight is this process's until taken over
        List<EndHolders> credits = IN_FLIGHT.get();
        if (credits != null) {
            credits.add(channel.holders());
        }
        return new Handle(segment, end, ProcessIdentity.pid(), credits != null, handOff);
    }

    /**
     * Refuses a stream that holds this object itself rather than its handle (a forged or corrupt stream).
     *
     * @param in the stream
     * @throws InvalidObjectException always
     */
    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("Connection travels as a handle");
    }

    /** {@return the object a child's compact bootstrap carries, read from its handle's fields ({@link BootstrapForms})} */
    static Object readForm(CompactCodec.Reader in) throws IOException, ClassNotFoundException {
        return new Handle(in).readResolve();
    }

    /** Writes the handle this object travels as ({@code writeReplace}'s), in a child's compact bootstrap. */
    static void writeForm(Object handle, CompactCodec.Writer out) throws IOException {
        ((Handle) handle).writeTo(out);
    }

    /** The serialized form: which pipe, which end, and who counts the copy. */
    private static final class Handle implements Serializable {

        @Serial
        private static final long serialVersionUID = 1L;

        private final String segment;
        private final int end;
        private final long origin;
        private final boolean forChild;
        private final boolean handOff;

        Handle(String segment, int end, long origin, boolean forChild, boolean handOff) {
            this.segment = segment;
            this.end = end;
            this.origin = origin;
            this.forChild = forChild;
            this.handOff = handOff;
        }

        Handle(CompactCodec.Reader in) throws IOException {
            this.segment = in.data().readUTF();
            this.end = in.data().readInt();
            this.origin = in.data().readLong();
            this.forChild = in.data().readBoolean();
            this.handOff = in.data().readBoolean();
        }

        void writeTo(CompactCodec.Writer out) throws IOException {
            out.data().writeUTF(segment);
            out.data().writeInt(end);
            out.data().writeLong(origin);
            out.data().writeBoolean(forChild);
            out.data().writeBoolean(handOff);
        }

        @Serial
        private Object readResolve() throws InvalidObjectException {
            MappedSegment mapped;
            try {
                mapped = SegmentTable.attach(segment);
            } catch (UncheckedIOException e) {
                throw (InvalidObjectException) new InvalidObjectException("the pipe " + segment
                        + " is gone (its creator exited?)").initCause(e);
            }
            Connection connection = new Connection(segment, end, mapped);
            if (!handOff) {
                connection.streamWaits();
            }
            if (!forChild) { // the sender counted the copy as its own: take it over
                connection.channel.holders().add(ProcessIdentity.pid(), 1);
                connection.channel.holders().add(origin, -1);
            }
            return connection;
        }
    }
}

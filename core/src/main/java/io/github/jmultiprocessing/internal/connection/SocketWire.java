package io.github.jmultiprocessing.internal.connection;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.StreamCorruptedException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Messages over a stream socket (Unix domain or TCP): each one a 4-byte big-endian length, then its bytes, as
 * Python's {@code multiprocessing.connection} frames them. One sender and one receiver at a time (each side has a
 * lock); waits use a selector, so they can time out, and a close from another thread wakes them.
 *
 * <p>Implementation notes. The channel is non-blocking; a read or write that makes no progress waits on the
 * selector for its operation. Lengths are checked against the caller's limit before anything is allocated: a peer
 * that has not authenticated cannot make this side allocate more than a handshake message. Within the limit, a
 * message's buffer grows as its bytes arrive (from 1 MiB, doubling), so an announced length costs nothing until
 * the bytes are there. An interrupt before a
 * message starts ends the operation ({@link InterruptedIOException}); once a message has started, it is sent or read
 * whole and the interrupt is kept for the caller, so the framing never breaks.
 */
public final class SocketWire implements Wire {

    /**
     * How long a read retries (yielding) before it sleeps on the selector: about the cost of that sleep and its
     * wake-up on these VMs, as {@code WaitCore} waits.
     */
    private static final long SPIN_NANOS = 50_000;

    /** What a message's buffer starts with; a longer message's grows (doubling) as its bytes arrive. */
    private static final int FIRST_CHUNK = 1 << 20;

    /** Largest message, in bytes. */
    public static final int MAX_MESSAGE = Integer.MAX_VALUE - 8;

    private final SocketChannel channel;
    private final Selector readSelector;
    private final Selector writeSelector;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024).flip(); // read-ahead: between position and limit
    private final ByteBuffer header = ByteBuffer.allocate(4);
    private final ReentrantLock reading = new ReentrantLock();
    private final ReentrantLock writing = new ReentrantLock();
    private boolean readInterrupted; // an interrupt kept while a message is read whole; guarded by reading
    private volatile boolean closed;

    /**
     * Takes a connected socket.
     *
     * @param channel the socket
     * @throws IOException if it cannot be made non-blocking
     */
    public SocketWire(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        readSelector = Selector.open();
        Selector writes = null;
        try {
            writes = Selector.open();
            channel.register(readSelector, SelectionKey.OP_READ);
            channel.register(writes, SelectionKey.OP_WRITE);
        } catch (IOException | RuntimeException e) {
            readSelector.close();
            if (writes != null) {
                writes.close();
            }
            throw e;
        }
        writeSelector = writes;
    }

    /**
     * Connects to a Unix domain or TCP address by a deadline, and takes the socket: TCP connects with the timed
     * connect of the socket's adaptor; a Unix domain socket (whose channel has none) connects in blocking mode, and
     * is closed at the deadline if that connect still waits (a full backlog makes it wait; closing the channel ends
     * the wait).
     *
     * @param address  an {@link java.net.InetSocketAddress} or a {@link java.net.UnixDomainSocketAddress}
     * @param deadline the {@link System#nanoTime()} by which it must be connected
     * @return the connected wire
     * @throws SocketTimeoutException   if it was not connected by the deadline
     * @throws IOException              if it cannot connect
     * @throws IllegalArgumentException for another kind of address
     */
    public static SocketWire connect(java.net.SocketAddress address, long deadline) throws IOException {
        SocketChannel channel;
        if (address instanceof java.net.UnixDomainSocketAddress) {
            channel = SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
        } else if (address instanceof java.net.InetSocketAddress) {
            channel = SocketChannel.open();
        } else {
            throw new IllegalArgumentException("address=" + address + " (expected an InetSocketAddress or a"
                    + " UnixDomainSocketAddress)");
        }
        try {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("not connected to " + address + " by the deadline");
            }
            if (address instanceof java.net.InetSocketAddress) {
                // the adaptor's timed connect: a non-blocking connect and a poll, the channel blocking again after
                channel.socket().connect(address, (int) Math.max(1, Math.min(Integer.MAX_VALUE,
                        TimeUnit.NANOSECONDS.toMillis(left))));
            } else {
                connectByDeadline(channel, address, deadline);
            }
            return new SocketWire(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * A blocking connect that a watcher ends by closing the channel if it still waits at the deadline. Whoever
     * moves {@code state} from waiting first decides: the caller (connected or failed in time) or the watcher (the
     * deadline passed: it closes the channel, and the caller reports a timeout whatever its connect did).
     */
    private static void connectByDeadline(SocketChannel channel, java.net.SocketAddress address, long deadline)
            throws IOException {
        java.util.concurrent.atomic.AtomicInteger state = new java.util.concurrent.atomic.AtomicInteger(); // 0 waiting
        Thread watcher = Thread.ofVirtual().name("jmultiprocessing-connect-deadline").start(() -> {
            long left;
            while ((left = deadline - System.nanoTime()) > 0 && state.get() == 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(left);
            }
            if (state.compareAndSet(0, 2)) { // 2: timed out
                try {
                    channel.close(); // wakes the blocked connect with an AsynchronousCloseException
                } catch (IOException e) {
                    // nothing more to do
                }
            }
        });
        IOException failure = null;
        try {
            channel.connect(address);
        } catch (IOException e) {
            failure = e;
        } finally {
            if (state.compareAndSet(0, 1)) { // 1: over in time
                java.util.concurrent.locks.LockSupport.unpark(watcher);
            }
        }
        if (state.get() == 2) {
            SocketTimeoutException timeout = new SocketTimeoutException("not connected to " + address
                    + " by the deadline");
            if (failure != null) {
                timeout.initCause(failure);
            }
            throw timeout;
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Sends one message.
     *
     * @param src    the bytes
     * @param offset where the message starts
     * @param length its length
     * @throws InterruptedIOException if interrupted before the message started (nothing was sent)
     * @throws IOException            if the socket fails or the peer is gone ("broken pipe")
     */
    @Override
    public void send(byte[] src, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, src.length);
        writing.lock();
        try {
            if (Thread.interrupted()) {
                throw new InterruptedIOException("interrupted before sending");
            }
            boolean interrupted = false;
            try {
                interrupted |= writeFully(ByteBuffer.allocate(4).putInt(0, length));
                interrupted |= writeFully(ByteBuffer.wrap(src, offset, length));
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            writing.unlock();
        }
    }

    /** Writes it all; {@return true if an interrupt came meanwhile (cleared, for the caller to restore)} */
    private boolean writeFully(ByteBuffer buffer) throws IOException {
        boolean interrupted = false;
        while (buffer.hasRemaining()) {
            if (channel.write(buffer) == 0) {
                interrupted |= select(writeSelector, -1, false);
            }
        }
        return interrupted;
    }

    /**
     * Receives one message, waiting as long as needed.
     *
     * @param maxLength the longest message accepted (a longer one is an error, before anything is allocated)
     * @return the message
     * @throws EOFException             if the peer closed the socket at a message boundary
     * @throws StreamCorruptedException if a length is negative or over {@code maxLength}, or the stream ends in
     *                                  the middle of a message
     * @throws InterruptedIOException   if interrupted before the message started (once started, it is read whole)
     * @throws IOException              if the socket fails or is closed here
     */
    @Override
    public byte[] recv(int maxLength) throws IOException {
        return recv(maxLength, -1);
    }

    /**
     * Receives one message, waiting at most {@code timeoutNanos} for all of it.
     *
     * @param maxLength    the longest message accepted (a longer one is an error, before anything is allocated)
     * @param timeoutNanos the longest wait; negative waits forever
     * @return the message
     * @throws SocketTimeoutException   if it did not come whole in time (the stream is then out of step: close it)
     * @throws EOFException             if the peer closed the socket at a message boundary
     * @throws StreamCorruptedException if a length is negative or over {@code maxLength}, or the stream ends in
     *                                  the middle of a message
     * @throws InterruptedIOException   if interrupted before the message started
     * @throws IOException              if the socket fails or is closed here
     */
    public byte[] recv(int maxLength, long timeoutNanos) throws IOException {
        reading.lock();
        try {
            long deadline = timeoutNanos < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
            try {
                header.clear();
                if (!readFully(header, true, deadline)) {
                    throw new EOFException("the other end closed the connection and every message was read");
                }
                int length = header.getInt(0);
                if (length < 0 || length > maxLength) {
                    throw new StreamCorruptedException("message length=" + length + " (expected 0.." + maxLength
                            + ")");
                }
                // Grown as its bytes come, not allocated from the length: a peer that announces more than it sends
                // costs at most twice what it sent (a copy per doubling past the first MiB).
                byte[] message = new byte[Math.min(length, FIRST_CHUNK)];
                int filled = 0;
                while (true) {
                    readFully(ByteBuffer.wrap(message, filled, message.length - filled), false, deadline);
                    filled = message.length;
                    if (filled == length) {
                        return message;
                    }
                    message = java.util.Arrays.copyOf(message, (int) Math.min(length, 2L * filled));
                }
            } finally {
                if (readInterrupted) {
                    readInterrupted = false;
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            reading.unlock();
        }
    }

    /**
     * Sends one message over a socket still in blocking mode (a handshake, before a {@code SocketWire} is made of
     * it): the same frame as {@link #send}.
     *
     * @param channel the socket, blocking
     * @param message the bytes
     * @throws IOException if the socket fails or is closed meanwhile
     */
    static void sendBlocking(SocketChannel channel, byte[] message) throws IOException {
        ByteBuffer[] frame = {ByteBuffer.allocate(4).putInt(0, message.length), ByteBuffer.wrap(message)};
        while (frame[1].hasRemaining()) {
            channel.write(frame);
        }
    }

    /**
     * Receives one message from a socket still in blocking mode, reading not a byte past it (what follows belongs
     * to the {@code SocketWire} made of the socket afterwards). It allocates only the 4-byte length and then, if
     * that is at most {@code maxLength}, the message: a peer announcing more makes it fail before any allocation.
     * It has no timeout of its own: a caller bounds the wait by closing the socket.
     *
     * @param channel   the socket, blocking
     * @param maxLength the longest message accepted
     * @return the message
     * @throws EOFException             if the peer closed the socket at a message boundary
     * @throws StreamCorruptedException if the length is negative or over {@code maxLength}, or the stream ends in
     *                                  the middle of the message
     * @throws IOException              if the socket fails or is closed meanwhile
     */
    static byte[] recvBlocking(SocketChannel channel, int maxLength) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4);
        while (header.hasRemaining()) {
            if (channel.read(header) < 0) {
                if (header.position() == 0) {
                    throw new EOFException("the other end closed the connection and every message was read");
                }
                throw new StreamCorruptedException("the stream ended in the middle of a message");
            }
        }
        int length = header.getInt(0);
        if (length < 0 || length > maxLength) {
            throw new StreamCorruptedException("message length=" + length + " (expected 0.." + maxLength + ")");
        }
        ByteBuffer message = ByteBuffer.allocate(length);
        while (message.hasRemaining()) {
            if (channel.read(message) < 0) {
                throw new StreamCorruptedException("the stream ended in the middle of a message");
            }
        }
        return message.array();
    }

    /**
     * Fills the buffer; false if the stream ended before its first byte and {@code frameStart}. Interruptible only
     * before the first byte of a frame.
     */
    private boolean readFully(ByteBuffer dst, boolean frameStart, long deadline) throws IOException {
        boolean first = true;
        while (dst.hasRemaining()) {
            if (!in.hasRemaining()) {
                long left = deadline == Long.MAX_VALUE ? -1 : deadline - System.nanoTime();
                if (deadline != Long.MAX_VALUE && left <= 0) {
                    throw new SocketTimeoutException("no whole message within the time allowed");
                }
                if (!fill(left, first && frameStart)) {
                    if (first && frameStart) {
                        return false;
                    }
                    throw new StreamCorruptedException("the stream ended in the middle of a message");
                }
                continue;
            }
            int n = Math.min(in.remaining(), dst.remaining());
            dst.put(dst.position(), in, in.position(), n);
            in.position(in.position() + n);
            dst.position(dst.position() + n);
            first = false;
        }
        return true;
    }

    /**
     * Reads what is there into the read-ahead, waiting up to {@code timeoutNanos} (negative: forever); {@return false
     * at the end of stream, true otherwise, with or without new bytes}
     */
    private boolean fill(long timeoutNanos, boolean interruptible) throws IOException {
        in.compact();
        try {
            long now = System.nanoTime();
            long deadline = timeoutNanos < 0 ? 0 : now + timeoutNanos;
            long spinUntil = timeoutNanos == 0 ? now : now + Math.min(SPIN_NANOS, timeoutNanos < 0 ? SPIN_NANOS
                    : timeoutNanos);
            while (true) {
                int n = channel.read(in);
                if (n < 0) {
                    return false;
                }
                if (n > 0) {
                    return true;
                }
                if (System.nanoTime() - spinUntil < 0 && !Thread.currentThread().isInterrupted()) {
                    Thread.yield(); // a reply often comes within microseconds: cheaper than a select's sleep
                    continue;
                }
                long left = timeoutNanos < 0 ? -1 : deadline - System.nanoTime();
                if (timeoutNanos >= 0 && left <= 0) {
                    return true; // nothing yet, not the end
                }
                readInterrupted |= select(readSelector, left, interruptible);
            }
        } finally {
            in.flip();
        }
    }

    /**
     * Waits until a message can be received without blocking, or the stream has ended.
     *
     * @param timeoutNanos the longest wait; negative waits forever
     * @return true if a message (or its start) is there, or the stream has ended; false also while another thread
     *         is receiving (what comes is that thread's)
     * @throws IOException if the socket fails or is closed here
     */
    @Override
    public boolean poll(long timeoutNanos) throws IOException {
        long start = System.nanoTime();
        try {
            if (!reading.tryLock(timeoutNanos < 0 ? Long.MAX_VALUE : timeoutNanos, TimeUnit.NANOSECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            throw new InterruptedIOException("interrupted while polling");
        }
        try {
            if (in.hasRemaining()) {
                return true;
            }
            long left = timeoutNanos < 0 ? -1 : Math.max(0, timeoutNanos - (System.nanoTime() - start));
            return !fill(left, true) || in.hasRemaining();
        } finally {
            reading.unlock();
        }
    }

    /**
     * Waits on the selector.
     *
     * @return true if the thread was interrupted and, not {@code interruptible}, the interrupt was cleared for the
     *         caller to restore once its message is done
     */
    private boolean select(Selector selector, long timeoutNanos, boolean interruptible) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        boolean cleared = false;
        if (Thread.currentThread().isInterrupted()) {
            if (interruptible) {
                Thread.interrupted();
                throw new InterruptedIOException("interrupted while waiting on a socket");
            }
            cleared = Thread.interrupted(); // a set flag would make every select return at once
        }
        long millis = timeoutNanos < 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
        selector.select(millis);
        selector.selectedKeys().clear();
        if (Thread.currentThread().isInterrupted()) {
            if (interruptible) {
                Thread.interrupted();
                throw new InterruptedIOException("interrupted while waiting on a socket");
            }
            cleared |= Thread.interrupted();
        }
        if (closed) {
            throw new ClosedChannelException();
        }
        return cleared;
    }

    @Override
    public boolean isOpen() {
        return !closed && channel.isOpen();
    }

    /** Closes the socket; threads waiting on it wake and fail. */
    @Override
    public void close() {
        closed = true;
        readSelector.wakeup();
        writeSelector.wakeup();
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing to do
        }
        reading.lock();
        try {
            closeQuietly(readSelector);
        } finally {
            reading.unlock();
        }
        writing.lock();
        try {
            closeQuietly(writeSelector);
        } finally {
            writing.unlock();
        }
    }

    private static void closeQuietly(Selector selector) {
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing: nothing to do
        }
    }

    /** {@return the socket} */
    public SocketChannel channel() {
        return channel;
    }
}

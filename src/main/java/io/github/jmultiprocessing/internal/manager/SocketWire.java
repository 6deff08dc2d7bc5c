package io.github.jmultiprocessing.internal.manager;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.StreamCorruptedException;
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
 * that has not authenticated cannot make this side allocate more than a handshake message.
 */
public final class SocketWire implements AutoCloseable {

    /** Largest message, in bytes. */
    public static final int MAX_MESSAGE = Integer.MAX_VALUE - 8;

    private final SocketChannel channel;
    private final Selector readSelector;
    private final Selector writeSelector;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024).flip(); // read-ahead: between position and limit
    private final ByteBuffer header = ByteBuffer.allocate(4);
    private final ReentrantLock reading = new ReentrantLock();
    private final ReentrantLock writing = new ReentrantLock();
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
        writeSelector = Selector.open();
        channel.register(readSelector, SelectionKey.OP_READ);
        channel.register(writeSelector, SelectionKey.OP_WRITE);
    }

    /**
     * Sends one message.
     *
     * @param src    the bytes
     * @param offset where the message starts
     * @param length its length
     * @throws IOException if the socket fails or the peer is gone ("broken pipe")
     */
    public void send(byte[] src, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, src.length);
        writing.lock();
        try {
            ByteBuffer frame = ByteBuffer.allocate(4).putInt(0, length);
            writeFully(frame);
            writeFully(ByteBuffer.wrap(src, offset, length));
        } finally {
            writing.unlock();
        }
    }

    private void writeFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.write(buffer) == 0) {
                select(writeSelector, -1);
            }
        }
    }

    /**
     * Receives one message, waiting as long as needed.
     *
     * @param maxLength the longest message accepted (a longer one is an error, before anything is allocated)
     * @return the message
     * @throws EOFException             if the peer closed the socket at a message boundary
     * @throws StreamCorruptedException if a length is negative or over {@code maxLength}, or the stream ends in
     *                                  the middle of a message
     * @throws IOException              if the socket fails or is closed here
     */
    public byte[] recv(int maxLength) throws IOException {
        reading.lock();
        try {
            header.clear();
            if (!readFully(header, true)) {
                throw new EOFException("the other end closed the connection and every message was read");
            }
            int length = header.getInt(0);
            if (length < 0 || length > maxLength) {
                throw new StreamCorruptedException("message length=" + length + " (expected 0.." + maxLength + ")");
            }
            byte[] message = new byte[length];
            readFully(ByteBuffer.wrap(message), false);
            return message;
        } finally {
            reading.unlock();
        }
    }

    /** Fills the buffer; false if the stream ended before its first byte and {@code endOk}. */
    private boolean readFully(ByteBuffer dst, boolean endOk) throws IOException {
        boolean first = true;
        while (dst.hasRemaining()) {
            if (!in.hasRemaining() && !fill(-1)) {
                if (first && endOk) {
                    return false;
                }
                throw new StreamCorruptedException("the stream ended in the middle of a message");
            }
            int n = Math.min(in.remaining(), dst.remaining());
            dst.put(dst.position(), in, in.position(), n);
            in.position(in.position() + n);
            dst.position(dst.position() + n);
            first = false;
        }
        return true;
    }

    /** Reads what is there into the read-ahead, waiting up to {@code timeoutNanos}; false at the end of stream. */
    private boolean fill(long timeoutNanos) throws IOException {
        in.compact();
        try {
            long deadline = timeoutNanos < 0 ? 0 : System.nanoTime() + timeoutNanos;
            while (true) {
                int n = channel.read(in);
                if (n < 0) {
                    return false;
                }
                if (n > 0) {
                    return true;
                }
                long left = timeoutNanos < 0 ? -1 : deadline - System.nanoTime();
                if (timeoutNanos >= 0 && left <= 0) {
                    return true; // nothing yet, not the end
                }
                select(readSelector, left);
            }
        } finally {
            in.flip();
        }
    }

    /**
     * Waits until a message can be received without blocking, or the stream has ended.
     *
     * @param timeoutNanos the longest wait; negative waits forever
     * @return true if a message (or its start) is there, or the stream has ended
     * @throws IOException if the socket fails or is closed here
     */
    public boolean poll(long timeoutNanos) throws IOException {
        reading.lock();
        try {
            if (in.hasRemaining()) {
                return true;
            }
            return !fill(Math.max(0, timeoutNanos < 0 ? Long.MAX_VALUE : timeoutNanos)) || in.hasRemaining();
        } finally {
            reading.unlock();
        }
    }

    private void select(Selector selector, long timeoutNanos) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        long millis = timeoutNanos < 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
        selector.select(millis);
        selector.selectedKeys().clear();
        if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting on a socket");
        }
        if (closed) {
            throw new ClosedChannelException();
        }
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

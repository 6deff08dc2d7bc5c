package io.github.jmultiprocessing.internal.connection;

import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedChannelException;
import java.util.function.BooleanSupplier;

/**
 * What a {@code Connection} sends through and receives from (CPython's {@code _ConnectionBase} subclasses): one end
 * of a pipe in shared memory ({@link #of(PipeChannel)}) or a socket from a listener or a client
 * ({@link #of(SocketWire)}). Interrupts reach the caller as {@link InterruptedException} from both.
 */
public interface MessagePort {

    /** {@return true if messages can be received here} */
    boolean readable();

    /** {@return true if messages can be sent from here} */
    boolean writable();

    /**
     * Sends one message.
     *
     * @param buf    the bytes
     * @param offset where the message starts in {@code buf}
     * @param size   its length
     * @param closed true once this process closed its end: a wait for room stops
     * @throws IOException          if the other end is gone or the bytes cannot go
     * @throws InterruptedException if interrupted while waiting
     */
    void send(byte[] buf, int offset, int size, BooleanSupplier closed) throws IOException, InterruptedException;

    /**
     * {@return the next message, or null if the wait stopped because closed}
     *
     * @param closed    true once this process closed its end
     * @param maxLength a longer message is an error; a socket refuses it before allocating (the connection is then
     *                  out of step), a pipe's caller checks it (the sender is local and allocated it already)
     * @throws IOException          if the other end is gone ({@link java.io.EOFException}) or the bytes are bad
     * @throws InterruptedException if interrupted while waiting
     */
    byte[] recv(BooleanSupplier closed, int maxLength) throws IOException, InterruptedException;

    /**
     * {@return true if a message (or the end of the stream) can be received without waiting, after at most
     * {@code nanos}}
     *
     * @param nanos  the longest wait; negative waits as long as needed
     * @param closed true once this process closed its end
     * @throws IOException          if the memory or stream is broken
     * @throws InterruptedException if interrupted while waiting
     */
    boolean poll(long nanos, BooleanSupplier closed) throws IOException, InterruptedException;

    /** Closes this process's copy, while the memory is still mapped. */
    void close();

    /** {@return a port over a pipe end: the channel as it is} @param channel the pipe end */
    static MessagePort of(PipeChannel channel) {
        return new PipePort(channel);
    }

    /** {@return a port over a socket: framed messages, both ways} @param wire the socket */
    static MessagePort of(SocketWire wire) {
        return new SocketPort(wire);
    }

    /** A pipe end: {@link PipeChannel} as it is. */
    record PipePort(PipeChannel channel) implements MessagePort {
        @Override
        public boolean readable() {
            return channel.readable();
        }

        @Override
        public boolean writable() {
            return channel.writable();
        }

        @Override
        public void send(byte[] buf, int offset, int size, BooleanSupplier closed)
                throws IOException, InterruptedException {
            channel.send(buf, offset, size, closed);
        }

        @Override
        public byte[] recv(BooleanSupplier closed, int maxLength) throws IOException, InterruptedException {
            return channel.recv(closed); // the sender is local and allocated it already: the caller checks
        }

        @Override
        public boolean poll(long nanos, BooleanSupplier closed) throws IOException, InterruptedException {
            return channel.poll(nanos, closed);
        }

        @Override
        public void close() {
            channel.holders().add(ProcessIdentity.pid(), -1);
            channel.wakeAll();
        }
    }

    /** A socket from a listener or a client: framed messages, both ways. */
    record SocketPort(SocketWire wire) implements MessagePort {
        @Override
        public boolean readable() {
            return true;
        }

        @Override
        public boolean writable() {
            return true;
        }

        @Override
        public void send(byte[] buf, int offset, int size, BooleanSupplier closed)
                throws IOException, InterruptedException {
            try {
                wire.send(buf, offset, size);
            } catch (InterruptedIOException e) {
                throw interrupted(e);
            }
        }

        @Override
        public byte[] recv(BooleanSupplier closed, int maxLength) throws IOException, InterruptedException {
            try {
                return wire.recv(maxLength);
            } catch (ClosedChannelException e) {
                if (closed.getAsBoolean()) {
                    return null;
                }
                throw e;
            } catch (InterruptedIOException e) {
                throw interrupted(e);
            }
        }

        @Override
        public boolean poll(long nanos, BooleanSupplier closed) throws IOException, InterruptedException {
            try {
                return wire.poll(nanos);
            } catch (InterruptedIOException e) {
                throw interrupted(e);
            }
        }

        private static InterruptedException interrupted(InterruptedIOException e) {
            InterruptedException interrupted = new InterruptedException(e.getMessage());
            interrupted.initCause(e);
            return interrupted;
        }

        @Override
        public void close() {
            wire.close();
        }
    }
}

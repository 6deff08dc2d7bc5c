package io.github.jmultiprocessing.internal.connection;

import java.io.IOException;

/**
 * A two-way message link between one client and one server thread (a manager's connection): a
 * {@link SocketWire}, or a {@link PipeWire} in shared memory set up over an authenticated local socket. Interrupts
 * reach the caller as {@link java.io.InterruptedIOException}, and only before a message starts: a message is sent or
 * received whole, so the link never falls out of step.
 */
public interface Wire extends AutoCloseable {

    /**
     * Sends one message.
     *
     * @param src    the bytes
     * @param offset where the message starts
     * @param length its length
     * @throws java.io.InterruptedIOException if interrupted before the message started (nothing was sent)
     * @throws IOException                    if the peer is gone or the link is closed here
     */
    void send(byte[] src, int offset, int length) throws IOException;

    /**
     * Receives one message, waiting as long as needed.
     *
     * @param maxLength the longest message accepted
     * @return the message
     * @throws java.io.EOFException           if the peer is gone and every message it sent was received
     * @throws java.io.InterruptedIOException if interrupted before the message started
     * @throws IOException                    if the link fails, is closed here, or the message is too long
     */
    byte[] recv(int maxLength) throws IOException;

    /**
     * Waits until a message can be received without blocking, or the peer is gone.
     *
     * @param timeoutNanos the longest wait; negative waits forever
     * @return true if a message is there or the peer is gone
     * @throws IOException if the link fails or is closed here
     */
    boolean poll(long timeoutNanos) throws IOException;

    /** {@return false once closed here (or, for a socket, found broken)} */
    boolean isOpen();

    /** Closes the link; threads waiting on it wake and fail. */
    @Override
    void close();
}

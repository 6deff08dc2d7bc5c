package io.github.jmultiprocessing;

import java.io.IOException;
import java.io.Serial;

/**
 * A message did not fit in the buffer given to {@link Connection#recvBytesInto(byte[], int)}: Python's
 * {@code multiprocessing.BufferTooShort}. The message was received; it is here, whole.
 */
public final class BufferTooShortException extends IOException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final transient byte[] received;

    BufferTooShortException(byte[] received, int room) {
        super("message length=" + received.length + " (expected <= " + room + ", the room left in the buffer)");
        this.received = received;
    }

    /** {@return the message that did not fit (a copy)} */
    public byte[] received() {
        return received == null ? new byte[0] : received.clone();
    }
}

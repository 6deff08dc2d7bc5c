package io.github.jmultiprocessing.internal.ring;

import java.io.Serial;
import java.io.StreamCorruptedException;

/**
 * The bytes of a ring, a queue or a pipe in shared memory are not what its protocol can have written: a position,
 * a length, a kind or a link is impossible, or a reader waits where no record will ever come. Unlike a
 * {@link SpscRing.ChecksumMismatch} (one record dropped, the next ones fine) nothing after it can be trusted: the
 * queue or pipe that finds it marks itself broken in shared memory ({@code QueueLayout.BROKEN},
 * {@code PipeLayout.BROKEN}), and every later operation on it, in every process, throws one of these.
 */
public final class CorruptRingException extends StreamCorruptedException {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was found, {@code what=value (expected ...)}
     */
    public CorruptRingException(String message) {
        super(message);
    }
}

package io.github.jmultiprocessing;

import java.io.Serial;

/**
 * A task ran, but its result could not be sent back from its worker JVM (it does not serialize): Python's
 * {@code multiprocessing.pool.MaybeEncodingError}. The task's call fails with it; the worker goes on.
 *
 * <p>It is an {@link IllegalArgumentException}, the type such a failure had before it had its own, so existing
 * {@code catch} blocks still catch it; unlike an {@code IllegalArgumentException} the task throws itself, this one
 * says that the task finished and its result was lost on the way. Its cause is the serialization failure.
 */
public final class MaybeEncodingException extends IllegalArgumentException {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what could not be sent, and why
     * @param cause   the serialization failure
     */
    public MaybeEncodingException(String message, Throwable cause) {
        super(message, cause);
    }
}

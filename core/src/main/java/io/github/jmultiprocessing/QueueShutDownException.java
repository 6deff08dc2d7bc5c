package io.github.jmultiprocessing;

import java.io.Serial;

/**
 * A put on a queue that was shut down, or a get on one that was shut down and has nothing left: Python 3.13's
 * {@code queue.ShutDown}. Threads waiting in a put or a get when the queue is shut down, in any process, wake and
 * throw it.
 *
 * <p>An {@link IllegalStateException}, the JDK's exception for "not possible in the object's present state", as
 * the queue's own {@link QueueFullException} is: one type for puts and gets, as Python raises one {@code ShutDown}
 * for both (so not a {@link java.util.NoSuchElementException} like {@link QueueEmptyException}, which only gets
 * throw); code that already treats a closed queue object ({@code IllegalStateException}) as the end of its work
 * treats a shut-down queue the same way. It is neither a {@code QueueFullException} nor a
 * {@code QueueEmptyException}: a loop that retries on those does not spin on a queue that will never take or give
 * anything again.
 */
public final class QueueShutDownException extends IllegalStateException {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message (public for other backends' queues, such as the cluster manager's).
     *
     * @param message what was shut down
     */
    public QueueShutDownException(String message) {
        super(message);
    }
}

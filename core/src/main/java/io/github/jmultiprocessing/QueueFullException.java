package io.github.jmultiprocessing;

import java.io.Serial;

/**
 * No place in a bounded queue in time: Python's {@code queue.Full}. An {@link IllegalStateException}, as
 * {@link java.util.AbstractQueue#add} throws for a full queue.
 */
public final class QueueFullException extends IllegalStateException {

    @Serial
    private static final long serialVersionUID = 1L;

    QueueFullException(String message) {
        super(message);
    }
}

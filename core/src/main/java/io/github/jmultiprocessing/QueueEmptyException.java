package io.github.jmultiprocessing;

import java.io.Serial;
import java.util.NoSuchElementException;

/** Nothing to take from a queue in time: Python's {@code queue.Empty}. */
public final class QueueEmptyException extends NoSuchElementException {

    @Serial
    private static final long serialVersionUID = 1L;

    QueueEmptyException(String message) {
        super(message);
    }
}

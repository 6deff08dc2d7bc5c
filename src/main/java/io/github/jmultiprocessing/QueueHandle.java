package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.ring.QueueChannel;
import java.io.InvalidObjectException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;

/** The serialized form of the queues: which queue, and which class to attach it as. */
final class QueueHandle implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The class on the receiving side. */
    enum Kind {
        /** {@link SharedQueue}. */
        QUEUE,
        /** {@link SharedJoinableQueue}. */
        JOINABLE,
        /** {@link SharedSimpleQueue}. */
        SIMPLE
    }

    private final Kind kind;
    private final String name;
    private final Codec<?> codec;

    QueueHandle(Kind kind, String name, Codec<?> codec) {
        this.kind = kind;
        this.name = name;
        this.codec = codec;
    }

    @Serial
    @SuppressWarnings({"rawtypes", "unchecked"})
    private Object readResolve() throws InvalidObjectException {
        QueueChannel channel;
        try {
            channel = QueueChannel.attach(name);
        } catch (UncheckedIOException e) {
            throw (InvalidObjectException) new InvalidObjectException("the queue " + name
                    + " is gone (its creator exited?)").initCause(e);
        }
        return switch (kind) {
            case QUEUE -> new SharedQueue(channel, codec);
            case JOINABLE -> new SharedJoinableQueue(channel, codec);
            case SIMPLE -> new SharedSimpleQueue(channel);
        };
    }
}

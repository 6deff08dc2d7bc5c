package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.ring.SpscRing;

/**
 * Whether the messages of a queue or pipe carry a checksum: a CRC32C over each record's header and payload, written
 * before the record is published in shared memory and checked before it is delivered. A message whose bytes were
 * changed in between is not delivered: its {@code get} or {@code recv} throws (an {@link java.io.UncheckedIOException}
 * from a queue, an {@link java.io.IOException} from a {@link Connection}, each caused by a
 * {@link java.io.StreamCorruptedException}) and the next one goes on with the next message.
 *
 * <pre>{@code
 * var q = new SharedQueue<String>(0, MessageChecksum.CRC32C);   // every message checked
 * var p = Pipe.open(true, MessageChecksum.CRC32C);
 * }</pre>
 *
 * <p>The choice is made by the creator and recorded in the queue's or pipe's shared memory, so every process that
 * attaches follows it. It costs about a third of the throughput of 1 KiB messages (README, "Integrity of messages in
 * shared memory", which also states the threat model: the checksum detects accidental corruption and a writer that
 * does not recompute it, not a process that does).
 */
public enum MessageChecksum {

    /**
     * As the system property {@code jmultiprocessing.checksum} says when the queue or pipe is created: off unless it
     * is {@code true}. What the constructors and factories without this parameter use.
     */
    DEFAULT,

    /** No checksum: bytes changed in shared memory may be delivered as they are. */
    NONE,

    /** A CRC32C per message, checked before it is delivered. */
    CRC32C;

    /** {@return true if a queue or pipe created now with this option carries checksums} */
    boolean enabled() {
        return switch (this) {
            case DEFAULT -> SpscRing.checksumByDefault();
            case NONE -> false;
            case CRC32C -> true;
        };
    }
}

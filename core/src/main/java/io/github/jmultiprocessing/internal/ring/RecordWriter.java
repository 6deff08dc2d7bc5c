package io.github.jmultiprocessing.internal.ring;

import java.lang.foreign.MemorySegment;

/** Writes a message straight into ring memory. */
@FunctionalInterface
public interface RecordWriter {

    /**
     * Writes the message.
     *
     * @param dst exactly the message's bytes (a slice of the ring)
     */
    void write(MemorySegment dst);
}

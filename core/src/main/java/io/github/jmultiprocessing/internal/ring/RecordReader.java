package io.github.jmultiprocessing.internal.ring;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Reads a message where it lies in ring memory.
 *
 * @param <T> what it makes of it
 */
@FunctionalInterface
public interface RecordReader<T> {

    /**
     * Reads the message; the record is consumed afterwards whatever happens.
     *
     * @param src exactly the message's bytes (a read-only slice of the ring)
     * @return the value
     * @throws IOException if the bytes do not decode
     */
    T read(MemorySegment src) throws IOException;
}

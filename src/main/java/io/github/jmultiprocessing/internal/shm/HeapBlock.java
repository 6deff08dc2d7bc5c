package io.github.jmultiprocessing.internal.shm;

import java.lang.foreign.MemorySegment;

/**
 * A block of the shared heap: where it lives (segment name and offset, which travel to other processes) and
 * this JVM's view of its bytes.
 *
 * @param segmentName the arena's segment name
 * @param offset      the block's offset in the arena
 * @param memory      the block's bytes in this JVM
 */
public record HeapBlock(String segmentName, long offset, MemorySegment memory) {

    /** {@return the block size in bytes} */
    public long size() {
        return memory.byteSize();
    }
}

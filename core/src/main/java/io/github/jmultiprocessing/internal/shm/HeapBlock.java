package io.github.jmultiprocessing.internal.shm;

import java.lang.foreign.MemorySegment;

/**
 * A block of the shared heap: where it lives (segment name and offset, which travel to other processes) and
 * this JVM's view of its bytes. Obtained from {@link SharedHeap#allocate} or {@link SharedHeap#attach} and handed
 * at once to {@link SharedHeap#claim}, which ties it to the object that uses it.
 */
public final class HeapBlock {

    private final String segmentName;
    private final long offset;
    private final MemorySegment memory;
    final SharedHeap.Share share;
    boolean holdTaken; // guarded by SharedHeap's lock

    HeapBlock(String segmentName, long offset, MemorySegment memory, SharedHeap.Share share) {
        this.segmentName = segmentName;
        this.offset = offset;
        this.memory = memory;
        this.share = share;
    }

    /** {@return the arena's segment name} */
    public String segmentName() {
        return segmentName;
    }

    /** {@return the block's offset in the arena} */
    public long offset() {
        return offset;
    }

    /** {@return the block's bytes in this JVM} */
    public MemorySegment memory() {
        return memory;
    }

    /** {@return the block size in bytes} */
    public long size() {
        return memory.byteSize();
    }
}

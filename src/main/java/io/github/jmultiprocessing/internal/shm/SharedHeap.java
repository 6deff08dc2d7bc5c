package io.github.jmultiprocessing.internal.shm;

import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;

/**
 * The shared heap: small shared objects (values, arrays, locks) carved out of large arena segments, like
 * CPython's {@code multiprocessing.heap}, so that ten thousand values do not make ten thousand files.
 *
 * <p>Implementation notes. Each JVM allocates from arenas it created itself, by bumping a pointer (only this JVM
 * writes its arenas' allocation state, so it lives on the Java heap, not in the segment). A request larger than
 * an arena gets an arena of its own. Blocks are never freed one by one: an arena lives until its creator exits
 * (then the {@link SegmentLedger} unlinks it), because another process may still use a block whose Java object
 * here is long gone. Other JVMs attach a block by (segment name, offset, size); the arena header is verified on
 * its first attach in a JVM. New arena pages are zero, so every block starts zeroed.
 */
public final class SharedHeap {

    /** Size of a regular arena; its pages are allocated when it is created (see {@link SegmentBacking}). */
    public static final long ARENA_SIZE = 1L << 20;

    private static MappedSegment arena; // guarded by SharedHeap.class
    private static long top; // guarded by SharedHeap.class
    private static final Set<String> VERIFIED = new HashSet<>(); // guarded by itself

    private SharedHeap() {
    }

    /**
     * Allocates a zeroed block.
     *
     * @param size      bytes, greater than zero
     * @param alignment a power of two up to 4096
     * @return the block
     */
    public static synchronized HeapBlock allocate(long size, long alignment) {
        if (size <= 0) {
            throw new IllegalArgumentException("size=" + size + " (expected > 0)");
        }
        if (alignment <= 0 || alignment > 4096 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment=" + alignment + " (expected a power of two <= 4096)");
        }
        long payload = ARENA_SIZE - SegmentHeaderLayout.SIZE;
        if (size > payload / 2) { // large: an arena of its own, so regular arenas are not left half empty
            long start = align(SegmentHeaderLayout.SIZE, alignment);
            MappedSegment own = newArena(start + size);
            return new HeapBlock(own.name(), start, own.segment().asSlice(start, size));
        }
        long start = arena == null ? Long.MAX_VALUE : align(top, alignment);
        if (arena == null || start + size > arena.segment().byteSize()) {
            arena = newArena(ARENA_SIZE);
            start = align(SegmentHeaderLayout.SIZE, alignment);
        }
        top = start + size;
        return new HeapBlock(arena.name(), start, arena.segment().asSlice(start, size));
    }

    /**
     * Attaches a block another process allocated.
     *
     * @param segmentName the arena's name
     * @param offset      the block's offset
     * @param size        the block's size
     * @return the block
     * @throws IllegalArgumentException if the segment is not a heap arena of this layout version, or the block
     *                                  lies outside it
     * @throws java.io.UncheckedIOException if there is no such segment
     */
    public static HeapBlock attach(String segmentName, long offset, long size) {
        MappedSegment mapped = SegmentTable.attach(segmentName); // kept for the JVM's life, like own arenas
        MemorySegment whole = mapped.segment();
        synchronized (VERIFIED) {
            if (!VERIFIED.contains(segmentName)) {
                try {
                    SegmentHeaderLayout.verify(segmentName, whole, SegmentHeaderLayout.KIND_HEAP_ARENA);
                } catch (RuntimeException e) {
                    SegmentTable.release(mapped);
                    throw e;
                }
                VERIFIED.add(segmentName);
            } else {
                SegmentTable.release(mapped); // already held once for the JVM's life
            }
        }
        if (offset < SegmentHeaderLayout.SIZE || size <= 0 || offset + size > whole.byteSize()) {
            throw new IllegalArgumentException("block offset=" + offset + " size=" + size + " in segment "
                    + segmentName + " (expected within " + SegmentHeaderLayout.SIZE + ".." + whole.byteSize() + ")");
        }
        return new HeapBlock(segmentName, offset, whole.asSlice(offset, size));
    }

    private static MappedSegment newArena(long size) {
        for (int attempt = 0; ; attempt++) {
            String name = ShmDirectory.randomName("jmp-heap-" + ProcessIdentity.pid() + "-");
            try {
                MappedSegment mapped = SegmentTable.create(name, size, true);
                SegmentHeaderLayout.write(mapped.segment(), SegmentHeaderLayout.KIND_HEAP_ARENA);
                synchronized (VERIFIED) {
                    VERIFIED.add(name);
                }
                return mapped;
            } catch (java.io.UncheckedIOException e) {
                if (!(e.getCause() instanceof java.nio.file.FileAlreadyExistsException) || attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private static long align(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }
}

package io.github.jmultiprocessing.internal.connection;

import io.github.jmultiprocessing.internal.ring.EndHoldersLayout;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.github.jmultiprocessing.internal.shm.SegmentHeaderLayout;
import io.github.jmultiprocessing.internal.sync.LockLayout;
import java.io.StreamCorruptedException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * The bytes of a pipe's segment ({@link PipeChannel}): a 1,280-byte header, then one ring ({@link io.github.jmultiprocessing.internal.ring.SpscRing}) per
 * direction.
 *
 * <pre>
 *   0      segment header ({@link SegmentHeaderLayout}, kind {@link SegmentHeaderLayout#KIND_PIPE}: magic, layout
 *          version, kind, size, creator pid, creator start time)
 *   128    +-------+----------+--------+--- pad to 256
 *          | flags | capacity | broken |
 *          +-------+----------+--------+---
 *          128     132        136
 *   256    holders of end 0 ({@link EndHoldersLayout}), then at 512 holders of end 1
 *   768    locks ({@link LockLayout}, 128 bytes each): ring 0 writer, ring 0 reader, ring 1 writer, ring 1 reader
 *   1280   ring 0 ({@link io.github.jmultiprocessing.internal.ring.RingLayout}): written by end 1, read by end 0; then ring 1 (duplex only): written by end 0,
 *          read by end 1
 *
 *   flags:    {@link #DUPLEX}, {@link #CHECKSUM}
 *   capacity: of each ring, a power of two
 *   broken:   0, or the pid of the process that found a ring of the pipe corrupt ({@link io.github.jmultiprocessing.internal.ring.CorruptRingException});
 *             set once by compare-and-set, never goes back; every send, recv and poll reads it (acquire) and then
 *             throws, and waiting ones (for room, for a message, for a lock) see it within a wait slice
 * </pre>
 *
 * <p>The pipe's layout is versioned by the segment header's {@link SegmentHeaderLayout#LAYOUT_VERSION}. Before
 * version 3 the segment began with a magic "JMPP" and a version of its own (1 added {@code version},
 * {@code broken} and the pipe rings' {@code dropping} word); version 3 replaced them by the segment header.
 */
public final class PipeLayout {

    /** Flag: two rings, one per direction. */
    public static final int DUPLEX = 1;

    /** Flag: every record of its rings carries a CRC32C, checked before a message is delivered. */
    public static final int CHECKSUM = 2;

    private static final long SLOT = 128;

    /** The header as a struct. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            SegmentHeaderLayout.LAYOUT.withName("segment"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("capacity"),
            JAVA_INT.withName("broken"),
            MemoryLayout.paddingLayout(SLOT - 12),
            MemoryLayout.sequenceLayout(2, EndHoldersLayout.LAYOUT).withName("holders"),
            MemoryLayout.sequenceLayout(2, MemoryLayout.structLayout(
                    LockLayout.LAYOUT.withName("writer"),
                    LockLayout.LAYOUT.withName("reader"))).withName("locks"));

    /** Offset of the first ring: the size of the header. */
    public static final long RINGS = LAYOUT.byteSize();
    /** Offset of the flags. */
    public static final long FLAGS = offset("flags");
    /** Offset of each ring's capacity. */
    public static final long CAPACITY = offset("capacity");
    /** Offset of the broken word: 0, or the pid of the process that found the pipe corrupt. */
    public static final long BROKEN = offset("broken");
    /** Offset of the holders of end 0; those of end 1 follow ({@link EndHoldersLayout#SIZE} bytes each). */
    public static final long HOLDERS = offset("holders");
    /** Offset of the locks: ring 0 writer, ring 0 reader, ring 1 writer, ring 1 reader. */
    public static final long LOCKS = offset("locks");

    private static final long HOLDERS_STRIDE = LAYOUT.byteOffset(groupElement("holders"), sequenceElement(1))
            - HOLDERS;
    private static final long LOCKS_STRIDE = LAYOUT.byteOffset(groupElement("locks"), sequenceElement(1))
            - LOCKS;
    private static final long READER_LOCK = LAYOUT.byteOffset(groupElement("locks"), sequenceElement(0),
            groupElement("reader")) - LOCKS;

    private PipeLayout() {
    }

    private static long offset(String name) {
        return LAYOUT.byteOffset(groupElement(name));
    }

    /** {@return the offset of the holders of one end} @param end 0 or 1 */
    public static long holders(int end) {
        return HOLDERS + end * HOLDERS_STRIDE;
    }

    /**
     * {@return the offset of a ring's writer or reader lock}
     *
     * @param ring 0 or 1
     * @param side 0 for the writer's lock, 1 for the reader's
     */
    public static long lock(int ring, int side) {
        return LOCKS + ring * LOCKS_STRIDE + side * READER_LOCK;
    }

    /**
     * {@return the offset of a ring} The rings follow the header, each {@code ringSize} bytes.
     *
     * @param ring     0 or 1
     * @param ringSize the bytes of one ring ({@link io.github.jmultiprocessing.internal.ring.SpscRing#size})
     */
    public static long ring(int ring, long ringSize) {
        return RINGS + ring * ringSize;
    }

    /**
     * Checks that memory holds a pipe header of this layout version.
     *
     * @param memory the whole segment
     * @throws StreamCorruptedException if it is too small, not a pipe, or of another version
     */
    public static void verify(MemorySegment memory) throws StreamCorruptedException {
        try {
            SegmentHeaderLayout.verify("pipe", memory, SegmentHeaderLayout.KIND_PIPE);
        } catch (IllegalArgumentException e) {
            throw new StreamCorruptedException(e.getMessage());
        }
        if (memory.byteSize() < RINGS) {
            throw new StreamCorruptedException("pipe segment size=" + memory.byteSize() + " (expected >= " + RINGS
                    + ")");
        }
    }
}

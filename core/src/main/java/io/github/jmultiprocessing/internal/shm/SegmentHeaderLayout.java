package io.github.jmultiprocessing.internal.shm;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * The header every segment of the library's own starts with: heap arenas, queues, queue rings and pipes (a user's
 * {@code SharedMemory} stays raw bytes, as Python expects).
 *
 * <pre>
 *   0                   8         12        16                  24                  32                  40
 *   +-------------------+---------+---------+-------------------+-------------------+-------------------+---
 *   | magic "JMPSEG\0\1"| version | kind    | size (bytes)      | creator pid       | creator start    | pad
 *   +-------------------+---------+---------+-------------------+-------------------+-------------------+---
 *   payload starts at {@link #SIZE} (128), so the header shares no cache line with the first object
 * </pre>
 *
 * <p>The creator writes the header before the segment's name is handed to anybody; {@link #verify} checks it
 * on attach, so a file that is not ours, of another kind, or of another layout version, is refused with a clear
 * message.
 *
 * <p>Layout version 2 had the header in heap arenas only; queue and pipe segments started with a magic and a version
 * of their own ("JMPQ" version 1-3, "JMPP" version 1) and a queue ring with its control block. Version 3 puts this
 * header in front of every one of them, which moves every offset after it by {@link #SIZE}: a process of version 2
 * refuses a version 3 segment as not a queue or pipe, and the other way round as not a jmultiprocessing segment.
 */
public final class SegmentHeaderLayout {

    /** "JMPSEG" followed by 0x00 0x01, read as a native long. */
    public static final long MAGIC = 0x4A4D_5053_4547_0001L;

    /** Version of every layout in the library; bumped on any incompatible change. */
    public static final int LAYOUT_VERSION = 3;

    /** Segment kind: an arena of the shared heap. */
    public static final int KIND_HEAP_ARENA = 1;

    /** Segment kind: a queue's header ({@code QueueLayout}). */
    public static final int KIND_QUEUE = 2;

    /** Segment kind: one ring of a queue's chain ({@code QueueLayout#RING}). */
    public static final int KIND_QUEUE_RING = 3;

    /** Segment kind: a pipe, its header and rings ({@code PipeLayout}). */
    public static final int KIND_PIPE = 4;

    /** The header as a struct. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("magic"),
            JAVA_INT.withName("version"),
            JAVA_INT.withName("kind"),
            JAVA_LONG.withName("size"),
            JAVA_LONG.withName("creatorPid"),
            JAVA_LONG.withName("creatorStartTime"),
            MemoryLayout.paddingLayout(88));

    /** Bytes taken by the header; the payload starts here. */
    public static final long SIZE = LAYOUT.byteSize();

    // Raw element handles at the fields' offsets, not the struct's path handles: a path handle is an adapted
    // VarHandle whose first use spins method-handle classes (~1 ms each in a child JVM, even with an AOT cache).
    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final long MAGIC_AT = offset("magic");
    private static final long VERSION_AT = offset("version");
    private static final long KIND_AT = offset("kind");
    private static final long SIZE_AT = offset("size");
    private static final long CREATOR_PID_AT = offset("creatorPid");
    private static final long CREATOR_START_AT = offset("creatorStartTime");

    private SegmentHeaderLayout() {
    }

    /**
     * Writes the header of a new segment; the magic is written last, with release semantics, so an attacher
     * that sees the magic sees the rest.
     *
     * @param segment the whole segment
     * @param kind    what the segment holds
     */
    public static void write(MemorySegment segment, int kind) {
        INT.set(segment, VERSION_AT, LAYOUT_VERSION);
        INT.set(segment, KIND_AT, kind);
        LONG.set(segment, SIZE_AT, segment.byteSize());
        LONG.set(segment, CREATOR_PID_AT, ProcessIdentity.pid());
        LONG.set(segment, CREATOR_START_AT, ProcessIdentity.startTime());
        LONG.setRelease(segment, MAGIC_AT, MAGIC); // publishes the fields above; pairs with getAcquire in verify
    }

    /**
     * Checks that a mapped segment is one of ours, of this layout version and kind, and as large as it says.
     *
     * @param name    the segment name, for messages
     * @param segment the whole segment
     * @param kind    the expected kind
     * @throws IllegalArgumentException naming the mismatch
     */
    public static void verify(String name, MemorySegment segment, int kind) {
        if (segment.byteSize() < SIZE) {
            throw new IllegalArgumentException("segment " + name + " size=" + segment.byteSize()
                    + " (expected at least a " + SIZE + "-byte jmultiprocessing header)");
        }
        long magic = (long) LONG.getAcquire(segment, MAGIC_AT); // pairs with setRelease in write
        if (magic != MAGIC) {
            throw new IllegalArgumentException("segment " + name + " magic=0x" + Long.toHexString(magic)
                    + " (expected 0x" + Long.toHexString(MAGIC) + ": not a jmultiprocessing segment, or one made by"
                    + " a version of the library before layout version " + LAYOUT_VERSION + ")");
        }
        int version = (int) INT.get(segment, VERSION_AT);
        if (version != LAYOUT_VERSION) {
            throw new IllegalArgumentException("segment " + name + " layout version=" + version
                    + " (expected " + LAYOUT_VERSION + ")");
        }
        int actualKind = (int) INT.get(segment, KIND_AT);
        if (actualKind != kind) {
            throw new IllegalArgumentException("segment " + name + " kind=" + actualKind + " (expected " + kind + ")");
        }
        long size = (long) LONG.get(segment, SIZE_AT);
        if (size != segment.byteSize()) {
            throw new IllegalArgumentException("segment " + name + " header size=" + size
                    + " (expected the mapped size " + segment.byteSize() + ")");
        }
    }

    /**
     * {@return the pid of the process that created it}
     * @param segment a segment with a verified header
     */
    public static long creatorPid(MemorySegment segment) {
        return (long) LONG.get(segment, CREATOR_PID_AT);
    }

    /**
     * {@return the start time of the process that created it, as {@link ProcessIdentity#startTime()} gives it}
     * @param segment a segment with a verified header
     */
    public static long creatorStartTime(MemorySegment segment) {
        return (long) LONG.get(segment, CREATOR_START_AT);
    }

    private static long offset(String name) {
        return LAYOUT.byteOffset(groupElement(name));
    }
}

package io.github.jmultiprocessing.internal.shm;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * The bytes of an arena of the {@link SharedHeap}: after the {@link SegmentHeaderLayout}, the processes that hold
 * blocks of it and one state word per block.
 *
 * <pre>
 *   0      segment header ({@link SegmentHeaderLayout}, kind {@link SegmentHeaderLayout#KIND_HEAP_ARENA})
 *   128    granule shift (int), state entries (int), payload start (long)          written once by the creator
 *   256    holder slots 0..{@value #SLOTS}-1: {pid (long), start time (long)}      slot 0 is the creator
 *          pid 0 = free, -1 = being reclaimed; a process claims a slot by CASing the pid from 0
 *   1024   state table: entries x 8 bytes, the state word of the block at offset o is entry o &gt;&gt; shift
 *   payload start (a multiple of 4096): the blocks
 *
 *   state word (one per block, 64 bits):
 *   63      62 .. 52      51 .. 40              39 .. 0
 *   +------+-------------+---------------------+-------------------------------------+
 *   |pinned| generation  | tickets in flight   | holders: bit i = slot i holds it     |
 *   +------+-------------+---------------------+-------------------------------------+
 * </pre>
 *
 * <p>A block is free when its holder bits, tickets and pinned bit are all zero; the generation counts the times
 * it was handed out, so that a handle to an earlier use of the same bytes is refused. A regular arena has one
 * entry per 64-byte granule ({@code shift} 6); an arena holding one large block has a single entry
 * ({@code shift} 62).
 */
public final class HeapArenaLayout {

    /** Holder slots per arena (slot 0 is the creator): one holder bit each in the state word. */
    public static final int SLOTS = 40;

    /** Shift of a regular arena: one state word per 64 bytes. */
    public static final int GRANULE_SHIFT = 6;

    /** Shift of an arena of one large block: one state word in all. */
    public static final int SINGLE_SHIFT = 62;

    /** Offset of the state table. */
    public static final long TABLE = 1024;

    /** The arena fields after the segment header, as a struct. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.paddingLayout(SegmentHeaderLayout.SIZE),
            JAVA_INT.withName("granuleShift"),
            JAVA_INT.withName("entries"),
            JAVA_LONG.withName("payloadStart"),
            MemoryLayout.paddingLayout(112),
            MemoryLayout.sequenceLayout(SLOTS, MemoryLayout.structLayout(
                    JAVA_LONG.withName("pid"),
                    JAVA_LONG.withName("startTime"))).withName("holders"),
            MemoryLayout.paddingLayout(TABLE - 256 - SLOTS * 16L));

    /** Pinned bit: the block is never freed while its creator lives. */
    public static final long PINNED = 1L << 63;

    /** Holder bits. */
    public static final long HOLDERS = (1L << SLOTS) - 1;

    /** One ticket in flight. */
    public static final long TICKET = 1L << SLOTS;

    /** Ticket bits. */
    public static final long TICKETS = 0xFFFL << SLOTS;

    /** Most tickets counted; one more pins the block. */
    public static final long MAX_TICKETS = 0xFFF;

    /** One generation. */
    public static final long GENERATION = 1L << 52;

    /** Generation bits. */
    public static final long GENERATIONS = 0x7FFL << 52;

    // Raw element handles at the fields' offsets (SegmentHeaderLayout says why).
    private static final long SHIFT_AT = LAYOUT.byteOffset(groupElement("granuleShift"));
    private static final long ENTRIES_AT = LAYOUT.byteOffset(groupElement("entries"));
    private static final long PAYLOAD_AT = LAYOUT.byteOffset(groupElement("payloadStart"));
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final long SLOT_PID = LAYOUT.byteOffset(groupElement("holders"), sequenceElement(0),
            groupElement("pid"));
    private static final long SLOT_START = LAYOUT.byteOffset(groupElement("holders"), sequenceElement(0),
            groupElement("startTime"));
    private static final long SLOT_STRIDE = 16;
    private static final VarHandle LONG = JAVA_LONG.varHandle();

    static {
        if (LAYOUT.byteSize() != TABLE) {
            throw new AssertionError("arena header size=" + LAYOUT.byteSize() + " (expected " + TABLE + ")");
        }
    }

    private HeapArenaLayout() {
    }

    /**
     * {@return the first payload byte of an arena} Regular arenas put the state table before it, large ones a
     * single word.
     *
     * @param size      the arena's size
     * @param shift     {@link #GRANULE_SHIFT} or {@link #SINGLE_SHIFT}
     * @param alignment the payload's alignment, a power of two up to 4096
     */
    public static long payloadStart(long size, int shift, long alignment) {
        long entries = entries(size, shift);
        long end = TABLE + entries * 8;
        return (end + Math.max(4096, alignment) - 1) & -Math.max(4096, alignment);
    }

    private static long entries(long size, int shift) {
        return shift == SINGLE_SHIFT ? 1 : (size + (1L << shift) - 1) >> shift;
    }

    /**
     * Writes the arena fields of a new arena; call before {@link SegmentHeaderLayout#write} (whose magic publishes
     * them).
     *
     * @param segment the whole arena, zero
     * @param shift   {@link #GRANULE_SHIFT} or {@link #SINGLE_SHIFT}
     * @param payload the payload start from {@link #payloadStart}
     */
    public static void write(MemorySegment segment, int shift, long payload) {
        INT.set(segment, SHIFT_AT, shift);
        INT.set(segment, ENTRIES_AT, (int) entries(segment.byteSize(), shift));
        LONG.set(segment, PAYLOAD_AT, payload);
        LONG.set(segment, SLOT_PID, ProcessIdentity.pid());
        LONG.set(segment, SLOT_START, ProcessIdentity.startTime());
    }

    /**
     * Checks the arena fields of a segment whose header {@link SegmentHeaderLayout#verify} accepted.
     *
     * @param name    the segment name, for messages
     * @param segment the whole arena
     * @throws IllegalArgumentException naming the mismatch
     */
    public static void verify(String name, MemorySegment segment) {
        int shift = shift(segment);
        long entries = (int) INT.get(segment, ENTRIES_AT);
        long payload = (long) LONG.get(segment, PAYLOAD_AT);
        if ((shift != GRANULE_SHIFT && shift != SINGLE_SHIFT) || entries != entries(segment.byteSize(), shift)
                || payload < TABLE + entries * 8 || payload > segment.byteSize()) {
            throw new IllegalArgumentException("heap arena " + name + " shift=" + shift + " entries=" + entries
                    + " payload=" + payload + " (expected shift " + GRANULE_SHIFT + " or " + SINGLE_SHIFT + " and a"
                    + " state table that fits the " + segment.byteSize() + "-byte segment)");
        }
    }

    /** {@return the granule shift} @param segment the whole arena */
    public static int shift(MemorySegment segment) {
        return (int) INT.get(segment, SHIFT_AT);
    }

    /** {@return the payload start} @param segment the whole arena */
    public static long payload(MemorySegment segment) {
        return (long) LONG.get(segment, PAYLOAD_AT);
    }

    /**
     * {@return the offset of the state word of the block at {@code offset}}
     * @param shift  the arena's granule shift
     * @param offset the block's offset
     */
    public static long stateOffset(int shift, long offset) {
        return TABLE + (offset >> shift) * 8;
    }

    /** {@return the offset of a slot's pid} @param slot the slot */
    public static long slotPid(int slot) {
        return SLOT_PID + slot * SLOT_STRIDE;
    }

    /** {@return the offset of a slot's start time} @param slot the slot */
    public static long slotStart(int slot) {
        return SLOT_START + slot * SLOT_STRIDE;
    }

    /** {@return the state table's entry count} @param segment the whole arena */
    public static int entries(MemorySegment segment) {
        return (int) INT.get(segment, ENTRIES_AT);
    }
}

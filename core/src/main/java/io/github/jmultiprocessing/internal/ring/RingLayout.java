package io.github.jmultiprocessing.internal.ring;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The bytes of a ring ({@link SpscRing}): a 640-byte control block, each independently written group in a 128-byte
 * slot of its own, then the data area of records.
 *
 * <pre>
 *   control block
 *   0     +-----------------+-----------------+-----------------+---------------------------------- pad to 128
 *         | tail            | link at         | head cache      |                    (the writer's)
 *         +-----------------+-----------------+-----------------+----------------------------------
 *         0                 8                 16                24
 *   128   +-----------------+-----------------+-----------------+-----------------+---------------- pad to 256
 *         | head            | remaining       | consuming       | dropping        |  (the reader's)
 *         +-----------------+-----------------+-----------------+-----------------+----------------
 *         128               136               144               152               160
 *   256   | data seq | data waiters |                          the reader waits here for a message
 *   384   | space seq | space waiters |                        the writer waits here for room
 *   512   +---------+----------+---------+-------+-------------+-------------------------------------+
 *         | magic   | capacity | flags   | pad   | next length | next name (108 bytes)               |
 *         +---------+----------+---------+-------+-------------+-------------------------------------+
 *         512       516        520       524     528           532                                   640
 *   640   data: capacity bytes (a power of two) of records, each 8-aligned; a record never wraps
 *
 *   tail:        bytes ever written (the writer's position)
 *   link at:     1 + the position of the LINK record once a writer started to write it (0 before)
 *   head cache:  the head as the writer last read it (the reader's line is fetched only when that is not enough)
 *   head:        bytes ever consumed (the reader's position)
 *   remaining:   the bytes of the message being read still to come, so that a reader taking over from a dead one
 *                can skip them
 *   consuming:   (chained rings) where the head goes once the record being consumed is cleared
 *   dropping:    (pipe rings) 1 while the reader drops the MORE pieces of a message whose record failed its
 *                checksum
 *   data seq, data waiters, space seq, space waiters: the event counts of {@code WaitCore}
 *   magic:       "JMPR", written last by the creator; capacity: of the data area; flags: {@link #CHAINED},
 *                {@link #CHECKSUM}
 *   next length, next name: the UTF-8 name of the ring a LINK record points to (chained rings)
 *
 *   record (at an 8-aligned index of the data area)
 *   +---------+---------+------------------------------------------+-----------+--- pad to 8
 *   | length  | kind    | payload (length bytes)                   | CRC32C    |
 *   +---------+---------+------------------------------------------+-----------+---
 *   0         4         8                                  8 + length        12 + length
 *   header: one 8-byte word, published with release semantics (zero until then)
 *   CRC32C: in a {@link #CHECKSUM} ring only, unaligned, of the 8 header bytes and the payload; not in PAD and
 *           LINK records
 *   a FIRST record's payload starts with the message's total length (a long, 8 bytes)
 *
 *   kinds: {@link #WHOLE} a message; {@link #FIRST} the first piece of a message too big for one record;
 *          {@link #MORE} the next piece; {@link #PAD} filler up to the end of the data area; {@link #ABORT} the
 *          message in pieces before it is abandoned (its writer died); {@link #LINK} the writer went on in the
 *          ring named in the control block
 * </pre>
 *
 * <p>There is no version word: a ring lives in a segment that starts with the segment header (a queue's ring
 * segment, after its header; a pipe's, after the pipe's header), whose layout version covers the ring's format.
 */
public final class RingLayout {

    /** "JMPR", read as a native int. */
    public static final int MAGIC = 0x4A4D_5052;

    /** Flag: a chained ring (a queue's), of whole records that end in a LINK record. */
    public static final int CHAINED = 1;

    /** Flag: every record but PAD and LINK carries a CRC32C trailer. */
    public static final int CHECKSUM = 2;

    /** Record kind: a whole message. */
    public static final int WHOLE = 1;

    /** Record kind: the first piece of a message in pieces; its payload starts with the total length. */
    public static final int FIRST = 2;

    /** Record kind: the next piece of a message in pieces. */
    public static final int MORE = 3;

    /** Record kind: filler up to the end of the data area (a record never wraps). */
    public static final int PAD = 4;

    /** Record kind: the message in pieces before it is abandoned (its writer died). */
    public static final int ABORT = 5;

    /** Record kind: the end of a chained ring; the writer went on in the ring named in the control block. */
    public static final int LINK = 6;

    /** Bytes of the next ring's name. */
    public static final int NEXT_NAME_BYTES = 108;

    private static final long SLOT = 128;

    /** The control block as a struct; the data area follows it. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("tail"),
            JAVA_LONG.withName("linkAt"),
            JAVA_LONG.withName("headCache"),
            MemoryLayout.paddingLayout(SLOT - 24),
            JAVA_LONG.withName("head"),
            JAVA_LONG.withName("remaining"),
            JAVA_LONG.withName("consuming"),
            JAVA_LONG.withName("dropping"),
            MemoryLayout.paddingLayout(SLOT - 32),
            JAVA_INT.withName("dataSeq"),
            JAVA_INT.withName("dataWaiters"),
            MemoryLayout.paddingLayout(SLOT - 8),
            JAVA_INT.withName("spaceSeq"),
            JAVA_INT.withName("spaceWaiters"),
            MemoryLayout.paddingLayout(SLOT - 8),
            JAVA_INT.withName("magic"),
            JAVA_INT.withName("capacity"),
            JAVA_INT.withName("flags"),
            MemoryLayout.paddingLayout(4),
            JAVA_INT.withName("nextLength"),
            MemoryLayout.sequenceLayout(NEXT_NAME_BYTES, JAVA_BYTE).withName("nextName"));

    /** Offset of the tail: bytes ever written. */
    public static final long TAIL = offset("tail");
    /** Offset of 1 + the position of the LINK record once a writer started to write it. */
    public static final long LINK_AT = offset("linkAt");
    /** Offset of the head as the writer last read it. */
    public static final long HEAD_CACHE = offset("headCache");
    /** Offset of the head: bytes ever consumed. */
    public static final long HEAD = offset("head");
    /** Offset of the bytes of the message being read still to come. */
    public static final long REMAINING = offset("remaining");
    /** Offset of where the head goes once the record being consumed is cleared (chained rings). */
    public static final long CONSUMING = offset("consuming");
    /** Offset of the word that is 1 while the reader drops the rest of a message that failed its checksum. */
    public static final long DROPPING = offset("dropping");
    /** Offset of the event count the reader waits on for a message. */
    public static final long DATA_SEQ = offset("dataSeq");
    /** Offset of its waiter count. */
    public static final long DATA_WAITERS = offset("dataWaiters");
    /** Offset of the event count the writer waits on for room. */
    public static final long SPACE_SEQ = offset("spaceSeq");
    /** Offset of its waiter count. */
    public static final long SPACE_WAITERS = offset("spaceWaiters");
    /** Offset of the magic. */
    public static final long MAGIC_OFFSET = offset("magic");
    /** Offset of the data area's capacity. */
    public static final long CAPACITY_OFFSET = offset("capacity");
    /** Offset of the flags. */
    public static final long FLAGS = offset("flags");
    /** Offset of the length of the next ring's name. */
    public static final long NEXT_LENGTH = offset("nextLength");
    /** Offset of the next ring's name. */
    public static final long NEXT_NAME = offset("nextName");
    /** Offset of the data area: the size of the control block. */
    public static final long DATA = LAYOUT.byteSize();

    /** A record's header: one 8-byte word, its publication. */
    public static final StructLayout RECORD_HEADER = MemoryLayout.structLayout(
            JAVA_INT.withName("length"),
            JAVA_INT.withName("kind"));

    /** Bytes of a record's header; the payload follows it. */
    public static final int HEADER = (int) RECORD_HEADER.byteSize();
    /** Offset of the payload length within a record. */
    public static final long LENGTH = RECORD_HEADER.byteOffset(groupElement("length"));
    /** Offset of the kind within a record. */
    public static final long KIND = RECORD_HEADER.byteOffset(groupElement("kind"));
    /** Bytes of the total length at the start of a FIRST record's payload. */
    public static final int FIRST_TOTAL = (int) JAVA_LONG.byteSize();
    /** Bytes of the CRC32C after the payload of a record in a {@link #CHECKSUM} ring. */
    public static final int TRAILER = (int) JAVA_INT.byteSize();

    static {
        if (DATA != 5 * SLOT) {
            throw new AssertionError("ring control block size=" + DATA + " (expected " + 5 * SLOT + ")");
        }
    }

    private RingLayout() {
    }

    private static long offset(String name) {
        return LAYOUT.byteOffset(groupElement(name));
    }
}

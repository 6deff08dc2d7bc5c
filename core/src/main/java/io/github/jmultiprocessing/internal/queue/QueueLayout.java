package io.github.jmultiprocessing.internal.queue;

import io.github.jmultiprocessing.internal.ring.EndHoldersLayout;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.github.jmultiprocessing.internal.ring.SpscRing;
import io.github.jmultiprocessing.internal.shm.SegmentHeaderLayout;
import io.github.jmultiprocessing.internal.sync.LockLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * The bytes of a queue's segments ({@link QueueChannel}): its header segment of 1,408 bytes, each independently
 * written group in a 128-byte slot of its own, and the segments of its chain of rings.
 *
 * <pre>
 *   header segment
 *   0     segment header ({@link SegmentHeaderLayout}, kind {@link SegmentHeaderLayout#KIND_QUEUE}: magic, layout
 *         version, kind, size, creator pid, creator start time)
 *   128   +-------+---------+----------+----------+--------+-- pad to 256
 *         | flags | maxsize | firstCap | shutdown | broken |
 *         +-------+---------+----------+----------+--------+--
 *         128     132       136        140        144
 *   256   producers' lock ({@link LockLayout})
 *   384   consumers' lock ({@link LockLayout})
 *   512   | puts (long) | write gen (long) | data seq | data waiters |       (written by producers)
 *   640   | gets (long) | read gen (long)  | not-full seq | not-full waiters | (written by consumers)
 *   768   | unfinished | join seq | join waiters |                          (joinable queues)
 *   896   holders' lock ({@link LockLayout})
 *   1024  | tickets | gone | pinned |
 *   1152  holders ({@link EndHoldersLayout}: {@link EndHoldersLayout#SLOTS} slots of pid and count), to 1408
 *
 *   ring segment "name-gen" (gen 0, 1, ...: the chain)
 *   0     segment header (kind {@link SegmentHeaderLayout#KIND_QUEUE_RING}), written by the producer that made it
 *   128   the ring ({@link io.github.jmultiprocessing.internal.ring.RingLayout}, chained), to the segment's end
 *
 *   flags: {@link #JOINABLE}, {@link #CHECKSUM}; maxsize: 0 = unbounded
 *   shutdown: {@link #OPEN}, or {@link #SHUT_DOWN} once {@code shutdown()} was called (never goes back); written
 *             once, under the producers' lock, read by every put and by consumers that find the queue empty
 *   broken:   0, or the pid of the process that found the queue's memory corrupt ({@link io.github.jmultiprocessing.internal.ring.CorruptRingException}:
 *             a ring position, record or link no put can have written, or messages counted and none at the head);
 *             set once by compare-and-set, never goes back; every put and get reads it (acquire) and then throws,
 *             and it is one of the conditions blocked puts and gets wait for, so they end too
 *   puts, gets: messages ever put and taken; write gen, read gen: the rings producers write and consumers read
 *   data seq/waiters: consumers of an empty queue wait here; not-full seq/waiters: producers of a full bounded
 *             queue wait here; join seq/waiters: {@code join()} waits here (the event counts of WaitCore)
 *   tickets: handles in flight; gone: 1 once unlinked; pinned: 1 once more processes held it than the table has
 *             slots (it then lives until its creator exits)
 * </pre>
 *
 * <p>The queue's layout is versioned by the segment header's {@link SegmentHeaderLayout#LAYOUT_VERSION}. Before
 * version 3 the header segment began with a magic "JMPQ", a version of its own (1 added {@code version} and
 * {@code shutdown}; 2 the {@link #CHECKSUM} flag; 3 {@code broken}) and the owner's pid and start time, and a ring
 * segment began with its control block; version 3 replaced those four words by the segment header in front of both.
 */
public final class QueueLayout {

    /** Flag: the queue counts unfinished tasks. */
    public static final int JOINABLE = 1;

    /** Flag: every message carries a CRC32C, checked before it is delivered (its rings are made with it too). */
    public static final int CHECKSUM = 2;

    /** {@code shutdown} word: the queue takes puts. */
    public static final int OPEN = 0;

    /** {@code shutdown} word: {@code shutdown()} was called; puts are refused, gets drain what is left. */
    public static final int SHUT_DOWN = 1;

    private static final long SLOT = 128;

    /** The header segment as a struct. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            SegmentHeaderLayout.LAYOUT.withName("segment"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("maxsize"),
            JAVA_INT.withName("firstCapacity"),
            JAVA_INT.withName("shutdown"),
            JAVA_INT.withName("broken"),
            MemoryLayout.paddingLayout(SLOT - 20),
            LockLayout.LAYOUT.withName("producers"),
            LockLayout.LAYOUT.withName("consumers"),
            JAVA_LONG.withName("puts"),
            JAVA_LONG.withName("writeGen"),
            JAVA_INT.withName("dataSeq"),
            JAVA_INT.withName("dataWaiters"),
            MemoryLayout.paddingLayout(SLOT - 24),
            JAVA_LONG.withName("gets"),
            JAVA_LONG.withName("readGen"),
            JAVA_INT.withName("notFullSeq"),
            JAVA_INT.withName("notFullWaiters"),
            MemoryLayout.paddingLayout(SLOT - 24),
            JAVA_INT.withName("unfinished"),
            JAVA_INT.withName("joinSeq"),
            JAVA_INT.withName("joinWaiters"),
            MemoryLayout.paddingLayout(SLOT - 12),
            LockLayout.LAYOUT.withName("holdersLock"),
            JAVA_INT.withName("tickets"),
            JAVA_INT.withName("gone"),
            JAVA_INT.withName("pinned"),
            MemoryLayout.paddingLayout(SLOT - 12),
            EndHoldersLayout.LAYOUT.withName("holders"));

    /** Size of the header segment. */
    public static final long SIZE = LAYOUT.byteSize();

    /** Offset of the ring in a ring segment: after the segment header. */
    public static final long RING = SegmentHeaderLayout.SIZE;

    /** Offset of the flags. */
    public static final long FLAGS = offset("flags");
    /** Offset of the bound, 0 for none. */
    public static final long MAXSIZE = offset("maxsize");
    /** Offset of the first ring's capacity. */
    public static final long FIRST_CAPACITY = offset("firstCapacity");
    /** Offset of the shutdown word. */
    public static final long SHUTDOWN = offset("shutdown");
    /** Offset of the broken word: 0, or the pid of the process that found the queue corrupt. */
    public static final long BROKEN = offset("broken");
    /** Offset of the producers' lock. */
    public static final long PRODUCERS = offset("producers");
    /** Offset of the consumers' lock. */
    public static final long CONSUMERS = offset("consumers");
    /** Offset of the count of messages ever put. */
    public static final long PUTS = offset("puts");
    /** Offset of the generation of the ring producers write. */
    public static final long WRITE_GEN = offset("writeGen");
    /** Offset of the event count consumers of an empty queue wait on. */
    public static final long DATA_SEQ = offset("dataSeq");
    /** Offset of its waiter count. */
    public static final long DATA_WAITERS = offset("dataWaiters");
    /** Offset of the count of messages ever taken. */
    public static final long GETS = offset("gets");
    /** Offset of the generation of the ring consumers read. */
    public static final long READ_GEN = offset("readGen");
    /** Offset of the event count producers of a full queue wait on. */
    public static final long NOT_FULL_SEQ = offset("notFullSeq");
    /** Offset of its waiter count. */
    public static final long NOT_FULL_WAITERS = offset("notFullWaiters");
    /** Offset of the count of unfinished tasks. */
    public static final long UNFINISHED = offset("unfinished");
    /** Offset of the event count {@code join()} waits on. */
    public static final long JOIN_SEQ = offset("joinSeq");
    /** Offset of its waiter count. */
    public static final long JOIN_WAITERS = offset("joinWaiters");
    /** Offset of the holders' lock. */
    public static final long HOLDERS_LOCK = offset("holdersLock");
    /** Offset of the count of handles in flight. */
    public static final long TICKETS = offset("tickets");
    /** Offset of the gone flag. */
    public static final long GONE = offset("gone");
    /** Offset of the pinned flag. */
    public static final long PINNED = offset("pinned");
    /** Offset of the holders' table. */
    public static final long HOLDERS = offset("holders");

    private QueueLayout() {
    }

    private static long offset(String name) {
        return LAYOUT.byteOffset(groupElement(name));
    }

    /** {@return the bytes of a ring segment} @param capacity the ring's capacity, a power of two */
    public static long ringSegmentSize(int capacity) {
        return RING + SpscRing.size(capacity);
    }

    /**
     * Checks that a mapped segment holds a queue header of this layout version.
     *
     * @param name   the segment name, for messages
     * @param memory the whole segment
     * @throws IllegalArgumentException if it is too small, not a queue, or of another version
     */
    public static void verify(String name, MemorySegment memory) {
        SegmentHeaderLayout.verify(name, memory, SegmentHeaderLayout.KIND_QUEUE);
        if (memory.byteSize() < SIZE) {
            throw new IllegalArgumentException("segment " + name + " size=" + memory.byteSize()
                    + " (expected >= " + SIZE + " for a queue)");
        }
    }
}

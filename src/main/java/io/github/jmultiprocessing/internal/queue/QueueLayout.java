package io.github.jmultiprocessing.internal.queue;

import io.github.jmultiprocessing.internal.ring.EndHoldersLayout;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.github.jmultiprocessing.internal.sync.LockLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * The bytes of a queue's header segment ({@link QueueChannel}): 1,280 bytes, each independently written group in a
 * 128-byte slot of its own.
 *
 * <pre>
 *   0     +-------+-------+---------+----------+------------+--------------+---------+----------+--------+-- pad
 *         | magic | flags | maxsize | firstCap | owner pid  | owner start  | version | shutdown | broken |   to 128
 *         +-------+-------+---------+----------+------------+--------------+---------+----------+--------+--
 *         0       4       8         12         16           24             32        36         40       44
 *   128   producers' lock ({@link LockLayout})
 *   256   consumers' lock ({@link LockLayout})
 *   384   | puts (long) | write gen (long) | data seq | data waiters |       (written by producers)
 *   512   | gets (long) | read gen (long)  | not-full seq | not-full waiters | (written by consumers)
 *   640   | unfinished | join seq | join waiters |                          (joinable queues)
 *   768   holders' lock ({@link LockLayout})
 *   896   | tickets | gone | pinned |
 *   1024  holders ({@link EndHoldersLayout}: {@link EndHoldersLayout#SLOTS} slots of pid and count), to 1280
 *
 *   magic: "JMPQ", written last by the creator; flags: {@link #JOINABLE}, {@link #CHECKSUM}; maxsize: 0 = unbounded
 *   version: {@link #VERSION}, checked on attach
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
 * <p>Version 1 is the first versioned layout: it added {@code version} and {@code shutdown} in bytes of the first
 * slot that were zero before, without moving any other field. Version 2 added the {@link #CHECKSUM} flag: its rings'
 * records may carry a CRC32C, which a version 1 reader would take for payload. Version 3 added {@code broken} (in
 * bytes that were zero), which a version 2 process would not read: it would wait on a broken queue.
 */
public final class QueueLayout {

    /** "JMPQ", read as a native int. */
    public static final int MAGIC = 0x4A4D_5051;

    /** The queue layout's version; bumped on any incompatible change. */
    public static final int VERSION = 3;

    /** Flag: the queue counts unfinished tasks. */
    public static final int JOINABLE = 1;

    /** Flag: every message carries a CRC32C, checked before it is delivered (its rings are made with it too). */
    public static final int CHECKSUM = 2;

    /** {@code shutdown} word: the queue takes puts. */
    public static final int OPEN = 0;

    /** {@code shutdown} word: {@code shutdown()} was called; puts are refused, gets drain what is left. */
    public static final int SHUT_DOWN = 1;

    private static final long SLOT = 128;

    /** The header as a struct. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("magic"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("maxsize"),
            JAVA_INT.withName("firstCapacity"),
            JAVA_LONG.withName("ownerPid"),
            JAVA_LONG.withName("ownerStart"),
            JAVA_INT.withName("version"),
            JAVA_INT.withName("shutdown"),
            JAVA_INT.withName("broken"),
            MemoryLayout.paddingLayout(SLOT - 44),
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

    /** Offset of the magic. */
    public static final long MAGIC_OFFSET = offset("magic");
    /** Offset of the flags. */
    public static final long FLAGS = offset("flags");
    /** Offset of the bound, 0 for none. */
    public static final long MAXSIZE = offset("maxsize");
    /** Offset of the first ring's capacity. */
    public static final long FIRST_CAPACITY = offset("firstCapacity");
    /** Offset of the creator's pid. */
    public static final long OWNER_PID = offset("ownerPid");
    /** Offset of the creator's start time. */
    public static final long OWNER_START = offset("ownerStart");
    /** Offset of the layout version. */
    public static final long VERSION_OFFSET = offset("version");
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

    /**
     * Checks that a mapped segment holds a queue header of this layout version.
     *
     * @param name   the segment name, for messages
     * @param memory the whole segment
     * @throws IllegalArgumentException if it is too small, not a queue, or of another version
     */
    public static void verify(String name, MemorySegment memory) {
        if (memory.byteSize() < SIZE) {
            throw new IllegalArgumentException("segment " + name + " size=" + memory.byteSize()
                    + " (expected >= " + SIZE + " for a queue)");
        }
        int magic = memory.get(JAVA_INT, MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new IllegalArgumentException("segment " + name + " magic=0x" + Integer.toHexString(magic)
                    + " (expected 0x" + Integer.toHexString(MAGIC) + ": it does not hold a queue)");
        }
        int version = memory.get(JAVA_INT, VERSION_OFFSET);
        if (version != VERSION) {
            throw new IllegalArgumentException("segment " + name + " queue layout version=" + version
                    + " (expected " + VERSION + ": made by another version of the library)");
        }
    }
}

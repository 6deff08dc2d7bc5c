package io.github.jmultiprocessing.internal.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.github.jmultiprocessing.internal.config.Configuration;
import io.github.jmultiprocessing.internal.sync.LockWord;
import io.github.jmultiprocessing.internal.sync.Waiting;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32C;

/**
 * A single-producer single-consumer ring of messages in shared memory: one direction of a pipe, or one ring of a
 * queue's chain. The bytes are described by {@link RingLayout}: a control block (the writer's tail, the reader's
 * head, a waiting word per side, magic, capacity, flags and the next ring's name, each written group in a 128-byte
 * slot of its own), then a data area of records (header word, payload, CRC32C trailer in a CHECKSUM ring).
 *
 * <p>Two modes. A pipe ring ({@link #create}) carries any message, in pieces if it is large, and a writer waits
 * for room. A chained ring ({@link #createChained}, for queues) carries only whole records and never makes a
 * writer wait: {@link #tryWrite} fails when there is no room, and the writer then goes on in a new ring, ending
 * this one with a LINK record (room for which is always kept). A reader records where the head is going
 * ({@code CONSUMING}) before it clears a record, so one taking over from a dead reader finishes the clearing
 * ({@link #recoverAfterDeadReader}).
 *
 * <p>Implementation notes. The producer writes a record's payload, then publishes the record by its 8-byte
 * header, written with release semantics, then stores {@code tail} (volatile; with release semantics for a whole
 * record of a ring whose caller signals after its lock, {@link #signalAfterUnlock}); the consumer polls the header at
 * {@code head} (zero until published), reads the record, clears every byte of it and hands the room back by
 * storing {@code head}. So the data area is zero except for unread records, the consumer never reads the
 * producer's {@code tail}, and the producer reads {@code head} only when its last reading of it leaves too little
 * room. A writer that takes over from a dead one first repairs the tail ({@link #repairTail}): the dead one may have
 * published a record and died before storing the tail, or died copying a payload and left its bytes past the
 * tail, which the repair clears so that the data area is zero there again. The volatile stores (or a fence, or the
 * caller's lock release after {@link #signalAfterUnlock}) order the position before the waiter count is read in
 * {@link WaitCore#signal}, so a wake-up is never lost. A record never wraps: one that does not fit before the end is preceded by a PAD record. A message
 * larger than {@link #maxPiece()} travels as FIRST + MORE records; once its first piece is written the producer
 * finishes it whatever happens (no timeout, no interrupt), so that a consumer never waits on half a message from a
 * live producer. Non-invariant: a producer that dies in the middle of a message leaves pieces that the consumer
 * discards once it sees the producer gone. Every position, length and kind read is checked, by both sides: corrupt
 * memory ends in {@link StreamCorruptedException}, never in an access outside the ring, and a reader that waits
 * checks once a wait slice that its head is not stuck where no record will come (see {@code stuck()}). Bytes that
 * look like a record are delivered as they are unless the ring was made with CHECKSUM: then every record but PAD and
 * LINK carries a CRC32C of its header and payload, written before the header is published and checked before the
 * message is delivered ({@link ChecksumMismatch}, the record consumed; in a pipe ring the reader then drops the MORE
 * records that follow, the rest of that message if it was in pieces, up to the next message, so that the next read
 * goes on with whole messages). It detects accidental corruption and a
 * writer that does not recompute it, not a process that does. Non-invariants: a corrupt total length in a
 * well-formed first piece makes the reader wait for pieces until the writer is gone; without CHECKSUM a corrupt
 * length or payload is delivered as it is.
 */
public final class SpscRing {

    private static final VarHandle LONG = JAVA_LONG.varHandle();
    // The bytes ({@link RingLayout}): offsets in the control block, then of a record's fields, kinds and flags.
    private static final long TAIL = RingLayout.TAIL;
    private static final long LINK_AT = RingLayout.LINK_AT;
    private static final long HEAD_CACHE = RingLayout.HEAD_CACHE;
    private static final long HEAD = RingLayout.HEAD;
    private static final long REMAINING = RingLayout.REMAINING;
    private static final long CONSUMING = RingLayout.CONSUMING;
    private static final long DROPPING = RingLayout.DROPPING;
    private static final long DATA_SEQ = RingLayout.DATA_SEQ;
    private static final long DATA_WAITERS = RingLayout.DATA_WAITERS;
    private static final long SPACE_SEQ = RingLayout.SPACE_SEQ;
    private static final long SPACE_WAITERS = RingLayout.SPACE_WAITERS;
    private static final long MAGIC_OFFSET = RingLayout.MAGIC_OFFSET;
    private static final long CAPACITY_OFFSET = RingLayout.CAPACITY_OFFSET;
    private static final long FLAGS = RingLayout.FLAGS;
    private static final long NEXT_LENGTH = RingLayout.NEXT_LENGTH;
    private static final long NEXT_NAME = RingLayout.NEXT_NAME;
    private static final long DATA = RingLayout.DATA;
    private static final int MAGIC = RingLayout.MAGIC;
    private static final int CHAINED = RingLayout.CHAINED;
    private static final int CHECKSUM = RingLayout.CHECKSUM;
    private static final int HEADER = RingLayout.HEADER;
    private static final long LENGTH = RingLayout.LENGTH;
    private static final long KIND = RingLayout.KIND;
    private static final int TOTAL = RingLayout.FIRST_TOTAL;
    private static final int TRAILER = RingLayout.TRAILER;
    private static final int WHOLE = RingLayout.WHOLE;
    private static final int FIRST = RingLayout.FIRST;
    private static final int MORE = RingLayout.MORE;
    private static final int PAD = RingLayout.PAD;
    private static final int ABORT = RingLayout.ABORT;
    private static final int LINK = RingLayout.LINK;

    /** Longest name of a next ring, in bytes of UTF-8. */
    public static final int MAX_NEXT_NAME = RingLayout.NEXT_NAME_BYTES;

    /** What {@link #read} and {@link #peek} return for the end of a chained ring: go on in {@link #next()}. */
    public static final byte[] LINKED = new byte[0];

    /** Largest message, in bytes (what a Java array can hold). */
    public static final int MAX_MESSAGE = Integer.MAX_VALUE - 8;

    /** Smallest capacity. */
    public static final int MIN_CAPACITY = 64;

    private final MemorySegment memory;
    private final int capacity;
    private boolean handOff; // Waiting.until hand-offs: set once, before other threads use the ring
    private boolean signalAfterUnlock; // whole records: the caller signals after its lock's release (a full fence)
    private final long mask;
    private final boolean chained;
    private final int trailer; // TRAILER in a CHECKSUM ring, else 0
    private byte[] scratch; // the reader's copy of a record in a CHECKSUM ring: see checkedCopy
    private final java.nio.ByteBuffer data; // the data area as a buffer, for CRC32C (its intrinsic); null without

    private SpscRing(MemorySegment memory, int capacity, int flags) {
        this.memory = memory;
        this.capacity = capacity;
        this.mask = capacity - 1L;
        this.chained = (flags & CHAINED) != 0;
        this.trailer = (flags & CHECKSUM) != 0 ? TRAILER : 0;
        this.data = trailer == 0 ? null : memory.asSlice(DATA, capacity).asByteBuffer(); // one view, sliced per record
    }

    /** {@return true if {@code jmultiprocessing.checksum} asks for checksums in queues and pipes created now} */
    public static boolean checksumByDefault() {
        return Configuration.CHECKSUM.isOn();
    }

    /**
     * {@return the bytes a ring of this capacity occupies}
     *
     * @param capacity the data capacity: a power of two, at least {@value #MIN_CAPACITY}
     */
    public static long size(int capacity) {
        checkCapacity(capacity);
        return DATA + capacity;
    }

    /**
     * Formats an empty ring in zeroed memory.
     *
     * @param memory   at least {@link #size(int)} bytes, 8-byte aligned, all zero
     * @param capacity the data capacity
     * @return the ring
     */
    public static SpscRing create(MemorySegment memory, int capacity) {
        return create(memory, capacity, false);
    }

    /**
     * Formats an empty ring in zeroed memory.
     *
     * @param memory   at least {@link #size(int)} bytes, 8-byte aligned, all zero
     * @param capacity the data capacity
     * @param checksum true to carry a CRC32C in every record
     * @return the ring
     */
    public static SpscRing create(MemorySegment memory, int capacity, boolean checksum) {
        return format(memory, capacity, checksum ? CHECKSUM : 0);
    }

    /**
     * Formats an empty chained ring (for queues) in zeroed memory.
     *
     * @param memory   at least {@link #size(int)} bytes, 8-byte aligned
     * @param capacity the data capacity
     * @return the ring
     */
    public static SpscRing createChained(MemorySegment memory, int capacity) {
        return createChained(memory, capacity, false);
    }

    /**
     * Formats an empty chained ring (for queues) in zeroed memory.
     *
     * @param memory   at least {@link #size(int)} bytes, 8-byte aligned
     * @param capacity the data capacity
     * @param checksum true to carry a CRC32C in every record
     * @return the ring
     */
    public static SpscRing createChained(MemorySegment memory, int capacity, boolean checksum) {
        return format(memory, capacity, CHAINED | (checksum ? CHECKSUM : 0));
    }

    private static SpscRing format(MemorySegment memory, int capacity, int flags) {
        checkCapacity(capacity);
        if (memory.byteSize() < size(capacity)) {
            throw new IllegalArgumentException("memory=" + memory.byteSize() + " bytes (expected >= " + size(capacity)
                    + ")");
        }
        memory.asSlice(0, DATA).fill((byte) 0); // positions and wait words, whatever the memory held
        memory.set(JAVA_INT, CAPACITY_OFFSET, capacity);
        memory.set(JAVA_INT, FLAGS, flags);
        memory.set(JAVA_INT, MAGIC_OFFSET, MAGIC);
        VarHandle.fullFence();
        return new SpscRing(memory, capacity, flags);
    }

    /**
     * Attaches to a ring another process formatted.
     *
     * @param memory the ring's memory
     * @return the ring
     * @throws StreamCorruptedException if the memory does not hold a ring
     */
    /**
     * Makes this ring's waits hand-offs (or not), in this process: with one CPU a hand-off wait blocks at once
     * instead of spinning and yielding first ({@link Waiting}). Set before the ring is used by other threads.
     *
     * @param on true for hand-offs (a pipe's request and reply), false for a stream a yield helps (a pool's links)
     */
    public void handOffWaits(boolean on) {
        handOff = on;
    }

    /**
     * Leaves the wake-up for a whole message to the caller, in this process: a writer publishes a whole record's
     * tail with release semantics and does not read the readers' waiters count, and a reader that consumed a whole
     * record does not fence nor read the writers' waiters count; the caller then calls {@link #signalData} (writer)
     * or {@link #signalSpace} (reader) after a full fence of its own, the releasing compare-and-set of the lock it
     * holds around the write or read ({@link io.github.jmultiprocessing.internal.sync.LockWord#release}). Saves a
     * fence per message. Pieces of a longer message still signal one by one (the other side may wait for the next
     * one while this side holds its lock). Set before the ring is used by other threads.
     *
     * @param on true if every write and read of this ring in this process is followed by the signal
     */
    public void signalAfterUnlock(boolean on) {
        signalAfterUnlock = on;
    }

    /**
     * Wakes a reader waiting for a message, if one waits; after a full fence that follows the write (see
     * {@link #signalAfterUnlock}).
     */
    public void signalData() {
        WaitCore.signal(memory, DATA_SEQ, DATA_WAITERS, 1);
    }

    /**
     * Wakes a writer waiting for room, if one waits; after a full fence that follows the read (see
     * {@link #signalAfterUnlock}).
     */
    public void signalSpace() {
        WaitCore.signal(memory, SPACE_SEQ, SPACE_WAITERS, 1);
    }

    public static SpscRing attach(MemorySegment memory) throws StreamCorruptedException {
        if (memory.byteSize() < DATA + MIN_CAPACITY || memory.get(JAVA_INT, MAGIC_OFFSET) != MAGIC) {
            throw new CorruptRingException("memory does not hold a ring (magic or size wrong)");
        }
        int capacity = memory.get(JAVA_INT, CAPACITY_OFFSET);
        if (capacity < MIN_CAPACITY || Integer.bitCount(capacity) != 1 || DATA + capacity > memory.byteSize()) {
            throw new CorruptRingException("ring capacity=" + capacity + " (expected a power of two >= "
                    + MIN_CAPACITY + " that fits in " + memory.byteSize() + " bytes)");
        }
        return new SpscRing(memory, capacity, memory.get(JAVA_INT, FLAGS));
    }

    private static void checkCapacity(int capacity) {
        if (capacity < MIN_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity=" + capacity + " (expected a power of two >= " + MIN_CAPACITY
                    + ")");
        }
    }

    /** {@return the data capacity in bytes} */
    public int capacity() {
        return capacity;
    }

    /** {@return true if every record carries a CRC32C} */
    public boolean checksummed() {
        return trailer != 0;
    }

    /** {@return the largest payload of one record; larger messages travel in pieces} */
    public int maxPiece() {
        return capacity / 2 - HEADER - (trailer == 0 ? 0 : 8);
    }

    /** {@return the bytes a record of this payload length takes (not PAD or LINK)} */
    private long recordSize(long length) {
        return align(HEADER + length + trailer);
    }

    /**
     * {@return the capacity of the smallest chained ring an empty one of which takes a message of this length}
     *
     * @param length the message length
     * @throws IllegalArgumentException if no ring can hold it whole
     */
    public static int chainedCapacityFor(int length) {
        return chainedCapacityFor(length, false);
    }

    /**
     * {@return the capacity of the smallest chained ring an empty one of which takes a message of this length}
     *
     * @param length   the message length
     * @param checksum true if the ring carries a CRC32C in every record
     * @throws IllegalArgumentException if no ring can hold it whole
     */
    public static int chainedCapacityFor(int length, boolean checksum) {
        int trailer = checksum ? TRAILER : 0;
        long need = align(HEADER + (long) length + trailer) + HEADER; // the record and room for a LINK after it
        if (need > 1 << 30) {
            throw new IllegalArgumentException("message length=" + length + " (expected <= "
                    + ((1 << 30) - 2 * HEADER - (checksum ? 8 : 0)) + " bytes in a queue)");
        }
        return Math.max(MIN_CAPACITY, Integer.highestOneBit((int) need - 1) << 1);
    }

    // ---- producer side

    /**
     * Writes one message, waiting for room while the ring is full.
     *
     * @param src          the bytes
     * @param offset       where the message starts
     * @param length       its length, 0 or more
     * @param timeoutNanos the longest wait for room for the first piece; negative waits forever
     * @param readerGone   true once no reader will ever read; checked often while waiting, so it must be cheap
     * @return true if written, false if the first piece did not fit in time (nothing was written)
     * @throws InterruptedException if interrupted before the first piece was written
     * @throws IOException          if the reader is gone ({@link StreamCorruptedException} if the positions are
     *                              corrupt)
     */
    public boolean write(byte[] src, int offset, int length, long timeoutNanos, BooleanSupplier readerGone)
            throws InterruptedException, IOException {
        return write(src, offset, length, timeoutNanos, readerGone, readerGone);
    }

    /**
     * Writes one message, waiting for room while the ring is full; {@code stopBeforeStart} ends only the wait for
     * the first piece (once a message has started, only a reader that is gone ends it).
     *
     * @param src             the bytes
     * @param offset          where the message starts
     * @param length          its length, 0 or more
     * @param timeoutNanos    the longest wait for room for the first piece; negative waits forever
     * @param stopBeforeStart true to give up waiting for room for the first piece (reported as "broken pipe")
     * @param readerGone      true once no reader will ever read; checked often while waiting, so it must be cheap
     * @return true if written, false if the first piece did not fit in time (nothing was written)
     * @throws InterruptedException if interrupted before the first piece was written
     * @throws IOException          if the reader is gone, or stopped before the start
     */
    public boolean write(byte[] src, int offset, int length, long timeoutNanos, BooleanSupplier stopBeforeStart,
            BooleanSupplier readerGone) throws InterruptedException, IOException {
        BooleanSupplier beforeStart = () -> stopBeforeStart.getAsBoolean() || readerGone.getAsBoolean();
        java.util.Objects.checkFromIndexSize(offset, length, src.length);
        if (chained) {
            throw new IllegalStateException("a chained ring is written with tryWrite");
        }
        if (length > MAX_MESSAGE) {
            throw new IllegalArgumentException("message length=" + length + " (expected <= " + MAX_MESSAGE + ")");
        }
        int piece = maxPiece();
        if (length <= piece) {
            return writeRecord(WHOLE, -1, src, offset, length, timeoutNanos, true, beforeStart);
        }
        int first = piece - TOTAL;
        if (!writeRecord(FIRST, length, src, offset, first, timeoutNanos, true, beforeStart)) {
            return false;
        }
        for (int done = first; done < length; ) {
            int size = Math.min(piece, length - done);
            writeRecord(MORE, -1, src, offset + done, size, -1, false, readerGone);
            done += size;
        }
        return true;
    }

    /**
     * Marks the message in pieces that a dead writer left unfinished as abandoned, so that the reader drops it;
     * written by the writer that takes over. Harmless between messages. Waits for room as long as needed.
     *
     * @param readerGone true once no reader will ever read
     * @throws IOException if the reader is gone
     */
    public void writeAbort(BooleanSupplier readerGone) throws IOException {
        try {
            writeRecord(ABORT, -1, new byte[0], 0, 0, -1, false, readerGone);
        } catch (InterruptedException e) {
            throw new AssertionError("an uninterruptible write threw InterruptedException", e);
        }
    }

    /**
     * Writes one whole message into a chained ring if it fits now, keeping room for a LINK record.
     *
     * @param src    the bytes
     * @param offset where the message starts
     * @param length its length
     * @return true if written, false if there is no room (nothing was written)
     * @throws StreamCorruptedException if the positions are corrupt
     */
    public boolean tryWrite(byte[] src, int offset, int length) throws StreamCorruptedException {
        java.util.Objects.checkFromIndexSize(offset, length, src.length);
        return tryWrite(length, dst -> MemorySegment.copy(src, offset, dst, JAVA_BYTE, 0, length));
    }

    /**
     * Writes one whole message into a chained ring if it fits now, keeping room for a LINK record; the message is
     * written in place by {@code writer}. If the writer throws, nothing is published and the ring is unchanged.
     *
     * @param length the message length
     * @param writer writes exactly {@code length} bytes into the slice it is given
     * @return true if written, false if there is no room (nothing was written)
     * @throws StreamCorruptedException if the positions are corrupt
     */
    public boolean tryWrite(int length, RecordWriter writer) throws StreamCorruptedException {
        if (!chained) {
            throw new IllegalStateException("a pipe ring is written with write");
        }
        if (length < 0) {
            throw new IllegalArgumentException("length=" + length + " (expected >= 0)");
        }
        long need = recordSize(length);
        long tail = memory.get(JAVA_LONG, TAIL); // the writer's own word (a lock hands the role over)
        long index = tail & mask;
        long toEnd = capacity - index;
        long room = (toEnd < need ? toEnd + need : need) + HEADER; // and room for a LINK after it
        // The head as last read: the consumer's line is fetched only when that is not enough.
        if (room > free(tail)) {
            long head = (long) LONG.getAcquire(memory, HEAD);
            checkPositions(head, tail);
            memory.set(JAVA_LONG, HEAD_CACHE, head);
            if (room > capacity - (tail - head)) {
                return false;
            }
        }
        long at = toEnd < need ? 0 : index; // where the record goes (after padding to the end, if it must wrap)
        try {
            writer.write(memory.asSlice(DATA + at + HEADER, length));
        } catch (RuntimeException | Error e) {
            memory.asSlice(DATA + at + HEADER, length).fill((byte) 0); // the free area stays zero
            throw e;
        }
        if (trailer != 0) {
            seal(at, WHOLE, length); // before the header publishes the record
        }
        if (toEnd < need) {
            publishHeader(index, (int) toEnd - HEADER, PAD);
            tail += toEnd;
        }
        publishHeader(at, length, WHOLE); // the reader sees the record from here on
        LONG.setRelease(memory, TAIL, tail + need); // for the next writer, and for peek and forEach
        return true;
    }

    /**
     * {@return the room before the head as the writer last read it} The writer trusts its own positions no more
     * than the reader's: corrupt ones end here, not in a write out of place.
     */
    /**
     * {@return true if a message of {@code length} bytes fits whole now, so that writing it waits for nothing}
     * Conservative: room for the record twice over (a record that does not fit before the end is written after
     * padding up to it). For the writer (the room can only grow until it writes).
     *
     * @param length the message length
     * @throws StreamCorruptedException if the positions are corrupt
     */
    public boolean fitsNow(int length) throws StreamCorruptedException {
        long need = 2 * recordSize(length) + HEADER;
        long tail = memory.get(JAVA_LONG, TAIL);
        if (need <= free(tail)) {
            return true;
        }
        long head = (long) LONG.getAcquire(memory, HEAD);
        checkPositions(head, tail);
        memory.set(JAVA_LONG, HEAD_CACHE, head);
        return need <= capacity - (tail - head);
    }

    private long free(long tail) throws StreamCorruptedException {
        long head = memory.get(JAVA_LONG, HEAD_CACHE);
        if ((tail & 7) != 0 || tail - head < 0 || tail - head > capacity) {
            head = (long) LONG.getAcquire(memory, HEAD);
            checkPositions(head, tail);
            memory.set(JAVA_LONG, HEAD_CACHE, head);
        }
        return capacity - (tail - head);
    }

    /** Writes a record header as one 8-byte word with release semantics: the publication of a chained record. */
    private void publishHeader(long index, int length, int kind) {
        LONG.setRelease(memory, DATA + index, headerWord(length, kind));
    }

    /** {@return the header word of a record, as it lies in memory read as a native long} */
    private static long headerWord(int length, int kind) {
        return java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN
                ? (length & 0xFFFF_FFFFL) | (long) kind << 32 : (long) length << 32 | (kind & 0xFFFF_FFFFL);
    }

    /** {@return a CRC32C that has taken a record's header word: its 8 bytes, lowest first} */
    private static CRC32C crcOfHeader(int kind, int length) {
        CRC32C crc = new CRC32C();
        long word = headerWord(length, kind);
        for (int shift = 0; shift < 64; shift += 8) {
            crc.update((int) (word >>> shift));
        }
        return crc;
    }

    /** {@return the CRC32C of a record as it lies in ring memory: its header word, then its payload} */
    private int crc(long index, int kind, int length) {
        CRC32C crc = crcOfHeader(kind, length);
        crc.update(data.slice((int) index + HEADER, length)); // a view, not a copy: positions are its own
        return (int) crc.getValue();
    }

    /** Writes the CRC32C after a record's payload (the writer, before it publishes the header). */
    private void seal(long index, int kind, int length) {
        memory.set(JAVA_INT_UNALIGNED, DATA + index + HEADER + length, crc(index, kind, length));
    }

    /**
     * Checks the CRC32C of the record at {@code head} (of a checked length) in a CHECKSUM ring over ring memory; a
     * record that does not match is consumed (its bytes are not delivered) and reported. Only for records whose bytes
     * are not delivered (ABORT, pieces skipped): what is delivered is checked as a private copy, {@link #checkCopy}.
     */
    private void verify(long head, int kind, int length) throws ChecksumMismatch {
        if (trailer == 0) {
            return;
        }
        long index = head & mask;
        int stored = memory.get(JAVA_INT_UNALIGNED, DATA + index + HEADER + length);
        int computed = crc(index, kind, length);
        if (stored != computed) {
            throw mismatch(head, kind, length, stored, computed, true);
        }
    }

    /**
     * {@return the payload of the record at {@code head} (of a checked length) copied out of ring memory} In a
     * CHECKSUM ring the copy is checked, as {@link #checkCopy} does.
     */
    private byte[] copyOut(long head, int kind, int length, boolean consume) throws ChecksumMismatch {
        byte[] copy = new byte[length];
        MemorySegment.copy(memory, JAVA_BYTE, DATA + (head & mask) + HEADER, copy, 0, length);
        checkCopy(head, kind, length, copy, 0, consume);
        return copy;
    }

    /**
     * {@return the payload of the record at {@code head} copied into this reader's scratch buffer and checked} For
     * {@link #poll(RecordReader, Object)}: its reader reads the message before the next one is taken, and only the
     * ring's one reader (under its lock) calls it. Records above {@link #SCRATCH_MAX} get an array of their own.
     */
    private MemorySegment checkedCopy(long head, int kind, int length) throws ChecksumMismatch {
        if (length > SCRATCH_MAX) {
            return MemorySegment.ofArray(copyOut(head, kind, length, true));
        }
        byte[] copy = scratch;
        if (copy == null || copy.length < length) {
            scratch = copy = new byte[Math.max(length, Math.min(SCRATCH_MAX, 2 * (copy == null ? 256 : copy.length)))];
        }
        MemorySegment.copy(memory, JAVA_BYTE, DATA + (head & mask) + HEADER, copy, 0, length);
        checkCopy(head, kind, length, copy, 0, true);
        return MemorySegment.ofArray(copy).asSlice(0, length);
    }

    /** The largest record a reader's scratch buffer takes: 64 KiB (it is kept while the ring is). */
    private static final int SCRATCH_MAX = 1 << 16;

    /**
     * In a CHECKSUM ring, checks the CRC32C of a record's payload already copied out of ring memory into
     * {@code copy} at {@code offset}: what is checked is what is delivered, so a write into the ring after the copy
     * (another process, corrupt or hostile) cannot reach the reader, and one before it is caught. A record that does
     * not match is dropped: consumed and reported if {@code consume}, else only reported (peek, forEach).
     */
    private void checkCopy(long head, int kind, int length, byte[] copy, int offset, boolean consume)
            throws ChecksumMismatch {
        if (trailer == 0) {
            return;
        }
        int stored = memory.get(JAVA_INT_UNALIGNED, DATA + (head & mask) + HEADER + length);
        CRC32C crc = crcOfHeader(kind, length);
        crc.update(copy, offset, length);
        int computed = (int) crc.getValue();
        if (stored != computed) {
            throw mismatch(head, kind, length, stored, computed, consume);
        }
    }

    /** Drops a record whose CRC32C does not match; {@return the exception that reports it} */
    private ChecksumMismatch mismatch(long head, int kind, int length, int stored, int computed, boolean consume) {
        long index = head & mask;
        if (consume) {
            if (!chained) { // its other pieces, if it was in pieces, are dropped as they come (no length is trusted)
                memory.set(JAVA_LONG, DROPPING, 1L);
                LONG.setVolatile(memory, REMAINING, 0L);
            }
            consume(head, length);
        }
        return new ChecksumMismatch("corrupt ring: record kind=" + kind + " length=" + length + " at " + index
                + " checksum=0x" + Integer.toHexString(stored) + " (expected 0x" + Integer.toHexString(computed)
                + ": its header or payload was changed after it was written; the record is dropped)");
    }

    /** A record whose CRC32C does not match: dropped, not delivered; the records after it are fine. */
    public static final class ChecksumMismatch extends StreamCorruptedException {

        @java.io.Serial
        private static final long serialVersionUID = 1L;

        ChecksumMismatch(String message) {
            super(message);
        }
    }

    /**
     * {@return true if a chained ring's next record is published} Reads one word of the data area; does not
     * consume.
     */
    public boolean ready() {
        long head = memory.get(JAVA_LONG, HEAD);
        return (long) LONG.getAcquire(memory, DATA + (head & mask)) != 0;
    }

    /**
     * Takes the next message of a chained ring if there is one now; never waits.
     *
     * @return the message, {@link #LINKED} at the end of the ring (not consumed), or null if it is empty
     * @throws StreamCorruptedException if the ring's memory is corrupt
     */
    public byte[] poll() throws StreamCorruptedException {
        try {
            return poll(src -> src.toArray(JAVA_BYTE), LINKED);
        } catch (StreamCorruptedException e) {
            throw e;
        } catch (IOException e) {
            throw new AssertionError("copying bytes threw " + e, e);
        }
    }

    /**
     * Takes the next message of a chained ring if there is one now, read in place by {@code reader}; never waits.
     * The record is consumed even if the reader throws.
     *
     * @param reader reads the message from the read-only slice it is given
     * @param linked what to return at the end of the ring (the LINK record is not consumed)
     * @param <T>    what the reader makes
     * @return the reader's value, {@code linked}, or null if the ring is empty
     * @throws IOException if the ring's memory is corrupt ({@link StreamCorruptedException}) or the reader throws
     */
    public <T> T poll(RecordReader<T> reader, T linked) throws IOException {
        long head = memory.get(JAVA_LONG, HEAD); // the reader's own word (a lock hands the role over)
        if ((head & 7) != 0) {
            throw corrupt("ring head=" + head + " (expected a multiple of 8)");
        }
        while (true) {
            long index = head & mask;
            if ((long) LONG.getAcquire(memory, DATA + index) == 0) {
                return null; // not published yet: nothing to take
            }
            int length = memory.get(JAVA_INT, DATA + index + LENGTH);
            int kind = memory.get(JAVA_INT, DATA + index + KIND);
            if (kind == PAD) {
                if (length != capacity - index - HEADER) {
                    throw corrupt("padding length=" + length + " at " + index);
                }
                head = clear(head, capacity - index);
                continue;
            }
            if (length < 0 || index + HEADER + length + (kind == LINK ? 0 : trailer) > capacity) {
                throw corrupt("record kind=" + kind + " length=" + length + " at " + index + " (expected a record"
                        + " within the " + capacity + "-byte ring)");
            }
            if (kind == LINK) {
                return linked; // not consumed: the ring has ended, every later poll says so too
            }
            if (kind != WHOLE) {
                throw corrupt("record kind=" + kind + " in a chained ring (expected WHOLE, PAD or LINK)");
            }
            // In a CHECKSUM ring the reader gets the checked private copy, not the ring's bytes again.
            MemorySegment src = trailer == 0 ? memory.asSlice(DATA + index + HEADER, length) : checkedCopy(head,
                    kind, length);
            try {
                return reader.read(src.asReadOnly());
            } finally {
                clear(head, recordSize(length));
            }
        }
    }

    /**
     * Consumes {@code size} bytes of a chained ring at {@code head}: clears them (the data area stays zero but for
     * unread records), then hands them back to the writer. {@return the new head}
     */
    private long clear(long head, long size) {
        long next = head + size;
        memory.set(JAVA_LONG, CONSUMING, next);
        VarHandle.storeStoreFence(); // a writer repairing the tail that sees the cleared header sees this first
        long at = DATA + (head & mask);
        if (size <= 64) {
            for (long i = 0; i < size; i += 8) {
                memory.set(JAVA_LONG, at + i, 0L);
            }
        } else {
            memory.asSlice(at, size).fill((byte) 0);
        }
        LONG.setRelease(memory, HEAD, next);
        return next;
    }

    /**
     * Repairs the tail after a writer died: a record it published (by its header) before storing the tail is
     * counted, a tail the reader has already passed catches up, and the free area is cleared of what it wrote of
     * a record it never published. Called by the writer that takes over, before it writes anything.
     *
     * @throws StreamCorruptedException if the ring's memory is corrupt
     */
    public void repairTail() throws StreamCorruptedException {
        long tail = (long) LONG.getAcquire(memory, TAIL);
        long head = (long) LONG.getAcquire(memory, HEAD);
        if ((tail & 7) != 0 || (head & 7) != 0 || tail - head > capacity) {
            throw corrupt("ring positions head=" + head + " tail=" + tail);
        }
        if (head - tail > 0) {
            tail = head; // the reader consumed what the dead writer published but never counted
        }
        for (int records = 0; tail - head < capacity; records++) {
            long index = tail & mask;
            if ((long) LONG.getAcquire(memory, DATA + index) == 0) {
                // Zero past the last published record - or a record the reader is taking right now (its header
                // cleared, its head not moved yet): then go on from where the reader's head goes.
                long consuming = (long) LONG.getAcquire(memory, CONSUMING);
                long nowHead = (long) LONG.getAcquire(memory, HEAD);
                long taken = consuming - nowHead > 0 ? consuming : nowHead;
                if (taken - tail > 0 && taken - nowHead <= capacity) {
                    tail = taken;
                    head = nowHead;
                    records = -1;
                    continue;
                }
                break;
            }
            int length = memory.get(JAVA_INT, DATA + index + LENGTH);
            int kind = memory.get(JAVA_INT, DATA + index + KIND);
            if (records > 2 || length < 0 || index + HEADER + length + (kind == LINK ? 0 : trailer) > capacity
                    || kind < WHOLE || kind > LINK) {
                throw corrupt("record kind=" + kind + " length=" + length + " past the tail at " + index);
            }
            tail += kind == PAD ? capacity - index : kind == LINK ? HEADER : recordSize(length);
        }
        if (tail - head > capacity) {
            throw corrupt("record past the tail ends at " + tail + " with head " + head);
        }
        clearFree(tail, head);
        LONG.setVolatile(memory, TAIL, tail);
        memory.set(JAVA_LONG, HEAD_CACHE, head);
    }

    /**
     * Zeroes the free area, from {@code tail} to {@code head} a lap on. A writer that died copying a payload left
     * it there, past the tail, with no header; the next writer's records, of other sizes, would not cover it, and
     * the reader would take those bytes for a header the moment it caught up with the tail. The reader never
     * reads there before a header the next writer publishes after this (release), so no byte of it is read.
     */
    private void clearFree(long tail, long head) {
        long index = tail & mask;
        long free = capacity - (tail - head);
        long toEnd = Math.min(free, capacity - index);
        memory.asSlice(DATA + index, toEnd).fill((byte) 0);
        memory.asSlice(DATA, free - toEnd).fill((byte) 0); // the part after the wrap, if any
    }

    /**
     * Finishes the consuming of a chained ring's reader that died in the middle of it (the message it was taking
     * is gone with it); called by the reader that takes over.
     *
     * @throws StreamCorruptedException if the positions are corrupt
     */
    public void recoverAfterDeadReader() throws StreamCorruptedException {
        long head = memory.get(JAVA_LONG, HEAD);
        long next = memory.get(JAVA_LONG, CONSUMING);
        if (next > head) {
            long index = head & mask;
            if ((next & 7) != 0 || next - head > capacity - index) {
                throw corrupt("consuming head=" + head + " next=" + next);
            }
            clear(head, next - head);
        }
    }

    private void checkPositions(long head, long tail) throws StreamCorruptedException {
        long used = tail - head;
        if (used < 0 || used > capacity || (head & 7) != 0 || (tail & 7) != 0) {
            throw corrupt("ring positions head=" + head + " tail=" + tail + " (expected 0 <= tail - head <= "
                    + capacity + ", both multiples of 8)");
        }
    }

    /**
     * Ends a chained ring: the reader goes on in the ring of that name. Always fits; nothing is written after it.
     *
     * @param next the next ring's segment name
     * @throws StreamCorruptedException if the positions are corrupt
     */
    public void link(String next) throws StreamCorruptedException {
        byte[] name = next.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (name.length > MAX_NEXT_NAME) {
            throw new IllegalArgumentException("next ring name of " + name.length + " bytes (expected <= "
                    + MAX_NEXT_NAME + ")");
        }
        used();
        MemorySegment.copy(name, 0, memory, JAVA_BYTE, NEXT_NAME, name.length);
        memory.set(JAVA_INT, NEXT_LENGTH, name.length);
        long tail = (long) LONG.getVolatile(memory, TAIL);
        LONG.setVolatile(memory, LINK_AT, tail + 1);
        publishLink(tail);
    }

    private void publishLink(long tail) {
        publishHeader(tail & mask, 0, LINK); // a record boundary is 8-aligned, so 8 bytes always fit before the end
        LONG.setVolatile(memory, TAIL, tail + HEADER);
        WaitCore.signal(memory, DATA_SEQ, DATA_WAITERS, 1);
    }

    /**
     * {@return the name of the next ring if this chained ring has ended, else null} Finishes the LINK record of
     * a writer that died while writing it; so call it only as the ring's writer.
     *
     * @throws StreamCorruptedException if the ring's memory is corrupt
     */
    public String linkedTo() throws StreamCorruptedException {
        long at = (long) LONG.getVolatile(memory, LINK_AT);
        if (at == 0) {
            return null;
        }
        long tail = (long) LONG.getVolatile(memory, TAIL);
        if (tail == at - 1) {
            publishLink(tail);
        } else if (tail != at - 1 + HEADER) {
            throw corrupt("LINK position " + (at - 1) + " with tail " + tail);
        }
        return next();
    }

    /**
     * {@return the name of the ring a LINK record points to}
     *
     * @throws StreamCorruptedException if the name is corrupt
     */
    public String next() throws StreamCorruptedException {
        int length = memory.get(JAVA_INT, NEXT_LENGTH);
        if (length <= 0 || length > MAX_NEXT_NAME) {
            throw corrupt("next ring name length=" + length + " (expected 1.." + MAX_NEXT_NAME + ")");
        }
        byte[] name = new byte[length];
        MemorySegment.copy(memory, JAVA_BYTE, NEXT_NAME, name, 0, length);
        return new String(name, java.nio.charset.StandardCharsets.UTF_8);
    }

    private boolean writeRecord(int kind, long total, byte[] src, int offset, int length, long timeoutNanos,
            boolean interruptible, BooleanSupplier readerGone) throws InterruptedException, IOException {
        int payload = length + (kind == FIRST ? TOTAL : 0);
        int need = (int) recordSize(payload);
        long tail = memory.get(JAVA_LONG, TAIL); // the writer's own word (a lock hands the role over)
        long index = tail & mask;
        long toEnd = capacity - index;
        long room = toEnd < need ? toEnd + need : need;
        // The head as last read: the reader's line is fetched only when that is not enough.
        if (room > free(tail) && !awaitRoom(tail, room, timeoutNanos, interruptible, readerGone)) {
            return false;
        }
        if (toEnd < need) {
            publishHeader(index, (int) toEnd - HEADER, PAD);
            tail += toEnd;
            index = 0;
        }
        long at = DATA + index + HEADER;
        if (kind == FIRST) {
            memory.set(JAVA_LONG, at, total);
            at += TOTAL;
        }
        MemorySegment.copy(src, offset, memory, JAVA_BYTE, at, length);
        if (trailer != 0) {
            seal(index, kind, payload); // before the header publishes the record
        }
        publishHeader(index, payload, kind); // the reader sees the record from here on
        if (kind == WHOLE && signalAfterUnlock) {
            LONG.setRelease(memory, TAIL, tail + need); // the caller's fence orders it before the waiters count
            return true;
        }
        LONG.setVolatile(memory, TAIL, tail + need); // volatile: before the waiters count is read
        WaitCore.signal(memory, DATA_SEQ, DATA_WAITERS, 1);
        return true;
    }

    private boolean awaitRoom(long tail, long room, long timeoutNanos, boolean interruptible,
            BooleanSupplier readerGone) throws InterruptedException, IOException {
        boolean[] gone = {false};
        StreamCorruptedException[] corrupt = {null};
        boolean ready = Waiting.until(memory, SPACE_SEQ, SPACE_WAITERS, () -> {
            long head = (long) LONG.getVolatile(memory, HEAD);
            long used = tail - head;
            if (used < 0 || used > capacity || (head & 7) != 0) {
                corrupt[0] = corrupt("ring positions head=" + head + " tail=" + tail);
                return true;
            }
            if (capacity - used >= room) {
                memory.set(JAVA_LONG, HEAD_CACHE, head);
                return true;
            }
            gone[0] = readerGone.getAsBoolean();
            return gone[0];
        }, null, timeoutNanos, interruptible, handOff);
        if (corrupt[0] != null) {
            throw corrupt[0];
        }
        if (gone[0]) {
            throw new IOException("the reading end is closed (broken pipe)");
        }
        return ready;
    }

    // ---- consumer side

    /**
     * {@return true if a message (or its first piece) is waiting} Does not consume.
     *
     * @throws StreamCorruptedException if the head position is corrupt
     */
    public boolean available() throws StreamCorruptedException {
        long head = (long) LONG.getVolatile(memory, HEAD);
        if ((head & 7) != 0) {
            throw corrupt("ring head=" + head + " (expected a multiple of 8)");
        }
        return headerAt(head) != 0;
    }

    /** {@return the header word of the record at {@code head}, 0 while none is published there} */
    private long headerAt(long head) {
        return (long) LONG.getAcquire(memory, DATA + (head & mask & ~7L));
    }

    /**
     * Waits until a message is waiting, without consuming it.
     *
     * @param timeoutNanos the longest wait; negative waits forever
     * @param writerGone   true once no writer will ever write; checked often while waiting, so it must be cheap
     * @return true if a message is waiting; false on timeout, or if the ring is empty and the writer gone
     * @throws InterruptedException     if interrupted
     * @throws StreamCorruptedException if the head position is corrupt
     */
    public boolean awaitMessage(long timeoutNanos, BooleanSupplier writerGone)
            throws InterruptedException, StreamCorruptedException {
        return awaitMessage(timeoutNanos, writerGone, null);
    }

    /**
     * Waits until a message is waiting, without consuming it, and checks once a
     * {@link io.github.jmultiprocessing.internal.sync.LockWord#CHECK_NANOS} slice while blocked that the head is not
     * stuck where no record will come: taking {@code readerLock} for the check if it is free (held, its holder is a
     * reader that checks for itself), so that a reader clearing a record is never taken for a stuck head.
     *
     * @param timeoutNanos the longest wait; negative waits forever
     * @param writerGone   true once no writer will ever write; checked often while waiting, so it must be cheap
     * @param readerLock   the lock the ring's readers hold ({@link io.github.jmultiprocessing.internal.sync.LockWord}),
     *                     or null for no check
     * @return true if a message is waiting; false on timeout, or if the ring is empty and the writer gone
     * @throws InterruptedException     if interrupted
     * @throws StreamCorruptedException if the ring's memory is corrupt ({@link CorruptRingException})
     */
    public boolean awaitMessage(long timeoutNanos, BooleanSupplier writerGone, MemorySegment readerLock)
            throws InterruptedException, StreamCorruptedException {
        CorruptRingException[] corrupt = {null};
        Runnable check = readerLock == null ? null : () -> {
            if (LockWord.tryAcquire(readerLock)) {
                try {
                    corrupt[0] = stuck();
                } finally {
                    LockWord.release(readerLock);
                }
            }
        };
        boolean ready = Waiting.until(memory, DATA_SEQ, DATA_WAITERS,
                () -> corrupt[0] != null || headerAt((long) LONG.getVolatile(memory, HEAD)) != 0
                        || writerGone.getAsBoolean(),
                check, timeoutNanos, true, handOff);
        if (corrupt[0] != null) {
            throw corrupt[0];
        }
        return ready && available(); // available() throws if the head is corrupt
    }

    /**
     * Reads the next message, waiting for it.
     *
     * @param timeoutNanos the longest wait for the message to start; negative waits forever
     * @param writerGone   true once no writer will ever write; checked often while waiting, so it must be cheap
     * @return the message, {@link #LINKED} at the end of a chained ring, or null on timeout
     * @throws InterruptedException     if interrupted while waiting for the message to start
     * @throws EOFException             if the ring is empty and the writer gone
     * @throws StreamCorruptedException if the ring's memory is corrupt
     */
    public byte[] read(long timeoutNanos, BooleanSupplier writerGone)
            throws InterruptedException, EOFException, StreamCorruptedException {
        return read(timeoutNanos, writerGone, writerGone);
    }

    /**
     * Reads the next message, waiting for it, and drops a message in pieces whose writer died before finishing it.
     *
     * @param timeoutNanos the longest wait for a message to start; negative waits forever
     * @param writerGone   true once no writer will ever write; checked often while waiting, so it must be cheap
     * @param abandoned    true once the writer of a message in pieces will never finish it (it is gone, or it was
     *                     the holder of a writers' lock and died); checked while waiting for the next piece
     * @return the message, {@link #LINKED} at the end of a chained ring, or null on timeout
     * @throws InterruptedException     if interrupted while waiting for the message to start
     * @throws EOFException             if the ring is empty and the writer gone
     * @throws StreamCorruptedException if the ring's memory is corrupt
     */
    public byte[] read(long timeoutNanos, BooleanSupplier writerGone, BooleanSupplier abandoned)
            throws InterruptedException, EOFException, StreamCorruptedException {
        long start = timeoutNanos > 0 ? System.nanoTime() : 0L; // only a positive timeout reads the clock
        for (long left = timeoutNanos; ; left = timeoutNanos < 0 ? -1 : Math.max(0, timeoutNanos
                - (System.nanoTime() - start))) {
            if (!awaitRecord(left, writerGone, true) || !available()) {
                if (writerGone.getAsBoolean() && !available()) {
                    throw new EOFException("the writing end is closed and every message was read");
                }
                return null;
            }
            long head = skipPadding();
            if (headerAt(head) == 0) {
                continue; // the record after the padding is not published yet
            }
            long index = head & mask;
            int length = memory.get(JAVA_INT, DATA + index + LENGTH);
            int kind = memory.get(JAVA_INT, DATA + index + KIND);
            checkRecord(head, length, kind);
            if (memory.get(JAVA_LONG, DROPPING) != 0) { // the reader's own word (its lock hands it over)
                if (kind == MORE) { // the rest of a message whose record failed its checksum: dropped unchecked
                    consume(head, length);
                    continue;
                }
                memory.set(JAVA_LONG, DROPPING, 0L); // the next message starts here
            }
            switch (kind) {
                case WHOLE -> {
                    byte[] message = copyOut(head, kind, length, true);
                    if (signalAfterUnlock) {
                        clear(head, recordSize(length)); // the caller's fence orders the head before the waiters
                    } else {
                        consume(head, length);
                    }
                    return message;
                }
                case ABORT -> { // nothing of that message was returned: go on
                    verify(head, kind, length);
                    consume(head, length);
                }
                case LINK -> {
                    if (!chained || length != 0) {
                        throw corrupt("LINK record length=" + length + " in a " + (chained ? "chained" : "pipe")
                                + " ring");
                    }
                    return LINKED; // not consumed: the ring has ended, every later read says so too
                }
                case FIRST -> {
                    if (chained) {
                        throw corrupt("FIRST record in a chained ring");
                    }
                    byte[] message = readPieces(head, length, writerGone, abandoned);
                    if (message != null) {
                        return message;
                    }
                }
                default -> throw corrupt("record kind=" + kind + " length=" + length + " at the start of a message"
                        + " (expected WHOLE, FIRST, ABORT or LINK)");
            }
        }
    }

    /**
     * Waits, as the ring's one reader (under its lock, after any recovery from a dead reader), until a record is
     * published at the head or {@code stop}; checks once a {@link io.github.jmultiprocessing.internal.sync.LockWord#CHECK_NANOS}
     * slice while blocked that the head is not stuck where no record will ever come. {@return false on timeout}
     */
    private boolean awaitRecord(long timeoutNanos, BooleanSupplier stop, boolean interruptible)
            throws InterruptedException, StreamCorruptedException {
        StreamCorruptedException[] corrupt = {null};
        boolean ready = Waiting.until(memory, DATA_SEQ, DATA_WAITERS,
                () -> corrupt[0] != null || headerAt((long) LONG.getVolatile(memory, HEAD)) != 0
                        || stop.getAsBoolean(),
                () -> corrupt[0] = stuck(), timeoutNanos, interruptible, handOff);
        if (corrupt[0] != null) {
            throw corrupt[0];
        }
        return ready;
    }

    /**
     * {@return why the reader's head can never see a record, or null} The writer publishes a record's header
     * (release) before it stores a tail past it, so a tail read (acquire) past the head means the header at the
     * head is visible from then on: still zero, the memory is corrupt (a head moved into a payload, a zeroed
     * header, a tail moved past a gap). A head more than a ring ahead of the tail is corrupt too (a writer that died
     * between publishing and storing its tail leaves it at most a record and a padding ahead). Only for the
     * reader: another reader clearing a record would look the same. Reads the writer's line: for the slow path.
     */
    private CorruptRingException stuck() {
        long head = (long) LONG.getVolatile(memory, HEAD);
        long tail = (long) LONG.getAcquire(memory, TAIL); // pairs with the writer's tail store after publishing
        if ((head & 7) != 0 || head - tail > capacity || (tail - head > 0 && headerAt(head) == 0)) {
            return corrupt("no record at head=" + head + " with tail=" + tail + " (expected a published record"
                    + " wherever the tail is past the head, and the head at most " + capacity + " bytes past the"
                    + " tail)");
        }
        return null;
    }

    /** Reads a message in pieces from its first one; null if its writer abandoned it (the pieces are dropped). */
    private byte[] readPieces(long head, int length, BooleanSupplier writerGone, BooleanSupplier abandoned)
            throws StreamCorruptedException {
        long index = head & mask;
        if (length != maxPiece()) { // a writer makes first pieces of exactly this size
            throw corrupt("first piece length=" + length + " (expected " + maxPiece() + ")");
        }
        // In a CHECKSUM ring the piece is copied out and checked first: its total and bytes are read from the copy.
        byte[] piece = trailer == 0 ? null : copyOut(head, FIRST, length, true);
        long total = piece == null ? memory.get(JAVA_LONG, DATA + index + HEADER)
                : MemorySegment.ofArray(piece).get(JAVA_LONG_UNALIGNED, 0);
        if (total <= length - TOTAL || total > MAX_MESSAGE) {
            throw corrupt("message length=" + total + " (expected " + (length - TOTAL + 1) + ".." + MAX_MESSAGE
                    + ")");
        }
        int done = length - TOTAL;
        // Grown as the pieces come, not allocated from the total: a corrupt total costs what was really written.
        byte[][] message = {new byte[(int) Math.min(total, Math.max(done, FIRST_ALLOCATION))]};
        if (piece == null) {
            MemorySegment.copy(memory, JAVA_BYTE, DATA + index + HEADER + TOTAL, message[0], 0, done);
        } else {
            System.arraycopy(piece, TOTAL, message[0], 0, done);
        }
        LONG.setVolatile(memory, REMAINING, total - done);
        consume(head, length);
        return continuePieces(message, done, total, writerGone, abandoned) ? message[0] : null;
    }

    /** What a message in pieces is first given (its buffer doubles past it as pieces come): 1 MiB. */
    private static final int FIRST_ALLOCATION = 1 << 20;

    /**
     * Consumes the rest of a message in pieces, into {@code message[0]} (grown as needed, up to {@code total}) if
     * not null; false if its writer abandoned it. Keeps {@code REMAINING} current so that a reader taking over after
     * this one's death can skip the rest.
     */
    private boolean continuePieces(byte[][] message, int done, long total, BooleanSupplier writerGone,
            BooleanSupplier abandoned) throws StreamCorruptedException {
        while (done < total) {
            try { // only a writer that will never finish ends a message early
                awaitRecord(-1, abandoned, false);
            } catch (InterruptedException e) {
                throw new AssertionError("an uninterruptible wait threw InterruptedException", e);
            }
            if (!available()) { // its writer is gone: no one will finish the message
                LONG.setVolatile(memory, REMAINING, 0L);
                return false;
            }
            long head = skipPadding();
            if (headerAt(head) == 0) {
                continue; // the piece after the padding is not published yet
            }
            long index = head & mask;
            int length = memory.get(JAVA_INT, DATA + index + LENGTH);
            int kind = memory.get(JAVA_INT, DATA + index + KIND);
            checkRecord(head, length, kind);
            if (kind != MORE || message == null) { // a MORE piece delivered is checked as its copy, below
                verify(head, kind, length);
            }
            if (kind == ABORT) { // the writer that took over from a dead one says the rest will not come
                LONG.setVolatile(memory, REMAINING, 0L);
                consume(head, length);
                return false;
            }
            if (kind != MORE || length > total - done) {
                throw corrupt("record kind=" + kind + " length=" + length + " inside a message with " + (total - done)
                        + " bytes to go (expected MORE)");
            }
            if (message != null) {
                if (done + length > message[0].length) {
                    message[0] = Arrays.copyOf(message[0], (int) Math.min(total, Math.max((long) done + length,
                            2L * message[0].length)));
                }
                MemorySegment.copy(memory, JAVA_BYTE, DATA + index + HEADER, message[0], done, length);
                checkCopy(head, kind, length, message[0], done, true);
            }
            done += length;
            LONG.setVolatile(memory, REMAINING, total - done);
            consume(head, length);
        }
        return true;
    }

    /**
     * Skips the rest of the message a dead reader was in the middle of; called by the reader that takes over.
     *
     * @param writerGone true once no writer will ever write
     * @param abandoned  true once the writer of a message in pieces died
     * @throws StreamCorruptedException if the ring's memory is corrupt
     */
    public void skipAfterDeadReader(BooleanSupplier writerGone, BooleanSupplier abandoned)
            throws StreamCorruptedException {
        long remaining = (long) LONG.getVolatile(memory, REMAINING);
        if (remaining < 0 || remaining > MAX_MESSAGE) {
            throw corrupt("remaining length=" + remaining + " of a message being read");
        }
        continuePieces(null, 0, remaining, writerGone, abandoned);
    }

    /**
     * {@return the next message of a chained ring without consuming it, {@link #LINKED} at its end, or null if
     * it is empty}
     *
     * @throws StreamCorruptedException if the ring's memory is corrupt
     */
    public byte[] peek() throws StreamCorruptedException {
        for (long head = (long) LONG.getVolatile(memory, HEAD); used() > 0; ) {
            long index = head & mask;
            int length = memory.get(JAVA_INT, DATA + index + LENGTH);
            int kind = memory.get(JAVA_INT, DATA + index + KIND);
            if (kind == PAD) {
                head = skipPadding();
                continue;
            }
            checkRecord(head, length, kind);
            if (kind == LINK) {
                return LINKED;
            }
            if (kind != WHOLE) {
                throw corrupt("record kind=" + kind + " in a chained ring (expected WHOLE or LINK)");
            }
            return copyOut(head, kind, length, false);
        }
        return null;
    }

    /**
     * Passes every message of a chained ring, oldest first, to {@code action} without consuming any.
     *
     * @param action what to do with each message
     * @return true if the ring ends in a LINK record (more messages are in {@link #next()})
     * @throws StreamCorruptedException if the ring's memory is corrupt
     */
    public boolean forEach(java.util.function.Consumer<byte[]> action) throws StreamCorruptedException {
        long tail = (long) LONG.getVolatile(memory, TAIL);
        for (long at = (long) LONG.getVolatile(memory, HEAD); at < tail; ) {
            long index = at & mask;
            int length = memory.get(JAVA_INT, DATA + index + LENGTH);
            int kind = memory.get(JAVA_INT, DATA + index + KIND);
            if (kind == PAD) {
                at += capacity - index;
                continue;
            }
            checkRecord(at, length, kind);
            if (kind == LINK) {
                return true;
            }
            if (kind != WHOLE) {
                throw corrupt("record kind=" + kind + " in a chained ring (expected WHOLE or LINK)");
            }
            action.accept(copyOut(at, kind, length, false));
            at += recordSize(length);
        }
        return false;
    }

    /** Consumes PAD records; {@return the head of the next real record} */
    private long skipPadding() throws StreamCorruptedException {
        long head = (long) LONG.getVolatile(memory, HEAD);
        if ((head & 7) != 0) {
            throw corrupt("ring head=" + head + " (expected a multiple of 8)");
        }
        long index = head & mask;
        int kind = memory.get(JAVA_INT, DATA + index + KIND);
        if (kind != PAD) {
            return head;
        }
        int length = memory.get(JAVA_INT, DATA + index + LENGTH);
        if (length != capacity - index - HEADER) {
            throw corrupt("padding length=" + length + " at " + index + " (expected " + (capacity - index - HEADER)
                    + ")");
        }
        return clear(head, capacity - index);
    }

    private void checkRecord(long head, int length, int kind) throws StreamCorruptedException {
        long index = head & mask;
        if (length < 0 || index + HEADER + length + (kind == LINK ? 0 : trailer) > capacity || kind < WHOLE
                || kind > LINK || kind == PAD) {
            throw corrupt("record kind=" + kind + " length=" + length + " at " + index + " (expected a record within"
                    + " the " + capacity + "-byte ring)");
        }
    }

    private void consume(long head, int length) {
        clear(head, recordSize(length));
        VarHandle.fullFence(); // the head before the waiters count: a writer about to wait for room is woken
        WaitCore.signal(memory, SPACE_SEQ, SPACE_WAITERS, 1);
    }

    /** Wakes every waiter of both sides, after a change they must see (an end closed). */
    public void wakeAll() {
        WaitCore.signal(memory, DATA_SEQ, DATA_WAITERS, Integer.MAX_VALUE);
        WaitCore.signal(memory, SPACE_SEQ, SPACE_WAITERS, Integer.MAX_VALUE);
    }

    private long used() throws StreamCorruptedException {
        long tail = (long) LONG.getVolatile(memory, TAIL);
        long head = (long) LONG.getVolatile(memory, HEAD);
        checkPositions(head, tail);
        return tail - head;
    }

    private static CorruptRingException corrupt(String what) {
        return new CorruptRingException("corrupt ring: " + what);
    }

    private static int align(int size) {
        return (size + 7) & ~7;
    }

    private static long align(long size) {
        return (size + 7) & ~7L;
    }
}

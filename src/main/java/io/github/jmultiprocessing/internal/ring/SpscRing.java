package io.github.jmultiprocessing.internal.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.github.jmultiprocessing.internal.sync.Waiting;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.function.BooleanSupplier;

/**
 * A single-producer single-consumer ring of messages in shared memory: one direction of a pipe.
 *
 * <pre>
 *   0     tail: bytes ever written (the producer's), a 128-byte slot of its own
 *   128   head: bytes ever consumed (the consumer's), a 128-byte slot of its own
 *   256   data seq, data waiters: the consumer waits here for a message ({@link WaitCore})
 *   384   space seq, space waiters: the producer waits here for room
 *   512   magic, capacity
 *   640   data: capacity bytes, a power of two, of records:
 *         int length, int kind, then length payload bytes, padded to 8
 *         kind WHOLE: a message; FIRST: a long total length, then the start of a message too big for one record;
 *         MORE: the next piece; PAD: filler up to the end of the data area
 * </pre>
 *
 * <p>Implementation notes. The producer writes a record with plain stores and publishes it by a volatile store
 * of {@code tail}; the consumer reads {@code tail}, then the record, then publishes {@code head} the same way. The
 * volatile stores order the position before the waiter count is read in {@link WaitCore#signal}, so a wake-up is
 * never lost. A record never wraps: one that does not fit before the end is preceded by a PAD record. A message
 * larger than {@link #maxPiece()} travels as FIRST + MORE records; once its first piece is written the producer
 * finishes it whatever happens (no timeout, no interrupt), so that a consumer never waits on half a message from a
 * live producer. Non-invariant: a producer that dies in the middle of a message leaves pieces that the consumer
 * discards once it sees the producer gone. Every position, length and kind read is checked, by both sides: corrupt
 * memory ends in {@link StreamCorruptedException}, never in an access outside the ring. Non-invariant: a corrupt
 * total length in a well-formed first piece makes the reader wait for pieces until the writer is gone.
 */
public final class SpscRing {

    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final long TAIL = 0;
    private static final long HEAD = 128;
    private static final long DATA_SEQ = 256;
    private static final long DATA_WAITERS = 260;
    private static final long SPACE_SEQ = 384;
    private static final long SPACE_WAITERS = 388;
    private static final long MAGIC_OFFSET = 512;
    private static final long CAPACITY_OFFSET = 516;
    private static final long DATA = 640;
    private static final int MAGIC = 0x4A4D_5052; // "JMPR"
    private static final int HEADER = 8;
    private static final int WHOLE = 1;
    private static final int FIRST = 2;
    private static final int MORE = 3;
    private static final int PAD = 4;

    /** Largest message, in bytes (what a Java array can hold). */
    public static final int MAX_MESSAGE = Integer.MAX_VALUE - 8;

    /** Smallest capacity. */
    public static final int MIN_CAPACITY = 64;

    private final MemorySegment memory;
    private final int capacity;
    private final long mask;

    private SpscRing(MemorySegment memory, int capacity) {
        this.memory = memory;
        this.capacity = capacity;
        this.mask = capacity - 1L;
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
        checkCapacity(capacity);
        if (memory.byteSize() < size(capacity)) {
            throw new IllegalArgumentException("memory=" + memory.byteSize() + " bytes (expected >= " + size(capacity)
                    + ")");
        }
        memory.asSlice(0, DATA).fill((byte) 0); // positions and wait words, whatever the memory held
        memory.set(JAVA_INT, CAPACITY_OFFSET, capacity);
        memory.set(JAVA_INT, MAGIC_OFFSET, MAGIC);
        VarHandle.fullFence();
        return new SpscRing(memory, capacity);
    }

    /**
     * Attaches to a ring another process formatted.
     *
     * @param memory the ring's memory
     * @return the ring
     * @throws StreamCorruptedException if the memory does not hold a ring
     */
    public static SpscRing attach(MemorySegment memory) throws StreamCorruptedException {
        if (memory.byteSize() < DATA + MIN_CAPACITY || memory.get(JAVA_INT, MAGIC_OFFSET) != MAGIC) {
            throw new StreamCorruptedException("memory does not hold a ring (magic or size wrong)");
        }
        int capacity = memory.get(JAVA_INT, CAPACITY_OFFSET);
        if (capacity < MIN_CAPACITY || Integer.bitCount(capacity) != 1 || DATA + capacity > memory.byteSize()) {
            throw new StreamCorruptedException("ring capacity=" + capacity + " (expected a power of two >= "
                    + MIN_CAPACITY + " that fits in " + memory.byteSize() + " bytes)");
        }
        return new SpscRing(memory, capacity);
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

    /** {@return the largest payload of one record; larger messages travel in pieces} */
    public int maxPiece() {
        return capacity / 2 - HEADER;
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
        java.util.Objects.checkFromIndexSize(offset, length, src.length);
        if (length > MAX_MESSAGE) {
            throw new IllegalArgumentException("message length=" + length + " (expected <= " + MAX_MESSAGE + ")");
        }
        int piece = maxPiece();
        if (length <= piece) {
            return writeRecord(WHOLE, -1, src, offset, length, timeoutNanos, true, readerGone);
        }
        int first = piece - 8;
        if (!writeRecord(FIRST, length, src, offset, first, timeoutNanos, true, readerGone)) {
            return false;
        }
        for (int done = first; done < length; ) {
            int size = Math.min(piece, length - done);
            writeRecord(MORE, -1, src, offset + done, size, -1, false, readerGone);
            done += size;
        }
        return true;
    }

    private boolean writeRecord(int kind, long total, byte[] src, int offset, int length, long timeoutNanos,
            boolean interruptible, BooleanSupplier readerGone) throws InterruptedException, IOException {
        int payload = length + (kind == FIRST ? 8 : 0);
        int need = align(HEADER + payload);
        used(); // the producer trusts no position either: corrupt ones end here, not in a write out of place
        long tail = (long) LONG.getVolatile(memory, TAIL);
        long index = tail & mask;
        long toEnd = capacity - index;
        long room = toEnd < need ? toEnd + need : need;
        if (!awaitRoom(tail, room, timeoutNanos, interruptible, readerGone)) {
            return false;
        }
        if (toEnd < need) {
            putHeader(index, (int) toEnd - HEADER, PAD);
            tail += toEnd;
            index = 0;
        }
        putHeader(index, payload, kind);
        long at = DATA + index + HEADER;
        if (kind == FIRST) {
            memory.set(JAVA_LONG, at, total);
            at += 8;
        }
        MemorySegment.copy(src, offset, memory, JAVA_BYTE, at, length);
        LONG.setVolatile(memory, TAIL, tail + need);
        WaitCore.signal(memory, DATA_SEQ, DATA_WAITERS, 1);
        return true;
    }

    private boolean awaitRoom(long tail, long room, long timeoutNanos, boolean interruptible,
            BooleanSupplier readerGone) throws InterruptedException, IOException {
        boolean[] gone = {false};
        boolean ready = Waiting.until(memory, SPACE_SEQ, SPACE_WAITERS, () -> {
            if (capacity - (tail - (long) LONG.getVolatile(memory, HEAD)) >= room) {
                return true;
            }
            gone[0] = readerGone.getAsBoolean();
            return gone[0];
        }, timeoutNanos, interruptible);
        if (gone[0]) {
            throw new IOException("the reading end is closed (broken pipe)");
        }
        return ready;
    }

    private void putHeader(long index, int length, int kind) {
        memory.set(JAVA_INT, DATA + index, length);
        memory.set(JAVA_INT, DATA + index + 4, kind);
    }

    // ---- consumer side

    /**
     * {@return true if a message (or its first piece) is waiting} Does not consume.
     *
     * @throws StreamCorruptedException if the positions are corrupt
     */
    public boolean available() throws StreamCorruptedException {
        return used() > 0;
    }

    /**
     * Waits until a message is waiting, without consuming it.
     *
     * @param timeoutNanos the longest wait; negative waits forever
     * @param writerGone   true once no writer will ever write; checked often while waiting, so it must be cheap
     * @return true if a message is waiting; false on timeout, or if the ring is empty and the writer gone
     * @throws InterruptedException     if interrupted
     * @throws StreamCorruptedException if the positions are corrupt
     */
    public boolean awaitMessage(long timeoutNanos, BooleanSupplier writerGone)
            throws InterruptedException, StreamCorruptedException {
        boolean ready = Waiting.until(memory, DATA_SEQ, DATA_WAITERS,
                () -> rawUsed() != 0 || writerGone.getAsBoolean(), timeoutNanos, true);
        return ready && available(); // available() throws if the positions are corrupt
    }

    /**
     * Reads the next message, waiting for it.
     *
     * @param timeoutNanos the longest wait for the message to start; negative waits forever
     * @param writerGone   true once no writer will ever write; checked often while waiting, so it must be cheap
     * @return the message, or null on timeout
     * @throws InterruptedException     if interrupted while waiting for the message to start
     * @throws EOFException             if the ring is empty and the writer gone, or the writer died in the middle
     *                                  of a message
     * @throws StreamCorruptedException if the ring's memory is corrupt
     */
    public byte[] read(long timeoutNanos, BooleanSupplier writerGone)
            throws InterruptedException, EOFException, StreamCorruptedException {
        if (!awaitMessage(timeoutNanos, writerGone)) {
            if (writerGone.getAsBoolean() && !available()) {
                throw new EOFException("the writing end is closed and every message was read");
            }
            return null;
        }
        long head = skipPadding();
        long index = head & mask;
        int length = memory.get(JAVA_INT, DATA + index);
        int kind = memory.get(JAVA_INT, DATA + index + 4);
        checkRecord(head, length, kind);
        if (kind == WHOLE) {
            byte[] message = new byte[length];
            MemorySegment.copy(memory, JAVA_BYTE, DATA + index + HEADER, message, 0, length);
            consume(head, length);
            return message;
        }
        if (kind != FIRST || length != maxPiece()) { // a writer makes first pieces of exactly this size
            throw corrupt("record kind=" + kind + " length=" + length + " at the start of a message (expected WHOLE or"
                    + " FIRST)");
        }
        long total = memory.get(JAVA_LONG, DATA + index + HEADER);
        if (total <= length - 8 || total > MAX_MESSAGE) {
            throw corrupt("message length=" + total + " (expected " + (length - 7) + ".." + MAX_MESSAGE + ")");
        }
        byte[] message = new byte[(int) total];
        int done = length - 8;
        MemorySegment.copy(memory, JAVA_BYTE, DATA + index + HEADER + 8, message, 0, done);
        consume(head, length);
        while (done < total) {
            try {
                if (!awaitPiece(writerGone)) {
                    throw new EOFException("the writer ended in the middle of a message of " + total + " bytes ("
                            + done + " received); the rest is lost");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the message is finished first: its pieces are in the ring
            }
            head = skipPadding();
            index = head & mask;
            length = memory.get(JAVA_INT, DATA + index);
            kind = memory.get(JAVA_INT, DATA + index + 4);
            checkRecord(head, length, kind);
            if (kind != MORE || length > total - done) {
                throw corrupt("record kind=" + kind + " length=" + length + " inside a message with " + (total - done)
                        + " bytes to go (expected MORE)");
            }
            MemorySegment.copy(memory, JAVA_BYTE, DATA + index + HEADER, message, done, length);
            done += length;
            consume(head, length);
        }
        return message;
    }

    /** Waits, not interruptibly, for the next piece of a message; false if the writer is gone first. */
    private boolean awaitPiece(BooleanSupplier writerGone) throws InterruptedException, StreamCorruptedException {
        Waiting.until(memory, DATA_SEQ, DATA_WAITERS, () -> rawUsed() != 0 || writerGone.getAsBoolean(), -1, false);
        return available();
    }

    /** Consumes PAD records; {@return the head of the next real record} */
    private long skipPadding() throws StreamCorruptedException {
        long head = (long) LONG.getVolatile(memory, HEAD);
        long index = head & mask;
        int kind = memory.get(JAVA_INT, DATA + index + 4);
        if (kind != PAD) {
            return head;
        }
        int length = memory.get(JAVA_INT, DATA + index);
        if (length != capacity - index - HEADER) {
            throw corrupt("padding length=" + length + " at " + index + " (expected " + (capacity - index - HEADER)
                    + ")");
        }
        head += capacity - index;
        LONG.setVolatile(memory, HEAD, head);
        if (used() == 0) {
            throw corrupt("padding without a record after it");
        }
        return head;
    }

    private void checkRecord(long head, int length, int kind) throws StreamCorruptedException {
        long index = head & mask;
        if (length < 0 || index + HEADER + length > capacity || kind < WHOLE || kind > MORE
                || align(HEADER + length) > (long) LONG.getVolatile(memory, TAIL) - head) {
            throw corrupt("record kind=" + kind + " length=" + length + " at " + index + " (expected a record within"
                    + " the " + capacity + "-byte ring and before its tail)");
        }
    }

    private void consume(long head, int length) {
        LONG.setVolatile(memory, HEAD, head + align(HEADER + length));
        WaitCore.signal(memory, SPACE_SEQ, SPACE_WAITERS, 1);
    }

    /** Wakes every waiter of both sides, after a change they must see (an end closed). */
    public void wakeAll() {
        WaitCore.signal(memory, DATA_SEQ, DATA_WAITERS, Integer.MAX_VALUE);
        WaitCore.signal(memory, SPACE_SEQ, SPACE_WAITERS, Integer.MAX_VALUE);
    }

    /** {@return tail - head, unchecked: non-zero for corrupt positions too, so that a waiter stops and checks} */
    private long rawUsed() {
        return (long) LONG.getVolatile(memory, TAIL) - (long) LONG.getVolatile(memory, HEAD);
    }

    private long used() throws StreamCorruptedException {
        long tail = (long) LONG.getVolatile(memory, TAIL);
        long head = (long) LONG.getVolatile(memory, HEAD);
        long used = tail - head;
        if (used < 0 || used > capacity || (head & 7) != 0 || (tail & 7) != 0) {
            throw corrupt("ring positions head=" + head + " tail=" + tail + " (expected 0 <= tail - head <= "
                    + capacity + ", both multiples of 8)");
        }
        return used;
    }

    private static StreamCorruptedException corrupt(String what) {
        return new StreamCorruptedException("corrupt ring: " + what);
    }

    private static int align(int size) {
        return (size + 7) & ~7;
    }
}

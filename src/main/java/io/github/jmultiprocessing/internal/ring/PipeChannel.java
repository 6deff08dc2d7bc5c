package io.github.jmultiprocessing.internal.ring;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import io.github.jmultiprocessing.internal.sync.LockLayout;
import io.github.jmultiprocessing.internal.sync.LockWord;
import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.lang.foreign.MemorySegment;
import java.util.function.BooleanSupplier;

/**
 * One end of a pipe in shared memory: two pipe rings (one for a simplex pipe), a lock per ring side so that any
 * number of threads and processes may use one end, and per end the processes that hold a copy of it.
 *
 * <pre>
 *   0      magic, flags (DUPLEX, CHECKSUM: its rings carry a CRC32C per record), capacity of each ring
 *   128    holders of end 0 ({@link EndHolders}), then at 384 holders of end 1
 *   640    locks ({@link LockLayout}, 128 bytes each): ring 0 writer, ring 0 reader, ring 1 writer, ring 1 reader
 *   1152   ring 0: written by end 1, read by end 0; then ring 1 (duplex only): written by end 0, read by end 1
 * </pre>
 *
 * <p>Implementation notes. A sender holds its ring's writer lock for a whole message, so messages in pieces
 * never interleave; one that takes the lock over from a dead holder first writes an ABORT record, and the reader
 * drops the half message. A receiver holds the reader lock likewise; one that takes it over from a dead holder
 * skips the rest of the message that one was reading. The stream ends for a reader once the other end has no
 * live holder and the ring is drained.
 */
public final class PipeChannel {

    private static final int MAGIC = 0x4A4D_5050; // "JMPP"
    private static final long FLAGS = 4;
    private static final long CAPACITY = 8;
    private static final int DUPLEX = 1;
    private static final int CHECKSUM = 2;
    private static final long HOLDERS = 128;
    private static final long LOCKS = 640;
    private static final long RINGS = 1152;

    private final EndHolders own;
    private final EndHolders peer;
    private final SpscRing in; // null if this end only sends
    private final SpscRing out; // null if this end only receives
    private final MemorySegment inWriter;
    private final MemorySegment inReader;
    private final MemorySegment outWriter;
    private final long self = ProcessIdentity.pid();

    private PipeChannel(MemorySegment memory, int end) throws StreamCorruptedException {
        if (memory.byteSize() < RINGS || memory.get(JAVA_INT, 0) != MAGIC) {
            throw new StreamCorruptedException("memory does not hold a pipe (magic or size wrong)");
        }
        boolean duplex = (memory.get(JAVA_INT, FLAGS) & DUPLEX) != 0;
        int capacity = memory.get(JAVA_INT, CAPACITY);
        if (capacity < SpscRing.MIN_CAPACITY || Integer.bitCount(capacity) != 1
                || memory.byteSize() < size(capacity, duplex)) {
            throw new StreamCorruptedException("pipe ring capacity=" + capacity + " in " + memory.byteSize()
                    + " bytes");
        }
        own = new EndHolders(memory.asSlice(HOLDERS + end * EndHolders.SIZE, EndHolders.SIZE));
        peer = new EndHolders(memory.asSlice(HOLDERS + (1 - end) * EndHolders.SIZE, EndHolders.SIZE));
        long ringSize = SpscRing.size(capacity);
        int inRing = end == 0 ? 0 : duplex ? 1 : -1;
        int outRing = end == 1 ? 0 : duplex ? 1 : -1;
        in = inRing < 0 ? null : SpscRing.attach(memory.asSlice(RINGS + inRing * ringSize, ringSize));
        inWriter = inRing < 0 ? null : lock(memory, inRing, 0);
        inReader = inRing < 0 ? null : lock(memory, inRing, 1);
        out = outRing < 0 ? null : SpscRing.attach(memory.asSlice(RINGS + outRing * ringSize, ringSize));
        outWriter = outRing < 0 ? null : lock(memory, outRing, 0);
    }

    private static MemorySegment lock(MemorySegment memory, int ring, int side) {
        return memory.asSlice(LOCKS + (ring * 2L + side) * LockLayout.SIZE, LockLayout.SIZE);
    }

    /**
     * {@return the bytes a pipe takes}
     *
     * @param capacity each ring's capacity, a power of two
     * @param duplex   true for two rings
     */
    public static long size(int capacity, boolean duplex) {
        return RINGS + (duplex ? 2 : 1) * SpscRing.size(capacity);
    }

    /**
     * Formats a new pipe in zeroed memory, with a checksum per record if {@link SpscRing#CHECKSUM_PROPERTY} says so.
     *
     * @param memory   {@link #size} bytes, zero
     * @param capacity each ring's capacity
     * @param duplex   true for two rings
     */
    public static void format(MemorySegment memory, int capacity, boolean duplex) {
        format(memory, capacity, duplex, SpscRing.checksumByDefault());
    }

    /**
     * Formats a new pipe in zeroed memory.
     *
     * @param memory   {@link #size} bytes, zero
     * @param capacity each ring's capacity
     * @param duplex   true for two rings
     * @param checksum true to carry a CRC32C in every record, checked before a message is delivered
     */
    public static void format(MemorySegment memory, int capacity, boolean duplex, boolean checksum) {
        long ringSize = SpscRing.size(capacity);
        for (int ring = 0; ring < (duplex ? 2 : 1); ring++) {
            SpscRing.create(memory.asSlice(RINGS + ring * ringSize, ringSize), capacity, checksum);
        }
        memory.set(JAVA_INT, FLAGS, (duplex ? DUPLEX : 0) | (checksum ? CHECKSUM : 0));
        memory.set(JAVA_INT, CAPACITY, capacity);
        memory.set(JAVA_INT, 0, MAGIC);
        java.lang.invoke.VarHandle.fullFence();
    }

    /**
     * Views one end of a pipe.
     *
     * @param memory the pipe's memory
     * @param end    0 or 1
     * @return the end
     * @throws StreamCorruptedException if the memory does not hold a pipe
     */
    public static PipeChannel open(MemorySegment memory, int end) throws StreamCorruptedException {
        if (end != 0 && end != 1) {
            throw new IllegalArgumentException("end=" + end + " (expected 0 or 1)");
        }
        return new PipeChannel(memory, end);
    }

    /** {@return true if this end receives} */
    public boolean readable() {
        return in != null;
    }

    /** {@return true if this end sends} */
    public boolean writable() {
        return out != null;
    }

    /** {@return the processes holding this end} */
    public EndHolders holders() {
        return own;
    }

    /**
     * {@return true if no live process holds either end} A copy in flight counts as its sender's until the
     * receiver takes it over, so the pipe may then be unlinked.
     */
    public boolean unheld() {
        return !own.held() && !peer.held();
    }

    /** {@return true while some live process holds the other end} */
    public boolean peerOpen() {
        return peer.held();
    }

    /**
     * {@return true if a message of {@code length} bytes would be sent now without waiting for room} Meant for a
     * process that is this end's only writer (the room can only grow until it sends).
     *
     * @param length the message length
     * @throws StreamCorruptedException if the pipe's memory is corrupt
     */
    public boolean fitsNow(int length) throws StreamCorruptedException {
        return out.fitsNow(length);
    }

    /**
     * Sends one message, waiting for room as long as needed.
     *
     * @param src    the bytes
     * @param offset where the message starts
     * @param length its length
     * @param closed true once this end is closed here (stops a wait)
     * @throws IOException          if the other end is closed in every process ("broken pipe"), or this end
     *                              was closed while waiting
     * @throws InterruptedException if interrupted before the message started
     */
    public void send(byte[] src, int offset, int length, BooleanSupplier closed)
            throws IOException, InterruptedException {
        BooleanSupplier readerGone = () -> closed.getAsBoolean() || !peer.held();
        if (!peer.held()) { // as writing to a pipe no process reads: fails at once, whether or not there is room
            throw new IOException("the reading end is closed (broken pipe)");
        }
        if (LockWord.acquire(outWriter, -1, true) == LockWord.RECOVERED) {
            try {
                out.repairTail(); // the dead holder may have published a record and not its tail
                out.writeAbort(readerGone); // or stopped in the middle of a message
            } catch (IOException | RuntimeException e) {
                LockWord.release(outWriter);
                throw e;
            }
        }
        try {
            out.write(src, offset, length, -1, closed, () -> !peer.held()); // a started message is finished
        } finally {
            LockWord.release(outWriter);
        }
    }

    /**
     * Receives one message, waiting as long as needed.
     *
     * @param closed true once this end is closed here (stops a wait)
     * @return the message, or null if the wait stopped because {@code closed}
     * @throws EOFException             if the other end is closed in every process and every message was read
     * @throws StreamCorruptedException if the pipe's memory is corrupt
     * @throws InterruptedException     if interrupted while waiting for a message to start
     */
    public byte[] recv(BooleanSupplier closed) throws IOException, InterruptedException {
        BooleanSupplier writerGone = () -> closed.getAsBoolean() || !peer.held();
        // A started message is read to its end while its writer lives: not this end's close, and not the last
        // copy of the other end being closed while a thread still sends through it.
        BooleanSupplier abandoned = () -> {
            long owner = LockWord.ownerPid(inWriter);
            return owner == 0 ? !peer.held() : owner != self && !peer.alive(owner);
        };
        boolean recovered = LockWord.acquire(inReader, -1, true) == LockWord.RECOVERED;
        try {
            if (recovered) {
                in.recoverAfterDeadReader(); // it may have died clearing a record
                in.skipAfterDeadReader(writerGone, abandoned);
            }
            return in.read(-1, writerGone, abandoned);
        } catch (EOFException e) {
            if (closed.getAsBoolean()) {
                return null;
            }
            throw e;
        } finally {
            LockWord.release(inReader);
        }
    }

    /**
     * Waits until a message can be received, without receiving it.
     *
     * @param timeoutNanos the longest wait; negative waits forever
     * @param closed       true once this end is closed here (stops a wait)
     * @return true if a message is waiting, or the stream has ended (so that {@code recv} will not block)
     * @throws StreamCorruptedException if the pipe's memory is corrupt
     * @throws InterruptedException     if interrupted
     */
    public boolean poll(long timeoutNanos, BooleanSupplier closed) throws IOException, InterruptedException {
        boolean ready = in.awaitMessage(timeoutNanos, () -> closed.getAsBoolean() || !peer.held());
        return ready || (!closed.getAsBoolean() && !peer.held());
    }

    /** Wakes every waiter on this end's rings, after a change they must see (an end closed). */
    public void wakeAll() {
        if (in != null) {
            in.wakeAll();
        }
        if (out != null) {
            out.wakeAll();
        }
    }
}

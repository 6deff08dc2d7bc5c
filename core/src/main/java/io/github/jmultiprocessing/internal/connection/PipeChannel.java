package io.github.jmultiprocessing.internal.connection;

import io.github.jmultiprocessing.internal.ring.CorruptRingException;
import io.github.jmultiprocessing.internal.ring.EndHolders;
import io.github.jmultiprocessing.internal.ring.SpscRing;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.invoke.VarHandle;

import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import io.github.jmultiprocessing.internal.shm.SegmentHeaderLayout;
import io.github.jmultiprocessing.internal.sync.LockLayout;
import io.github.jmultiprocessing.internal.sync.LockWord;
import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.lang.foreign.MemorySegment;
import java.util.function.BooleanSupplier;

/**
 * One end of a pipe in shared memory: two pipe rings (one for a simplex pipe), a lock per ring side so that any
 * number of threads and processes may use one end, and per end the processes that hold a copy of it; the bytes are
 * described by {@link PipeLayout}.
 *
 * <p>Implementation notes. A sender holds its ring's writer lock for a whole message, so messages in pieces
 * never interleave; one that takes the lock over from a dead holder first writes an ABORT record, and the reader
 * drops the half message. A receiver holds the reader lock likewise; one that takes it over from a dead holder
 * skips the rest of the message that one was reading. The stream ends for a reader once the other end has no
 * live holder and the ring is drained.
 *
 * <p>Corruption. A side that finds a ring's memory impossible ({@link CorruptRingException}: a position, length,
 * kind no writer can have made, or a reader's head where no record will ever come, checked once a wait slice also by
 * {@link #poll}) marks the whole pipe broken ({@link PipeLayout#BROKEN}, compare-and-set, never undone) and wakes
 * every waiter of both rings; every send, recv and poll of either end, in every process, then throws a
 * {@code CorruptRingException}: waiting ones within a wait slice (the broken word is one of the conditions they wait
 * for), blocked on an end's lock as soon as the holder lets go. A record that fails its checksum
 * ({@link SpscRing.ChecksumMismatch}) is not a break: that message is dropped (the rest of it too, if it was in
 * pieces) and the next receive goes on with the next message.
 */
public final class PipeChannel {

    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final long FLAGS = PipeLayout.FLAGS;
    private static final long CAPACITY = PipeLayout.CAPACITY;
    private static final long BROKEN = PipeLayout.BROKEN;
    private static final int DUPLEX = PipeLayout.DUPLEX;
    private static final int CHECKSUM = PipeLayout.CHECKSUM;
    private static final long RINGS = PipeLayout.RINGS;

    private final MemorySegment memory;
    private final SpscRing[] rings; // every ring of the pipe, to wake all of their waiters when it breaks

    private final EndHolders own;
    private final EndHolders peer;
    private final SpscRing in; // null if this end only sends
    private final SpscRing out; // null if this end only receives
    private final MemorySegment inWriter;
    private final MemorySegment inReader;
    private final MemorySegment outWriter;
    private final long self = ProcessIdentity.pid();

    private PipeChannel(MemorySegment memory, int end) throws StreamCorruptedException {
        PipeLayout.verify(memory);
        this.memory = memory;
        boolean duplex = (memory.get(JAVA_INT, FLAGS) & DUPLEX) != 0;
        int capacity = memory.get(JAVA_INT, CAPACITY);
        if (capacity < SpscRing.MIN_CAPACITY || Integer.bitCount(capacity) != 1
                || memory.byteSize() < size(capacity, duplex)) {
            throw new CorruptRingException("pipe ring capacity=" + capacity + " in " + memory.byteSize()
                    + " bytes");
        }
        own = new EndHolders(memory.asSlice(PipeLayout.holders(end), EndHolders.SIZE));
        peer = new EndHolders(memory.asSlice(PipeLayout.holders(1 - end), EndHolders.SIZE));
        long ringSize = SpscRing.size(capacity);
        int inRing = end == 0 ? 0 : duplex ? 1 : -1;
        int outRing = end == 1 ? 0 : duplex ? 1 : -1;
        in = inRing < 0 ? null : SpscRing.attach(memory.asSlice(PipeLayout.ring(inRing, ringSize), ringSize));
        inWriter = inRing < 0 ? null : lock(memory, inRing, 0);
        inReader = inRing < 0 ? null : lock(memory, inRing, 1);
        out = outRing < 0 ? null : SpscRing.attach(memory.asSlice(PipeLayout.ring(outRing, ringSize), ringSize));
        outWriter = outRing < 0 ? null : lock(memory, outRing, 0);
        // Every send and recv below releases its end's lock before it signals: one fence less per message.
        if (in != null) {
            in.signalAfterUnlock(true);
        }
        if (out != null) {
            out.signalAfterUnlock(true);
        }
        rings = new SpscRing[duplex ? 2 : 1];
        for (int ring = 0; ring < rings.length; ring++) {
            rings[ring] = ring == inRing ? in : ring == outRing ? out
                    : SpscRing.attach(memory.asSlice(PipeLayout.ring(ring, ringSize), ringSize));
        }
    }

    private static MemorySegment lock(MemorySegment memory, int ring, int side) {
        return memory.asSlice(PipeLayout.lock(ring, side), LockLayout.SIZE);
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
     * Formats a new pipe in zeroed memory, with a checksum per record if {@code jmultiprocessing.checksum} says so.
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
            SpscRing.create(memory.asSlice(PipeLayout.ring(ring, ringSize), ringSize), capacity, checksum);
        }
        memory.set(JAVA_INT, FLAGS, (duplex ? DUPLEX : 0) | (checksum ? CHECKSUM : 0));
        memory.set(JAVA_INT, CAPACITY, capacity);
        SegmentHeaderLayout.write(memory, SegmentHeaderLayout.KIND_PIPE); // creator pid and start, magic last
        java.lang.invoke.VarHandle.fullFence();
    }

    /**
     * Views one end of a pipe.
     *
     * @param memory the pipe's memory
     * @param end    0 or 1
     * @return the end
     * @throws StreamCorruptedException if the memory does not hold a pipe of this layout version
     */
    public static PipeChannel open(MemorySegment memory, int end) throws StreamCorruptedException {
        if (end != 0 && end != 1) {
            throw new IllegalArgumentException("end=" + end + " (expected 0 or 1)");
        }
        return new PipeChannel(memory, end);
    }

    /**
     * Makes this end's waits hand-offs or not ({@link SpscRing#handOffWaits}); set before other threads use it.
     *
     * @param on true for a request and reply (the default a {@code Connection} sets), false for a stream
     */
    public void handOffWaits(boolean on) {
        for (SpscRing ring : rings) {
            ring.handOffWaits(on);
        }
    }

    /** {@return true if every record of the pipe's rings carries a CRC32C} */
    public boolean checksummed() {
        return (memory.get(JAVA_INT, FLAGS) & CHECKSUM) != 0;
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
        return !own.heldNow() && !peer.heldNow(); // not the liveness cache: a close decides this once
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
        checkBroken();
        try {
            return out.fitsNow(length);
        } catch (CorruptRingException e) {
            throw breakPipe(e);
        }
    }

    /**
     * Sends one message, waiting for room as long as needed.
     *
     * @param src    the bytes
     * @param offset where the message starts
     * @param length its length
     * @param closed true once this end is closed here (stops a wait)
     * @throws IOException          if the other end is closed in every process ("broken pipe"), or this end
     *                              was closed while waiting; {@link CorruptRingException} if the pipe is broken
     * @throws InterruptedException if interrupted before the message started
     */
    public void send(byte[] src, int offset, int length, BooleanSupplier closed)
            throws IOException, InterruptedException {
        checkBroken();
        BooleanSupplier readerGone = () -> closed.getAsBoolean() || !peer.held() || isBroken();
        if (!peer.held()) { // as writing to a pipe no process reads: fails at once, whether or not there is room
            throw new IOException("the reading end is closed (broken pipe)");
        }
        boolean recovered = LockWord.acquire(outWriter, -1, true) == LockWord.RECOVERED;
        try {
            checkBroken(); // broken while this thread waited for the lock
            if (recovered) {
                out.repairTail(); // the dead holder may have published a record and not its tail
                out.writeAbort(readerGone); // or stopped in the middle of a message
            }
            // A started message is finished unless the reader goes or the pipe breaks.
            out.write(src, offset, length, -1, closed, () -> !peer.held() || isBroken());
        } catch (CorruptRingException e) {
            throw breakPipe(e);
        } catch (IOException e) {
            checkBroken(); // stopped because the pipe broke: say so, not "broken pipe"
            throw e;
        } finally {
            LockWord.release(outWriter); // a full fence: the tail before the readers' waiters count
            out.signalData();
        }
    }

    /**
     * Receives one message, waiting as long as needed.
     *
     * @param closed true once this end is closed here (stops a wait)
     * @return the message, or null if the wait stopped because {@code closed}
     * @throws EOFException             if the other end is closed in every process and every message was read
     * @throws StreamCorruptedException if the pipe's memory is corrupt ({@link CorruptRingException}: the pipe is
     *                                  broken for good), or the message failed its checksum (dropped: the next
     *                                  receive goes on)
     * @throws InterruptedException     if interrupted while waiting for a message to start
     */
    public byte[] recv(BooleanSupplier closed) throws IOException, InterruptedException {
        checkBroken();
        BooleanSupplier writerGone = () -> closed.getAsBoolean() || !peer.held() || isBroken();
        // A started message is read to its end while its writer lives: not this end's close, and not the last
        // copy of the other end being closed while a thread still sends through it.
        BooleanSupplier abandoned = () -> {
            if (isBroken()) {
                return true;
            }
            long owner = LockWord.ownerPid(inWriter);
            return owner == 0 ? !peer.held() : owner != self && !peer.alive(owner);
        };
        boolean recovered = LockWord.acquire(inReader, -1, true) == LockWord.RECOVERED;
        try {
            checkBroken(); // broken while this thread waited for the lock
            if (recovered) {
                in.recoverAfterDeadReader(); // it may have died clearing a record
                in.skipAfterDeadReader(writerGone, abandoned);
            }
            byte[] message = in.read(-1, writerGone, abandoned);
            checkBroken(); // the wait ended because the pipe broke
            return message;
        } catch (CorruptRingException e) {
            throw breakPipe(e);
        } catch (EOFException e) {
            checkBroken(); // the wait ended because the pipe broke: not the end of the stream
            if (closed.getAsBoolean()) {
                return null;
            }
            throw e;
        } finally {
            LockWord.release(inReader); // a full fence: the head before the writers' waiters count
            in.signalSpace();
        }
    }

    /**
     * Waits until a message can be received, without receiving it.
     *
     * @param timeoutNanos the longest wait; negative waits forever
     * @param closed       true once this end is closed here (stops a wait)
     * @return true if a message is waiting, or the stream has ended (so that {@code recv} will not block)
     * @throws StreamCorruptedException if the pipe's memory is corrupt (it is then broken), also found while
     *                                  waiting: the ring is checked once a wait slice for a head stuck where no
     *                                  record will come
     * @throws InterruptedException     if interrupted
     */
    public boolean poll(long timeoutNanos, BooleanSupplier closed) throws IOException, InterruptedException {
        checkBroken();
        boolean ready;
        try {
            ready = in.awaitMessage(timeoutNanos, () -> closed.getAsBoolean() || !peer.held() || isBroken(),
                    inReader);
        } catch (CorruptRingException e) {
            throw breakPipe(e);
        }
        checkBroken();
        return ready || (!closed.getAsBoolean() && !peer.held());
    }

    /** {@return true once a process found the pipe's memory corrupt (it stays broken)} */
    public boolean isBroken() {
        return (int) INT.getAcquire(memory, BROKEN) != 0; // pairs with the compare-and-set in breakPipe
    }

    private void checkBroken() throws CorruptRingException {
        int by = (int) INT.getAcquire(memory, BROKEN); // pairs with the compare-and-set in breakPipe
        if (by != 0) {
            throw new CorruptRingException("corrupt pipe: broken (process " + by + " found a ring of it corrupt;"
                    + " every send and receive fails from then on, in every process)");
        }
    }

    /**
     * Marks the pipe broken for every process (the first finder's pid stays) and wakes every waiter of its rings,
     * which then throw. {@return the exception, to throw}
     */
    private CorruptRingException breakPipe(CorruptRingException e) {
        int pid = (int) self;
        // Volatile: the waiters counts read by the wake-ups come after it.
        INT.compareAndSet(memory, BROKEN, 0, pid == 0 ? -1 : pid);
        for (SpscRing ring : rings) {
            ring.wakeAll();
        }
        return e;
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

package io.github.jmultiprocessing.internal.queue;

import io.github.jmultiprocessing.internal.events.QueueWaitEvent;
import io.github.jmultiprocessing.internal.events.Recording;
import io.github.jmultiprocessing.internal.ring.CorruptRingException;
import io.github.jmultiprocessing.internal.ring.EndHolders;
import io.github.jmultiprocessing.internal.ring.RecordReader;
import io.github.jmultiprocessing.internal.ring.RecordWriter;
import io.github.jmultiprocessing.internal.ring.SpscRing;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.github.jmultiprocessing.internal.shm.MappedSegment;
import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import io.github.jmultiprocessing.internal.shm.SegmentHeaderLayout;
import io.github.jmultiprocessing.internal.shm.SegmentLedger;
import io.github.jmultiprocessing.internal.shm.SegmentTable;
import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import io.github.jmultiprocessing.internal.sync.LockLayout;
import io.github.jmultiprocessing.internal.sync.LockWord;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import io.github.jmultiprocessing.internal.sync.Waiting;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A queue of messages in shared memory for any number of producer and consumer processes: the bytes under
 * {@code SharedQueue}, {@code SharedSimpleQueue} and {@code SharedJoinableQueue}.
 *
 * <pre>
 *   header segment NAME: {@link QueueLayout} (locks, counters, waiting words, the shutdown word, the holders)
 *   ring segments NAME.0, NAME.1, ...: chained {@link SpscRing}s
 * </pre>
 *
 * <p>Implementation notes. Producers take turns under the producers' lock and consumers under the consumers'
 * lock, so each ring has one writer and one reader at a time (CPython's queue serializes readers too). Neither
 * lock is held while waiting: a consumer that finds nothing waits, unlocked, until {@code puts} moves from what
 * it read before looking; a producer of a full bounded queue likewise until {@code gets} moves. A put
 * never waits for bytes: when the current ring has no room, the producer creates the next ring (large enough for
 * the message), ends the current one with a LINK record and moves the write generation; a consumer that reaches
 * the LINK moves the read generation and unlinks the drained ring, so memory goes back as the queue drains.
 * {@code maxsize} bounds the count of messages ({@code puts - gets}), as in Python. A message is whole in one
 * record published by its header word, so a producer that dies holding the lock leaves no half message to
 * take, and the next producer takes the lock over and repairs the ring's tail (clearing the bytes the dead one
 * copied for a record it never published), and unlinks and creates afresh a next ring the dead one had created
 * but not linked (no other process knows it yet; it may even be an empty file, killed before it had a size); a
 * consumer that dies likewise leaves the LINK record it
 * saw unconsumed, so the next one moves on; it moves the write generation too if a producer died between the
 * LINK and that move. Consumers count a message ({@code gets}) before taking it and waiting consumers look again
 * every 10 ms; a consumer that finds nothing while {@code puts} (read before its last look) is past {@code gets}
 * throws {@link StreamCorruptedException}: the ring's memory is corrupt, and waiting would be for good. Any such
 * finding ({@link CorruptRingException}, by a consumer or a producer) breaks the queue for every process: the finder
 * sets {@link QueueLayout#BROKEN} (compare-and-set, never undone) and wakes every waiter; every put, get, peek and
 * {@code join} reads the word (under its side's lock, and as a condition of its waits) and throws. With the
 * {@link QueueLayout#CHECKSUM} flag every record carries a CRC32C; one that does not match is dropped, counted as
 * taken, and reported. Rings are a family of segments in the {@link SegmentLedger}: they live at most as long as the
 * queue's creator. Before that, the queue is unlinked (header and rings) when its last holder closes it: each
 * process counts its open objects in the holders' table, a handle being sent takes a ticket ({@link #send}) that
 * the receiver's {@link #attach} gives back after counting itself, and the last {@link #close} that leaves no live
 * holder and no ticket marks the queue gone, reads the messages left (the handles in them give back their
 * tickets; not at exit, nor by a holder killed) and unlinks it; all of it under the holders' lock, so that no attach
 * slips between that check and the unlink. A holder that was killed is not counted (pid liveness). A handle never
 * received keeps its ticket: the queue then lives until its creator exits; one decoded twice gives back two
 * tickets (another handle's: each encoding is to be decoded once). Non-invariants: a producer killed between publishing a message and counting it leaves {@code puts}
 * one short, and a consumer killed between counting and taking leaves {@code gets} one high (qsize one low, the
 * bound one looser); a joinable queue's
 * unfinished count is raised before a message is published, so a producer killed in between leaves
 * {@code join} waiting, as in Python.
 *
 * <p>Shutdown (Python 3.13's {@code queue.Queue.shutdown}). {@link #shutdown} sets the shutdown word under the
 * producers' lock, so every put either completed before it (its record published) or sees the word under the same
 * lock and is refused with {@link ShutDown}: after {@code shutdown} returns, no put succeeds in any process. A
 * consumer reads the word (acquire) before it looks into the ring, so when it sees the word and finds nothing, every
 * message ever put has been taken: the queue is shut down and empty for good, and it throws {@link ShutDown}; with
 * messages left it takes them (gets drain, then raise). The word is one of the conditions producers and consumers
 * wait for, and {@code shutdown} wakes every waiter of both, so blocked puts and gets in every process end with
 * {@link ShutDown} (the others' periodic look bounds it at {@link LockWord#CHECK_NANOS} in any case). An immediate
 * shutdown then takes every message left under the consumers' lock and, for a joinable queue, counts each as a task
 * done (as CPython does), waking {@code join}. The word never goes back to open.
 */
public final class QueueChannel implements AutoCloseable {

    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final VarHandle INT = JAVA_INT.varHandle();
    // Offsets in the header ({@link QueueLayout}).
    private static final long FLAGS = QueueLayout.FLAGS;
    private static final long MAXSIZE = QueueLayout.MAXSIZE;
    private static final long FIRST_CAPACITY = QueueLayout.FIRST_CAPACITY;
    private static final long PRODUCERS = QueueLayout.PRODUCERS;
    private static final long CONSUMERS = QueueLayout.CONSUMERS;
    private static final long PUTS = QueueLayout.PUTS;
    private static final long WRITE_GEN = QueueLayout.WRITE_GEN;
    private static final long DATA_SEQ = QueueLayout.DATA_SEQ;
    private static final long DATA_WAITERS = QueueLayout.DATA_WAITERS;
    private static final long GETS = QueueLayout.GETS;
    private static final long READ_GEN = QueueLayout.READ_GEN;
    private static final long NOT_FULL_SEQ = QueueLayout.NOT_FULL_SEQ;
    private static final long NOT_FULL_WAITERS = QueueLayout.NOT_FULL_WAITERS;
    private static final long UNFINISHED = QueueLayout.UNFINISHED;
    private static final long JOIN_SEQ = QueueLayout.JOIN_SEQ;
    private static final long JOIN_WAITERS = QueueLayout.JOIN_WAITERS;
    private static final long HOLDERS_LOCK = QueueLayout.HOLDERS_LOCK;
    private static final long TICKETS = QueueLayout.TICKETS;
    private static final long GONE = QueueLayout.GONE;
    private static final long PINNED = QueueLayout.PINNED;
    private static final long HOLDERS = QueueLayout.HOLDERS;
    private static final long SHUTDOWN = QueueLayout.SHUTDOWN;
    private static final long BROKEN = QueueLayout.BROKEN;
    private static final long SIZE = QueueLayout.SIZE;
    private static final int JOINABLE = QueueLayout.JOINABLE;
    private static final int MAX_RING = 16 << 20;
    private static final long SPIN_NANOS = 20_000;
    private static final Object LINK_MARK = new Object();

    private final String name;
    private final MappedSegment header;
    private final MemorySegment memory;
    private final MemorySegment producers;
    private final MemorySegment consumers;
    private final int maxsize;
    private final boolean joinable;
    private final boolean checksum;
    private final int firstCapacity;
    private final MemorySegment holdersLock;
    private final EndHolders holders;
    private boolean counted; // this object is counted in the holders' table
    private boolean left; // leave() ran, guarded by this

    // The ring this object writes / reads: touched only under the producers' / consumers' lock.
    private RingView writer;
    private RingView reader;
    private long getsSeen; // the consumers' count as a producer here last read it, under the producers' lock

    /** One ring of the chain, mapped in this process. */
    private record RingView(long gen, MappedSegment segment, SpscRing ring) {

        static RingView open(String queue, long gen) throws StreamCorruptedException {
            MappedSegment segment = SegmentTable.attach(ringName(queue, gen));
            try {
                return new RingView(gen, segment, attachRing(segment));
            } catch (StreamCorruptedException | RuntimeException e) {
                SegmentTable.release(segment);
                throw e;
            }
        }

        /** {@return the view of ring {@code gen}: this one, or a new one (this one released)} */
        static RingView moveTo(RingView current, String queue, long gen) throws StreamCorruptedException {
            if (current != null && current.gen == gen) {
                return current;
            }
            RingView next = open(queue, gen);
            if (current != null) {
                SegmentTable.release(current.segment);
            }
            return next;
        }
    }

    private QueueChannel(String name, MappedSegment header) {
        this.name = name;
        this.header = header;
        this.memory = header.segment();
        try {
            QueueLayout.verify(name, memory);
        } catch (IllegalArgumentException e) {
            SegmentTable.release(header);
            throw e;
        }
        this.producers = memory.asSlice(PRODUCERS, LockLayout.SIZE);
        this.consumers = memory.asSlice(CONSUMERS, LockLayout.SIZE);
        this.maxsize = memory.get(JAVA_INT, MAXSIZE);
        this.joinable = (memory.get(JAVA_INT, FLAGS) & JOINABLE) != 0;
        this.checksum = (memory.get(JAVA_INT, FLAGS) & QueueLayout.CHECKSUM) != 0;
        this.firstCapacity = memory.get(JAVA_INT, FIRST_CAPACITY);
        this.holdersLock = memory.asSlice(HOLDERS_LOCK, LockLayout.SIZE);
        this.holders = new EndHolders(memory.asSlice(HOLDERS, EndHolders.SIZE));
    }

    /**
     * Creates a queue, owned by this process, with a checksum per message if {@code jmultiprocessing.checksum}
     * says so.
     *
     * @param maxsize  the most messages it holds, 0 for no limit
     * @param capacity the first ring's capacity in bytes, a power of two
     * @param joinable true to count unfinished tasks
     * @return the queue
     */
    public static QueueChannel create(int maxsize, int capacity, boolean joinable) {
        return create(maxsize, capacity, joinable, SpscRing.checksumByDefault());
    }

    /**
     * Creates a queue, owned by this process.
     *
     * @param maxsize  the most messages it holds, 0 for no limit
     * @param capacity the first ring's capacity in bytes, a power of two
     * @param joinable true to count unfinished tasks
     * @param checksum true to carry a CRC32C in every message, checked before it is delivered (in every process)
     * @return the queue
     */
    public static QueueChannel create(int maxsize, int capacity, boolean joinable, boolean checksum) {
        if (maxsize < 0) {
            throw new IllegalArgumentException("maxsize=" + maxsize + " (expected >= 0, 0 for no limit)");
        }
        SpscRing.size(capacity); // checks it
        String name = ShmDirectory.randomName("jmp-queue-" + ProcessIdentity.pid() + "-");
        MappedSegment header = SegmentTable.create(name, SIZE, true);
        MemorySegment memory = header.segment();
        memory.set(JAVA_INT, FLAGS, (joinable ? JOINABLE : 0) | (checksum ? QueueLayout.CHECKSUM : 0));
        memory.set(JAVA_INT, MAXSIZE, maxsize);
        memory.set(JAVA_INT, FIRST_CAPACITY, capacity);
        MappedSegment ring = SegmentTable.createFamilyMember(name, ProcessIdentity.pid(), ProcessIdentity.startTime(),
                ringName(name, 0), QueueLayout.ringSegmentSize(capacity));
        formatRing(ring, capacity, checksum);
        SegmentTable.release(ring);
        SegmentHeaderLayout.write(memory, SegmentHeaderLayout.KIND_QUEUE); // creator pid and start, magic last
        VarHandle.fullFence();
        QueueChannel queue = new QueueChannel(name, header);
        queue.holders.add(ProcessIdentity.pid(), 1); // nobody else knows the name yet: no lock needed
        queue.counted = true;
        return queue;
    }

    /**
     * Attaches a queue another process created.
     *
     * @param name its name
     * @return the queue
     * @throws UncheckedIOException if there is no such queue
     */
    public static QueueChannel attach(String name) {
        QueueChannel queue = new QueueChannel(name, SegmentTable.attach(name));
        LockWord.acquireUninterruptibly(queue.holdersLock);
        try {
            if ((int) INT.getVolatile(queue.memory, GONE) != 0) { // unlinked after this process mapped the name
                SegmentTable.release(queue.header);
                throw new UncheckedIOException(new java.nio.file.NoSuchFileException(name,  null,
                        "the queue was unlinked: every process had closed it"));
            }
            try {
                queue.holders.add(ProcessIdentity.pid(), 1); // counted before the ticket goes: never unheld between
                queue.counted = true;
            } catch (IllegalStateException full) { // every slot held by a live process: never unlinked early
                INT.setVolatile(queue.memory, PINNED, 1);
            }
            int tickets = (int) INT.getVolatile(queue.memory, TICKETS);
            if (tickets > 0) {
                INT.setVolatile(queue.memory, TICKETS, tickets - 1);
            }
        } finally {
            LockWord.release(queue.holdersLock);
        }
        return queue;
    }

    /**
     * Takes a ticket for a handle of this queue about to be sent to another process: the queue is not unlinked
     * before a receiver's {@link #attach} gives it back (or its creator exits). Call while this object is open.
     */
    public void send() {
        LockWord.acquireUninterruptibly(holdersLock);
        try {
            INT.setVolatile(memory, TICKETS, (int) INT.getVolatile(memory, TICKETS) + 1);
        } finally {
            LockWord.release(holdersLock);
        }
    }

    private static String ringName(String queue, long gen) {
        return queue + "." + gen;
    }

    /** {@return the queue's name} */
    public String name() {
        return name;
    }

    /** {@return the most messages it holds, 0 for no limit} */
    public int maxsize() {
        return maxsize;
    }

    /** {@return true if it counts unfinished tasks} */
    public boolean joinable() {
        return joinable;
    }

    /** {@return true if every message carries a CRC32C} */
    public boolean checksummed() {
        return checksum;
    }

    /** {@return the messages in the queue now (approximate while others put and get)} */
    public long size() {
        long gets = (long) LONG.getVolatile(memory, GETS);
        return Math.max(0, (long) LONG.getVolatile(memory, PUTS) - gets);
    }

    // ---- producers

    /**
     * Puts a message.
     *
     * @param message      the bytes
     * @param timeoutNanos the longest wait for a place in a bounded queue; negative waits forever, 0 does not wait
     *                     (the producers' lock, held briefly by others, is waited for in any case)
     * @param stop         true to stop waiting (this object is being closed)
     * @return false if the queue stayed full or {@code stop} (nothing was put)
     * @throws ShutDown             if the queue is shut down, also while waiting (nothing was put)
     * @throws InterruptedException if interrupted while waiting
     * @throws IOException          if the queue's memory is corrupt
     * @throws UncheckedIOException if the next ring cannot be created (no room in the segment directory): nothing
     *                              was put and the queue is as it was, so a later put may succeed
     */
    public boolean put(byte[] message, long timeoutNanos, BooleanSupplier stop)
            throws InterruptedException, IOException {
        return put(message.length, dst -> MemorySegment.copy(message, 0, dst, JAVA_BYTE, 0, message.length),
                timeoutNanos, stop);
    }

    /**
     * Puts a message written in place.
     *
     * @param length       the message length
     * @param message      writes exactly {@code length} bytes into the slice it is given (under the producers'
     *                     lock: it should be quick); if it throws, nothing is put
     * @param timeoutNanos the longest wait for a place in a bounded queue; negative waits forever, 0 does not wait
     *                     (the producers' lock, held briefly by others, is waited for in any case)
     * @param stop         true to stop waiting (this object is being closed)
     * @return false if the queue stayed full or {@code stop} (nothing was put)
     * @throws ShutDown             if the queue is shut down, also while waiting (nothing was put)
     * @throws InterruptedException if interrupted while waiting
     * @throws IOException          if the queue's memory is corrupt
     * @throws UncheckedIOException if the next ring cannot be created (no room in the segment directory): nothing
     *                              was put and the queue is as it was, so a later put may succeed
     */
    public boolean put(int length, RecordWriter message, long timeoutNanos, BooleanSupplier stop)
            throws InterruptedException, IOException {
        QueueWaitEvent event = timeoutNanos != 0 && Recording.on() ? waitBegins() : null;
        boolean done = false;
        try {
            done = putChecked(length, message, timeoutNanos, stop);
            return done;
        } catch (CorruptRingException e) {
            throw breakQueue(e);
        } finally {
            if (event != null) {
                waitEnds(event, "put", done);
            }
        }
    }

    /** {@return a begun event for a put, get or join that may wait} (asked only while JFR records) */
    private static QueueWaitEvent waitBegins() {
        QueueWaitEvent event = new QueueWaitEvent();
        event.begin();
        return event;
    }

    /** Commits the event of a put, get or join that took the event's threshold or more (it waited). */
    private void waitEnds(QueueWaitEvent event, String operation, boolean done) {
        event.end();
        if (event.shouldCommit()) {
            event.queue = name;
            event.operation = operation;
            event.done = done;
            event.commit();
        }
    }

    private boolean putChecked(int length, RecordWriter message, long timeoutNanos, BooleanSupplier stop)
            throws InterruptedException, IOException {
        SpscRing.chainedCapacityFor(length, checksum); // refuses what no ring can hold, before anything changes
        long start = timeoutNanos > 0 ? System.nanoTime() : 0L; // only a positive timeout reads the clock
        while (true) {
            boolean recovered = LockWord.acquire(producers, -1, timeoutNanos != 0) == LockWord.RECOVERED;
            long gets;
            boolean put = false;
            try {
                checkBroken(); // under the lock: also a break found while this producer waited for it
                if (recovered) {
                    writeRing().repairTail(); // the dead producer may have published a record and not its tail
                }
                if ((int) INT.getAcquire(memory, SHUTDOWN) != QueueLayout.OPEN) { // written under this lock
                    throw new ShutDown("queue " + name + " is shut down: put refused");
                }
                if (maxsize == 0) { // the consumers' count is not read: their cache line stays theirs
                    putLocked(length, message);
                    put = true;
                    return true;
                }
                long puts = memory.get(JAVA_LONG, PUTS);
                gets = getsSeen; // gets only grows: the last reading is a bound on how full the queue is
                if (puts - gets >= maxsize) { // the consumers' line is fetched only when that reading is not enough
                    gets = (long) LONG.getVolatile(memory, GETS);
                    getsSeen = gets;
                }
                if (puts - gets < maxsize) {
                    putLocked(length, message);
                    put = true;
                    return true;
                }
            } finally {
                LockWord.release(producers); // a full fence: the count before the consumers' waiters count
                if (put) {
                    WaitCore.signal(memory, DATA_SEQ, DATA_WAITERS, 1);
                }
            }
            long seen = gets; // full when gets was this: wait until a consumer takes one
            if (timeoutNanos == 0 || !Waiting.until(memory, NOT_FULL_SEQ, NOT_FULL_WAITERS,
                    () -> (long) LONG.getVolatile(memory, GETS) != seen || stop.getAsBoolean() || isShutdown()
                            || isBroken(),
                    left(timeoutNanos, start), true) || stop.getAsBoolean()) {
                checkBroken(); // woken by a consumer that found the queue corrupt: not a timeout
                return false;
            }
        }
    }

    private void putLocked(int length, RecordWriter message) throws IOException {
        if (joinable) {
            INT.getAndAdd(memory, UNFINISHED, 1);
        }
        try {
            write(length, message);
        } catch (IOException | RuntimeException | Error e) {
            if (joinable) {
                INT.getAndAdd(memory, UNFINISHED, -1);
            }
            throw e;
        }
        // Released: the caller's lock release orders it before the waiters are read (a consumer about to wait is
        // woken) and signals after it.
        LONG.setRelease(memory, PUTS, memory.get(JAVA_LONG, PUTS) + 1);
    }

    private void write(int length, RecordWriter message) throws IOException {
        SpscRing ring = writeRing();
        if (ring.tryWrite(length, message)) {
            return;
        }
        int capacity = Math.max(SpscRing.chainedCapacityFor(length, checksum),
                Math.max(firstCapacity, Math.min(MAX_RING, ring.capacity() * 2)));
        long next = writer.gen() + 1;
        String nextName = ringName(name, next);
        long ownerPid = SegmentHeaderLayout.creatorPid(memory);
        long ownerStart = SegmentHeaderLayout.creatorStartTime(memory);
        MappedSegment segment;
        try {
            segment = SegmentTable.createFamilyMember(name, ownerPid, ownerStart, nextName,
                    QueueLayout.ringSegmentSize(capacity));
        } catch (UncheckedIOException e) {
            if (!(e.getCause() instanceof java.nio.file.FileAlreadyExistsException)) {
                throw e;
            }
            // A producer died after creating it and before linking it, perhaps before it had a size (an empty
            // file, which cannot even be mapped): start it afresh. No other process knows it before the link, and
            // the producers' lock is held here.
            try {
                SegmentTable.unlink(nextName);
            } catch (UncheckedIOException gone) {
                // unlinked meanwhile (the queue's owner exited): created anew below all the same
            }
            segment = SegmentTable.createFamilyMember(name, ownerPid, ownerStart, nextName,
                    QueueLayout.ringSegmentSize(capacity));
        }
        SpscRing nextRing = formatRing(segment, capacity, checksum);
        boolean written;
        try {
            written = nextRing.tryWrite(length, message);
        } catch (IOException | RuntimeException | Error e) {
            SegmentTable.release(segment); // not linked: the next producer starts it afresh
            throw e;
        }
        if (!written) {
            SegmentTable.release(segment);
            throw new AssertionError("a new ring of " + capacity + " bytes has no room for " + length);
        }
        ring.link(nextName);
        LONG.setVolatile(memory, WRITE_GEN, next);
        SegmentTable.release(writer.segment());
        writer = new RingView(next, segment, nextRing);
    }

    /**
     * Formats a new ring segment: the chained ring after the segment header, then the header (magic last), so that
     * a reader that follows the link finds both.
     */
    private static SpscRing formatRing(MappedSegment segment, int capacity, boolean checksum) {
        MemorySegment whole = segment.segment();
        SpscRing ring = SpscRing.createChained(whole.asSlice(QueueLayout.RING), capacity, checksum);
        SegmentHeaderLayout.write(whole, SegmentHeaderLayout.KIND_QUEUE_RING);
        return ring;
    }

    /** Views the ring of a ring segment, after checking its segment header. */
    private static SpscRing attachRing(MappedSegment segment) throws StreamCorruptedException {
        MemorySegment whole = segment.segment();
        try {
            SegmentHeaderLayout.verify(segment.name(), whole, SegmentHeaderLayout.KIND_QUEUE_RING);
        } catch (IllegalArgumentException e) {
            throw new CorruptRingException("queue ring " + e.getMessage());
        }
        return SpscRing.attach(whole.asSlice(QueueLayout.RING));
    }

    private SpscRing writeRing() throws StreamCorruptedException {
        writer = RingView.moveTo(writer, name, (long) LONG.getVolatile(memory, WRITE_GEN));
        // A producer that died after linking the next ring and before moving the generation: move it now.
        for (String next; (next = writer.ring().linkedTo()) != null; ) {
            long gen = writer.gen() + 1;
            if (!next.equals(ringName(name, gen))) {
                throw new CorruptRingException("corrupt queue: ring " + ringName(name, writer.gen())
                        + " links to " + next);
            }
            LONG.setVolatile(memory, WRITE_GEN, gen);
            writer = RingView.moveTo(writer, name, gen);
        }
        return writer.ring();
    }

    // ---- consumers

    /**
     * Takes the oldest message.
     *
     * @param timeoutNanos the longest wait; negative waits forever, 0 does not wait (the consumers' lock, held
     *                     briefly by others, is waited for in any case)
     * @param stop         true to stop waiting (this object is being closed)
     * @return the message, or null if the queue stayed empty or {@code stop}
     * @throws ShutDown             if the queue is shut down and empty, also while waiting
     * @throws InterruptedException if interrupted while waiting
     * @throws IOException          if the queue's memory is corrupt
     */
    public byte[] get(long timeoutNanos, BooleanSupplier stop) throws InterruptedException, IOException {
        return get(src -> src.toArray(JAVA_BYTE), timeoutNanos, stop);
    }

    /**
     * Takes the oldest message, read in place.
     *
     * @param reader       reads the message from the read-only slice it is given (under the consumers' lock: it
     *                     should be quick); the message is taken even if it throws
     * @param timeoutNanos the longest wait; negative waits forever, 0 does not wait (the consumers' lock, held
     *                     briefly by others, is waited for in any case)
     * @param stop         true to stop waiting (this object is being closed)
     * @param <T>          what the reader makes
     * @return the reader's value, or null if the queue stayed empty or {@code stop}
     * @throws ShutDown             if the queue is shut down and empty, also while waiting
     * @throws InterruptedException if interrupted while waiting
     * @throws IOException          if the queue's memory is corrupt, or the reader throws or returns null
     */
    public <T> T get(RecordReader<T> reader, long timeoutNanos, BooleanSupplier stop)
            throws InterruptedException, IOException {
        QueueWaitEvent event = timeoutNanos != 0 && Recording.on() ? waitBegins() : null;
        T message = null;
        try {
            message = getChecked(reader, timeoutNanos, stop);
            return message;
        } catch (CorruptRingException e) {
            throw breakQueue(e);
        } finally {
            if (event != null) {
                waitEnds(event, "get", message != null);
            }
        }
    }

    private <T> T getChecked(RecordReader<T> reader, long timeoutNanos, BooleanSupplier stop)
            throws InterruptedException, IOException {
        long start = timeoutNanos > 0 ? System.nanoTime() : 0L; // only a positive timeout reads the clock
        while (true) {
            boolean recovered = LockWord.acquire(consumers, -1, timeoutNanos != 0) == LockWord.RECOVERED;
            T message;
            long puts = 0;
            boolean shutDown;
            long getsBefore = memory.get(JAVA_LONG, GETS); // the consumers' own word: their lock hands it over
            try {
                checkBroken(); // under the lock: also a break found by the consumer this one waited for
                if (recovered) {
                    readRing().recoverAfterDeadReader(); // the dead consumer may have been clearing a record
                }
                // Read before looking: pairs with the setVolatile in shutdown(), which follows every published put
                // (the producers' lock orders them), so nothing found now means nothing will ever come.
                shutDown = isShutdown();
                message = takeLocked(reader);
                if (message == null) {
                    // The count is read only now, on the way to sleep, and before a last look: a message published
                    // after that look moves it (producers count after publishing).
                    puts = (long) LONG.getVolatile(memory, PUTS);
                    if (timeoutNanos != 0) {
                        spinForData(start, timeoutNanos);
                    }
                    message = takeLocked(reader);
                    if (message == null) {
                        checkNothingMissing(puts);
                    }
                }
            } finally {
                // A consumer that died holding the lock may have taken one and not signalled: signal for it too.
                boolean took = recovered || memory.get(JAVA_LONG, GETS) != getsBefore;
                LockWord.release(consumers); // a full fence: the count before the producers' waiters count
                if (took) {
                    signalNotFull(1);
                }
            }
            if (message != null) {
                return message;
            }
            if (shutDown) {
                throw new ShutDown("queue " + name + " is shut down and empty");
            }
            long left = left(timeoutNanos, start);
            if (left == 0 || stop.getAsBoolean()) {
                checkBroken(); // another consumer found the queue corrupt: not merely empty
                return null;
            }
            long seen = puts;
            // Looks again after each slice even if puts did not move: a producer that died between publishing a
            // message and counting it must not leave a consumer waiting with a message in the queue.
            Waiting.until(memory, DATA_SEQ, DATA_WAITERS,
                    () -> (long) LONG.getVolatile(memory, PUTS) != seen || stop.getAsBoolean() || isShutdown()
                            || isBroken(),
                    left < 0 ? LockWord.CHECK_NANOS : Math.min(left, LockWord.CHECK_NANOS), true);
        }
    }

    /**
     * Throws if the queue counts more messages put than taken while the ring holds none at the consumers' head:
     * corrupt memory (a head moved into the middle of a record, a zeroed header, a tail moved past a gap), which
     * would otherwise keep every consumer waiting for good while producers go on. Sound because producers count
     * ({@code puts}, a release store) after publishing, and {@code puts} was read before the last look into the ring:
     * that look sees every record counted; a producer killed before counting or a consumer killed after counting
     * only makes {@code puts - gets} smaller. Called on the way to sleep only, never per message.
     */
    private void checkNothingMissing(long puts) throws StreamCorruptedException {
        long gets = memory.get(JAVA_LONG, GETS); // the consumers' own word (their lock hands it over)
        if (puts - gets > 0) {
            throw new CorruptRingException("corrupt queue " + name + ": puts=" + puts + " gets=" + gets
                    + " but ring " + ringName(name, reader.gen()) + " has no record at its head (expected "
                    + (puts - gets) + " published message(s) from there)");
        }
    }

    /**
     * Spins a little, holding the consumers' lock, for the next record of the current ring: a producer that is
     * merely slower than this consumer then costs no sleep and wake-up. Reads one data word, never the producers'
     * counters. {@return true if a record (or a link) came}
     */
    private boolean spinForData(long start, long timeoutNanos) throws StreamCorruptedException {
        SpscRing ring = readRing();
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        for (int i = 1; ; i++) {
            if (ring.ready()) {
                return true;
            }
            Thread.onSpinWait();
            if ((i & 63) == 0) {
                long now = System.nanoTime();
                if (now - spinUntil >= 0 || (timeoutNanos > 0 && now - start >= timeoutNanos)) {
                    return false;
                }
            }
        }
    }

    /**
     * Wakes producers waiting for room in a bounded queue, after the consumers' lock was released: its releasing
     * compare-and-set orders the count of messages taken before the waiters count is read.
     */
    private void signalNotFull(int count) {
        if (maxsize > 0) {
            WaitCore.signal(memory, NOT_FULL_SEQ, NOT_FULL_WAITERS, count);
        }
    }

    /** {@return the oldest message, taken and read, or null if there is none now} */
    @SuppressWarnings("unchecked")
    private <T> T takeLocked(RecordReader<T> reader) throws IOException {
        while (true) {
            // Counted before it is taken: a consumer that dies in between loosens the bound by one, never
            // tightens it (a count one short would keep a full bounded queue full for good).
            Object message;
            try {
                message = readRing().poll(src -> {
                    long gets = memory.get(JAVA_LONG, GETS); // the consumers' own word (their lock hands it over)
                    LONG.setRelease(memory, GETS, gets + 1); // only for a real message, before it is taken
                    T value = reader.read(src);
                    if (value == null) {
                        throw new IOException("a queue message read as null");
                    }
                    return value;
                }, LINK_MARK);
            } catch (IOException | RuntimeException | Error e) {
                if (e instanceof SpscRing.ChecksumMismatch) { // dropped before the reader ran: counted here
                    LONG.setRelease(memory, GETS, memory.get(JAVA_LONG, GETS) + 1);
                }
                throw e; // the message was taken all the same (the caller signals once it lets go of the lock)
            }
            if (message != null && message != LINK_MARK) {
                return (T) message;
            }
            if (message == null) {
                return null;
            }
            moveOn();
        }
    }

    /**
     * {@return the oldest message without taking it, or null if the queue is empty now}
     *
     * @throws IOException if the queue's memory is corrupt
     */
    public byte[] peek() throws IOException {
        checkBroken();
        boolean recovered = LockWord.acquireUninterruptibly(consumers) == LockWord.RECOVERED;
        try {
            if (recovered) {
                readRing().recoverAfterDeadReader(); // the dead consumer may have been clearing a record
            }
            while (true) {
                byte[] message = readRing().peek();
                if (message != SpscRing.LINKED) {
                    return message;
                }
                moveOn();
            }
        } catch (CorruptRingException e) {
            throw breakQueue(e);
        } finally {
            LockWord.release(consumers);
        }
    }

    /**
     * {@return every message in the queue now, oldest first, none taken}
     *
     * @throws IOException if the queue's memory is corrupt
     */
    public List<byte[]> snapshot() throws IOException {
        checkBroken();
        List<byte[]> messages = new ArrayList<>();
        boolean recovered = LockWord.acquireUninterruptibly(consumers) == LockWord.RECOVERED;
        try {
            if (recovered) {
                readRing().recoverAfterDeadReader(); // the dead consumer may have been clearing a record
            }
            SpscRing ring = readRing();
            List<MappedSegment> held = new ArrayList<>();
            try {
                while (ring.forEach(messages::add)) {
                    MappedSegment next = SegmentTable.attach(ring.next());
                    held.add(next);
                    ring = attachRing(next);
                }
            } finally {
                held.forEach(SegmentTable::release);
            }
            return messages;
        } catch (CorruptRingException e) {
            throw breakQueue(e);
        } finally {
            LockWord.release(consumers);
        }
    }

    /** At a LINK record: goes on in the next ring and unlinks the drained one. */
    private void moveOn() throws StreamCorruptedException {
        String drained = ringName(name, reader.gen());
        String next = reader.ring().next();
        long gen = reader.gen() + 1;
        if (!next.equals(ringName(name, gen))) {
            throw new CorruptRingException("corrupt queue: ring " + drained + " links to " + next);
        }
        LONG.setVolatile(memory, READ_GEN, gen);
        // A producer that died between linking and moving the write generation: move it before the ring goes.
        LONG.compareAndSet(memory, WRITE_GEN, gen - 1, gen);
        readRing(); // maps the next ring, releases the drained one
        try {
            SegmentTable.unlink(drained);
        } catch (UncheckedIOException e) {
            // a consumer that died after moving on had unlinked it already
        }
    }

    private SpscRing readRing() throws StreamCorruptedException {
        reader = RingView.moveTo(reader, name, (long) LONG.getVolatile(memory, READ_GEN));
        return reader.ring();
    }

    // ---- broken

    /** {@return true once a process found the queue's memory corrupt (it stays broken)} */
    public boolean isBroken() {
        return (int) INT.getAcquire(memory, BROKEN) != 0; // pairs with the compare-and-set in breakQueue
    }

    /** Throws if the queue is broken: called by every put and get before it looks, and after a wait. */
    private void checkBroken() throws CorruptRingException {
        int by = (int) INT.getAcquire(memory, BROKEN); // pairs with the compare-and-set in breakQueue
        if (by != 0) {
            throw new CorruptRingException("corrupt queue " + name + ": broken (process " + by + " found its"
                    + " memory corrupt; every put and get fails from then on, in every process)");
        }
    }

    /**
     * Marks the queue broken for every process (the first finder's pid stays) and wakes every waiting put, get and
     * join, which then throw. {@return the exception, to throw}
     */
    private CorruptRingException breakQueue(CorruptRingException e) {
        int pid = (int) ProcessIdentity.pid();
        // Linearization point of the break: volatile, so the waiters counts read by the signals come after it.
        INT.compareAndSet(memory, BROKEN, 0, pid == 0 ? -1 : pid);
        WaitCore.signal(memory, DATA_SEQ, DATA_WAITERS, Integer.MAX_VALUE);
        WaitCore.signal(memory, NOT_FULL_SEQ, NOT_FULL_WAITERS, Integer.MAX_VALUE);
        WaitCore.signal(memory, JOIN_SEQ, JOIN_WAITERS, Integer.MAX_VALUE);
        return e;
    }

    // ---- shutdown

    /**
     * Shuts the queue down for every process (Python 3.13's {@code Queue.shutdown(immediate)}): puts are refused
     * from now on, gets take what is left and then throw {@link ShutDown}, and every put and get waiting now, in
     * any process, wakes and throws. Shutting down again does nothing more, except that an immediate shutdown
     * after a plain one still empties the queue.
     *
     * @param immediate true to also take every message left now (a joinable queue counts each as a task done)
     * @param discarded reads each message taken by an immediate shutdown (so that the handles in it give back
     *                  their tickets), or null to drop them unread
     * @throws IOException if the queue's memory is corrupt (the queue is shut down all the same)
     */
    public void shutdown(boolean immediate, RecordReader<?> discarded) throws IOException {
        boolean recovered = LockWord.acquireUninterruptibly(producers) == LockWord.RECOVERED;
        try {
            if (recovered) {
                writeRing().repairTail(); // the dead producer may have published a record and not its tail
            }
            // Linearization point: under the producers' lock, after every put that got the lock before; a
            // consumer's getAcquire of the word then sees all of their records.
            INT.setVolatile(memory, SHUTDOWN, QueueLayout.SHUT_DOWN);
        } finally {
            LockWord.release(producers);
        }
        try {
            if (immediate) {
                discardAll(discarded);
            }
        } finally {
            // The word was written with a volatile store: waiters that read it after these signals see it.
            WaitCore.signal(memory, DATA_SEQ, DATA_WAITERS, Integer.MAX_VALUE);
            WaitCore.signal(memory, NOT_FULL_SEQ, NOT_FULL_WAITERS, Integer.MAX_VALUE);
            if (immediate && joinable) {
                WaitCore.signal(memory, JOIN_SEQ, JOIN_WAITERS, Integer.MAX_VALUE);
            }
        }
    }

    /** {@return true once the queue was shut down, by any process} */
    public boolean isShutdown() {
        return (int) INT.getAcquire(memory, SHUTDOWN) != QueueLayout.OPEN; // pairs with shutdown's setVolatile
    }

    /** Takes every message left (an immediate shutdown), counting each as a task done in a joinable queue. */
    private void discardAll(RecordReader<?> discarded) throws IOException {
        RecordReader<Boolean> each = src -> {
            if (discarded != null) {
                try {
                    discarded.read(src);
                } catch (IOException | RuntimeException e) {
                    // an element that cannot be read here is dropped all the same
                }
            }
            return Boolean.TRUE;
        };
        boolean recovered = LockWord.acquireUninterruptibly(consumers) == LockWord.RECOVERED;
        try {
            if (recovered) {
                readRing().recoverAfterDeadReader(); // the dead consumer may have been clearing a record
            }
            while (takeLocked(each) != null) {
                if (joinable) {
                    countDone();
                }
            }
        } finally {
            LockWord.release(consumers); // a full fence: the count before the producers' waiters count
            signalNotFull(Integer.MAX_VALUE);
        }
    }

    /** One task fewer, never below zero (Python: {@code if self.unfinished_tasks > 0: ... -= 1}). */
    private void countDone() {
        for (int unfinished; (unfinished = (int) INT.getVolatile(memory, UNFINISHED)) > 0; ) {
            if (INT.compareAndSet(memory, UNFINISHED, unfinished, unfinished - 1)) {
                return;
            }
        }
    }

    /**
     * Thrown by {@link #put} and {@link #get} on a queue that is shut down (and, for {@code get}, empty): the
     * public layer turns it into its own exception.
     */
    public static final class ShutDown extends IllegalStateException {

        @java.io.Serial
        private static final long serialVersionUID = 1L;

        ShutDown(String message) {
            super(message);
        }
    }

    // ---- joinable

    /**
     * Marks one message taken from a joinable queue as processed.
     *
     * @throws IllegalStateException if called more often than messages were put
     */
    public void taskDone() {
        for (;;) {
            int unfinished = (int) INT.getVolatile(memory, UNFINISHED);
            if (unfinished <= 0) {
                throw new IllegalStateException("taskDone() called more times than there were items put");
            }
            if (INT.compareAndSet(memory, UNFINISHED, unfinished, unfinished - 1)) {
                if (unfinished == 1) {
                    WaitCore.signal(memory, JOIN_SEQ, JOIN_WAITERS, Integer.MAX_VALUE);
                }
                return;
            }
        }
    }

    /**
     * Waits until every message put was marked done.
     *
     * @param timeoutNanos the longest wait; negative waits forever
     * @return true if none is unfinished
     * @throws InterruptedException  if interrupted
     * @throws CorruptRingException if the queue is broken (found corrupt: the tasks will never be done), also while
     *                              waiting
     */
    public boolean join(long timeoutNanos) throws InterruptedException, CorruptRingException {
        QueueWaitEvent event = timeoutNanos != 0 && Recording.on() ? waitBegins() : null;
        boolean done = false;
        try {
            boolean none = Waiting.until(memory, JOIN_SEQ, JOIN_WAITERS,
                    () -> (int) INT.getVolatile(memory, UNFINISHED) == 0 || isBroken(), timeoutNanos, true);
            if ((int) INT.getVolatile(memory, UNFINISHED) != 0) {
                checkBroken();
            }
            done = none; // not when checkBroken threw
            return none;
        } finally {
            if (event != null) {
                waitEnds(event, "join", done);
            }
        }
    }

    /** {@return what is left of a timeout: -1 for none (negative), 0 for 0; {@code start} matters if positive} */
    private static long left(long timeoutNanos, long start) {
        return timeoutNanos < 0 ? -1 : Math.max(0, timeoutNanos - (System.nanoTime() - start));
    }

    /**
     * Ends this object's hold on the queue and unmaps it in this process; the last holder (no other live process
     * holds it, no handle is in flight) unlinks the queue's segments. Call once no thread uses this object.
     */
    @Override
    public void close() {
        close(null);
    }

    /**
     * Closes as {@link #close()}; the last holder first reads the messages left with {@code leftovers} (so that the
     * handles in them give back their tickets), then unlinks the queue.
     *
     * @param leftovers reads each message left when this is the last holder, or null to drop them unread
     */
    public void close(RecordReader<?> leftovers) {
        leave(leftovers);
        release();
    }

    /**
     * Ends this object's hold on the queue without unmapping it (at exit, while threads may still be inside): the
     * last holder unlinks the queue's segments. Once per object; {@link #close} includes it.
     */
    public void leave() {
        leave(null);
    }

    private void leave(RecordReader<?> leftovers) {
        synchronized (this) {
            if (left) {
                return;
            }
            left = true;
        }
        boolean last;
        LockWord.acquireUninterruptibly(holdersLock);
        try {
            if (counted) {
                holders.add(ProcessIdentity.pid(), -1);
            }
            last = (int) INT.getVolatile(memory, TICKETS) == 0 && (int) INT.getVolatile(memory, PINNED) == 0
                    && !holders.held();
            if (last) {
                INT.setVolatile(memory, GONE, 1); // an attach that mapped the name already backs off
            }
        } finally {
            LockWord.release(holdersLock);
        }
        if (last) {
            if (leftovers != null) {
                drain(leftovers);
            }
            try {
                SegmentTable.unlink(name);
            } catch (UncheckedIOException e) {
                // unlinked already (its creator's exit)
            }
            SegmentLedger.removeFamily(name);
        }
    }

    /** Reads every message left in a queue marked gone (no other process can attach or holds it). */
    private void drain(RecordReader<?> leftovers) {
        RecordReader<Boolean> each = src -> {
            leftovers.read(src);
            return Boolean.TRUE;
        };
        try {
            while (get(each, 0, () -> true) != null) {
                // the next one
            }
        } catch (IOException | RuntimeException e) {
            // corrupt, or a ring gone with a dead holder: what is left is dropped unread
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the rest is dropped unread
        }
    }

    private void release() {
        if (writer != null) {
            SegmentTable.release(writer.segment());
            writer = null;
        }
        if (reader != null) {
            SegmentTable.release(reader.segment());
            reader = null;
        }
        SegmentTable.release(header);
    }
}

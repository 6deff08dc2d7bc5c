package io.github.jmultiprocessing.internal.shm;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared heap: small shared objects (values, arrays, locks) carved out of large arena segments, like
 * CPython's {@code multiprocessing.heap}, so that ten thousand values do not make ten thousand files; and given
 * back once no process uses them.
 *
 * <p>Implementation notes. Each JVM allocates from arenas it created itself, in power-of-two size classes from
 * 64 bytes, first from its free lists, else by bumping a pointer (only this JVM writes its arenas' allocation
 * state, so it lives on the Java heap). A request larger than half an arena gets an arena of its own. Every block
 * has a 64-bit state word in its arena's state table ({@link HeapArenaLayout}): one holder bit per process that
 * holds it (bit 0 is the creator; other processes claim one of the arena's holder slots, recorded as pid and
 * start time), a count of tickets (handles sent and not yet received), a generation and a pinned bit.
 *
 * <p>In each JVM a block has one share: the count of the open Java objects for it ({@link Claim}s, closed by
 * {@code close()} or, once their object is unreachable, by this class's reference queue, drained by a daemon
 * thread and by every allocation). The first claim in a JVM sets the JVM's holder bit, the last one closed
 * clears it. A handle sent to another process takes a ticket ({@link Claim#send()}) while the sender holds
 * the block; the receiver sets its own bit and then gives the ticket back, in one CAS, so that between the two a
 * block is never without a holder or a ticket. A block is free when its word has no holder bit, no ticket and
 * no pin; the creator alone decides that and reuses it (the word is read with a CAS from a free state only by the
 * creator; other processes only clear their own bits). The creator frees a block at once when it drops the last
 * share and finds no other; otherwise the block waits in its arena's pending list until a sweep, which runs when
 * an allocation finds no free block and no room, and every 4096 allocations or as many as are pending: it drops the bits of holder slots whose process is gone (pid and
 * start time), then frees pending blocks whose word is free. Before growing past a threshold (8 MiB, then twice
 * what is in use after a collection) an allocation asks the JVM for a collection ({@code System.gc()}) and drains
 * the references it finds, so that unreachable objects, which cost the Java heap little, do not grow
 * {@code /dev/shm} without bound. A regular arena left with no block in use (and not the one being bumped) is
 * unlinked; so is a large block's arena once free. A JVM that attached another's arena drops its mapping when
 * it holds no block there and the arena file is gone.
 *
 * <p>Invariants: a block is reused only when no live process has a holder bit in it and no ticket is out;
 * each generation of a block is handed out once, and a handle to an older generation is refused. Each encoding
 * of a handle is to be decoded exactly once: a ticket is a count, not a name, so a handle decoded twice gives back
 * another handle's ticket if one is out (the library never does: the pool encodes a call's function for each
 * worker it goes to; what was encoded and is not sent after all, a pool message, a put a full queue refused, a
 * send into a broken pipe, is decoded where it was made and dropped). Non-invariants: a handle never decoded (a message never read, a child that died before reading its bootstrap) keeps
 * its ticket, so its block stays until its creator exits; more than {@value #TICKET_LIMIT} tickets at once, or
 * more than {@code HeapArenaLayout.SLOTS - 1} other processes holding blocks of one arena, pin the blocks
 * concerned until the creator exits (safe, not reclaimed); an object that becomes unreachable while one of its
 * threads still waits inside it, its process being the last holder, gives its block back under that thread.
 * When the creator exits its arenas are unlinked by the {@link SegmentLedger}; processes that still map them keep
 * their blocks.
 */
public final class SharedHeap {

    /** Size of a regular arena; its pages are allocated when it is created (see {@link SegmentBacking}). */
    public static final long ARENA_SIZE = 1L << 20;

    /** Smallest block: one state word per 64 bytes. */
    static final long MIN_BLOCK = 1L << HeapArenaLayout.GRANULE_SHIFT;

    private static final int TICKET_LIMIT = (int) HeapArenaLayout.MAX_TICKETS;
    private static final long COUNTED = 1; // in a transfer: the handle carries a ticket
    private static final long COLLECT_WAIT_MILLIS = 100;
    private static final long LULL_MILLIS = 5;
    private static final long SWEEP_EVERY = 4096;
    private static final long GC_FLOOR = 8L << 20;
    private static final long REGULAR_PAYLOAD = HeapArenaLayout.payloadStart(ARENA_SIZE,
            HeapArenaLayout.GRANULE_SHIFT, 4096);
    private static final long LARGE = (ARENA_SIZE - REGULAR_PAYLOAD) / 2;
    private static final int CLASSES = 64 - Long.numberOfLeadingZeros(LARGE) - HeapArenaLayout.GRANULE_SHIFT + 1;
    private static final VarHandle LONG = JAVA_LONG.varHandle();

    private static final Object LOCK = new Object();
    private static final Map<String, Region> REGIONS = new HashMap<>(); // every arena mapped here, guarded by LOCK
    private static final List<Region> OWN = new ArrayList<>(); // arenas this JVM created, guarded by LOCK
    private static final ReferenceQueue<Object> UNREACHABLE = new ReferenceQueue<>();
    private static Region current; // the regular arena being bumped, guarded by LOCK
    private static long ownBytes; // guarded by LOCK
    private static long collectAbove = GC_FLOOR; // guarded by LOCK
    private static Thread cleaner; // guarded by LOCK
    private static long sinceSweep; // allocations since the last sweep, guarded by LOCK

    private SharedHeap() {
    }

    /** One arena as this JVM sees it: created here ({@code own}) or attached. */
    private static final class Region {
        final String name;
        final MappedSegment mapped;
        final MemorySegment whole;
        final int shift;
        final boolean own;
        final boolean single;
        private final Share[] byGranule; // own arenas: the share of each block not yet free
        private final Map<Long, Share> attached; // attached arenas: this JVM's shares
        // own arenas
        long top;
        int live; // blocks handed out and not yet free
        final long[][] free = new long[CLASSES][];
        final int[] freeCount = new int[CLASSES];
        List<Share> pending = new ArrayList<>(); // own blocks no object here holds, waiting for other holders
        // attached arenas
        int slot = -1; // the holder slot this JVM claimed, -1 if none
        int held; // shares of this JVM here

        Region(MappedSegment mapped, boolean own) {
            this.name = mapped.name();
            this.mapped = mapped;
            this.whole = mapped.segment();
            this.shift = HeapArenaLayout.shift(whole);
            this.own = own;
            this.single = shift == HeapArenaLayout.SINGLE_SHIFT;
            this.top = HeapArenaLayout.payload(whole);
            this.byGranule = own ? new Share[HeapArenaLayout.entries(whole)] : null;
            this.attached = own ? null : new HashMap<>();
        }

        Share share(long offset) {
            return own ? byGranule[(int) (offset >> shift)] : attached.get(offset);
        }

        void put(Share share) {
            if (own) {
                byGranule[(int) (share.offset >> shift)] = share;
            } else {
                attached.put(share.offset, share);
            }
        }

        void remove(Share share) {
            if (own) {
                byGranule[(int) (share.offset >> shift)] = null;
            } else {
                attached.remove(share.offset);
            }
        }

        long stateOffset(long offset) {
            return HeapArenaLayout.stateOffset(shift, offset);
        }
    }

    /** This JVM's share of one block: how many open objects use it. */
    static final class Share {
        final Region region;
        final long offset;
        final int sizeClass; // own regular arenas: the size class; else -1
        int objects; // open claims, plus a hold not yet taken by a claim; guarded by LOCK
        boolean pinned; // attached without a holder slot: the block is pinned, no bit to clear
        boolean pending; // in the region's pending list
        Claim claim; // an open claim, kept reachable here until closed
        List<Claim> more; // further open claims (views), or null

        Share(Region region, long offset, int sizeClass) {
            this.region = region;
            this.offset = offset;
            this.sizeClass = sizeClass;
        }
    }

    /**
     * One open object's use of a block: closed by the object's {@code close()}, or once the object is
     * unreachable. Closing twice does nothing.
     */
    public static final class Claim extends PhantomReference<Object> implements AutoCloseable {
        private Share share; // null once closed, guarded by LOCK

        private Claim(Object owner, Share share) {
            super(owner, UNREACHABLE);
            this.share = share;
        }

        /**
         * Takes a ticket for a handle of this object's block about to be sent to another process (from
         * {@code writeReplace}): the block is not reused before a receiver passes the result to
         * {@link SharedHeap#attach}, or its creator exits.
         *
         * @return the transfer to carry in the handle
         * @throws IllegalStateException if this claim is closed
         */
        public long send() {
            Share s;
            synchronized (LOCK) {
                s = share;
            }
            if (s == null) {
                throw new IllegalStateException("cannot send a closed shared object (expected one not closed)");
            }
            return SharedHeap.send(s); // the object is open: its share keeps the block allocated meanwhile
        }

        /** Drops this object's use of the block; the last one in a process drops the process's holder bit. */
        @Override
        public void close() {
            synchronized (LOCK) {
                Share s = share;
                if (s == null) {
                    return;
                }
                share = null;
                if (s.claim == this) {
                    s.claim = null;
                } else if (s.more != null) {
                    s.more.remove(this);
                }
                release(s);
            }
            clear();
        }
    }

    /**
     * Allocates a zeroed block. The caller passes it to {@link #claim} at once.
     *
     * @param size      bytes, greater than zero
     * @param alignment a power of two up to 4096
     * @return the block
     */
    public static HeapBlock allocate(long size, long alignment) {
        if (size <= 0) {
            throw new IllegalArgumentException("size=" + size + " (expected > 0)");
        }
        if (alignment <= 0 || alignment > 4096 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment=" + alignment + " (expected a power of two <= 4096)");
        }
        drainUnreachable();
        if (Math.max(size, alignment) > LARGE) {
            return allocateLarge(size, alignment);
        }
        int sizeClass = sizeClass(Math.max(size, alignment));
        synchronized (LOCK) {
            if (++sinceSweep >= SWEEP_EVERY && sinceSweep >= pendingCount()) { // amortized: O(1) per allocation
                sweep();
            }
            HeapBlock block = take(sizeClass, size);
            if (block != null) {
                return block;
            }
            sweep();
            block = take(sizeClass, size);
            if (block != null) {
                return block;
            }
        }
        boolean collected = collectIfAbove(ARENA_SIZE);
        synchronized (LOCK) {
            HeapBlock block = take(sizeClass, size);
            if (block != null) {
                return block;
            }
            if (collected) { // what is left is in use: let it double before the next collection
                collectAbove = Math.max(GC_FLOOR, 2 * (ownBytes + ARENA_SIZE));
            }
            current = newArena(ARENA_SIZE, HeapArenaLayout.GRANULE_SHIFT, 4096);
            return take(sizeClass, size);
        }
    }

    private static HeapBlock allocateLarge(long size, long alignment) {
        long start = HeapArenaLayout.payloadStart(0, HeapArenaLayout.SINGLE_SHIFT, alignment);
        boolean collected = collectIfAbove(start + size);
        synchronized (LOCK) {
            if (collected) {
                collectAbove = Math.max(GC_FLOOR, 2 * (ownBytes + start + size));
            }
            Region region = newArena(start + size, HeapArenaLayout.SINGLE_SHIFT, alignment);
            region.live = 1;
            LONG.setRelease(region.whole, region.stateOffset(start), 1L); // creator's bit, generation 0
            return handOut(region, start, size, -1);
        }
    }

    /** A block of the class from the free lists or the current arena, or null. */
    private static HeapBlock take(int sizeClass, long size) {
        for (Region region : OWN) {
            int count = region.freeCount[sizeClass];
            if (count > 0) {
                long offset = region.free[sizeClass][count - 1];
                region.freeCount[sizeClass] = count - 1;
                region.live++;
                long stateOffset = region.stateOffset(offset);
                long word = (long) LONG.getVolatile(region.whole, stateOffset);
                long generation = (word + HeapArenaLayout.GENERATION) & HeapArenaLayout.GENERATIONS;
                LONG.setRelease(region.whole, stateOffset, generation | 1L); // a new generation, the creator's bit
                region.whole.asSlice(offset, size).fill((byte) 0); // every block starts zeroed
                return handOut(region, offset, size, sizeClass);
            }
        }
        Region region = current;
        if (region == null) {
            return null;
        }
        long blockSize = MIN_BLOCK << sizeClass;
        long offset = align(region.top, Math.min(blockSize, 4096));
        if (offset + blockSize > region.whole.byteSize()) {
            return null;
        }
        region.top = offset + blockSize;
        region.live++;
        LONG.setRelease(region.whole, region.stateOffset(offset), 1L); // generation 0, the creator's bit
        return handOut(region, offset, size, sizeClass);
    }

    private static HeapBlock handOut(Region region, long offset, long size, int sizeClass) {
        Share share = new Share(region, offset, sizeClass);
        share.objects = 1; // the hold the caller's claim takes
        region.put(share);
        return new HeapBlock(region.name, offset, region.whole.asSlice(offset, size), share);
    }

    /**
     * Attaches a block another process (or this one) sent: sets this process's holder bit and gives back the
     * handle's ticket. The caller passes it to {@link #claim} at once.
     *
     * @param segmentName the arena's name
     * @param offset      the block's offset
     * @param size        the block's size
     * @param transfer    what {@link Claim#send()} returned in the sender
     * @return the block
     * @throws IllegalArgumentException if the segment is not a heap arena of this layout version, or the block
     *                                  lies outside it
     * @throws IllegalStateException    if the block was freed (the handle outlived every holder)
     * @throws java.io.UncheckedIOException if there is no such segment
     */
    public static HeapBlock attach(String segmentName, long offset, long size, long transfer) {
        synchronized (LOCK) {
            Region region = REGIONS.get(segmentName);
            if (region == null) {
                region = map(segmentName);
            }
            long payload = HeapArenaLayout.payload(region.whole);
            if (offset < payload || size <= 0 || offset + size > region.whole.byteSize()
                    || (region.single ? offset != payload : (offset & (MIN_BLOCK - 1)) != 0)) {
                throw new IllegalArgumentException("block offset=" + offset + " size=" + size + " in segment "
                        + segmentName + " (expected a block within " + payload + ".." + region.whole.byteSize() + ")");
            }
            Share share = region.share(offset);
            boolean holding = share != null && share.objects > 0;
            long stateOffset = region.stateOffset(offset);
            boolean pinned = false;
            while (true) {
                long word = (long) LONG.getVolatile(region.whole, stateOffset); // partner: CASes of other holders
                if ((word & HeapArenaLayout.GENERATIONS) != (transfer & HeapArenaLayout.GENERATIONS)
                        || (word & (HeapArenaLayout.HOLDERS | HeapArenaLayout.TICKETS | HeapArenaLayout.PINNED)) == 0
                        || (region.own && share == null)) {
                    throw new IllegalStateException("heap block " + segmentName + "@" + offset + " was freed"
                            + " (expected a handle sent while its object was open, and received once)");
                }
                long next = word;
                if (!holding) {
                    int slot = region.own ? 0 : slotOf(region);
                    pinned = slot < 0;
                    next |= pinned ? HeapArenaLayout.PINNED : 1L << slot;
                }
                if ((transfer & COUNTED) != 0 && (word & HeapArenaLayout.TICKETS) != 0
                        && (word & HeapArenaLayout.PINNED) == 0) {
                    next -= HeapArenaLayout.TICKET; // the holder bit is set in the same step: never unheld
                }
                // Publishes this holder to the creator's sweep, which reads the word before freeing.
                if (next == word || LONG.compareAndSet(region.whole, stateOffset, word, next)) {
                    break;
                }
            }
            if (share == null) {
                share = new Share(region, offset, -1);
                region.put(share);
                region.held++;
            }
            share.pinned |= pinned;
            share.objects++;
            return new HeapBlock(segmentName, offset, region.whole.asSlice(offset, size), share);
        }
    }

    /**
     * Makes an open object the user of a block: takes the hold {@link #allocate} or {@link #attach} returned
     * the block with, or, for a further object over the same block (a view), a new one.
     *
     * @param owner the object; once it is unreachable the claim is closed
     * @param block a block from {@link #allocate} or {@link #attach}
     * @return the claim; close it in the owner's {@code close()}
     * @throws IllegalStateException if every object of the block in this process was closed already
     */
    public static Claim claim(Object owner, HeapBlock block) {
        synchronized (LOCK) {
            Share share = block.share;
            if (block.holdTaken) {
                if (share.objects == 0) {
                    throw new IllegalStateException("heap block " + block.segmentName() + "@" + block.offset()
                            + " is closed (expected an open object to share it)");
                }
                share.objects++;
            }
            block.holdTaken = true;
            Claim claim = new Claim(owner, share);
            if (share.claim == null) {
                share.claim = claim;
            } else {
                if (share.more == null) {
                    share.more = new ArrayList<>(2);
                }
                share.more.add(claim);
            }
            if (cleaner == null) {
                cleaner = LibraryThreads.start("heap-cleaner", SharedHeap::cleanForever);
            }
            return claim;
        }
    }

    /** {@return a segment every access to which throws {@link IllegalStateException}: a closed object's memory} */
    public static MemorySegment closedMemory() {
        return Closed.MEMORY;
    }

    /** Holds the closed memory until first needed. */
    private static final class Closed {
        static final MemorySegment MEMORY;

        static {
            Arena arena = Arena.ofShared();
            MEMORY = arena.allocate(ARENA_SIZE);
            arena.close();
        }
    }

    /**
     * {@return true unless the block is free (for tests and diagnostics)} A free block's arena may be unlinked
     * already.
     * @param block a block this JVM allocated
     */
    public static boolean inUse(HeapBlock block) {
        synchronized (LOCK) {
            Region region = block.share.region;
            return REGIONS.get(region.name) == region && region.share(block.offset()) == block.share;
        }
    }

    /** {@return bytes of the arenas this JVM created and still has (for tests and figures)} */
    public static long ownBytes() {
        synchronized (LOCK) {
            return ownBytes;
        }
    }

    /** Takes a ticket for a handle of an open claim's block. */
    private static long send(Share share) {
        Region region = share.region;
        long stateOffset = region.stateOffset(share.offset);
        while (true) {
            long word = (long) LONG.getVolatile(region.whole, stateOffset);
            long generation = word & HeapArenaLayout.GENERATIONS;
            if ((word & HeapArenaLayout.PINNED) != 0) {
                return generation; // not counted: a pinned block stays
            }
            long tickets = (word & HeapArenaLayout.TICKETS) >>> HeapArenaLayout.SLOTS;
            long next = tickets == TICKET_LIMIT ? word | HeapArenaLayout.PINNED : word + HeapArenaLayout.TICKET;
            if (LONG.compareAndSet(region.whole, stateOffset, word, next)) { // the ticket is out before the handle
                return tickets == TICKET_LIMIT ? generation : generation | COUNTED;
            }
        }
    }

    // ---- releasing

    /** Drops one object's use; the last one drops this JVM's holder bit. Under LOCK. */
    private static void release(Share share) {
        if (--share.objects > 0) {
            return;
        }
        Region region = share.region;
        long stateOffset = region.stateOffset(share.offset);
        if (region.own) {
            // Clears the creator's bit; pairs with the CAS of a receiver setting its bit.
            LONG.getAndBitwiseAnd(region.whole, stateOffset, ~1L);
            if (!tryFree(share) && !share.pending) {
                share.pending = true;
                region.pending.add(share);
            }
            return;
        }
        if (!share.pinned) {
            LONG.getAndBitwiseAnd(region.whole, stateOffset, ~(1L << region.slot)); // read by the creator's sweep
        }
        region.remove(share);
        if (--region.held == 0) {
            if (region.slot > 0) {
                int slot = region.slot;
                region.slot = -1;
                LONG.setVolatile(region.whole, HeapArenaLayout.slotStart(slot), 0L);
                LONG.compareAndSet(region.whole, HeapArenaLayout.slotPid(slot), ProcessIdentity.pid(), 0L);
            }
            if (!region.mapped.isStillLinked()) {
                REGIONS.remove(region.name, region);
                SegmentTable.release(region.mapped);
            }
        }
    }

    /** Frees an own block no object here uses if no process holds it and no ticket is out. Under LOCK. */
    private static boolean tryFree(Share share) {
        Region region = share.region;
        long word = (long) LONG.getVolatile(region.whole, region.stateOffset(share.offset)); // partner: holders' CAS
        if (share.objects > 0 || (word & (HeapArenaLayout.HOLDERS | HeapArenaLayout.TICKETS
                | HeapArenaLayout.PINNED)) != 0) {
            return false;
        }
        // Free: no process holds it and none can attach it (no ticket out), so nobody writes the word any more.
        region.remove(share);
        share.pending = false;
        region.live--;
        if (region.single) {
            drop(region);
            return true;
        }
        int sizeClass = share.sizeClass;
        long[] stack = region.free[sizeClass];
        if (stack == null || stack.length == region.freeCount[sizeClass]) {
            stack = java.util.Arrays.copyOf(stack == null ? new long[0] : stack,
                    Math.max(16, region.freeCount[sizeClass] * 2));
            region.free[sizeClass] = stack;
        }
        stack[region.freeCount[sizeClass]++] = share.offset;
        if (region.live == 0 && region != current) {
            drop(region);
        }
        return true;
    }

    /** Unlinks and unmaps an own arena no block of which is in use. Under LOCK. */
    private static void drop(Region region) {
        OWN.remove(region);
        REGIONS.remove(region.name, region);
        ownBytes -= region.whole.byteSize();
        if (current == region) {
            current = null;
        }
        try {
            SegmentTable.unlink(region.name);
        } catch (java.io.UncheckedIOException e) {
            // gone already (a reaper took it): nothing to give back
        }
        SegmentTable.release(region.mapped);
    }

    private static long pendingCount() {
        long count = 0;
        for (Region region : OWN) {
            count += region.pending.size();
        }
        return count;
    }

    /** Frees the pending blocks of own arenas that no live process holds any more. Under LOCK. */
    private static void sweep() {
        sinceSweep = 0;
        for (Region region : new ArrayList<>(OWN)) {
            if (region.pending.isEmpty()) {
                continue;
            }
            dropDeadHolders(region);
            List<Share> still = new ArrayList<>();
            for (Share share : region.pending) {
                if (share.pending && !tryFree(share)) {
                    still.add(share);
                }
            }
            region.pending = still;
        }
    }

    /** Clears the bits of holder slots whose process is gone, and frees those slots. Under LOCK. */
    private static void dropDeadHolders(Region region) {
        MemorySegment whole = region.whole;
        for (int slot = 1; slot < HeapArenaLayout.SLOTS; slot++) {
            long pid = (long) LONG.getVolatile(whole, HeapArenaLayout.slotPid(slot));
            if (pid <= 0 || pid == ProcessIdentity.pid()
                    || ProcessIdentity.isAlive(pid, (long) LONG.getVolatile(whole, HeapArenaLayout.slotStart(slot)))
                    || !LONG.compareAndSet(whole, HeapArenaLayout.slotPid(slot), pid, -1L)) {
                continue;
            }
            long bit = ~(1L << slot);
            int entries = HeapArenaLayout.entries(whole);
            for (int i = 0; i < entries; i++) {
                long at = HeapArenaLayout.TABLE + i * 8L;
                if (((long) LONG.getVolatile(whole, at) & ~bit) != 0) {
                    LONG.getAndBitwiseAnd(whole, at, bit);
                }
            }
            LONG.setVolatile(whole, HeapArenaLayout.slotStart(slot), 0L);
            LONG.setVolatile(whole, HeapArenaLayout.slotPid(slot), 0L); // the slot is free once its bits are
        }
    }

    /** The holder slot of this JVM in an attached arena, claimed if needed; -1 if every slot is taken. */
    private static int slotOf(Region region) {
        if (region.slot > 0) {
            return region.slot;
        }
        for (int round = 0; round < 2; round++) {
            for (int slot = 1; slot < HeapArenaLayout.SLOTS; slot++) {
                if (LONG.compareAndSet(region.whole, HeapArenaLayout.slotPid(slot), 0L, ProcessIdentity.pid())) {
                    LONG.setVolatile(region.whole, HeapArenaLayout.slotStart(slot), ProcessIdentity.startTime());
                    region.slot = slot;
                    return slot;
                }
            }
            dropDeadHolders(region);
        }
        return -1;
    }

    // ---- unreachable objects

    private static void drainUnreachable() {
        Reference<?> reference;
        while ((reference = UNREACHABLE.poll()) != null) {
            ((Claim) reference).close();
        }
    }

    private static void cleanForever() {
        while (true) {
            try {
                ((Claim) UNREACHABLE.remove()).close();
            } catch (InterruptedException e) {
                // a daemon: keep cleaning
            } catch (RuntimeException e) { // never lose the thread
                try {
                    System.getLogger(SharedHeap.class.getName()).log(System.Logger.Level.ERROR,
                            "giving back the memory of an unreachable shared object failed", e);
                } catch (RuntimeException | Error logging) { // a logger that throws: the thread goes on all the same
                    e.printStackTrace();
                }
            }
        }
    }

    /**
     * Before own arenas grow past the threshold, asks for a collection and closes the claims of the objects it
     * found unreachable. Not under LOCK, so that the cleaner thread can work meanwhile.
     *
     * @return true if it collected
     */
    private static boolean collectIfAbove(long more) {
        synchronized (LOCK) {
            if (ownBytes + more <= collectAbove) {
                return false;
            }
        }
        System.gc();
        try {
            // The reference handler thread enqueues what the collection found: wait for the first, then for a lull.
            Reference<?> reference = UNREACHABLE.remove(COLLECT_WAIT_MILLIS);
            while (reference != null) {
                ((Claim) reference).close();
                reference = UNREACHABLE.remove(LULL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (LOCK) {
            sweep();
        }
        return true;
    }

    // ---- arenas

    private static Region newArena(long size, int shift, long alignment) {
        for (int attempt = 0; ; attempt++) {
            String name = ShmDirectory.randomName("jmp-heap-" + ProcessIdentity.pid() + "-");
            try {
                MappedSegment mapped = SegmentTable.create(name, size, true);
                HeapArenaLayout.write(mapped.segment(), shift, HeapArenaLayout.payloadStart(size, shift, alignment));
                SegmentHeaderLayout.write(mapped.segment(), SegmentHeaderLayout.KIND_HEAP_ARENA);
                Region region = new Region(mapped, true);
                REGIONS.put(name, region);
                OWN.add(region);
                ownBytes += size;
                return region;
            } catch (java.io.UncheckedIOException e) {
                if (!(e.getCause() instanceof java.nio.file.FileAlreadyExistsException) || attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /** Maps an arena another process created. Under LOCK. */
    private static Region map(String segmentName) {
        for (Region idle : new ArrayList<>(REGIONS.values())) { // mappings of arenas since unlinked go back
            if (!idle.own && idle.held == 0 && !idle.mapped.isStillLinked()) {
                REGIONS.remove(idle.name, idle);
                SegmentTable.release(idle.mapped);
            }
        }
        MappedSegment mapped = SegmentTable.attach(segmentName);
        try {
            SegmentHeaderLayout.verify(segmentName, mapped.segment(), SegmentHeaderLayout.KIND_HEAP_ARENA);
            HeapArenaLayout.verify(segmentName, mapped.segment());
        } catch (RuntimeException e) {
            SegmentTable.release(mapped);
            throw e;
        }
        Region region = new Region(mapped, false); // own arenas are in REGIONS until unlinked
        REGIONS.put(segmentName, region);
        return region;
    }

    private static int sizeClass(long size) {
        long rounded = Math.max(MIN_BLOCK, Long.highestOneBit(size - 1) << 1);
        return Long.numberOfTrailingZeros(rounded) - HeapArenaLayout.GRANULE_SHIFT;
    }

    private static long align(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }
}

package io.github.jmultiprocessing.internal.sync;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The one waiting core: an event count in shared memory that every synchronizer blocks on.
 *
 * <p>Implementation notes. A synchronizer keeps two 32-bit words beside its state: {@code seq}, bumped by every
 * signal, and {@code waiters}, the number of threads (in any process) that are about to block or are blocked.
 * A waiter (1) increments {@code waiters}, (2) reads {@code seq}, (3) re-checks its condition on the state, and
 * only then (4) blocks while {@code seq} still holds what it read. A signaller (1) changes the state, (2) reads
 * {@code waiters} and, if non-zero, (3) increments {@code seq} and wakes. All these accesses are volatile
 * (sequentially consistent), or the state change is a release store followed by a volatile compare-and-set
 * (a lock's release) before the volatile read of {@code waiters}, which HotSpot keeps in order on x86 and
 * AArch64 (the read must stay volatile: an acquire or plain read could pass the store on AArch64), so either the waiter's re-check sees the new state or the signaller sees the
 * waiter and changes {@code seq} before, or while, the waiter blocks; the futex wait compares {@code seq}
 * atomically with going to sleep, so no wake-up is lost. Signallers pay for a wake-up only when someone waits.
 * Non-invariant: a waiter whose process is killed never decrements {@code waiters}, so from then on every
 * signal of that synchronizer pays for a wake-up (a spurious one, never a lost one).
 *
 * <p>Blocking is a futex wait where {@link Futex#AVAILABLE}, else a park with a backoff growing from 20 us to
 * 1 ms (a process cannot unpark a thread of another). A JVM links the futex call once, on a thread of its own
 * (40-75 ms cold); its waits park with the backoff until the link is done, and its first wake-up waits for it
 * (a waker cannot do without: sleepers elsewhere would wake only at the end of their slices). Virtual threads always park: a futex wait is a native call
 * that would pin the carrier thread, and with more waiters than carriers the holder could never run again. A
 * park with the interrupt flag set returns at once, so {@link #await} clears the flag and reports it; the
 * caller restores it when its whole wait is over, as AQS does (restoring it earlier would make the next park
 * return at once again). Every block is bounded by the caller's slice, so callers regularly re-check deadlines, interrupts
 * and the liveness of whoever they wait for.
 */
public final class WaitCore {

    /** Spins before a waiter starts yielding; short, as two busy spinners on a 2-core machine stall each other. */
    public static final int SPINS = 100;

    /**
     * How long a waiter yields before it blocks: about the cost of one futex sleep and wake-up on these VMs (tens
     * of microseconds), so a waiter never spends more than about twice the optimum. A count of yields would not
     * do: on an idle core a yield returns in well under a microsecond. With ~5 us a pool's {@code apply} round
     * trip, four waits in a row, took 100 us; with this it takes 5-40 us.
     */
    public static final long YIELD_NANOS = 100_000L;

    /**
     * True if this JVM may run on one CPU only ({@code taskset -c 0}, a container with one CPU): spinning then keeps
     * the process that would end a wait from running ({@code java.util.concurrent} spins only on 2 or more CPUs).
     */
    public static final boolean ONE_CPU = Runtime.getRuntime().availableProcessors() < 2;

    private static final VarHandle INT_VH = JAVA_INT.varHandle();
    private static final long MAX_PARK_NANOS = 1_000_000L;
    private static final long MIN_PARK_NANOS = 20_000L;

    private WaitCore() {
    }

    /**
     * The one conversion of a caller's timeout to the nanoseconds every timed wait uses: a negative timeout means
     * "do not wait" (0), one whose nanoseconds overflow a long ({@code ChronoUnit.FOREVER.getDuration()},
     * {@code Duration.ofMillis(Long.MAX_VALUE)}) saturates to {@code Long.MAX_VALUE}, about 292 years.
     * Deadlines built from it must be compared by subtraction ({@code deadline - System.nanoTime() > 0}), which
     * stays right when {@code System.nanoTime() + Long.MAX_VALUE} wraps around.
     *
     * @param timeout the caller's timeout, not null
     * @return nanoseconds in {@code [0, Long.MAX_VALUE]}
     * @throws NullPointerException if {@code timeout} is null
     */
    public static long nanos(Duration timeout) {
        if (timeout.isNegative()) {
            return 0;
        }
        if (timeout.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L) {
            return Long.MAX_VALUE; // toNanos would overflow (or nearly: the same 292 years either way)
        }
        return timeout.toNanos();
    }

    /**
     * {@link #nanos(Duration)} for the {@code (long, TimeUnit)} forms of the JDK's interfaces: negative means
     * "do not wait", an overflow saturates ({@link TimeUnit#toNanos} already does).
     *
     * @param time the caller's timeout in {@code unit}
     * @param unit its unit, not null
     * @return nanoseconds in {@code [0, Long.MAX_VALUE]}
     */
    public static long nanos(long time, TimeUnit unit) {
        return Math.max(0, unit.toNanos(time));
    }

    /**
     * Spins or yields once, by how many times and how long the caller has already tried.
     *
     * @param attempt the caller's attempt number, from 0
     * @param start   {@link System#nanoTime()} when the caller started waiting
     * @return true while the caller should keep trying before blocking
     */
    public static boolean backOff(int attempt, long start) {
        if (attempt < SPINS) {
            Thread.onSpinWait();
            return true;
        }
        if (System.nanoTime() - start < YIELD_NANOS) {
            Thread.yield();
            return true;
        }
        return false;
    }

    /**
     * Registers the caller as a waiter; it must call {@link #leave} when done waiting.
     *
     * @param memory        the synchronizer's memory
     * @param waitersOffset offset of its {@code waiters} word
     */
    public static void enter(MemorySegment memory, long waitersOffset) {
        INT_VH.getAndAdd(memory, waitersOffset, 1); // volatile: ordered before the caller's re-check (see notes)
    }

    /**
     * Unregisters a waiter.
     *
     * @param memory        the synchronizer's memory
     * @param waitersOffset offset of its {@code waiters} word
     */
    public static void leave(MemorySegment memory, long waitersOffset) {
        INT_VH.getAndAdd(memory, waitersOffset, -1);
    }

    /**
     * Reads the event count; to be done after {@link #enter} and before re-checking the condition.
     *
     * @param memory    the synchronizer's memory
     * @param seqOffset offset of its {@code seq} word
     * @return the current count
     */
    public static int sequence(MemorySegment memory, long seqOffset) {
        return (int) INT_VH.getVolatile(memory, seqOffset);
    }

    /**
     * Blocks while the event count still equals {@code observed}, for at most {@code maxNanos}. Returns early on
     * a signal or spuriously; the caller re-checks its condition.
     *
     * @param memory    the synchronizer's memory
     * @param seqOffset offset of its {@code seq} word
     * @param observed  what {@link #sequence} returned before the caller's re-check
     * @param maxNanos  the longest block, greater than zero
     * @param round     how many times the caller has blocked in this wait, for the pure-Java backoff
     * @return true if the thread's interrupt flag was set and has been cleared: the caller must restore it
     */
    public static boolean await(MemorySegment memory, long seqOffset, int observed, long maxNanos, int round) {
        if (Futex.AVAILABLE && !Thread.currentThread().isVirtual()) {
            if (Futex.linked()) {
                Futex.await(memory, seqOffset, observed, maxNanos); // not woken by interrupts: the slice bounds it
                return false;
            }
            Futex.linkInBackground(); // meanwhile park below: a cold JVM's first waits need not wait for the link
        }
        if ((int) INT_VH.getVolatile(memory, seqOffset) != observed) {
            return false;
        }
        long park = Math.min(MAX_PARK_NANOS, MIN_PARK_NANOS << Math.min(round, 6));
        boolean interrupted = Thread.interrupted(); // a set flag would make every park return at once
        LockSupport.parkNanos(Math.min(park, maxNanos));
        return interrupted | Thread.interrupted();
    }

    /**
     * Wakes waiters after the caller changed the state, if there are any.
     *
     * @param memory        the synchronizer's memory
     * @param seqOffset     offset of its {@code seq} word
     * @param waitersOffset offset of its {@code waiters} word
     * @param count         how many to wake ({@code Integer.MAX_VALUE} for all)
     */
    public static void signal(MemorySegment memory, long seqOffset, long waitersOffset, int count) {
        // After the caller's volatile state change (or its release store and a lock's releasing CAS): volatile,
        // never acquire or plain, or the read could pass a release store on AArch64 and lose a wake-up.
        if ((int) INT_VH.getVolatile(memory, waitersOffset) == 0) {
            return;
        }
        INT_VH.getAndAdd(memory, seqOffset, 1); // makes a waiter's pending futex wait return at once
        if (Futex.AVAILABLE) {
            Futex.wake(memory, seqOffset, count);
        }
    }
}

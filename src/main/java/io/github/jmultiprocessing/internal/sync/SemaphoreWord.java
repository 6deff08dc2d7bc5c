package io.github.jmultiprocessing.internal.sync;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.Map;

/**
 * The protocol of a counting semaphore over a {@link SemaphoreLayout} in shared memory.
 *
 * <p>Implementation notes. {@code value} is the number of permits left; acquiring is a CAS from {@code v > 0} to
 * {@code v - 1} (the linearization point), releasing a CAS adding {@code n}, then a {@link WaitCore} signal of
 * {@code n} waiters. Acquirers spin, yield, then block on the event count. Bounded semaphores refuse a release
 * that would raise {@code value} above {@code bound}, and track per process the permits acquired and not yet
 * released ({@code holders}): a waiter checks every {@link LockWord#CHECK_NANOS} for holders whose process has
 * died and returns their permits (never above the bound). A slot is claimed by CASing its pid from 0, and
 * reclaimed by CASing a dead pid to -1, taking the count, then freeing it. Unbounded semaphores are counters,
 * often released by another process than the one that acquired (producer and consumer), so their permits are
 * not tracked: a permit taken by a process that dies is gone, as in Python. A bounded semaphore used that way
 * too (a process releases a permit it did not acquire) sets {@code shared} and from then on reclaims nothing,
 * since its holder counts no longer say who holds what. A process that exits, normally or not, with permits
 * it never released, gives them back. Slots are claimed under a JVM-wide lock, so a process never has two.
 * Non-invariants: a process killed between taking a permit and recording it loses that permit; processes
 * beyond {@link SemaphoreLayout#HOLDER_SLOTS} are not tracked; liveness is judged by pid.
 */
public final class SemaphoreWord {

    private static final VarHandle INT_VH = JAVA_INT.varHandle();
    private static final int PID = (int) ProcessIdentity.pid();
    private static final int RECLAIMING = -1;
    /** Per semaphore address: permits this JVM took while every holder slot was in use. Guarded by the class. */
    private static final Map<Long, Integer> UNTRACKED = new HashMap<>();

    private SemaphoreWord() {
    }

    /**
     * Initializes a new, zeroed semaphore.
     *
     * @param sem     its memory
     * @param value   the initial permits
     * @param bounded true for a bounded semaphore, whose bound is {@code value}
     */
    public static void init(MemorySegment sem, int value, boolean bounded) {
        INT_VH.setVolatile(sem, SemaphoreLayout.BOUND, bounded ? value : -1);
        INT_VH.setVolatile(sem, SemaphoreLayout.VALUE, value);
    }

    /**
     * {@return the permits left now}
     * @param sem its memory
     */
    public static int value(MemorySegment sem) {
        return (int) INT_VH.getVolatile(sem, SemaphoreLayout.VALUE);
    }

    /**
     * {@return the bound of a bounded semaphore, -1 for an unbounded one}
     * @param sem its memory
     */
    public static int bound(MemorySegment sem) {
        return (int) INT_VH.getVolatile(sem, SemaphoreLayout.BOUND);
    }

    /**
     * Takes a permit if one is left.
     *
     * @param sem its memory
     * @return true if taken
     */
    public static boolean tryAcquire(MemorySegment sem) {
        for (;;) {
            int value = (int) INT_VH.getVolatile(sem, SemaphoreLayout.VALUE);
            if (value <= 0) {
                return false;
            }
            if (INT_VH.compareAndSet(sem, SemaphoreLayout.VALUE, value, value - 1)) {
                track(sem, 1);
                return true;
            }
        }
    }

    /**
     * Takes a permit, waiting at most {@code timeoutNanos}.
     *
     * @param sem           its memory
     * @param timeoutNanos  the longest wait; negative waits forever
     * @param interruptible true to throw on interrupt
     * @return true if taken
     * @throws InterruptedException if interruptible and interrupted
     */
    public static boolean acquire(MemorySegment sem, long timeoutNanos, boolean interruptible)
            throws InterruptedException {
        if (tryAcquire(sem)) {
            return true;
        }
        Runnable reclaim = bound(sem) >= 0 ? () -> reclaimDead(sem) : null;
        return Waiting.until(sem, SemaphoreLayout.SEQ, SemaphoreLayout.WAITERS, () -> tryAcquire(sem), reclaim,
                timeoutNanos, interruptible);
    }

    /**
     * Returns {@code n} permits and wakes as many waiters.
     *
     * @param sem its memory
     * @param n   permits, at least 1
     * @throws IllegalStateException if a bounded semaphore would exceed its bound
     */
    public static void release(MemorySegment sem, int n) {
        int bound = bound(sem);
        // Untracked first: a process killed in between loses a permit rather than letting a reclaim add one.
        track(sem, -n);
        try {
            add(sem, n, bound);
        } catch (IllegalStateException e) {
            track(sem, n);
            throw e;
        }
        WaitCore.signal(sem, SemaphoreLayout.SEQ, SemaphoreLayout.WAITERS, n);
    }

    private static void add(MemorySegment sem, int n, int bound) {
        for (;;) {
            int value = (int) INT_VH.getVolatile(sem, SemaphoreLayout.VALUE);
            if (bound >= 0 && (long) value + n > bound) {
                throw new IllegalStateException("semaphore released too many times (value=" + value + " + " + n
                        + ", expected at most the initial value " + bound + ")");
            }
            if ((long) value + n > Integer.MAX_VALUE) {
                throw new IllegalStateException("semaphore value=" + value + " + " + n + " (expected at most "
                        + Integer.MAX_VALUE + ")");
            }
            if (INT_VH.compareAndSet(sem, SemaphoreLayout.VALUE, value, value + n)) { // publishes to the next taker
                return;
            }
        }
    }

    /** Records permits taken (positive) or returned (negative) by this process, for bounded semaphores. */
    private static void track(MemorySegment sem, int delta) {
        if ((int) INT_VH.getVolatile(sem, SemaphoreLayout.BOUND) < 0) {
            return;
        }
        synchronized (SemaphoreWord.class) { // one slot per process: two threads must not both claim one
            trackLocked(sem, delta);
        }
    }

    private static void trackLocked(MemorySegment sem, int delta) {
        Long address = sem.address();
        if (delta < 0 && UNTRACKED.getOrDefault(address, 0) > 0) { // permits taken while every slot was in use
            int untracked = UNTRACKED.get(address);
            int back = Math.min(untracked, -delta);
            UNTRACKED.put(address, untracked - back);
            delta += back;
            if (delta == 0) {
                return;
            }
        }
        long free = -1;
        for (int i = 0; i < SemaphoreLayout.HOLDER_SLOTS; i++) {
            long slot = SemaphoreLayout.HOLDERS + i * SemaphoreLayout.HOLDER.byteSize();
            int pid = (int) INT_VH.getVolatile(sem, slot + SemaphoreLayout.HOLDER_PID);
            if (pid == PID) {
                adjust(sem, slot, delta);
                return;
            }
            if (pid == 0 && free < 0) {
                free = slot;
            }
        }
        if (delta > 0) {
            for (int i = 0; i < SemaphoreLayout.HOLDER_SLOTS; i++) {
                long slot = SemaphoreLayout.HOLDERS + i * SemaphoreLayout.HOLDER.byteSize();
                if (INT_VH.compareAndSet(sem, slot + SemaphoreLayout.HOLDER_PID, 0, PID)) {
                    adjust(sem, slot, delta);
                    return;
                }
            }
        }
        if (delta < 0) { // a release of permits this process never took: holder counts no longer tell
            INT_VH.setVolatile(sem, SemaphoreLayout.SHARED, 1);
        } else {
            UNTRACKED.merge(address, delta, Integer::sum); // all slots taken: remembered here only
        }
    }

    private static void adjust(MemorySegment sem, long slot, int delta) {
        long count = slot + SemaphoreLayout.HOLDER_COUNT;
        for (;;) {
            int held = (int) INT_VH.getVolatile(sem, count);
            if (held + delta < 0) { // released more than this process took: permits cross processes
                INT_VH.setVolatile(sem, SemaphoreLayout.SHARED, 1);
            }
            int next = Math.max(0, held + delta);
            if (INT_VH.compareAndSet(sem, count, held, next)) {
                if (next == 0) { // holds nothing: give the slot back (only this process writes its own slot)
                    INT_VH.setVolatile(sem, slot + SemaphoreLayout.HOLDER_PID, 0);
                }
                return;
            }
        }
    }

    /** Returns the permits of holders whose process died. */
    private static void reclaimDead(MemorySegment sem) {
        if ((int) INT_VH.getVolatile(sem, SemaphoreLayout.SHARED) != 0) {
            return;
        }
        int bound = bound(sem);
        for (int i = 0; i < SemaphoreLayout.HOLDER_SLOTS; i++) {
            long slot = SemaphoreLayout.HOLDERS + i * SemaphoreLayout.HOLDER.byteSize();
            int pid = (int) INT_VH.getVolatile(sem, slot + SemaphoreLayout.HOLDER_PID);
            if (pid <= 0 || pid == PID || ProcessIdentity.isAlive(pid)) {
                continue;
            }
            if (!INT_VH.compareAndSet(sem, slot + SemaphoreLayout.HOLDER_PID, pid, RECLAIMING)) {
                continue; // another waiter reclaims it
            }
            int held = (int) INT_VH.getAndSet(sem, slot + SemaphoreLayout.HOLDER_COUNT, 0);
            INT_VH.setVolatile(sem, slot + SemaphoreLayout.HOLDER_PID, 0);
            for (; held > 0; ) {
                int value = (int) INT_VH.getVolatile(sem, SemaphoreLayout.VALUE);
                int back = Math.min(held, bound - value);
                if (back <= 0) {
                    break;
                }
                if (INT_VH.compareAndSet(sem, SemaphoreLayout.VALUE, value, value + back)) {
                    WaitCore.signal(sem, SemaphoreLayout.SEQ, SemaphoreLayout.WAITERS, back);
                    break;
                }
            }
        }
    }
}

package io.github.jmultiprocessing.internal.sync;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The protocol of a counting semaphore over a {@link SemaphoreLayout} in shared memory.
 *
 * <p>Implementation notes. {@code value} is the number of permits left. Unbounded semaphores are counters, often
 * released by another process than the one that acquired (producer and consumer), so their permits are not
 * tracked: acquiring is a CAS from {@code v > 0} to {@code v - 1} (the linearization point), releasing a CAS
 * adding {@code n}, then a {@link WaitCore} signal of {@code n} waiters; a permit taken by a process that dies is
 * gone, as in Python. Acquirers spin, yield, then block on the event count.
 *
 * <p>Bounded semaphores refuse a release that would raise {@code value} above {@code bound}, and track per process
 * the permits acquired and not yet released ({@code holders}): a waiter checks every {@link LockWord#CHECK_NANOS}
 * for holders whose process has died (or is a zombie) and returns their permits (never above the bound). Since
 * a permit and its holder record are two words, a bounded semaphore changes them under a small lock of its own,
 * the {@code owner} word (CAS from 0 to the pid; held for a few stores, never while waiting), and announces each
 * change before making it: {@code valueAfter}, {@code countAfter}, then {@code intentSlot} (the slot + 1), then
 * {@code value} (the linearization point), then the slot's count (and its pid set to 0 if the count is 0: the slot
 * is free), then {@code intentSlot} cleared, then {@code owner} cleared. A process that finds the owner dead takes
 * the word over by CAS and finishes the change: if {@code intentSlot} is set and {@code value} is
 * {@code valueAfter}, the value was changed (only the owner changes it) and the count is written; otherwise the
 * value was not changed and nothing is. So a process killed anywhere inside {@code acquire}, {@code release} or a
 * reclaim neither loses a permit nor leaves one counted twice. A bounded semaphore used as a counter (a process
 * releases a permit it did not acquire) sets {@code shared} and from then on reclaims nothing, since its holder
 * counts no longer say who holds what. A process that exits, normally or not, with permits it never released,
 * gives them back. Non-invariants: processes beyond {@link SemaphoreLayout#HOLDER_SLOTS} are not tracked (their
 * permits are remembered in their JVM only); liveness is judged by pid; a process stopped (SIGSTOP) while it
 * owns the word stalls the semaphore's other users until it continues.
 *
 * <p>The test-only system property {@code jmultiprocessing.test.dieInSemaphore} ({@code acquire},
 * {@code release}, {@code reclaim}) halts the JVM, as {@code kill -9} would, between the change of the value and
 * that of the holder count: a constant, folded away when unset.
 */
public final class SemaphoreWord {

    private static final VarHandle INT_VH = JAVA_INT.varHandle();
    private static final int PID = (int) ProcessIdentity.pid();
    private static final int SPINS = 100;
    private static final int YIELDS = 200;
    private static final long PARK_NANOS = 50_000L;
    /** Per semaphore address: permits this JVM took while every holder slot was in use. Guarded by the owner word. */
    private static final Map<Long, Integer> UNTRACKED = new HashMap<>();
    private static final String DIE_IN = System.getProperty("jmultiprocessing.test.dieInSemaphore", "");
    private static final boolean DIE_IN_ACQUIRE = DIE_IN.equals("acquire");
    private static final boolean DIE_IN_RELEASE = DIE_IN.equals("release");
    private static final boolean DIE_IN_RECLAIM = DIE_IN.equals("reclaim");
    private static final int DIE_STATUS = 86;

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
        if ((int) INT_VH.getVolatile(sem, SemaphoreLayout.BOUND) >= 0) {
            return tryAcquireBounded(sem);
        }
        for (;;) {
            int value = (int) INT_VH.getVolatile(sem, SemaphoreLayout.VALUE);
            if (value <= 0) {
                return false;
            }
            if (INT_VH.compareAndSet(sem, SemaphoreLayout.VALUE, value, value - 1)) { // observes the releaser's
                return true;
            }
        }
    }

    private static boolean tryAcquireBounded(MemorySegment sem) {
        if ((int) INT_VH.getVolatile(sem, SemaphoreLayout.VALUE) <= 0) {
            return false; // nothing to take: no need to own the word
        }
        lockOwner(sem);
        try {
            int value = (int) INT_VH.getVolatile(sem, SemaphoreLayout.VALUE);
            if (value <= 0) {
                return false;
            }
            long slot = slotOf(sem, true);
            if (slot < 0) { // every slot in use: remembered in this JVM only
                INT_VH.setVolatile(sem, SemaphoreLayout.VALUE, value - 1);
                UNTRACKED.merge(sem.address(), 1, Integer::sum);
                return true;
            }
            int held = (int) INT_VH.getVolatile(sem, slot + SemaphoreLayout.HOLDER_COUNT);
            change(sem, slot, value - 1, held + 1, DIE_IN_ACQUIRE);
            return true;
        } finally {
            unlockOwner(sem);
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
        if (bound < 0) {
            add(sem, n);
        } else {
            releaseBounded(sem, n, bound);
        }
        WaitCore.signal(sem, SemaphoreLayout.SEQ, SemaphoreLayout.WAITERS, n);
    }

    private static void add(MemorySegment sem, int n) {
        for (;;) {
            int value = (int) INT_VH.getVolatile(sem, SemaphoreLayout.VALUE);
            checkRoom(value, n, -1);
            if (INT_VH.compareAndSet(sem, SemaphoreLayout.VALUE, value, value + n)) { // publishes to the next taker
                return;
            }
        }
    }

    private static void checkRoom(int value, int n, int bound) {
        if (bound >= 0 && (long) value + n > bound) {
            throw new IllegalStateException("semaphore released too many times (value=" + value + " + " + n
                    + ", expected at most the initial value " + bound + ")");
        }
        if ((long) value + n > Integer.MAX_VALUE) {
            throw new IllegalStateException("semaphore value=" + value + " + " + n + " (expected at most "
                    + Integer.MAX_VALUE + ")");
        }
    }

    private static void releaseBounded(MemorySegment sem, int n, int bound) {
        lockOwner(sem);
        try {
            int value = (int) INT_VH.getVolatile(sem, SemaphoreLayout.VALUE);
            checkRoom(value, n, bound);
            Long address = sem.address();
            int untracked = UNTRACKED.getOrDefault(address, 0); // permits taken while every slot was in use
            int fromSlot = n - Math.min(untracked, n);
            if (untracked > 0) {
                UNTRACKED.put(address, untracked - (n - fromSlot));
            }
            long slot = fromSlot > 0 ? slotOf(sem, false) : -1;
            if (slot < 0) {
                if (fromSlot > 0) { // a release of permits this process never took: holder counts no longer tell
                    INT_VH.setVolatile(sem, SemaphoreLayout.SHARED, 1);
                }
                INT_VH.setVolatile(sem, SemaphoreLayout.VALUE, value + n); // publishes to the next taker
                return;
            }
            int held = (int) INT_VH.getVolatile(sem, slot + SemaphoreLayout.HOLDER_COUNT);
            if (held < fromSlot) { // released more than this process took: permits cross processes
                INT_VH.setVolatile(sem, SemaphoreLayout.SHARED, 1);
            }
            change(sem, slot, value + n, Math.max(0, held - fromSlot), DIE_IN_RELEASE);
        } finally {
            unlockOwner(sem);
        }
    }

    /**
     * Changes the value and a holder slot's count, owning the word: announced, made, then cleared, so that
     * {@link #finishDeadOwnersChange} can finish it if this process dies in between.
     */
    private static void change(MemorySegment sem, long slot, int valueAfter, int countAfter, boolean dieBetween) {
        INT_VH.setVolatile(sem, SemaphoreLayout.VALUE_AFTER, valueAfter);
        INT_VH.setVolatile(sem, SemaphoreLayout.COUNT_AFTER, countAfter);
        // NOTE: the intent is whole before it is published, and published before the value changes.
        INT_VH.setVolatile(sem, SemaphoreLayout.INTENT_SLOT, slotIndex(slot) + 1);
        INT_VH.setVolatile(sem, SemaphoreLayout.VALUE, valueAfter); // the linearization point; publishes to takers
        if (dieBetween) {
            Runtime.getRuntime().halt(DIE_STATUS); // test only: dies as kill -9 would, at the worst moment
        }
        setCount(sem, slot, countAfter);
        INT_VH.setVolatile(sem, SemaphoreLayout.INTENT_SLOT, 0); // done: nothing left to finish
    }

    private static void setCount(MemorySegment sem, long slot, int count) {
        INT_VH.setVolatile(sem, slot + SemaphoreLayout.HOLDER_COUNT, count);
        if (count == 0) { // holds nothing: the slot is free (its count is 0 before its pid is)
            INT_VH.setVolatile(sem, slot + SemaphoreLayout.HOLDER_PID, 0);
        }
    }

    /** Takes the owner word (spin, yield, then short parks), taking it over from a dead owner. */
    private static void lockOwner(MemorySegment sem) {
        if (INT_VH.compareAndSet(sem, SemaphoreLayout.OWNER, 0, PID)) { // observes the last owner's changes
            return;
        }
        long nextCheck = System.nanoTime() + LockWord.CHECK_NANOS;
        for (int attempt = 0;; attempt++) {
            int owner = (int) INT_VH.getVolatile(sem, SemaphoreLayout.OWNER);
            if (owner == 0) {
                if (INT_VH.compareAndSet(sem, SemaphoreLayout.OWNER, 0, PID)) {
                    return;
                }
                continue;
            }
            if (attempt < SPINS) {
                Thread.onSpinWait();
                continue;
            }
            if (attempt < YIELDS) {
                Thread.yield();
                continue;
            }
            LockSupport.parkNanos(PARK_NANOS);
            long now = System.nanoTime();
            if (now - nextCheck >= 0) {
                nextCheck = now + LockWord.CHECK_NANOS;
                if (owner != PID && !ProcessIdentity.isAlive(owner)
                        && INT_VH.compareAndSet(sem, SemaphoreLayout.OWNER, owner, PID)) {
                    finishDeadOwnersChange(sem);
                    return;
                }
            }
        }
    }

    private static void unlockOwner(MemorySegment sem) {
        INT_VH.setVolatile(sem, SemaphoreLayout.OWNER, 0); // publishes this owner's changes to the next
    }

    /** Finishes the change a dead owner announced, if it had changed the value (see the implementation notes). */
    private static void finishDeadOwnersChange(MemorySegment sem) {
        int intent = (int) INT_VH.getVolatile(sem, SemaphoreLayout.INTENT_SLOT);
        if (intent <= 0 || intent > SemaphoreLayout.HOLDER_SLOTS) {
            return; // none announced, or it was done: the value and holders agree
        }
        int valueAfter = (int) INT_VH.getVolatile(sem, SemaphoreLayout.VALUE_AFTER);
        if ((int) INT_VH.getVolatile(sem, SemaphoreLayout.VALUE) == valueAfter) {
            setCount(sem, slotOffset(intent - 1), (int) INT_VH.getVolatile(sem, SemaphoreLayout.COUNT_AFTER));
        }
        INT_VH.setVolatile(sem, SemaphoreLayout.INTENT_SLOT, 0);
    }

    private static long slotOffset(int index) {
        return SemaphoreLayout.HOLDERS + index * SemaphoreLayout.HOLDER.byteSize();
    }

    private static int slotIndex(long slot) {
        return (int) ((slot - SemaphoreLayout.HOLDERS) / SemaphoreLayout.HOLDER.byteSize());
    }

    /** {@return this process's holder slot, claimed if asked and none yet, or -1} The caller owns the word. */
    private static long slotOf(MemorySegment sem, boolean claim) {
        long free = -1;
        for (int i = 0; i < SemaphoreLayout.HOLDER_SLOTS; i++) {
            long slot = slotOffset(i);
            int pid = (int) INT_VH.getVolatile(sem, slot + SemaphoreLayout.HOLDER_PID);
            if (pid == PID) {
                return slot;
            }
            if (pid == 0 && free < 0) {
                free = slot;
            }
        }
        if (claim && free >= 0) {
            INT_VH.setVolatile(sem, free + SemaphoreLayout.HOLDER_COUNT, 0);
            INT_VH.setVolatile(sem, free + SemaphoreLayout.HOLDER_PID, PID); // a dead claimer leaves a count of 0
        }
        return claim ? free : -1;
    }

    /** Returns the permits of holders whose process died. */
    private static void reclaimDead(MemorySegment sem) {
        if ((int) INT_VH.getVolatile(sem, SemaphoreLayout.SHARED) != 0) {
            return;
        }
        int owner = (int) INT_VH.getVolatile(sem, SemaphoreLayout.OWNER);
        boolean dead = owner != 0 && owner != PID && !ProcessIdentity.isAlive(owner); // it may hold back a permit
        for (int i = 0; i < SemaphoreLayout.HOLDER_SLOTS && !dead; i++) {
            int pid = (int) INT_VH.getVolatile(sem, slotOffset(i) + SemaphoreLayout.HOLDER_PID);
            dead = pid > 0 && pid != PID && !ProcessIdentity.isAlive(pid);
        }
        if (!dead) {
            return; // the common case: every holder lives, no need to own the word
        }
        int bound = bound(sem);
        int back = 0;
        lockOwner(sem);
        try {
            for (int i = 0; i < SemaphoreLayout.HOLDER_SLOTS; i++) {
                long slot = slotOffset(i);
                int pid = (int) INT_VH.getVolatile(sem, slot + SemaphoreLayout.HOLDER_PID);
                if (pid <= 0 || pid == PID || ProcessIdentity.isAlive(pid)) {
                    continue;
                }
                int held = (int) INT_VH.getVolatile(sem, slot + SemaphoreLayout.HOLDER_COUNT);
                int value = (int) INT_VH.getVolatile(sem, SemaphoreLayout.VALUE);
                int given = Math.max(0, Math.min(held, bound - value));
                change(sem, slot, value + given, 0, DIE_IN_RECLAIM);
                back += given;
            }
        } finally {
            unlockOwner(sem);
        }
        if (back > 0) {
            WaitCore.signal(sem, SemaphoreLayout.SEQ, SemaphoreLayout.WAITERS, back);
        }
    }
}

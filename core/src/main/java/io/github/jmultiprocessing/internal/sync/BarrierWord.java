package io.github.jmultiprocessing.internal.sync;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.concurrent.BrokenBarrierException;

/**
 * The protocol of a cyclic barrier over a {@link BarrierLayout}: Python's {@code Barrier} and the JDK's
 * {@code CyclicBarrier}, across processes.
 *
 * <p>Implementation notes. Arrivals take the barrier's lock (short critical sections only), read the generation
 * and take an index. The last party runs the action, then, still under the lock, starts the next generation and
 * wakes everybody. The others release the lock and sleep on the event count until the generation moves on or the
 * barrier breaks. A generation that ends by a reset, or by breaking (a timeout, an interrupt, {@link #abort}, a
 * failing action), is recorded in {@code failed}; a woken party whose generation has moved on returns normally
 * unless its generation is the one recorded there. So parties of a generation that tripped return normally even
 * when later generations have tripped since (more threads than parties), and parties of a reset generation
 * throw. Non-invariant: {@code failed} holds one generation, so a party that sleeps through both the reset of
 * its own generation and the failure of the next one returns normally. The lock is taken re-entrantly, so an
 * action may call {@link #reset} or {@link #abort}.
 */
public final class BarrierWord {

    private static final VarHandle INT_VH = JAVA_INT.varHandle();

    private BarrierWord() {
    }

    /**
     * Initializes a new, zeroed barrier.
     *
     * @param barrier its memory
     * @param parties how many parties trip it
     */
    public static void init(MemorySegment barrier, int parties) {
        INT_VH.setVolatile(barrier, BarrierLayout.FAILED, -1);
        INT_VH.setVolatile(barrier, BarrierLayout.PARTIES, parties);
    }

    /**
     * {@return the number of parties}
     * @param barrier its memory
     */
    public static int parties(MemorySegment barrier) {
        return (int) INT_VH.getVolatile(barrier, BarrierLayout.PARTIES);
    }

    /**
     * {@return the parties waiting now}
     * @param barrier its memory
     */
    public static int waiting(MemorySegment barrier) {
        return (int) INT_VH.getVolatile(barrier, BarrierLayout.COUNT);
    }

    /**
     * {@return true if broken}
     * @param barrier its memory
     */
    public static boolean isBroken(MemorySegment barrier) {
        return (int) INT_VH.getVolatile(barrier, BarrierLayout.BROKEN) != 0;
    }

    /**
     * Waits for all parties.
     *
     * @param barrier      its memory
     * @param action       run by the last party before the others are released, or null
     * @param timeoutNanos the longest wait; negative waits forever
     * @return the arrival index, 0 for the first party, {@code parties - 1} for the last
     * @throws BrokenBarrierException if the barrier is or gets broken, reset, or this wait times out
     * @throws InterruptedException   if interrupted while waiting (the barrier is broken)
     */
    public static int await(MemorySegment barrier, Runnable action, long timeoutNanos)
            throws BrokenBarrierException, InterruptedException {
        MemorySegment lock = lock(barrier);
        int generation;
        int index;
        boolean held = enter(lock);
        try {
            if (isBroken(barrier)) {
                throw new BrokenBarrierException();
            }
            generation = generation(barrier);
            index = (int) INT_VH.getVolatile(barrier, BarrierLayout.COUNT);
            INT_VH.setVolatile(barrier, BarrierLayout.COUNT, index + 1);
            if (index + 1 == parties(barrier)) {
                if (action != null) {
                    try {
                        action.run();
                    } catch (RuntimeException | Error e) {
                        breakLocked(barrier);
                        throw e;
                    }
                }
                if (generation(barrier) == generation && !isBroken(barrier)) { // unless the action reset or broke it
                    INT_VH.setVolatile(barrier, BarrierLayout.COUNT, 0);
                    INT_VH.setVolatile(barrier, BarrierLayout.GENERATION, generation + 1);
                    WaitCore.signal(barrier, BarrierLayout.SEQ, BarrierLayout.WAITERS, Integer.MAX_VALUE);
                    return index;
                }
                throw new BrokenBarrierException();
            }
        } finally {
            exit(lock, held);
        }
        boolean ended;
        try {
            ended = Waiting.until(barrier, BarrierLayout.SEQ, BarrierLayout.WAITERS,
                    () -> generation(barrier) != generation || isBroken(barrier), timeoutNanos, true);
        } catch (InterruptedException e) {
            if (!breakIfCurrent(barrier, generation) && tripped(barrier, generation)) {
                Thread.currentThread().interrupt(); // the trip came first, as CyclicBarrier does
                return index;
            }
            throw e;
        }
        if (!ended) {
            breakIfCurrent(barrier, generation); // unless the trip came meanwhile
        }
        if (tripped(barrier, generation)) {
            return index;
        }
        throw new BrokenBarrierException();
    }

    /**
     * Breaks the barrier: current and future waiters throw until {@link #reset}.
     *
     * @param barrier its memory
     */
    public static void abort(MemorySegment barrier) {
        MemorySegment lock = lock(barrier);
        boolean held = enter(lock);
        try {
            breakLocked(barrier);
        } finally {
            exit(lock, held);
        }
    }

    /**
     * Returns the barrier to its initial state; parties waiting now throw {@link BrokenBarrierException}.
     *
     * @param barrier its memory
     */
    public static void reset(MemorySegment barrier) {
        MemorySegment lock = lock(barrier);
        boolean held = enter(lock);
        try {
            int generation = generation(barrier);
            INT_VH.setVolatile(barrier, BarrierLayout.FAILED, generation); // its waiters break
            INT_VH.setVolatile(barrier, BarrierLayout.COUNT, 0);
            INT_VH.setVolatile(barrier, BarrierLayout.BROKEN, 0);
            INT_VH.setVolatile(barrier, BarrierLayout.GENERATION, generation + 1);
            WaitCore.signal(barrier, BarrierLayout.SEQ, BarrierLayout.WAITERS, Integer.MAX_VALUE);
        } finally {
            exit(lock, held);
        }
    }

    private static boolean tripped(MemorySegment barrier, int generation) {
        return generation(barrier) != generation
                && (int) INT_VH.getVolatile(barrier, BarrierLayout.FAILED) != generation;
    }

    private static int generation(MemorySegment barrier) {
        return (int) INT_VH.getVolatile(barrier, BarrierLayout.GENERATION);
    }

    private static MemorySegment lock(MemorySegment barrier) {
        return barrier.asSlice(BarrierLayout.LOCK, LockLayout.SIZE);
    }

    /** Takes the lock unless this thread holds it already (an action calling reset or abort); true if it did. */
    private static boolean enter(MemorySegment lock) {
        if (LockWord.isHeldByCurrentThread(lock)) {
            return false;
        }
        LockWord.acquireUninterruptibly(lock);
        return true;
    }

    private static void exit(MemorySegment lock, boolean acquired) {
        if (acquired) {
            LockWord.release(lock);
        }
    }

    /** Breaks the barrier if the generation is still the given one; false if it has moved on meanwhile. */
    private static boolean breakIfCurrent(MemorySegment barrier, int generation) {
        MemorySegment lock = lock(barrier);
        boolean held = enter(lock);
        try {
            if (generation(barrier) == generation) {
                breakLocked(barrier);
                return true;
            }
            return false;
        } finally {
            exit(lock, held);
        }
    }

    private static void breakLocked(MemorySegment barrier) {
        INT_VH.setVolatile(barrier, BarrierLayout.FAILED, generation(barrier));
        INT_VH.setVolatile(barrier, BarrierLayout.BROKEN, 1);
        INT_VH.setVolatile(barrier, BarrierLayout.COUNT, 0);
        WaitCore.signal(barrier, BarrierLayout.SEQ, BarrierLayout.WAITERS, Integer.MAX_VALUE);
    }
}

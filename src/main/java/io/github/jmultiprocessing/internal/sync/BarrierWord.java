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
 * and take an index. The last party runs the action, then, still under the lock, records the generation as
 * {@code tripped}, starts the next generation and wakes everybody. The others release the lock and sleep on
 * the event count until the generation moves on or the barrier breaks; a party returns normally only if its own
 * generation is the one that tripped, so {@link #reset} (which moves the generation on without tripping) and
 * {@link #abort} both make waiters throw {@link BrokenBarrierException}. A timeout, an interrupt or a failing
 * action breaks the barrier for all, as in Python.
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
        INT_VH.setVolatile(barrier, BarrierLayout.TRIPPED, -1);
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
        MemorySegment lock = barrier.asSlice(BarrierLayout.LOCK, LockLayout.SIZE);
        int generation;
        int index;
        LockWord.acquireUninterruptibly(lock);
        try {
            if (isBroken(barrier)) {
                throw new BrokenBarrierException();
            }
            generation = (int) INT_VH.getVolatile(barrier, BarrierLayout.GENERATION);
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
                INT_VH.setVolatile(barrier, BarrierLayout.COUNT, 0);
                INT_VH.setVolatile(barrier, BarrierLayout.TRIPPED, generation);
                INT_VH.setVolatile(barrier, BarrierLayout.GENERATION, generation + 1);
                WaitCore.signal(barrier, BarrierLayout.SEQ, BarrierLayout.WAITERS, Integer.MAX_VALUE);
                return index;
            }
        } finally {
            LockWord.release(lock);
        }
        boolean ended;
        try {
            ended = Waiting.until(barrier, BarrierLayout.SEQ, BarrierLayout.WAITERS,
                    () -> (int) INT_VH.getVolatile(barrier, BarrierLayout.GENERATION) != generation
                            || isBroken(barrier),
                    timeoutNanos, true);
        } catch (InterruptedException e) {
            breakIfCurrent(barrier, generation);
            throw e;
        }
        if ((int) INT_VH.getVolatile(barrier, BarrierLayout.TRIPPED) == generation) {
            return index;
        }
        if (!ended) {
            breakIfCurrent(barrier, generation);
        }
        throw new BrokenBarrierException();
    }

    /**
     * Breaks the barrier: current and future waiters throw until {@link #reset}.
     *
     * @param barrier its memory
     */
    public static void abort(MemorySegment barrier) {
        MemorySegment lock = barrier.asSlice(BarrierLayout.LOCK, LockLayout.SIZE);
        LockWord.acquireUninterruptibly(lock);
        try {
            breakLocked(barrier);
        } finally {
            LockWord.release(lock);
        }
    }

    /**
     * Returns the barrier to its initial state; parties waiting now throw {@link BrokenBarrierException}.
     *
     * @param barrier its memory
     */
    public static void reset(MemorySegment barrier) {
        MemorySegment lock = barrier.asSlice(BarrierLayout.LOCK, LockLayout.SIZE);
        LockWord.acquireUninterruptibly(lock);
        try {
            int generation = (int) INT_VH.getVolatile(barrier, BarrierLayout.GENERATION);
            INT_VH.setVolatile(barrier, BarrierLayout.COUNT, 0);
            INT_VH.setVolatile(barrier, BarrierLayout.BROKEN, 0);
            INT_VH.setVolatile(barrier, BarrierLayout.GENERATION, generation + 1); // not tripped: waiters break
            WaitCore.signal(barrier, BarrierLayout.SEQ, BarrierLayout.WAITERS, Integer.MAX_VALUE);
        } finally {
            LockWord.release(lock);
        }
    }

    private static void breakIfCurrent(MemorySegment barrier, int generation) {
        MemorySegment lock = barrier.asSlice(BarrierLayout.LOCK, LockLayout.SIZE);
        LockWord.acquireUninterruptibly(lock);
        try {
            if ((int) INT_VH.getVolatile(barrier, BarrierLayout.GENERATION) == generation) {
                breakLocked(barrier);
            }
        } finally {
            LockWord.release(lock);
        }
    }

    private static void breakLocked(MemorySegment barrier) {
        INT_VH.setVolatile(barrier, BarrierLayout.BROKEN, 1);
        INT_VH.setVolatile(barrier, BarrierLayout.COUNT, 0);
        WaitCore.signal(barrier, BarrierLayout.SEQ, BarrierLayout.WAITERS, Integer.MAX_VALUE);
    }
}

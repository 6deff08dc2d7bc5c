package io.github.jmultiprocessing.internal.sync;

import java.lang.foreign.MemorySegment;
import java.util.function.BooleanSupplier;

/**
 * A wait on a {@link WaitCore} event count until a condition holds: the loop semaphores, events, conditions and
 * barriers share.
 *
 * <p>Implementation notes. The condition is checked first without registering (the fast path), then during a
 * short spin and yield phase, then the waiter registers, reads {@code seq}, re-checks, and blocks for at most one
 * {@link LockWord#CHECK_NANOS} slice, in a loop; the order (register, read seq, check, block on seq) is
 * {@link WaitCore}'s and is what makes a signal between the check and the block impossible to lose. The
 * optional periodic check runs at most once a slice (dead-process recovery). Interrupts cleared by a park are
 * restored when the wait ends, or turned into {@link InterruptedException} for interruptible waits.
 * Non-invariant: the condition must only become true together with a signal on the same event count, or be
 * noticed within a slice.
 */
public final class Waiting {

    private Waiting() {
    }

    /**
     * Waits until {@code done} is true, at most {@code timeoutNanos}.
     *
     * @param memory        the synchronizer's memory
     * @param seqOffset     offset of its {@code seq} word
     * @param waitersOffset offset of its {@code waiters} word
     * @param done          the condition, re-checked after every wake-up and at least every
     *                      {@link LockWord#CHECK_NANOS}
     * @param timeoutNanos  the longest wait; negative waits forever
     * @param interruptible true to throw on interrupt
     * @return true if the condition holds, false on timeout
     * @throws InterruptedException if interruptible and interrupted
     */
    public static boolean until(MemorySegment memory, long seqOffset, long waitersOffset, BooleanSupplier done,
            long timeoutNanos, boolean interruptible) throws InterruptedException {
        return until(memory, seqOffset, waitersOffset, done, null, timeoutNanos, interruptible);
    }

    /**
     * Waits until {@code done} is true, at most {@code timeoutNanos}, running {@code check} every
     * {@link LockWord#CHECK_NANOS} while blocked (to recover from a dead process, say).
     *
     * @param memory        the synchronizer's memory
     * @param seqOffset     offset of its {@code seq} word
     * @param waitersOffset offset of its {@code waiters} word
     * @param done          the condition, re-checked after every wake-up
     * @param check         the periodic check, or null
     * @param timeoutNanos  the longest wait; negative waits forever
     * @param interruptible true to throw on interrupt
     * @return true if the condition holds, false on timeout
     * @throws InterruptedException if interruptible and interrupted
     */
    public static boolean until(MemorySegment memory, long seqOffset, long waitersOffset, BooleanSupplier done,
            Runnable check, long timeoutNanos, boolean interruptible) throws InterruptedException {
        return until(memory, seqOffset, waitersOffset, done, check, timeoutNanos, interruptible, false);
    }

    /**
     * {@link #until(MemorySegment, long, long, BooleanSupplier, Runnable, long, boolean)}, for a hand-off if
     * {@code handOff}: a wait for another process's answer that it can give only when it has a CPU. With one CPU
     * ({@link WaitCore#ONE_CPU}) a hand-off blocks at once instead of spinning and yielding first.
     *
     * @param handOff true for a hand-off wait
     */
    public static boolean until(MemorySegment memory, long seqOffset, long waitersOffset, BooleanSupplier done,
            Runnable check, long timeoutNanos, boolean interruptible, boolean handOff) throws InterruptedException {
        if (done.getAsBoolean()) {
            return true;
        }
        if (interruptible && Thread.interrupted()) {
            throw new InterruptedException();
        }
        long start = System.nanoTime();
        for (int attempt = 0; !(handOff && WaitCore.ONE_CPU) && WaitCore.backOff(attempt, start); attempt++) {
            if (done.getAsBoolean()) {
                return true;
            }
            if (timeoutNanos == 0) {
                return false;
            }
        }
        boolean interrupted = false;
        long nextCheck = System.nanoTime() + LockWord.CHECK_NANOS;
        WaitCore.enter(memory, waitersOffset);
        try {
            for (int round = 0; ; round++) {
                int seq = WaitCore.sequence(memory, seqOffset);
                if (done.getAsBoolean()) {
                    return true;
                }
                long now = System.nanoTime();
                if (check != null && now - nextCheck >= 0) {
                    nextCheck = now + LockWord.CHECK_NANOS;
                    check.run();
                    continue;
                }
                long slice = LockWord.CHECK_NANOS;
                if (timeoutNanos >= 0) {
                    long left = timeoutNanos - (now - start);
                    if (left <= 0) {
                        return false;
                    }
                    slice = Math.min(slice, left);
                }
                if (interruptible && (interrupted || Thread.interrupted())) {
                    interrupted = false;
                    throw new InterruptedException();
                }
                interrupted |= WaitCore.await(memory, seqOffset, seq, slice, round);
            }
        } finally {
            WaitCore.leave(memory, waitersOffset);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

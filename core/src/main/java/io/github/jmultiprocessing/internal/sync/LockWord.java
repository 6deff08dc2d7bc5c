package io.github.jmultiprocessing.internal.sync;

import io.github.jmultiprocessing.internal.events.Recording;
import io.github.jmultiprocessing.internal.events.LockWaitEvent;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The protocol of a non-recursive lock over a {@link LockLayout} in shared memory, robust against holders that
 * die.
 *
 * <p>Implementation notes. The owner word is 0 when free and otherwise names the holder as
 * {@code (pid << 40) | thread tag} (Linux pids fit 22 bits, thread ids are cut to 40 bits), plus the
 * {@link #OWNER_DIED} bit; acquiring is a CAS from 0 to the caller's token, the linearization point.
 * Contended acquirers spin, yield, then block on the {@link WaitCore} event count; release CASes the owner back
 * to 0 (any thread or process may release, as with Python's {@code Lock}) and signals one waiter. Barging is
 * allowed: the lock is not fair, like CPython's. While blocked, a waiter checks every {@link #CHECK_NANOS}
 * whether the holder's process is still alive; if not, it CASes the dead owner's token to its own token with the
 * {@link #OWNER_DIED} bit set (like a POSIX robust mutex's {@code EOWNERDEAD}), so the flag is set and cleared
 * by the same atomic updates that take and release the lock. Non-invariants: liveness is judged by pid, so a
 * holder's pid recycled by the OS before a waiter checks hides its death until the new process exits, and
 * processes in different pid namespaces must not share a lock; a thread that ends while holding the lock in a
 * live process keeps it held, as in Java and Python.
 */
public final class LockWord {

    /** {@link #acquire} result: the timeout elapsed. */
    public static final int TIMED_OUT = 0;

    /** {@link #acquire} result: acquired. */
    public static final int ACQUIRED = 1;

    /** {@link #acquire} result: acquired from a holder whose process had died. */
    public static final int RECOVERED = 2;

    /** How often a blocked acquirer checks that the holder's process lives. */
    public static final long CHECK_NANOS = 10_000_000L;

    /** Bit of the owner word set while the holder is one that took the lock over from a dead process. */
    public static final long OWNER_DIED = 1L << 62;

    private static final int PID_SHIFT = 40;
    private static final long TAG_MASK = (1L << PID_SHIFT) - 1;
    private static final long PID_MASK = (1L << 22) - 1;
    private static final VarHandle LONG_VH = JAVA_LONG.varHandle();
    private static final long PID_BITS = ProcessIdentity.pid() << PID_SHIFT;

    private LockWord() {
    }

    /** {@return the calling thread's owner token} */
    public static long token() {
        return PID_BITS | (Thread.currentThread().threadId() & TAG_MASK);
    }

    /**
     * Takes the lock if it is free.
     *
     * @param lock the lock's memory
     * @return true if the caller now holds it
     */
    public static boolean tryAcquire(MemorySegment lock) {
        // CAS is volatile: acquires everything the previous holder wrote before its releasing CAS.
        return LONG_VH.compareAndSet(lock, LockLayout.OWNER, 0L, token());
    }

    /**
     * Takes the lock, waiting at most {@code timeoutNanos}.
     *
     * @param lock          the lock's memory
     * @param timeoutNanos  the longest wait; negative waits forever
     * @param interruptible true to throw on interrupt (observed within one wait slice)
     * @return {@link #ACQUIRED}, {@link #RECOVERED} or {@link #TIMED_OUT}
     * @throws InterruptedException if interruptible and the thread is interrupted
     */
    public static int acquire(MemorySegment lock, long timeoutNanos, boolean interruptible) throws InterruptedException {
        long me = token();
        if (LONG_VH.compareAndSet(lock, LockLayout.OWNER, 0L, me)) {
            return ACQUIRED;
        }
        if (!Recording.on()) {
            return acquireSlow(lock, me, timeoutNanos, interruptible);
        }
        LockWaitEvent event = new LockWaitEvent(); // the slow path only: JFR keeps waits above its threshold
        event.begin();
        int result = acquireSlow(lock, me, timeoutNanos, interruptible);
        event.timedOut = result == TIMED_OUT;
        event.commit();
        return result;
    }

    /**
     * Takes the lock, waiting as long as needed; interrupts are kept for later, as with {@code Lock.lock()}.
     *
     * @param lock the lock's memory
     * @return {@link #ACQUIRED} or {@link #RECOVERED}
     */
    public static int acquireUninterruptibly(MemorySegment lock) {
        try {
            return acquire(lock, -1, false);
        } catch (InterruptedException e) {
            throw new AssertionError("an uninterruptible acquire threw InterruptedException", e);
        }
    }

    private static int acquireSlow(MemorySegment lock, long me, long timeoutNanos, boolean interruptible)
            throws InterruptedException {
        if (interruptible && Thread.interrupted()) {
            throw new InterruptedException();
        }
        long start = System.nanoTime();
        for (int attempt = 0; WaitCore.backOff(attempt, start); attempt++) {
            if ((long) LONG_VH.getVolatile(lock, LockLayout.OWNER) == 0L
                    && LONG_VH.compareAndSet(lock, LockLayout.OWNER, 0L, me)) {
                return ACQUIRED;
            }
            if (timeoutNanos == 0) {
                return TIMED_OUT;
            }
        }
        long nextCheck = System.nanoTime() + CHECK_NANOS;
        boolean interrupted = false; // cleared by WaitCore.await, restored when the wait is over
        WaitCore.enter(lock, LockLayout.WAITERS);
        try {
            for (int round = 0; ; round++) {
                int seq = WaitCore.sequence(lock, LockLayout.SEQ);
                long owner = (long) LONG_VH.getVolatile(lock, LockLayout.OWNER);
                if (owner == 0L) {
                    if (LONG_VH.compareAndSet(lock, LockLayout.OWNER, 0L, me)) {
                        return ACQUIRED;
                    }
                    continue;
                }
                long now = System.nanoTime();
                if (now - nextCheck >= 0) {
                    nextCheck = now + CHECK_NANOS;
                    long pid = pidOf(owner);
                    if (pid != ProcessIdentity.pid() && !ProcessIdentity.isAlive(pid)
                            && LONG_VH.compareAndSet(lock, LockLayout.OWNER, owner, me | OWNER_DIED)) {
                        return RECOVERED;
                    }
                }
                long slice = CHECK_NANOS;
                if (timeoutNanos >= 0) {
                    long left = timeoutNanos - (now - start);
                    if (left <= 0) {
                        return TIMED_OUT;
                    }
                    slice = Math.min(slice, left);
                }
                if (interruptible && (interrupted || Thread.interrupted())) {
                    interrupted = false; // consumed by the exception
                    throw new InterruptedException();
                }
                interrupted |= WaitCore.await(lock, LockLayout.SEQ, seq, slice, round);
            }
        } finally {
            WaitCore.leave(lock, LockLayout.WAITERS);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Releases the lock, by whichever thread or process (Python's {@code Lock} semantics). The releasing
     * compare-and-set orders a store before it (a release store too) before a volatile read after it: HotSpot's
     * {@code lock cmpxchg} on x86; on AArch64 the CAS's release store and the later read's acquire load stay in
     * order. So a holder may publish with release semantics inside the lock and read a waiters count with
     * {@code getVolatile} after it ({@code SpscRing.signalAfterUnlock}, the queue's put count); a plain or acquire
     * read there would not be ordered on AArch64.
     *
     * @param lock the lock's memory
     * @throws IllegalStateException if the lock is not held
     */
    public static void release(MemorySegment lock) {
        for (;;) {
            long owner = (long) LONG_VH.getVolatile(lock, LockLayout.OWNER);
            if (owner == 0L) {
                throw new IllegalStateException("release of an unlocked lock (expected acquire() before release())");
            }
            // Volatile CAS publishes the critical section to the next acquirer's CAS.
            if (LONG_VH.compareAndSet(lock, LockLayout.OWNER, owner, 0L)) {
                WaitCore.signal(lock, LockLayout.SEQ, LockLayout.WAITERS, 1);
                return;
            }
        }
    }

    /**
     * {@return true if the calling thread holds the lock}
     * @param lock the lock's memory
     */
    public static boolean isHeldByCurrentThread(MemorySegment lock) {
        return ((long) LONG_VH.getVolatile(lock, LockLayout.OWNER) & ~OWNER_DIED) == token();
    }

    /**
     * {@return true if some thread of some process holds the lock}
     * @param lock the lock's memory
     */
    public static boolean isLocked(MemorySegment lock) {
        return (long) LONG_VH.getVolatile(lock, LockLayout.OWNER) != 0L;
    }

    /**
     * {@return the pid of the holder, 0 if free}
     * @param lock the lock's memory
     */
    public static long ownerPid(MemorySegment lock) {
        return pidOf((long) LONG_VH.getVolatile(lock, LockLayout.OWNER));
    }

    /**
     * {@return true if the lock is held by one that took it over from a dead process}
     * @param lock the lock's memory
     */
    public static boolean ownerDied(MemorySegment lock) {
        return ((long) LONG_VH.getVolatile(lock, LockLayout.OWNER) & OWNER_DIED) != 0;
    }

    private static long pidOf(long owner) {
        return (owner >>> PID_SHIFT) & PID_MASK;
    }
}

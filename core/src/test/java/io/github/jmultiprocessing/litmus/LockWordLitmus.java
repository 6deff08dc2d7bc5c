package io.github.jmultiprocessing.litmus;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.jmultiprocessing.internal.sync.LockLayout;
import io.github.jmultiprocessing.internal.sync.LockWord;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.JJ_Result;

/**
 * jcstress litmus tests of {@link LockWord}, the owner word under every shared lock, run by {@code LitmusIT}.
 *
 * <p>Each sample gets a fresh lock: a zeroed {@link LockLayout} slot followed by data slots, in memory of its
 * own (an automatic arena: shared between threads, freed by the GC, since jcstress has no per-sample teardown).
 * The word protocol is the one that runs over {@code /dev/shm} mappings; the cross-process form of these checks is
 * {@code CrossProcessLitmusIT}. Data under the lock is read and written with plain accesses, as user code under a
 * {@code SharedLock} does: only the lock's own accesses may order them.
 */
public final class LockWordLitmus {

    /** Offset of the first data word, in a cache line of its own after the lock's slot. */
    static final long X = LockLayout.SIZE;
    /** Offset of the second data word, in another cache line. */
    static final long Y = LockLayout.SIZE + 64;
    /** Bytes of one sample's memory. */
    static final long SIZE = LockLayout.SIZE + 128;

    private LockWordLitmus() {
    }

    static MemorySegment freshLock() {
        return Arena.ofAuto().allocate(SIZE, LockLayout.ALIGNMENT); // zeroed: a free lock, data 0
    }

    /**
     * Mutual exclusion at the linearization point: two threads try a free lock at once and nobody releases. Exactly
     * one must win; two winners is two holders (a lost CAS race), no winner a free lock refused.
     */
    @JCStressTest
    @Outcome(id = {"1, 0", "0, 1"}, expect = ACCEPTABLE, desc = "exactly one thread takes the free lock")
    @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "two holders at once")
    @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "a free lock refused to both")
    @State
    public static class Mutex {
        final MemorySegment lock = freshLock();

        @Actor
        public void first(II_Result r) {
            r.r1 = LockWord.tryAcquire(lock) ? 1 : 0;
        }

        @Actor
        public void second(II_Result r) {
            r.r2 = LockWord.tryAcquire(lock) ? 1 : 0;
        }
    }

    /**
     * Release/acquire through the lock: one thread writes x then y under the lock, the other reads y then x under
     * it (each through the real {@code acquire}, spinning, yielding or sleeping on the futex). The reader sees both
     * writes or neither: a write under the lock is seen whole by the next holder.
     */
    @JCStressTest
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the reader held the lock first")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "the reader held the lock after the writer")
    @Outcome(id = {"1, 0", "0, 1"}, expect = FORBIDDEN, desc = "half of a critical section seen by the next holder")
    @State
    public static class Handoff {
        final MemorySegment lock = freshLock();

        @Actor
        public void writer() {
            LockWord.acquireUninterruptibly(lock);
            lock.set(JAVA_LONG, X, 1L);
            lock.set(JAVA_LONG, Y, 1L);
            LockWord.release(lock);
        }

        @Actor
        public void reader(JJ_Result r) {
            LockWord.acquireUninterruptibly(lock);
            r.r1 = lock.get(JAVA_LONG, Y);
            r.r2 = lock.get(JAVA_LONG, X);
            LockWord.release(lock);
        }
    }

    /**
     * A read-modify-write under the lock by two threads: each sees the other's increment or none, and the count ends
     * at 2 (no lost update), with the lock free again.
     */
    @JCStressTest
    @Outcome(id = {"0, 1, 2", "1, 0, 2"}, expect = ACCEPTABLE, desc = "the increments in one order or the other")
    @Outcome(expect = FORBIDDEN, desc = "a lost update, or both inside the critical section")
    @State
    public static class Increments {
        final MemorySegment lock = freshLock();

        long increment() {
            LockWord.acquireUninterruptibly(lock);
            long seen = lock.get(JAVA_LONG, X);
            lock.set(JAVA_LONG, X, seen + 1);
            LockWord.release(lock);
            return seen;
        }

        @Actor
        public void first(III_Result r) {
            r.r1 = (int) increment();
        }

        @Actor
        public void second(III_Result r) {
            r.r2 = (int) increment();
        }

        @Arbiter
        public void count(III_Result r) {
            r.r3 = LockWord.isLocked(lock) ? -1 : (int) lock.get(JAVA_LONG, X);
        }
    }

    /**
     * Two waiters find the lock held by a process that has died: one takes it over ({@code RECOVERED}), the other
     * gets it only after that one released it ({@code ACQUIRED}); never two takeovers, never both inside at once.
     * Each actor reports its result code plus 10 if it found the other inside (a counter raised and lowered by the
     * holder). Slow by design: a waiter checks the holder's liveness every {@link LockWord#CHECK_NANOS}.
     */
    @JCStressTest
    @Outcome(id = {"2, 1, 0", "1, 2, 0"}, expect = ACCEPTABLE, desc = "one takeover, then a plain acquire")
    @Outcome(id = "2, 2, .*", expect = FORBIDDEN, desc = "the dead owner taken over twice")
    @Outcome(expect = FORBIDDEN, desc = "two holders inside, a timeout, or the lock left held")
    @State
    public static class Takeover {
        private static final VarHandle INSIDE = JAVA_LONG.varHandle();
        static final long DEAD_OWNER = deadPid() << 40 | 1;
        final MemorySegment lock = freshLock();

        public Takeover() {
            lock.set(JAVA_LONG, LockLayout.OWNER, DEAD_OWNER);
        }

        int take() {
            int code;
            try {
                code = LockWord.acquire(lock, 5_000_000_000L, false);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            if (code == LockWord.TIMED_OUT) {
                return 0;
            }
            long others = (long) INSIDE.getAndAdd(lock, X, 1L); // volatile: a second holder would see it
            Thread.onSpinWait();
            INSIDE.getAndAdd(lock, X, -1L);
            LockWord.release(lock);
            return code + (others == 0 ? 0 : 10);
        }

        @Actor
        public void first(III_Result r) {
            r.r1 = take();
        }

        @Actor
        public void second(III_Result r) {
            r.r2 = take();
        }

        @Arbiter
        public void after(III_Result r) {
            r.r3 = LockWord.isLocked(lock) ? 1 : 0;
        }

        /** {@return the pid of a process that has exited (and been reaped)} */
        static long deadPid() {
            try {
                Process process = new ProcessBuilder("true").start();
                process.waitFor();
                return process.pid();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}

package io.github.jmultiprocessing.litmus.broken;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.jmultiprocessing.internal.sync.LockLayout;
import io.github.jmultiprocessing.internal.sync.LockWord;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.JJ_Result;

/**
 * Deliberately broken variants of {@link LockWord}, under the same outcomes as {@code LockWordLitmus}: they show
 * that those tests can fail. {@code LitmusIT} requires {@link NoCasAcquire} and {@link ReleaseTooEarly} to fail;
 * {@link PlainRelease} (a release by a plain store) is wrong under the Java memory model but passes on x86, whose
 * stores are not reordered with older stores and where C2 keeps the order of stores to native memory; it would
 * take a weaker machine (ARM, POWER) to fail it.
 */
public final class BrokenLockLitmus {

    private static final VarHandle LONG = JAVA_LONG.varHandle();
    static final long X = LockLayout.SIZE;
    static final long Y = LockLayout.SIZE + 64;

    private BrokenLockLitmus() {
    }

    /** Widens the window of a race a little (a few microseconds), so that a short run shows it every time. */
    public static void widen() {
        for (int i = 0; i < 100; i++) {
            Thread.onSpinWait();
        }
    }

    static MemorySegment freshLock() {
        return Arena.ofAuto().allocate(LockLayout.SIZE + 128, LockLayout.ALIGNMENT);
    }

    /** Acquire without CAS: read the owner, see it free, store the token. Two threads both get in. */
    @JCStressTest
    @Outcome(id = {"1, 0", "0, 1"}, expect = ACCEPTABLE, desc = "exactly one thread takes the free lock")
    @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "two holders at once")
    @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "a free lock refused to both")
    @State
    public static class NoCasAcquire {
        final MemorySegment lock = freshLock();

        boolean tryAcquire(long token) {
            if ((long) LONG.getVolatile(lock, LockLayout.OWNER) == 0L) {
                widen();
                LONG.setVolatile(lock, LockLayout.OWNER, token); // BROKEN: not atomic with the read
                return true;
            }
            return false;
        }

        @Actor
        public void first(II_Result r) {
            r.r1 = tryAcquire(1) ? 1 : 0;
        }

        @Actor
        public void second(II_Result r) {
            r.r2 = tryAcquire(2) ? 1 : 0;
        }
    }

    /**
     * The writer frees the word before its last store under the lock: what a release with no ordering allows the
     * compiler or a weak CPU to do, written out in program order so that x86 shows it too.
     */
    @JCStressTest
    @Outcome(id = {"0, 0", "1, 1"}, expect = ACCEPTABLE, desc = "the whole critical section or none")
    @Outcome(id = {"1, 0", "0, 1"}, expect = FORBIDDEN, desc = "half of a critical section seen by the next holder")
    @State
    public static class ReleaseTooEarly {
        final MemorySegment lock = freshLock();

        @Actor
        public void writer() {
            LockWord.acquireUninterruptibly(lock);
            lock.set(JAVA_LONG, X, 1L);
            LockWord.release(lock);
            widen();
            lock.set(JAVA_LONG, Y, 1L); // BROKEN: after the release
        }

        @Actor
        public void reader(JJ_Result r) {
            LockWord.acquireUninterruptibly(lock);
            r.r1 = lock.get(JAVA_LONG, Y);
            r.r2 = lock.get(JAVA_LONG, X);
            LockWord.release(lock);
        }
    }

    /** The release is a plain store of 0 (no CAS, no release semantics). Passes on x86; see the class notes. */
    @JCStressTest
    @Outcome(id = {"0, 0", "1, 1"}, expect = ACCEPTABLE, desc = "the whole critical section or none")
    @Outcome(id = {"1, 0", "0, 1"}, expect = FORBIDDEN, desc = "half of a critical section seen by the next holder")
    @State
    public static class PlainRelease {
        final MemorySegment lock = freshLock();

        @Actor
        public void writer() {
            LockWord.acquireUninterruptibly(lock);
            lock.set(JAVA_LONG, X, 1L);
            lock.set(JAVA_LONG, Y, 1L);
            lock.set(JAVA_LONG, LockLayout.OWNER, 0L); // BROKEN: a plain store, no release
        }

        @Actor
        public void reader(JJ_Result r) {
            LockWord.acquireUninterruptibly(lock);
            r.r1 = lock.get(JAVA_LONG, Y);
            r.r2 = lock.get(JAVA_LONG, X);
            LockWord.release(lock);
        }
    }
}

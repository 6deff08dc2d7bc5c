package io.github.jmultiprocessing.litmus;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.jmultiprocessing.internal.sync.SemaphoreLayout;
import io.github.jmultiprocessing.internal.sync.SemaphoreWord;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * jcstress litmus tests of {@link SemaphoreWord}: permits never go negative nor above a bounded semaphore's bound,
 * and none is lost or made, under concurrent acquires and releases. Each sample gets a fresh semaphore in memory of
 * its own (see {@link LockWordLitmus}); run by {@code LitmusIT}.
 */
public final class SemaphoreWordLitmus {

    private SemaphoreWordLitmus() {
    }

    static MemorySegment freshSemaphore(int value, boolean bounded) {
        MemorySegment sem = Arena.ofAuto().allocate(SemaphoreLayout.SIZE, 128);
        SemaphoreWord.init(sem, value, bounded);
        return sem;
    }

    /** Two threads race for the one permit of an unbounded semaphore (the CAS path): one gets it, the value is 0. */
    @JCStressTest
    @Outcome(id = {"1, 0, 0", "0, 1, 0"}, expect = ACCEPTABLE, desc = "one thread takes the permit")
    @Outcome(expect = FORBIDDEN, desc = "a permit taken twice, or refused while free")
    @State
    public static class Acquire {
        final MemorySegment sem = freshSemaphore(1, false);

        @Actor
        public void first(III_Result r) {
            r.r1 = SemaphoreWord.tryAcquire(sem) ? 1 : 0;
        }

        @Actor
        public void second(III_Result r) {
            r.r2 = SemaphoreWord.tryAcquire(sem) ? 1 : 0;
        }

        @Arbiter
        public void value(III_Result r) {
            r.r3 = SemaphoreWord.value(sem);
        }
    }

    /** The same race on a bounded semaphore (its owner word, intent and holder slots). */
    @JCStressTest
    @Outcome(id = {"1, 0, 0", "0, 1, 0"}, expect = ACCEPTABLE, desc = "one thread takes the permit")
    @Outcome(expect = FORBIDDEN, desc = "a permit taken twice, or refused while free")
    @State
    public static class BoundedAcquire {
        final MemorySegment sem = freshSemaphore(1, true);

        @Actor
        public void first(III_Result r) {
            r.r1 = SemaphoreWord.tryAcquire(sem) ? 1 : 0;
        }

        @Actor
        public void second(III_Result r) {
            r.r2 = SemaphoreWord.tryAcquire(sem) ? 1 : 0;
        }

        @Arbiter
        public void value(III_Result r) {
            r.r3 = SemaphoreWord.value(sem);
        }
    }

    /**
     * A bounded semaphore of one permit, full. One thread releases (an over-release unless the other holds the
     * permit at that moment); the other acquires, then releases. Exactly one of the two releases is refused and
     * the value ends at the bound: never above it (both releases accepted), never a permit lost.
     * Results: the first thread's release (1 accepted, -1 refused), the second's acquire (1) and release (1 or -1),
     * the value.
     */
    @JCStressTest
    @Outcome(id = {"-1, 1, 1, 1", "1, 1, -1, 1"}, expect = ACCEPTABLE, desc = "one release refused, value = bound")
    @Outcome(id = "1, 1, 1, 2", expect = FORBIDDEN, desc = "both releases accepted: value above the bound")
    @Outcome(expect = FORBIDDEN, desc = "a permit lost or refused while free")
    @State
    public static class BoundedRelease {
        final MemorySegment sem = freshSemaphore(1, true);

        static int release(MemorySegment sem) {
            try {
                SemaphoreWord.release(sem, 1);
                return 1;
            } catch (IllegalStateException refused) {
                return -1;
            }
        }

        @Actor
        public void releaser(IIII_Result r) {
            r.r1 = release(sem);
        }

        @Actor
        public void holder(IIII_Result r) {
            r.r2 = SemaphoreWord.tryAcquire(sem) ? 1 : 0;
            r.r3 = r.r2 == 1 ? release(sem) : 0;
        }

        @Arbiter
        public void value(IIII_Result r) {
            r.r4 = SemaphoreWord.value(sem);
        }
    }
}

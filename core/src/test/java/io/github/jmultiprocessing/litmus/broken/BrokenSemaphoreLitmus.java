package io.github.jmultiprocessing.litmus.broken;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.jmultiprocessing.internal.sync.SemaphoreLayout;
import io.github.jmultiprocessing.internal.sync.SemaphoreWord;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A deliberately broken acquire of {@link SemaphoreWord}'s value (read, then store one less, without CAS), under the
 * outcomes of {@code SemaphoreWordLitmus.Acquire}: two threads take the one permit. {@code LitmusIT} requires it to
 * fail.
 */
@JCStressTest
@Outcome(id = {"1, 0, 0", "0, 1, 0"}, expect = ACCEPTABLE, desc = "one thread takes the permit")
@Outcome(expect = FORBIDDEN, desc = "a permit taken twice, or refused while free")
@State
public class BrokenSemaphoreLitmus {

    private static final VarHandle INT = JAVA_INT.varHandle();
    final MemorySegment sem = Arena.ofAuto().allocate(SemaphoreLayout.SIZE, 128);

    public BrokenSemaphoreLitmus() {
        SemaphoreWord.init(sem, 1, false);
    }

    boolean tryAcquire() {
        int value = (int) INT.getVolatile(sem, SemaphoreLayout.VALUE);
        if (value <= 0) {
            return false;
        }
        BrokenLockLitmus.widen();
        INT.setVolatile(sem, SemaphoreLayout.VALUE, value - 1); // BROKEN: not atomic with the read
        return true;
    }

    @Actor
    public void first(III_Result r) {
        r.r1 = tryAcquire() ? 1 : 0;
    }

    @Actor
    public void second(III_Result r) {
        r.r2 = tryAcquire() ? 1 : 0;
    }

    @Arbiter
    public void value(III_Result r) {
        r.r3 = SemaphoreWord.value(sem);
    }
}

package io.github.jmultiprocessing.litmus;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.jmultiprocessing.SharedRLock;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * jcstress litmus test of the recursive form of the lock word ({@link SharedRLock}: the owner word plus a hold
 * count written by the owner only, with plain accesses). Two threads each take the lock twice and give it back
 * twice; each must see its own hold counts 1 then 2 whatever the other did just before, and the lock must end
 * free. A hold count written by the previous owner after its release (or read before the acquire) would show as
 * another count. Each sample's lock comes from the shared heap of the jcstress fork (its segments under the
 * directory {@code LitmusIT} gives it) and is given back when collected; run by {@code LitmusIT}.
 */
@JCStressTest
@Outcome(id = "12, 12, 0", expect = ACCEPTABLE, desc = "each owner saw its own hold counts 1 then 2; free after")
@Outcome(expect = FORBIDDEN, desc = "a hold count of the other owner seen, or the lock left held")
@State
public class RLockLitmus {

    final SharedRLock lock = new SharedRLock();

    /** {@return 10 * the hold count after one lock() + the count after the second; -1 if an unlock() was refused} */
    int twice() {
        lock.lock();
        int once = lock.getHoldCount();
        lock.lock();
        int again = lock.getHoldCount();
        try {
            lock.unlock();
            lock.unlock();
        } catch (IllegalMonitorStateException lostHold) { // its count was overwritten by the other owner
            return -1;
        }
        return once * 10 + again;
    }

    @Actor
    public void first(III_Result r) {
        r.r1 = twice();
    }

    @Actor
    public void second(III_Result r) {
        r.r2 = twice();
    }

    @Arbiter
    public void after(III_Result r) {
        r.r3 = lock.isLocked() ? 1 : 0;
        lock.close();
    }
}

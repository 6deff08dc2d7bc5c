package io.github.jmultiprocessing.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Threshold;

/** A thread waited for a shared lock another thread or process held (the slow path only), above a threshold. */
@Name("io.github.jmultiprocessing.LockWait")
@Label("Shared Lock Wait")
@Category("jmultiprocessing")
@Description("A thread waited for a shared lock (SharedLock, SharedRLock, a Condition's or a queue's lock) that"
        + " another thread or process held")
@Threshold("10 ms")
public final class LockWaitEvent extends Event {
    @Label("Timed Out")
    public boolean timedOut;
}

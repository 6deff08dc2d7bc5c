package io.github.jmultiprocessing.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Threshold;

/**
 * A put, get or join of a queue that took the threshold or more: it waited for room in a full queue, for a message
 * in an empty one, for every message to be done, or for the producers' or consumers' lock (a {@link LockWaitEvent}
 * then says so too). Calls that do not wait ({@code timeout} 0) are not recorded.
 */
@Name("io.github.jmultiprocessing.QueueWait")
@Label("Queue Wait")
@Category("jmultiprocessing")
@Description("A put, get or join of a queue that took the threshold or more: it waited for room, a message, every"
        + " message to be done, or the queue's lock (SharedQueue, SharedJoinableQueue, SharedSimpleQueue)")
@Threshold("10 ms")
public final class QueueWaitEvent extends Event {
    @Label("Queue")
    public String queue;

    @Label("Operation")
    @Description("put, get or join")
    public String operation;

    @Label("Done")
    @Description("false: it timed out, was stopped or threw (a join: not every message was done)")
    public boolean done;
}

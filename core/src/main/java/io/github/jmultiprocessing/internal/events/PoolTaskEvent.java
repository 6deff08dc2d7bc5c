package io.github.jmultiprocessing.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A pool task's result arrived in the pool (one event per task, or per chunk of a map). For pools of tiny tasks a
 * recording may turn it off ({@code io.github.jmultiprocessing.PoolTask#enabled=false}).
 */
@Name("io.github.jmultiprocessing.PoolTask")
@Label("Pool Task")
@Category("jmultiprocessing")
@Description("A process pool task's result arrived: the worker, the time it waited in the pool's queue, and the time"
        + " from its sending to its result")
@StackTrace(false)
public final class PoolTaskEvent extends Event {
    @Label("Pool")
    public String pool;

    @Label("Worker")
    public String worker;

    @Label("Task")
    public long task;

    @Label("Queued")
    @Description("From its submission to its sending to the worker")
    @Timespan(Timespan.NANOSECONDS)
    public long queued;

    @Label("Run")
    @Description("From its sending (or the previous result of the same worker, if later) to its result: the"
            + " worker's run time and the trip both ways")
    @Timespan(Timespan.NANOSECONDS)
    public long run;

    @Label("Failed")
    public boolean failed;
}

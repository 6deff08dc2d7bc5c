package io.github.jmultiprocessing.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A process is ready: its target is about to run. Committed by the process that runs the target: a child JVM
 * that records (given {@code -XX:StartFlightRecording} itself), or the parent for the thread start method.
 */
@Name("io.github.jmultiprocessing.ProcessReady")
@Label("Process Ready")
@Category("jmultiprocessing")
@Description("A process's target is about to run: committed in the child (if it records) or, for the thread start"
        + " method, in the parent; the time since start() began in the parent")
@StackTrace(false)
public final class ProcessReadyEvent extends Event {
    @Label("Process")
    public String process;

    @Label("Start Method")
    @Description("thread; spawn or forkserver as the child saw its start: a forkserver child booted as a standby")
    public String startMethod;

    @Label("Time To Ready")
    @Description("From the parent's start() to the target about to run (both read the system clock)")
    @Timespan(Timespan.MICROSECONDS)
    public long sinceStart;
}

package io.github.jmultiprocessing.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A pool worker ended unexpectedly (not told to stop, not retiring); a replacement starts. */
@Name("io.github.jmultiprocessing.WorkerLost")
@Label("Pool Worker Lost")
@Category("jmultiprocessing")
@Description("A process pool worker ended unexpectedly; the task it ran fails, a replacement starts")
@StackTrace(false)
public final class WorkerLostEvent extends Event {
    @Label("Pool")
    public String pool;

    @Label("Worker")
    public String worker;

    @Label("PID")
    public long pid;

    @Label("Exit")
    public String exit;
}

package io.github.jmultiprocessing.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A child process started: its duration is {@code start()}'s, in the parent. */
@Name("io.github.jmultiprocessing.ProcessStart")
@Label("Process Start")
@Category("jmultiprocessing")
@Description("A child process (or a thread of the thread start method) started; the duration is start()'s")
@StackTrace(false)
public final class ProcessStartEvent extends Event {
    @Label("Process")
    public String process;

    @Label("PID")
    @Description("The child's pid; the parent's own for the thread start method")
    public long pid;

    @Label("Start Method")
    public String startMethod;
}

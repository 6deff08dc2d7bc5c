package io.github.jmultiprocessing.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A child process ended, as its parent saw it (joined, or found ended). */
@Name("io.github.jmultiprocessing.ProcessExit")
@Label("Process Exit")
@Category("jmultiprocessing")
@Description("A child process ended; a negative exit code is the signal that ended it (Python's convention)")
@StackTrace(false)
public final class ProcessExitEvent extends Event {
    @Label("Process")
    public String process;

    @Label("PID")
    public long pid;

    @Label("Exit Code")
    public int exitCode;

    /**
     * Records a child's end, if a recording takes these events.
     *
     * @param process  its name
     * @param pid      its pid
     * @param exitCode its exit code
     */
    public static void emit(String process, long pid, int exitCode) {
        if (!Recording.on()) {
            return;
        }
        ProcessExitEvent event = new ProcessExitEvent();
        if (event.shouldCommit()) {
            event.process = process;
            event.pid = pid;
            event.exitCode = exitCode;
            event.commit();
        }
    }
}

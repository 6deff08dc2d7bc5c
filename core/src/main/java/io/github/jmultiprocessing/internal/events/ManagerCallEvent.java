package io.github.jmultiprocessing.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Threshold;

/** A call of a manager's proxy, from the calling thread's side, above a threshold. */
@Name("io.github.jmultiprocessing.ManagerCall")
@Label("Manager Call")
@Category("jmultiprocessing")
@Description("A call through a manager's proxy: sent, run by the server, answered")
@Threshold("1 ms")
public final class ManagerCallEvent extends Event {
    @Label("Method")
    public String method;

    @Label("Server")
    public String server;

    @Label("Failed")
    public boolean failed;
}

package io.github.jmultiprocessing;

import java.io.Serial;
import java.io.Serializable;

/**
 * What a child JVM runs first: makes the deserialized {@link JvmProcess} the current process, with a view of
 * its parent, then runs it. Sent inside the bootstrap frame; {@code internal.spawn} knows it only as a
 * {@link Runnable}. A plain class, not a record: deserializing a record spins method handles for its
 * constructor, which costs a child milliseconds at every start.
 */
final class ChildBootstrap implements Runnable, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final JvmProcess process;
    private final long parentPid;
    private final String parentName;
    private final int[] parentIdentity;
    private final String startMethod;

    /**
     * @param process        the process to run
     * @param parentPid      the parent's pid
     * @param parentName     the parent's name
     * @param parentIdentity the parent's identity numbers
     * @param startMethod    the parent's start method if it was set, inherited as in Python, or null
     */
    ChildBootstrap(JvmProcess process, long parentPid, String parentName, int[] parentIdentity, String startMethod) {
        this.process = process;
        this.parentPid = parentPid;
        this.parentName = parentName;
        this.parentIdentity = parentIdentity;
        this.startMethod = startMethod;
    }

    @Override
    public void run() {
        Multiprocessing.enterChild(process, parentPid, parentName, parentIdentity, startMethod);
        try {
            process.run();
        } finally {
            Multiprocessing.endChildren(true); // Python's _exit_function at the end of _bootstrap
        }
    }
}

package io.github.jmultiprocessing;

import java.io.Serial;
import java.io.Serializable;

/**
 * What a child JVM runs first: makes the deserialized {@link JvmProcess} the current process, with a view of
 * its parent, then runs it. Sent inside the bootstrap frame; {@code internal.spawn} knows it only as a
 * {@link Runnable}.
 *
 * @param process          the process to run
 * @param parentPid        the parent's pid
 * @param parentName       the parent's name
 * @param parentIdentity   the parent's identity numbers
 */
record ChildBootstrap(JvmProcess process, long parentPid, String parentName, int[] parentIdentity)
        implements Runnable, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public void run() {
        Multiprocessing.enterChild(process, parentPid, parentName, parentIdentity);
        try {
            process.run();
        } finally {
            Multiprocessing.endChildren(true); // Python's _exit_function at the end of _bootstrap
        }
    }
}

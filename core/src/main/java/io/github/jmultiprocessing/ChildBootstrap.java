package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import io.github.jmultiprocessing.internal.spawn.BootstrapFrame;
import io.github.jmultiprocessing.internal.spawn.ChildMain;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * What a child JVM runs first: makes the deserialized {@link JvmProcess} the current process, with a view of
 * its parent, then runs it. Sent inside the bootstrap frame; {@code internal.spawn} knows it only as a
 * {@link Callable}, which may throw what the target throws. A plain class, not a record: deserializing a record
 * spins method handles for its constructor, which costs a child milliseconds at every start.
 */
final class ChildBootstrap implements Callable<Void>, Serializable {

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
     * @param startMethod    the start method the child was started with, which it reports and uses by default (as
     *                       a Python child does), or null to leave its default unset
     */
    ChildBootstrap(JvmProcess process, long parentPid, String parentName, int[] parentIdentity, String startMethod) {
        this.process = process;
        this.parentPid = parentPid;
        this.parentName = parentName;
        this.parentIdentity = parentIdentity;
        this.startMethod = startMethod;
    }

    /** {@return the process to run} */
    JvmProcess process() {
        return process;
    }

    @Override
    public Void call() throws Exception {
        JvmProcess.enterChild(process, parentPid, parentName, parentIdentity, startMethod);
        try {
            process.runInChild(); // a target's exception escapes as itself: exit code 1 and its trace
        } finally {
            JvmProcess.endChildren(true); // Python's _exit_function at the end of _bootstrap
        }
        return null;
    }

    /**
     * Runs a child's start inside this JVM without making it a child: a process object whose target uses a
     * value, a lock and an event goes through the frame, the deserialization {@link ChildMain} does (handles
     * re-attach) and runs. A {@code forkserver} standby does this while it waits and an AOT cache training run
     * records it, so that a real child finds these paths loaded, linked and profiled (a standby's start+join took
     * ~16 ms with only the pieces warmed up, most of it deserializing the first process object). Leaves three
     * small blocks in this JVM's shared heap. Failures are ignored: a real start reports real problems.
     *
     * @return true if the rehearsed target ran
     */
    static boolean rehearse() {
        try {
            SharedValue value = SharedValue.raw('q', 0L);
            SharedLock lock = new SharedLock();
            SharedEvent event = new SharedEvent();
            SerializableRunnable target = () -> {
                try (SharedLock.Held held = lock.locked()) {
                    value.setLong(value.getLong() + 1);
                }
                event.set();
            };
            int[] identity = {0};
            JvmProcess process = new JvmProcess(target, "rehearsal", identity, new byte[0]);
            byte[] payload = JvmProcess.serialize("rehearsal", new ChildBootstrap(process, ProcessIdentity.pid(),
                    "rehearsal", identity, null));
            ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 64);
            new BootstrapFrame(ProcessIdentity.pid(), false, "rehearsal", payload).writeTo(frame);
            Callable<?> child = ChildMain.target(BootstrapFrame.readFrom(
                    new ByteArrayInputStream(frame.toByteArray())));
            ((ChildBootstrap) child).process.run(); // the target only: enterChild would make this JVM a child
            return event.isSet() && value.getLong() == 1;
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            return false; // a rehearsal only
        }
    }
}

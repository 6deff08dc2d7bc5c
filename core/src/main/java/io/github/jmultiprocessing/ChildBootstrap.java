package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.codec.CompactCodec;
import io.github.jmultiprocessing.internal.codec.MessageCodec;
import io.github.jmultiprocessing.internal.shm.LibraryThreads;
import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import io.github.jmultiprocessing.internal.spawn.BootstrapFrame;
import io.github.jmultiprocessing.internal.spawn.ChildMain;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.io.StreamCorruptedException;
import java.lang.invoke.SerializedLambda;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * What a child JVM runs first: makes the deserialized {@link JvmProcess} the current process, with a view of
 * its parent, then runs it. Sent inside the bootstrap frame; {@code internal.spawn} knows it only as a
 * {@link Callable}, which may throw what the target throws. A plain class, not a record: deserializing a record
 * spins method handles for its constructor, which costs a child milliseconds at every start.
 */
final class ChildBootstrap implements Callable<Void>, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    static {
        CompactCodec.setForms(BootstrapForms.ALL);
        ChildMain.setCompactReader(new CompactReader());
    }

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
     * {@return the compact form of this bootstrap} ({@link BootstrapFrame#COMPACT}): this class's name (its
     * initialization registers the reader in the child), the parent's pid, name and identity, the start method, the
     * process's fields, and its target as a {@link CompactCodec} value.
     *
     * @param fallback writes a value that has no compact form (a Java serialization stream)
     * @param lambdas  told of each lambda written
     * @throws IOException if a value cannot be written
     */
    byte[] compact(CompactCodec.Fallback fallback, Consumer<SerializedLambda> lambdas) throws IOException {
        CompactCodec.Writer out = new CompactCodec.Writer(fallback, lambdas);
        DataOutputStream data = out.data();
        data.writeUTF(ChildBootstrap.class.getName());
        data.writeLong(parentPid);
        data.writeUTF(parentName);
        writeInts(data, parentIdentity);
        writeOptional(data, startMethod);
        data.writeBoolean(process.preparesFilter());
        process.writeCompact(out);
        return out.toByteArray();
    }

    /** Reads what {@link #compact} wrote, after the class name: a child's bootstrap, without Java serialization. */
    private static final class CompactReader implements ChildMain.CompactReader {
        @Override
        public Callable<?> read(byte[] bytes, int offset, int length) throws IOException, ClassNotFoundException {
            try {
                return readFields(bytes, offset, length);
            } catch (java.io.EOFException e) {
                throw CompactCodec.Reader.cutShort(e);
            }
        }

        private static Callable<?> readFields(byte[] bytes, int offset, int length)
                throws IOException, ClassNotFoundException {
            // The JVM-wide serial filter, if one is configured, sees the lambdas as deserialization would show them
            // (asking for it otherwise would initialize the filter machinery, which costs a cold JVM ~10 ms).
            boolean filtered = System.getProperty("jdk.serialFilter") != null
                    || System.getProperty("jdk.serialFilterFactory") != null;
            CompactCodec.Reader in = new CompactCodec.Reader(bytes, offset, length, ChildBootstrap::deserialize,
                    filtered);
            DataInputStream data = in.data();
            long parentPid = data.readLong();
            String parentName = data.readUTF();
            int[] parentIdentity = readInts(data);
            String startMethod = readOptional(data);
            if (data.readBoolean()) {
                LibraryThreads.start("serial-filter", new FilterSetUp()); // before the target's decoding
            }
            String name = data.readUTF();
            boolean daemon = data.readBoolean();
            int[] identity = readInts(data);
            int keyLength = data.readInt();
            if (keyLength < 0 || keyLength > data.available()) {
                throw new StreamCorruptedException("an authkey of " + keyLength + " bytes");
            }
            byte[] authkey = new byte[keyLength];
            data.readFully(authkey);
            String processMethod = readOptional(data);
            Object target = in.readValue();
            in.end();
            if (target != null && !(target instanceof ProcessTarget)) {
                throw new InvalidObjectException("a " + target.getClass().getName() + " as a process target");
            }
            JvmProcess process = new JvmProcess((ProcessTarget) target, name, identity, daemon, authkey,
                    processMethod);
            return new ChildBootstrap(process, parentPid, parentName, parentIdentity, startMethod);
        }
    }

    /** Sets up the JVM-wide serial filter's configuration (JvmProcess#prepareFilterInChild); a class: no lambda is spun. */
    private static final class FilterSetUp implements Runnable {
        @Override
        public void run() {
            MessageCodec.filter();
        }
    }

    /** Reads a value of a compact bootstrap that was written as a Java serialization stream. */
    private static Object deserialize(byte[] bytes) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return in.readObject();
        }
    }

    static void writeInts(DataOutputStream out, int[] values) throws IOException {
        out.writeInt(values.length);
        for (int value : values) {
            out.writeInt(value);
        }
    }

    private static int[] readInts(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available() / 4) {
            throw new StreamCorruptedException("an identity of " + length + " numbers");
        }
        int[] values = new int[length];
        for (int i = 0; i < length; i++) {
            values[i] = in.readInt();
        }
        return values;
    }

    static void writeOptional(DataOutputStream out, String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    private static String readOptional(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    /**
     * Runs a child's start inside this JVM without making it a child: a process object whose target uses a
     * value, a lock, an event and a pipe end goes through the frame, the reading {@link ChildMain} does (handles
     * re-attach) and runs. A {@code forkserver} standby does this while it waits and an AOT cache training run
     * records it, so that a real child finds these paths loaded, linked and profiled (a standby's start+join took
     * ~16 ms with only the pieces warmed up, most of it deserializing the first process object). Leaves three
     * small blocks in this JVM's shared heap and a pipe end open until its exit. Failures are ignored: a real start reports real problems.
     *
     * @return true if the rehearsed target ran
     */
    static boolean rehearse() {
        try {
            SharedValue value = SharedValue.raw('q', 0L);
            SharedLock lock = new SharedLock();
            SharedEvent event = new SharedEvent();
            Pipe pipe = Pipe.open(false);
            Connection end = pipe.right();
            ProcessTarget target = () -> {
                try (SharedLock.Held held = lock.locked()) {
                    value.setLong(value.getLong() + 1);
                }
                end.send(1);
                event.set();
            };
            int[] identity = {0};
            JvmProcess process = new JvmProcess(target, "rehearsal", identity, new byte[0]);
            byte[] payload = JvmProcess.compact("rehearsal", new ChildBootstrap(process, ProcessIdentity.pid(),
                    "rehearsal", identity, null), type -> { });
            ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 64);
            new BootstrapFrame(ProcessIdentity.pid(), false, "rehearsal", "", BootstrapFrame.COMPACT, payload)
                    .writeTo(frame);
            Callable<?> child = ChildMain.target(BootstrapFrame.readFrom(
                    new ByteArrayInputStream(frame.toByteArray())));
            ((ChildBootstrap) child).process.run(); // the target only: enterChild would make this JVM a child
            boolean sent = pipe.left().poll(java.time.Duration.ofSeconds(10)) && Integer.valueOf(1).equals(
                    pipe.left().recv());
            pipe.left().close();
            end.close(); // the copy the target holds closes at this JVM's exit
            return sent && event.isSet() && value.getLong() == 1;
        } catch (IOException | ClassNotFoundException | InterruptedException | RuntimeException e) {
            return false; // a rehearsal only
        }
    }
}

package io.github.jmultiprocessing.internal.spawn;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * What a parent sends a child over its stdin, once, before anything else.
 *
 * <pre>
 *   int    magic "JMPB"
 *   int    version
 *   long   parent pid
 *   bool   daemon: exit when the parent is gone (stdin reaches end of file)
 *   UTF    process name (for messages before the payload is read)
 *   UTF    name of the child's {@link ExitReport}, or "" for none
 *   byte   payload kind: 0 a Java serialization stream, 1 a compact graph ({@link ChildMain#setCompactReader})
 *   long   when the parent's start() began, in microseconds since the epoch (0: unknown): for the child's
 *          ProcessReady event
 *   int    payload length, then the payload: the {@link java.util.concurrent.Callable} to run
 * </pre>
 *
 * <p>The parent keeps the pipe open for the child's whole life; its end of file tells the child that the
 * parent is gone.
 *
 * @param parentPid the parent's pid
 * @param daemon    whether the child ends when the parent does
 * @param name      the process name
 * @param report    the name of the child's exit report, or "" for none
 * @param kind      {@link #SERIALIZED} or {@link #COMPACT}
 * @param payload   the serialized target
 * @param startedMicros when the parent's {@code start()} began, microseconds since the epoch, or 0 if unknown
 */
public record BootstrapFrame(long parentPid, boolean daemon, String name, String report, byte kind,
        byte[] payload, long startedMicros) {

    /** Payload kind: a Java serialization stream. */
    public static final byte SERIALIZED = 0;

    /** Payload kind: a compact graph, read by the reader the library registered. */
    public static final byte COMPACT = 1;

    private static final int MAGIC = 0x4A4D_5042;
    private static final int VERSION = 4;

    /**
     * Checks the kind.
     *
     * @throws IllegalArgumentException if the kind is unknown
     */
    public BootstrapFrame {
        if (kind != SERIALIZED && kind != COMPACT) {
            throw new IllegalArgumentException("kind=" + kind + " (expected 0 or 1)");
        }
    }

    /**
     * A frame without an exit report.
     *
     * @param parentPid the parent's pid
     * @param daemon    whether the child ends when the parent does
     * @param name      the process name
     * @param payload   the serialized target
     */
    public BootstrapFrame(long parentPid, boolean daemon, String name, byte[] payload) {
        this(parentPid, daemon, name, "", SERIALIZED, payload, 0);
    }

    /**
     * A frame that does not say when the start began.
     *
     * @param parentPid the parent's pid
     * @param daemon    whether the child ends when the parent does
     * @param name      the process name
     * @param report    the name of the child's exit report, or "" for none
     * @param kind      {@link #SERIALIZED} or {@link #COMPACT}
     * @param payload   the serialized target
     */
    public BootstrapFrame(long parentPid, boolean daemon, String name, String report, byte kind, byte[] payload) {
        this(parentPid, daemon, name, report, kind, payload, 0);
    }

    /**
     * A frame naming the child's exit report.
     *
     * @param parentPid the parent's pid
     * @param daemon    whether the child ends when the parent does
     * @param name      the process name
     * @param report    the child's exit report, or null for none
     * @param kind      {@link #SERIALIZED} or {@link #COMPACT}
     * @param payload   the serialized target
     * @param startedMicros when the parent's {@code start()} began, microseconds since the epoch
     */
    public BootstrapFrame(long parentPid, boolean daemon, String name, ExitReport report, byte kind,
            byte[] payload, long startedMicros) {
        this(parentPid, daemon, name, report == null ? "" : report.name(), kind, payload, startedMicros);
    }
    private static final int MAX_PAYLOAD = 1 << 30;

    /**
     * Writes the frame and flushes.
     *
     * @param out the child's stdin
     * @throws IOException if the child is gone
     */
    public void writeTo(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(MAGIC);
        data.writeInt(VERSION);
        data.writeLong(parentPid);
        data.writeBoolean(daemon);
        data.writeUTF(name);
        data.writeUTF(report);
        data.writeByte(kind);
        data.writeLong(startedMicros);
        data.writeInt(payload.length);
        data.write(payload);
        data.flush();
    }

    /**
     * Reads a frame.
     *
     * @param in the child's stdin
     * @return the frame
     * @throws IOException if the stream ends early or does not hold a frame of this version
     */
    public static BootstrapFrame readFrom(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int magic;
        try {
            magic = data.readInt();
        } catch (EOFException e) {
            throw new IOException("no bootstrap on stdin (expected to be started by a jmultiprocessing parent)", e);
        }
        if (magic != MAGIC) {
            throw new IOException("stdin magic=0x" + Integer.toHexString(magic) + " (expected a jmultiprocessing"
                    + " bootstrap 0x" + Integer.toHexString(MAGIC) + ")");
        }
        int version;
        long parentPid;
        boolean daemon;
        String name;
        String report;
        byte kind;
        long startedMicros;
        int length;
        try {
            version = data.readInt();
            if (version != VERSION) {
                throw new IOException("bootstrap version=" + version + " (expected " + VERSION + ")");
            }
            parentPid = data.readLong();
            daemon = data.readBoolean();
            name = data.readUTF();
            report = data.readUTF();
            kind = data.readByte();
            startedMicros = data.readLong();
            length = data.readInt();
        } catch (EOFException e) { // DataInputStream's own has no message
            throw new EOFException("bootstrap cut short before its payload (expected version, parent pid, daemon,"
                    + " name, report, payload kind, start time and payload length)");
        }
        if (kind != SERIALIZED && kind != COMPACT) {
            throw new IOException("bootstrap payload kind=" + kind + " (expected 0 or 1)");
        }
        if (length < 0 || length > MAX_PAYLOAD) {
            throw new IOException("bootstrap payload length=" + length + " (expected 0.." + MAX_PAYLOAD + ")");
        }
        byte[] payload = data.readNBytes(length);
        if (payload.length != length) {
            throw new EOFException("bootstrap payload ended after " + payload.length + " of " + length + " bytes");
        }
        return new BootstrapFrame(parentPid, daemon, name, report, kind, payload, startedMicros);
    }
}

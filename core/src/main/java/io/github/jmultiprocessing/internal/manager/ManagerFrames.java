package io.github.jmultiprocessing.internal.manager;

import io.github.jmultiprocessing.internal.codec.MessageCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.PrintWriter;
import java.io.Serializable;
import java.io.StreamCorruptedException;
import java.io.StringWriter;
import java.util.Arrays;

/**
 * The messages between a manager's clients and its server, each one
 * {@link io.github.jmultiprocessing.internal.connection.SocketWire} message, sent only after the
 * {@link io.github.jmultiprocessing.internal.connection.Handshake}: nothing is decoded before the peer has proved it
 * holds the authkey.
 *
 * <pre>
 *   requests:  CALL     byte 1, long object, UTF method (name and parameter types), int n, n arguments
 *              CREATE   byte 2, UTF typeid, int n, n arguments
 *              INCREF   byte 3, long object
 *              DECREF   byte 4, long object
 *              SHUTDOWN byte 5
 *              COUNT    byte 6: how many objects the server holds (Python's {@code _number_of_objects()})
 *              CANCEL   byte 7: the call running for this connection is to be interrupted (no reply of its own)
 *              LINK     byte 8, long pid: the client, on this machine, asks to move the connection to a pipe in
 *                       shared memory (first request only); OK with the pipe's segment name, and every later
 *                       message goes through the pipe ({@link io.github.jmultiprocessing.internal.connection.PipeWire})
 *   replies:   OK       byte 0, the result
 *              ERROR    byte 1, a {@link Failure}: the object's own exception, or a fault of the server
 *   (arguments and results: an int length and {@link MessageCodec} bytes)
 * </pre>
 */
public final class ManagerFrames {

    /** A method call. */
    public static final byte CALL = 1;
    /** A new object. */
    public static final byte CREATE = 2;
    /** One more reference to an object. */
    public static final byte INCREF = 3;
    /** One reference fewer. */
    public static final byte DECREF = 4;
    /** The server is to exit. */
    public static final byte SHUTDOWN = 5;
    /** How many objects the server holds. */
    public static final byte COUNT = 6;
    /** The running call is to be interrupted; no reply. */
    public static final byte CANCEL = 7;
    /** The connection is to move to a pipe in shared memory (the object field carries the client's pid). */
    public static final byte LINK = 8;
    /** A reply: the result. */
    public static final byte OK = 0;
    /** A reply: an exception. */
    public static final byte ERROR = 1;

    private ManagerFrames() {
    }

    /**
     * An exception from the server, its stack trace there as text, and whether it is a failure of the server
     * itself ({@link ManagerServer.Fault}: the client raises Python's {@code RemoteError} for it) rather than the
     * served object's own exception (raised as it is).
     */
    public record Failure(Throwable exception, String trace, boolean fault) implements Serializable {

        /**
         * {@return the failure of a throwable: a fault if it is a {@link ManagerServer.Fault}}
         *
         * @param t     the throwable
         * @param where the server's name, for the trace
         */
        public static Failure of(Throwable t, String where) {
            StringWriter text = new StringWriter();
            t.printStackTrace(new PrintWriter(text));
            return new Failure(t, "in " + where + ": " + text, t instanceof ManagerServer.Fault);
        }
    }

    /** A decoded request. */
    public record Request(byte kind, long object, String name, Object[] args) {
    }

    /**
     * {@return a request's bytes}
     *
     * @param kind   the kind
     * @param object the object (CALL, INCREF, DECREF), else 0
     * @param name   the method (CALL) or typeid (CREATE), else null
     * @param args   the arguments (CALL, CREATE), else null
     * @throws IllegalArgumentException if an argument cannot be serialized
     */
    public static byte[] request(byte kind, long object, String name, Object[] args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(kind);
            switch (kind) {
                case CALL -> {
                    out.writeLong(object);
                    out.writeUTF(name);
                    writeValues(out, args);
                }
                case CREATE -> {
                    out.writeUTF(name);
                    writeValues(out, args);
                }
                case INCREF, DECREF, LINK -> out.writeLong(object);
                case SHUTDOWN, COUNT, CANCEL -> { }
                default -> throw new IllegalArgumentException("request kind=" + kind);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    private static void writeValues(DataOutputStream out, Object[] values) throws IOException {
        Object[] all = values == null ? new Object[0] : values;
        out.writeInt(all.length);
        for (Object value : all) {
            byte[] encoded = MessageCodec.encode(value);
            out.writeInt(encoded.length);
            out.write(encoded);
        }
    }

    /**
     * {@return a request read from its bytes}
     *
     * @param message the bytes
     * @throws IOException if they do not decode (a class missing or filtered included)
     */
    public static Request readRequest(byte[] message) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(message))) {
            byte kind = in.readByte();
            return switch (kind) {
                case CALL -> {
                    long object = in.readLong();
                    String name = in.readUTF();
                    yield new Request(kind, object, name, readValues(in, message.length));
                }
                case CREATE -> {
                    String typeid = in.readUTF();
                    yield new Request(kind, 0, typeid, readValues(in, message.length));
                }
                case INCREF, DECREF, LINK -> new Request(kind, in.readLong(), null, null);
                case SHUTDOWN, COUNT, CANCEL -> new Request(kind, 0, null, null);
                default -> throw new StreamCorruptedException("manager request kind=" + kind);
            };
        } catch (java.io.EOFException e) {
            throw new StreamCorruptedException("a manager request cut short: " + e);
        }
    }

    private static Object[] readValues(DataInputStream in, int limit) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > limit / 4) {
            throw new StreamCorruptedException("argument count=" + count + " in " + limit + " bytes");
        }
        Object[] values = new Object[count];
        for (int i = 0; i < count; i++) {
            int length = in.readInt();
            if (length < 1 || length > limit) {
                throw new StreamCorruptedException("an argument of " + length + " bytes in " + limit);
            }
            byte[] encoded = in.readNBytes(length);
            if (encoded.length != length) {
                throw new StreamCorruptedException("an argument cut short");
            }
            values[i] = decode(encoded);
        }
        return values;
    }

    private static Object decode(byte[] encoded) throws IOException {
        try {
            return MessageCodec.decode(encoded, 0, encoded.length);
        } catch (ClassNotFoundException e) {
            throw new InvalidClassException("class " + e.getMessage() + " not found here");
        }
    }

    /**
     * {@return an OK reply}
     *
     * @param result the result
     * @throws IllegalArgumentException if it cannot be serialized
     */
    public static byte[] ok(Object result) {
        byte[] encoded = MessageCodec.encode(result);
        byte[] reply = Arrays.copyOf(new byte[] {OK}, 1 + encoded.length);
        System.arraycopy(encoded, 0, reply, 1, encoded.length);
        return reply;
    }

    /**
     * {@return an ERROR reply: the failure, or its text if it does not serialize}
     *
     * @param failure the failure
     */
    public static byte[] error(Failure failure) {
        byte[] encoded;
        try {
            encoded = MessageCodec.encode(failure);
        } catch (RuntimeException e) {
            Throwable t = failure.exception();
            RuntimeException plain = new RuntimeException(t.getClass().getName() + ": " + t.getMessage()
                    + " (not serializable: " + e.getMessage() + ")");
            plain.setStackTrace(t.getStackTrace());
            encoded = MessageCodec.encode(new Failure(plain, failure.trace(), failure.fault()));
        }
        byte[] reply = new byte[1 + encoded.length];
        reply[0] = ERROR;
        System.arraycopy(encoded, 0, reply, 1, encoded.length);
        return reply;
    }

    /**
     * {@return a reply's result}
     *
     * @param reply the reply
     * @throws IOException if it does not decode
     * @throws Failed      if it is an ERROR
     */
    public static Object result(byte[] reply) throws IOException, Failed {
        if (reply.length < 2 || (reply[0] != OK && reply[0] != ERROR)) {
            throw new StreamCorruptedException("a manager reply of " + reply.length + " bytes, kind "
                    + (reply.length > 0 ? reply[0] : -1));
        }
        Object value;
        try {
            value = MessageCodec.decode(reply, 1, reply.length - 1);
        } catch (ClassNotFoundException e) {
            throw new InvalidClassException("class " + e.getMessage() + " not found here");
        }
        if (reply[0] == ERROR) {
            if (!(value instanceof Failure failure) || failure.exception() == null) {
                throw new StreamCorruptedException("an error reply without a failure (expected a Failure with an"
                        + " exception)");
            }
            throw new Failed(failure);
        }
        return value;
    }

    /** The server's answer was an exception. */
    public static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Failure failure;

        Failed(Failure failure) {
            super(failure.exception().toString(), null, false, false);
            this.failure = failure;
        }

        /** {@return the failure} */
        public Failure failure() {
            return failure;
        }
    }
}

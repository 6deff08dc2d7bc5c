package io.github.jmultiprocessing.internal.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.lang.invoke.SerializedLambda;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Object graphs to bytes and back without Java serialization, where every object in them has a form here: a
 * value with a fast path in {@link MessageCodec} (null, boxed primitives, strings, primitive arrays), a
 * serializable lambda (its shape, as {@link LambdaCodec} writes it, and its captured values), or an object of a
 * type with a registered {@link Form} (the library's shared objects, whose forms are their handles' fields).
 * Anything else is written by a fallback the caller gives (a Java serialization stream), so a graph always
 * encodes; it reads without {@link java.io.ObjectInputStream} only if nothing in it needed the fallback.
 *
 * <pre>
 *   value:  byte NULL
 *         | byte REF, int index                       an object written before in the same graph
 *         | byte FAST, int n, n bytes                 MessageCodec bytes of a fast-path value
 *         | byte LAMBDA, int n, n bytes (the shape), int count, count values
 *         | byte FORM, int form, the form's own fields (which may hold values)
 *         | byte FALLBACK, int n, n bytes             the caller's encoding (a serialization stream)
 * </pre>
 *
 * <p>Objects written with LAMBDA, FORM or FALLBACK are numbered in the order their writing ends, on both sides, so
 * that an object met twice is read back as one object (as Java serialization keeps shared references).
 *
 * <p>Why: a child JVM reads its bootstrap this way (ChildMain). Java serialization's first use costs a cold JVM
 * ~10-15 ms before it reads a byte (the serial filter's configuration looks up a logger, which scans every jar on
 * the class path for logging providers) and every reflective {@code readResolve} spins method-handle classes;
 * this codec's reading calls constructors directly.
 */
public final class CompactCodec {

    private static final byte NULL = 0;
    private static final byte REF = 1;
    private static final byte FAST = 2;
    private static final byte LAMBDA = 3;
    private static final byte FORM = 4;
    private static final byte FALLBACK = 5;

    /**
     * The form of a type whose objects this codec writes field by field.
     *
     * @param <T> the type
     */
    public interface Form<T> {

        /** {@return the class of the objects this form writes (exactly this class, not its subclasses)} */
        Class<?> type();

        /**
         * Writes an object's fields.
         *
         * @param value the object, of exactly {@link #type()}
         * @param out   where to write; values it holds go through {@link Writer#writeValue}
         * @throws IOException if it cannot be written
         */
        void write(T value, Writer out) throws IOException;

        /**
         * Reads an object's fields and makes it.
         *
         * @param in where to read
         * @return the object
         * @throws IOException            if the bytes are not the form's, or the object cannot be made here
         * @throws ClassNotFoundException if a class of a value it holds is missing here
         */
        T read(Reader in) throws IOException, ClassNotFoundException;
    }

    /** Writes what has no form here: e.g. a Java serialization stream. */
    @FunctionalInterface
    public interface Fallback {
        /**
         * {@return the bytes of a value}
         *
         * @param value the value
         */
        byte[] encode(Object value);
    }

    /** Reads what {@link Fallback} wrote. */
    @FunctionalInterface
    public interface FallbackReader {
        /**
         * {@return the value of the bytes}
         *
         * @param bytes the bytes
         * @throws IOException            if they do not read
         * @throws ClassNotFoundException if a class is missing
         */
        Object decode(byte[] bytes) throws IOException, ClassNotFoundException;
    }

    private static volatile List<Form<?>> forms = List.of();

    private CompactCodec() {
    }

    /**
     * Sets the forms, by index; both sides of a graph must have set the same list (the same library).
     *
     * @param list the forms
     */
    public static void setForms(List<Form<?>> list) {
        forms = List.copyOf(list);
    }

    /** Writes a graph. Not thread-safe; one per graph. */
    public static final class Writer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        private final DataOutputStream data = new DataOutputStream(bytes);
        private final Map<Object, Integer> written = new IdentityHashMap<>();
        private final Fallback fallback;
        private final Consumer<SerializedLambda> lambdas;
        private final List<Form<?>> known = forms;

        /**
         * @param fallback writes what has no form here
         * @param lambdas  told of every lambda written (its capturing class is loaded to read it)
         */
        public Writer(Fallback fallback, Consumer<SerializedLambda> lambdas) {
            this.fallback = Objects.requireNonNull(fallback, "fallback");
            this.lambdas = Objects.requireNonNull(lambdas, "lambdas");
        }

        /**
         * Writes a value.
         *
         * @param value any value
         * @throws IOException never for memory, but from a form
         */
        @SuppressWarnings({"unchecked", "rawtypes"})
        public void writeValue(Object value) throws IOException {
            if (value == null) {
                data.writeByte(NULL);
                return;
            }
            Integer seen = written.get(value);
            if (seen != null) {
                data.writeByte(REF);
                data.writeInt(seen);
                return;
            }
            if (value instanceof String || MessageCodec.directSize(value) >= 0) {
                byte[] fast = MessageCodec.encode(value);
                data.writeByte(FAST);
                data.writeInt(fast.length);
                data.write(fast);
                return; // no identity kept: immutable, or copied as a message copies it
            }
            Class<?> type = value instanceof Enum<?> constant ? constant.getDeclaringClass() : value.getClass();
            for (int i = 0; i < known.size(); i++) {
                Form form = known.get(i);
                if (form.type() == type) { // exactly: a subclass may hold more than the form writes
                    data.writeByte(FORM);
                    data.writeInt(i);
                    form.write(value, this);
                    written.put(value, written.size());
                    return;
                }
            }
            SerializedLambda lambda = LambdaCodec.serializedForm(value);
            if (lambda != null) {
                lambdas.accept(lambda);
                byte[] shape = LambdaCodec.shape(value, lambda);
                data.writeByte(LAMBDA);
                data.writeInt(shape.length);
                data.write(shape);
                data.writeInt(lambda.getCapturedArgCount());
                for (int i = 0; i < lambda.getCapturedArgCount(); i++) {
                    writeValue(lambda.getCapturedArg(i));
                }
                written.put(value, written.size());
                return;
            }
            byte[] other = fallback.encode(value);
            data.writeByte(FALLBACK);
            data.writeInt(other.length);
            data.write(other);
            written.put(value, written.size());
        }

        /** {@return the stream to write a form's own fields to} */
        public DataOutputStream data() {
            return data;
        }

        /** {@return the bytes written} */
        public byte[] toByteArray() {
            return bytes.toByteArray();
        }
    }

    /** Reads a graph. Not thread-safe; one per graph. */
    public static final class Reader {
        private final DataInputStream data;
        private final List<Object> read = new ArrayList<>();
        private final FallbackReader fallback;
        private final List<Form<?>> known = forms;
        private final boolean filtered;

        /**
         * @param bytes    the graph's bytes
         * @param offset   where it starts
         * @param length   its length
         * @param fallback reads what the writer's fallback wrote
         * @param filtered whether lambdas go through the message filter ({@link MessageCodec#filter()})
         */
        public Reader(byte[] bytes, int offset, int length, FallbackReader fallback, boolean filtered) {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            this.data = new DataInputStream(new ByteArrayInputStream(bytes, offset, length));
            this.fallback = Objects.requireNonNull(fallback, "fallback");
            this.filtered = filtered;
        }

        /**
         * {@return the next value}
         *
         * @throws StreamCorruptedException if the bytes are not a value
         * @throws ClassNotFoundException   if a class is missing here
         * @throws IOException              if a form or the fallback cannot read its part
         */
        public Object readValue() throws IOException, ClassNotFoundException {
            try {
                return readTagged();
            } catch (EOFException e) {
                throw cutShort(e);
            }
        }

        /**
         * {@return an end of file with a message} (DataInputStream's own has none)
         *
         * @param e the end of file met while reading a graph
         */
        public static EOFException cutShort(EOFException e) {
            if (e.getMessage() != null) {
                return e;
            }
            EOFException described = new EOFException("a graph cut short: a value needs more bytes than are left");
            described.initCause(e);
            return described;
        }

        private Object readTagged() throws IOException, ClassNotFoundException {
            byte tag = data.readByte();
            switch (tag) {
                case NULL -> {
                    return null;
                }
                case REF -> {
                    int index = data.readInt();
                    if (index < 0 || index >= read.size()) {
                        throw new StreamCorruptedException("reference " + index + " to one of " + read.size()
                                + " objects read");
                    }
                    return read.get(index);
                }
                case FAST -> {
                    byte[] fast = bytes(data.readInt());
                    return MessageCodec.decode(fast, 0, fast.length);
                }
                case FORM -> {
                    int index = data.readInt();
                    if (index < 0 || index >= known.size()) {
                        throw new StreamCorruptedException("form " + index + " of " + known.size());
                    }
                    return keep(known.get(index).read(this));
                }
                case LAMBDA -> {
                    byte[] shape = bytes(data.readInt());
                    int count = data.readInt();
                    if (count < 0 || count > 255) { // a method has at most 255 parameters
                        throw new StreamCorruptedException("a lambda capturing " + count + " values");
                    }
                    Object[] captured = new Object[count];
                    for (int i = 0; i < count; i++) {
                        captured[i] = readValue();
                    }
                    return keep(LambdaCodec.make(shape, captured, filtered));
                }
                case FALLBACK -> {
                    return keep(fallback.decode(bytes(data.readInt())));
                }
                default -> throw new StreamCorruptedException("value tag=" + tag + " (expected 0.." + FALLBACK + ")");
            }
        }

        private Object keep(Object value) {
            read.add(value);
            return value;
        }

        private byte[] bytes(int length) throws IOException {
            if (length < 0 || length > data.available()) { // a ByteArrayInputStream: what is left
                throw new StreamCorruptedException("a part of " + length + " bytes where " + data.available()
                        + " are left");
            }
            byte[] part = new byte[length];
            data.readFully(part);
            return part;
        }

        /** {@return the stream to read a form's own fields from} */
        public DataInputStream data() {
            return data;
        }

        /**
         * Checks that every byte was read.
         *
         * @throws StreamCorruptedException if some are left
         */
        public void end() throws IOException {
            if (data.read() >= 0) {
                throw new StreamCorruptedException("bytes after the last value");
            }
        }
    }
}

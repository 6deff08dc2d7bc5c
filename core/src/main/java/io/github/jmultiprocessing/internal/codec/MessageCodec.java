package io.github.jmultiprocessing.internal.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.StreamCorruptedException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Objects to message bytes and back, as queues and pipes carry them.
 *
 * <pre>
 *   byte    tag
 *   ...     the value: nothing (null, true, false); a little-endian primitive; an int count then UTF-8 bytes
 *           (String); an int count then the elements (primitive arrays); a Java serialization stream (anything
 *           else, read through an {@link ObjectInputFilter})
 * </pre>
 *
 * <p>Implementation notes. One implementation over {@link MemorySegment}s serves byte arrays and ring memory
 * alike: a value with a fast path ({@link #directSize}) is written straight where it goes ({@link #write}), and read
 * from where it lies ({@link #decode(MemorySegment, long, long)}). Fast paths cost one allocation for the result
 * and a bulk copy; the serialization
 * fallback keeps shared objects working in messages (they replace themselves by handles that re-attach). Every
 * count is checked against the bytes that are really there before anything is allocated, so corrupt bytes end in
 * {@link StreamCorruptedException}, never in a huge allocation or a wrong value of the right type.
 */
public final class MessageCodec {

    static final byte NULL = 0;
    static final byte TRUE = 1;
    static final byte FALSE = 2;
    static final byte BYTE = 3;
    static final byte SHORT = 4;
    static final byte CHAR = 5;
    static final byte INT = 6;
    static final byte LONG = 7;
    static final byte FLOAT = 8;
    static final byte DOUBLE = 9;
    static final byte STRING = 10;
    static final byte BYTES = 11;
    static final byte SHORTS = 12;
    static final byte CHARS = 13;
    static final byte INTS = 14;
    static final byte LONGS = 15;
    static final byte FLOATS = 16;
    static final byte DOUBLES = 17;
    static final byte BOOLEANS = 18;
    static final byte SERIALIZED = 19;

    private static final ValueLayout.OfShort SHORT_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfChar CHAR_LE = ValueLayout.JAVA_CHAR_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE_LE =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfByte BYTE_LAYOUT = ValueLayout.JAVA_BYTE;

    /** Stands for "the JVM-wide serial filter, as it is when a message is read". */
    private static final ObjectInputFilter JVM_WIDE = info -> ObjectInputFilter.Status.UNDECIDED;
    private static volatile ObjectInputFilter filter = JVM_WIDE;

    private MessageCodec() {
    }

    /**
     * Sets the filter every deserialized message goes through (default: the JVM-wide serial filter, if any, as it
     * is when each message is read).
     *
     * @param inputFilter the filter, or null for none
     */
    public static void setFilter(ObjectInputFilter inputFilter) {
        filter = inputFilter;
    }

    /** {@return the filter deserialized messages go through, or null} */
    public static ObjectInputFilter filter() {
        ObjectInputFilter current = filter;
        return current == JVM_WIDE ? ObjectInputFilter.Config.getSerialFilter() : current;
    }

    /**
     * Encodes a value.
     *
     * @param value any value: null, a boxed primitive, a String, a primitive array, or a Serializable object
     * @return its message bytes
     * @throws IllegalArgumentException if it is none of those (the message names the class that is not
     *                                  serializable)
     */
    public static byte[] encode(Object value) {
        if (value instanceof String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            byte[] bytes = new byte[5 + utf8.length];
            MemorySegment.copy(utf8, 0, arrayHeader(MemorySegment.ofArray(bytes), STRING, utf8.length), BYTE_LAYOUT,
                    5, utf8.length);
            return bytes;
        }
        long size = directSize(value);
        if (size < 0) {
            return serialize(value);
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("message size=" + size + " bytes (expected < 2 GiB)");
        }
        byte[] bytes = new byte[(int) size];
        write(value, MemorySegment.ofArray(bytes));
        return bytes;
    }

    /**
     * {@return the size of a value's message if it has a fast path (written by {@link #write}), else -1}
     *
     * @param value any value
     */
    public static long directSize(Object value) {
        return switch (value) {
            case null -> 1;
            case Boolean b -> 1;
            case Byte b -> 2;
            case Short v -> 3;
            case Character v -> 3;
            case Integer v -> 5;
            case Long v -> 9;
            case Float v -> 5;
            case Double v -> 9;
            case byte[] a -> 5L + a.length;
            case short[] a -> 5L + 2L * a.length;
            case char[] a -> 5L + 2L * a.length;
            case int[] a -> 5L + 4L * a.length;
            case long[] a -> 5L + 8L * a.length;
            case float[] a -> 5L + 4L * a.length;
            case double[] a -> 5L + 8L * a.length;
            case boolean[] a -> 5L + a.length;
            default -> -1; // strings too: their UTF-8 length is only known once encoded
        };
    }

    /**
     * Writes the message of a value that has a fast path.
     *
     * @param value a value whose {@link #directSize} is not -1
     * @param dst   where to write: exactly {@code directSize(value)} bytes
     * @throws IllegalArgumentException if the value has no fast path
     */
    public static void write(Object value, MemorySegment dst) {
        switch (value) {
            case null -> dst.set(BYTE_LAYOUT, 0, NULL);
            case Boolean b -> dst.set(BYTE_LAYOUT, 0, b ? TRUE : FALSE);
            case Byte b -> {
                dst.set(BYTE_LAYOUT, 0, BYTE);
                dst.set(BYTE_LAYOUT, 1, b);
            }
            case Short v -> {
                dst.set(BYTE_LAYOUT, 0, SHORT);
                dst.set(SHORT_LE, 1, v);
            }
            case Character v -> {
                dst.set(BYTE_LAYOUT, 0, CHAR);
                dst.set(CHAR_LE, 1, v);
            }
            case Integer v -> {
                dst.set(BYTE_LAYOUT, 0, INT);
                dst.set(INT_LE, 1, v);
            }
            case Long v -> {
                dst.set(BYTE_LAYOUT, 0, LONG);
                dst.set(LONG_LE, 1, v);
            }
            case Float v -> {
                dst.set(BYTE_LAYOUT, 0, FLOAT);
                dst.set(FLOAT_LE, 1, v);
            }
            case Double v -> {
                dst.set(BYTE_LAYOUT, 0, DOUBLE);
                dst.set(DOUBLE_LE, 1, v);
            }
            case byte[] a -> MemorySegment.copy(a, 0, arrayHeader(dst, BYTES, a.length), BYTE_LAYOUT, 5, a.length);
            case short[] a -> MemorySegment.copy(a, 0, arrayHeader(dst, SHORTS, a.length), SHORT_LE, 5, a.length);
            case char[] a -> MemorySegment.copy(a, 0, arrayHeader(dst, CHARS, a.length), CHAR_LE, 5, a.length);
            case int[] a -> MemorySegment.copy(a, 0, arrayHeader(dst, INTS, a.length), INT_LE, 5, a.length);
            case long[] a -> MemorySegment.copy(a, 0, arrayHeader(dst, LONGS, a.length), LONG_LE, 5, a.length);
            case float[] a -> MemorySegment.copy(a, 0, arrayHeader(dst, FLOATS, a.length), FLOAT_LE, 5, a.length);
            case double[] a -> MemorySegment.copy(a, 0, arrayHeader(dst, DOUBLES, a.length), DOUBLE_LE, 5,
                    a.length);
            case boolean[] a -> {
                arrayHeader(dst, BOOLEANS, a.length);
                for (int i = 0; i < a.length; i++) {
                    dst.set(BYTE_LAYOUT, 5 + i, a[i] ? (byte) 1 : (byte) 0);
                }
            }
            default -> throw new IllegalArgumentException(value.getClass().getName() + " has no fast path");
        }
    }

    private static MemorySegment arrayHeader(MemorySegment dst, byte tag, int count) {
        dst.set(BYTE_LAYOUT, 0, tag);
        dst.set(INT_LE, 1, count);
        return dst;
    }

    /**
     * Decodes message bytes.
     *
     * @param bytes  the buffer
     * @param offset where the message starts
     * @param length its length
     * @return the value
     * @throws StreamCorruptedException if the bytes are not a message (truncated, unknown tag, bad counts, or a
     *                                  serialization stream that does not read)
     * @throws ClassNotFoundException   if a serialized class is missing here
     * @throws InvalidClassException    if the filter rejects a class, or a class does not match the sender's
     */
    public static Object decode(byte[] bytes, int offset, int length)
            throws StreamCorruptedException, ClassNotFoundException, InvalidClassException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        return decode(MemorySegment.ofArray(bytes), offset, length);
    }

    /**
     * Reads back a message that was encoded and will not be sent after all (a full queue refused it, the pipe
     * broke), and drops the value: the shared objects in it give back the tickets their encoding took, so that
     * their memory can go back (each encoding of a handle is read exactly once). What does not read is dropped.
     *
     * @param bytes the message
     */
    public static void discard(byte[] bytes) {
        try {
            decode(bytes, 0, bytes.length);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            // a handle whose object is gone already: nothing more to give back
        }
    }

    /**
     * Decodes a message where it lies (in a ring, say), without copying it first.
     *
     * @param src    the memory
     * @param offset where the message starts
     * @param length its length
     * @return the value
     * @throws StreamCorruptedException if the bytes are not a message (truncated, unknown tag, bad counts, or a
     *                                  serialization stream that does not read)
     * @throws ClassNotFoundException   if a serialized class is missing here
     * @throws InvalidClassException    if the filter rejects a class, or a class does not match the sender's
     */
    public static Object decode(MemorySegment src, long offset, long length)
            throws StreamCorruptedException, ClassNotFoundException, InvalidClassException {
        Objects.checkFromIndexSize(offset, length, src.byteSize());
        if (length < 1) {
            throw new StreamCorruptedException("message length=0 (expected at least a tag byte)");
        }
        MemorySegment in = src.asSlice(offset, length);
        byte tag = in.get(BYTE_LAYOUT, 0);
        long body = length - 1;
        Object value = switch (tag) {
            case NULL, TRUE, FALSE -> {
                exactly(tag, body, 0);
                yield tag == NULL ? null : tag == TRUE;
            }
            case BYTE -> in.get(BYTE_LAYOUT, exactly(tag, body, 1));
            case SHORT -> in.get(SHORT_LE, exactly(tag, body, 2));
            case CHAR -> in.get(CHAR_LE, exactly(tag, body, 2));
            case INT -> in.get(INT_LE, exactly(tag, body, 4));
            case LONG -> in.get(LONG_LE, exactly(tag, body, 8));
            case FLOAT -> in.get(FLOAT_LE, exactly(tag, body, 4));
            case DOUBLE -> in.get(DOUBLE_LE, exactly(tag, body, 8));
            case STRING -> {
                byte[] utf8 = new byte[count(in, tag, body, 1)];
                MemorySegment.copy(in, BYTE_LAYOUT, 5, utf8, 0, utf8.length);
                yield new String(utf8, StandardCharsets.UTF_8);
            }
            case BYTES -> {
                byte[] a = new byte[count(in, tag, body, 1)];
                MemorySegment.copy(in, BYTE_LAYOUT, 5, a, 0, a.length);
                yield a;
            }
            case SHORTS -> {
                short[] a = new short[count(in, tag, body, 2)];
                MemorySegment.copy(in, SHORT_LE, 5, a, 0, a.length);
                yield a;
            }
            case CHARS -> {
                char[] a = new char[count(in, tag, body, 2)];
                MemorySegment.copy(in, CHAR_LE, 5, a, 0, a.length);
                yield a;
            }
            case INTS -> {
                int[] a = new int[count(in, tag, body, 4)];
                MemorySegment.copy(in, INT_LE, 5, a, 0, a.length);
                yield a;
            }
            case LONGS -> {
                long[] a = new long[count(in, tag, body, 8)];
                MemorySegment.copy(in, LONG_LE, 5, a, 0, a.length);
                yield a;
            }
            case FLOATS -> {
                float[] a = new float[count(in, tag, body, 4)];
                MemorySegment.copy(in, FLOAT_LE, 5, a, 0, a.length);
                yield a;
            }
            case DOUBLES -> {
                double[] a = new double[count(in, tag, body, 8)];
                MemorySegment.copy(in, DOUBLE_LE, 5, a, 0, a.length);
                yield a;
            }
            case BOOLEANS -> {
                boolean[] a = new boolean[count(in, tag, body, 1)];
                for (int i = 0; i < a.length; i++) {
                    a[i] = in.get(BYTE_LAYOUT, 5 + i) != 0;
                }
                yield a;
            }
            case SERIALIZED -> deserialize(in.asSlice(1).toArray(BYTE_LAYOUT));
            default -> throw new StreamCorruptedException("message tag=" + tag + " (expected 0.." + SERIALIZED
                    + ")");
        };
        return value;
    }

    /** Checks a fixed-size value's length; {@return the offset of the value} */
    private static long exactly(byte tag, long body, int size) throws StreamCorruptedException {
        if (body != size) {
            throw new StreamCorruptedException("message of tag " + tag + " has " + body + " bytes after its tag"
                    + " (expected " + size + ")");
        }
        return 1;
    }

    /** Reads an element count and checks that exactly that many elements of {@code width} bytes follow. */
    private static int count(MemorySegment in, byte tag, long body, int width) throws StreamCorruptedException {
        if (body < 4) {
            throw new StreamCorruptedException("message of tag " + tag + " ends after " + (body + 1)
                    + " bytes (expected more)");
        }
        int count = in.get(INT_LE, 1);
        if (count < 0 || (long) count * width != body - 4) {
            throw new StreamCorruptedException("element count=" + count + " (expected " + (body - 4) / width
                    + " for the " + (body - 4) + " bytes that follow)");
        }
        return count;
    }

    private static byte[] serialize(Object value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        bytes.write(SERIALIZED);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException("cannot send " + value.getClass().getName() + ": " + e.getMessage()
                    + " is not Serializable (expected a Serializable message)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot send " + value.getClass().getName() + ": " + e, e);
        }
        return bytes.toByteArray();
    }

    private static Object deserialize(byte[] bytes)
            throws StreamCorruptedException, ClassNotFoundException, InvalidClassException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            ObjectInputFilter current = filter();
            // No array longer than the stream: every element takes at least a byte of it, so a corrupt length is
            // refused before it is allocated, whatever the configured filter allows.
            in.setObjectInputFilter(info -> {
                if (info.arrayLength() > bytes.length) {
                    return ObjectInputFilter.Status.REJECTED;
                }
                return current == null ? ObjectInputFilter.Status.UNDECIDED : current.checkInput(info);
            });
            Object value = in.readObject();
            if (in.read() >= 0) {
                throw new StreamCorruptedException("serialized message has bytes after its object (expected none)");
            }
            return value;
        } catch (InvalidClassException | StreamCorruptedException | ClassNotFoundException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            StreamCorruptedException corrupt = new StreamCorruptedException("serialized message does not read: " + e);
            corrupt.initCause(e);
            throw corrupt;
        }
    }
}

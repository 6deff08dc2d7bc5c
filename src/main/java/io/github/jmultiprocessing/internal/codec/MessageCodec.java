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
import java.nio.ByteBuffer;
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
 * <p>Implementation notes. Fast paths cost one allocation for the result and a bulk copy; the serialization
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

    private static volatile ObjectInputFilter filter = ObjectInputFilter.Config.getSerialFilter();

    private MessageCodec() {
    }

    /**
     * Sets the filter every deserialized message goes through (default: the JVM-wide serial filter, if any).
     *
     * @param inputFilter the filter, or null for none
     */
    public static void setFilter(ObjectInputFilter inputFilter) {
        filter = inputFilter;
    }

    /** {@return the filter deserialized messages go through, or null} */
    public static ObjectInputFilter filter() {
        return filter;
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
        return switch (value) {
            case null -> new byte[] {NULL};
            case Boolean b -> new byte[] {b ? TRUE : FALSE};
            case Byte b -> new byte[] {BYTE, b};
            case Short s -> buffer(SHORT, 2).putShort(s).array();
            case Character c -> buffer(CHAR, 2).putChar(c).array();
            case Integer i -> buffer(INT, 4).putInt(i).array();
            case Long l -> buffer(LONG, 8).putLong(l).array();
            case Float f -> buffer(FLOAT, 4).putFloat(f).array();
            case Double d -> buffer(DOUBLE, 8).putDouble(d).array();
            case String s -> {
                byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                yield buffer(STRING, 4 + utf8.length).putInt(utf8.length).put(utf8).array();
            }
            case byte[] a -> buffer(BYTES, 4 + a.length).putInt(a.length).put(a).array();
            case short[] a -> {
                ByteBuffer out = buffer(SHORTS, 4 + 2L * a.length).putInt(a.length);
                out.asShortBuffer().put(a);
                yield out.array();
            }
            case char[] a -> {
                ByteBuffer out = buffer(CHARS, 4 + 2L * a.length).putInt(a.length);
                out.asCharBuffer().put(a);
                yield out.array();
            }
            case int[] a -> {
                ByteBuffer out = buffer(INTS, 4 + 4L * a.length).putInt(a.length);
                out.asIntBuffer().put(a);
                yield out.array();
            }
            case long[] a -> {
                ByteBuffer out = buffer(LONGS, 4 + 8L * a.length).putInt(a.length);
                out.asLongBuffer().put(a);
                yield out.array();
            }
            case float[] a -> {
                ByteBuffer out = buffer(FLOATS, 4 + 4L * a.length).putInt(a.length);
                out.asFloatBuffer().put(a);
                yield out.array();
            }
            case double[] a -> {
                ByteBuffer out = buffer(DOUBLES, 4 + 8L * a.length).putInt(a.length);
                out.asDoubleBuffer().put(a);
                yield out.array();
            }
            case boolean[] a -> {
                ByteBuffer out = buffer(BOOLEANS, 4 + a.length).putInt(a.length);
                for (boolean b : a) {
                    out.put(b ? (byte) 1 : (byte) 0);
                }
                yield out.array();
            }
            default -> serialize(value);
        };
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
        if (length < 1) {
            throw new StreamCorruptedException("message length=0 (expected at least a tag byte)");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, offset + 1, length - 1).order(ByteOrder.LITTLE_ENDIAN);
        byte tag = bytes[offset];
        try {
            Object value = switch (tag) {
                case NULL -> null;
                case TRUE -> Boolean.TRUE;
                case FALSE -> Boolean.FALSE;
                case BYTE -> in.get();
                case SHORT -> in.getShort();
                case CHAR -> in.getChar();
                case INT -> in.getInt();
                case LONG -> in.getLong();
                case FLOAT -> in.getFloat();
                case DOUBLE -> in.getDouble();
                case STRING -> {
                    byte[] utf8 = new byte[count(in, 1)];
                    in.get(utf8);
                    yield new String(utf8, StandardCharsets.UTF_8);
                }
                case BYTES -> {
                    byte[] a = new byte[count(in, 1)];
                    in.get(a);
                    yield a;
                }
                case SHORTS -> {
                    short[] a = new short[count(in, 2)];
                    in.asShortBuffer().get(a);
                    in.position(in.position() + 2 * a.length);
                    yield a;
                }
                case CHARS -> {
                    char[] a = new char[count(in, 2)];
                    in.asCharBuffer().get(a);
                    in.position(in.position() + 2 * a.length);
                    yield a;
                }
                case INTS -> {
                    int[] a = new int[count(in, 4)];
                    in.asIntBuffer().get(a);
                    in.position(in.position() + 4 * a.length);
                    yield a;
                }
                case LONGS -> {
                    long[] a = new long[count(in, 8)];
                    in.asLongBuffer().get(a);
                    in.position(in.position() + 8 * a.length);
                    yield a;
                }
                case FLOATS -> {
                    float[] a = new float[count(in, 4)];
                    in.asFloatBuffer().get(a);
                    in.position(in.position() + 4 * a.length);
                    yield a;
                }
                case DOUBLES -> {
                    double[] a = new double[count(in, 8)];
                    in.asDoubleBuffer().get(a);
                    in.position(in.position() + 8 * a.length);
                    yield a;
                }
                case BOOLEANS -> {
                    boolean[] a = new boolean[count(in, 1)];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = in.get() != 0;
                    }
                    yield a;
                }
                case SERIALIZED -> {
                    Object read = deserialize(bytes, offset + 1, length - 1);
                    in.position(in.limit());
                    yield read;
                }
                default -> throw new StreamCorruptedException("message tag=" + tag + " (expected 0.." + SERIALIZED
                        + ")");
            };
            if (in.hasRemaining()) {
                throw new StreamCorruptedException("message of tag " + tag + " has " + in.remaining()
                        + " bytes after its value (expected none)");
            }
            return value;
        } catch (java.nio.BufferUnderflowException e) {
            throw new StreamCorruptedException("message of tag " + tag + " ends after " + length
                    + " bytes (expected more)");
        }
    }

    /** Reads an element count and checks that many elements of {@code width} bytes are really there. */
    private static int count(ByteBuffer in, int width) throws StreamCorruptedException {
        int count = in.getInt();
        if (count < 0 || (long) count * width > in.remaining()) {
            throw new StreamCorruptedException("element count=" + count + " (expected 0.." + in.remaining() / width
                    + " for the bytes left)");
        }
        return count;
    }

    private static ByteBuffer buffer(byte tag, long size) {
        if (size > Integer.MAX_VALUE - 1) {
            throw new IllegalArgumentException("message size=" + size + " bytes (expected < 2 GiB)");
        }
        return ByteBuffer.allocate(1 + (int) size).order(ByteOrder.LITTLE_ENDIAN).put(tag);
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

    private static Object deserialize(byte[] bytes, int offset, int length)
            throws StreamCorruptedException, ClassNotFoundException, InvalidClassException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes, offset, length))) {
            ObjectInputFilter current = filter;
            if (current != null) {
                in.setObjectInputFilter(current);
            }
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

package io.github.jmultiprocessing.internal.codec;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.StreamCorruptedException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Functions to bytes and back, as a pool sends them to its workers: a serializable lambda or method reference in a
 * compact form, anything else through {@link MessageCodec}.
 *
 * <pre>
 *   byte 0   then MessageCodec bytes of the function
 *   byte 1   int n, n bytes: the lambda's shape (its capturing class, interface and implementation method, as
 *            {@link SerializedLambda} names them), int count, then each captured value as an int length and
 *            MessageCodec bytes
 * </pre>
 *
 * <p>Implementation notes. Java serialization of a lambda costs a stream, a class descriptor and nine strings
 * each time: about 3 us to write and 11 us to read, most of a pool call's own cost. Here the shape is written
 * once per lambda class and read once per shape (both are cached), a call pays only for its captured values, and
 * the lambda is rebuilt by its capturing class's own {@code $deserializeLambda$}, as deserialization would do,
 * so only lambdas that class declared serializable can be made. Where reflection is refused (a named module that
 * does not open its package) the function travels as a serialization stream instead.
 */
public final class LambdaCodec {

    private static final byte PLAIN = 0;
    private static final byte LAMBDA = 1;
    private static final int SHAPES_KEPT = 256;

    /** Per class: its {@code writeReplace} and its shape's bytes, or null if it is not a serializable lambda. */
    private static final ClassValue<Shape> WRITTEN = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
            if (!type.isSynthetic()) {
                return null;
            }
            try {
                Method writeReplace = type.getDeclaredMethod("writeReplace");
                writeReplace.setAccessible(true);
                return new Shape(writeReplace);
            } catch (NoSuchMethodException | RuntimeException e) {
                return null; // not a serializable lambda, or not ours to look into
            }
        }
    };

    /** Shapes read here, by class loader and bytes: the capturing class's deserializer and the names it checks. */
    private static final Map<ShapeKey, Read> READ = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ShapeKey, Read> eldest) {
            return size() > SHAPES_KEPT;
        }
    };

    /** A shape as read through a class loader (the same bytes name other classes under another loader). */
    private record ShapeKey(ClassLoader loader, ByteBuffer bytes) {
    }

    private static ClassLoader loader() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return loader != null ? loader : LambdaCodec.class.getClassLoader();
    }

    /** What the message filter is asked about a lambda: its class, as deserialization would ask. */
    private static final ObjectInputFilter.FilterInfo LAMBDA_INFO = info(SerializedLambda.class);

    private static ObjectInputFilter.FilterInfo info(Class<?> type) {
        return new ObjectInputFilter.FilterInfo() {
            @Override
            public Class<?> serialClass() {
                return type;
            }

            @Override
            public long arrayLength() {
                return -1;
            }

            @Override
            public long depth() {
                return 1;
            }

            @Override
            public long references() {
                return 1;
            }

            @Override
            public long streamBytes() {
                return 0;
            }
        };
    }

    private LambdaCodec() {
    }

    /**
     * {@return a function's bytes}
     *
     * @param function a serializable function
     * @throws IllegalArgumentException if it, or a value it captured, cannot be serialized
     */
    public static byte[] encode(Object function) {
        Shape shape = function == null ? null : WRITTEN.get(function.getClass());
        SerializedLambda lambda = shape == null ? null : shape.replace(function);
        if (lambda == null) {
            byte[] body = MessageCodec.encode(function);
            return ByteBuffer.allocate(1 + body.length).put(PLAIN).put(body).array();
        }
        byte[] form = shape.bytes(lambda);
        int count = lambda.getCapturedArgCount();
        byte[][] captured = new byte[count][];
        long size = 1 + 4 + form.length + 4;
        for (int i = 0; i < count; i++) {
            captured[i] = MessageCodec.encode(lambda.getCapturedArg(i));
            size += 4 + captured[i].length;
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a function of " + size + " bytes (expected < 2 GiB)");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size).put(LAMBDA).putInt(form.length).put(form).putInt(count);
        for (byte[] value : captured) {
            out.putInt(value.length).put(value);
        }
        return out.array();
    }

    /**
     * {@return the function in {@code length} bytes at {@code offset}}
     *
     * @param bytes  the buffer
     * @param offset where the function starts
     * @param length its length
     * @throws StreamCorruptedException if the bytes are not a function's
     * @throws ClassNotFoundException   if a class is missing here
     * @throws InvalidClassException    if the filter rejects a class, or the lambda does not match its class here
     */
    public static Object decode(byte[] bytes, int offset, int length)
            throws StreamCorruptedException, ClassNotFoundException, InvalidClassException {
        if (length < 1 || offset < 0 || offset + (long) length > bytes.length) {
            throw new StreamCorruptedException("a function of " + length + " bytes at " + offset);
        }
        if (bytes[offset] == PLAIN) {
            return MessageCodec.decode(bytes, offset + 1, length - 1);
        }
        if (bytes[offset] != LAMBDA) {
            throw new StreamCorruptedException("function tag=" + bytes[offset] + " (expected 0 or 1)");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length).slice();
        int at = 1;
        int formLength = intAt(in, at);
        at += 4;
        if (formLength < 0 || formLength > length - at - 4) {
            throw new StreamCorruptedException("lambda shape of " + formLength + " bytes in " + length);
        }
        Read read = read(in.slice(at, formLength));
        at += formLength;
        int count = intAt(in, at);
        at += 4;
        if (count < 0 || count > (length - at) / 5) {
            throw new StreamCorruptedException("captured value count=" + count + " in " + length + " bytes");
        }
        Object[] captured = new Object[count];
        for (int i = 0; i < count; i++) {
            int valueLength = intAt(in, at);
            at += 4;
            if (valueLength < 1 || valueLength > length - at) {
                throw new StreamCorruptedException("captured value of " + valueLength + " bytes at " + at);
            }
            captured[i] = MessageCodec.decode(bytes, offset + at, valueLength);
            at += valueLength;
        }
        if (at != length) {
            throw new StreamCorruptedException((length - at) + " bytes after a lambda");
        }
        return read.make(captured, true);
    }

    /**
     * {@return a serializable lambda's serialized form, or null if the object is no serializable lambda}
     *
     * @param function any object
     */
    public static SerializedLambda serializedForm(Object function) {
        Shape shape = function == null ? null : WRITTEN.get(function.getClass());
        return shape == null ? null : shape.replace(function);
    }

    /**
     * {@return the bytes of a lambda's shape: its class, interface and implementation method, not its captured
     * values} (written once per lambda class)
     *
     * @param function a serializable lambda
     * @param lambda   its {@link #serializedForm}
     */
    public static byte[] shape(Object function, SerializedLambda lambda) {
        return WRITTEN.get(function.getClass()).bytes(lambda);
    }

    /**
     * {@return the lambda of a shape and captured values}, made by its capturing class's {@code $deserializeLambda$}
     *
     * @param shape    bytes of {@link #shape}
     * @param captured the captured values
     * @param filtered whether the message filter ({@link MessageCodec#filter()}) is asked first
     * @throws StreamCorruptedException if the shape does not read
     * @throws ClassNotFoundException   if the capturing class is missing here
     * @throws InvalidClassException    if the filter rejects it, or it does not match its class here
     */
    public static Object make(byte[] shape, Object[] captured, boolean filtered)
            throws StreamCorruptedException, ClassNotFoundException, InvalidClassException {
        return read(ByteBuffer.wrap(shape)).make(captured, filtered);
    }

    private static int intAt(ByteBuffer in, int at) throws StreamCorruptedException {
        if (at + 4 > in.limit()) {
            throw new StreamCorruptedException("a function cut short at " + at);
        }
        return in.getInt(at);
    }

    private static Read read(ByteBuffer form) throws StreamCorruptedException, ClassNotFoundException,
            InvalidClassException {
        ClassLoader loader = loader();
        synchronized (READ) {
            Read known = READ.get(new ShapeKey(loader, form));
            if (known != null) {
                return known;
            }
        }
        byte[] key = new byte[form.remaining()];
        form.duplicate().get(key);
        Read read = Read.of(key, loader);
        synchronized (READ) {
            READ.put(new ShapeKey(loader, ByteBuffer.wrap(key)), read);
        }
        return read;
    }

    /** A lambda class as written: its {@code writeReplace}, and its shape's bytes once known. */
    private static final class Shape {
        private final Method writeReplace;
        private volatile byte[] bytes;

        Shape(Method writeReplace) {
            this.writeReplace = writeReplace;
        }

        /** {@return the lambda's serialized form, or null if it has none} */
        SerializedLambda replace(Object function) {
            try {
                return writeReplace.invoke(function) instanceof SerializedLambda lambda ? lambda : null;
            } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
                return null;
            }
        }

        byte[] bytes(SerializedLambda lambda) {
            byte[] known = bytes;
            if (known == null) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                try (DataOutputStream out = new DataOutputStream(buffer)) {
                    out.writeUTF(lambda.getCapturingClass().replace('/', '.'));
                    out.writeUTF(lambda.getFunctionalInterfaceClass());
                    out.writeUTF(lambda.getFunctionalInterfaceMethodName());
                    out.writeUTF(lambda.getFunctionalInterfaceMethodSignature());
                    out.writeInt(lambda.getImplMethodKind());
                    out.writeUTF(lambda.getImplClass());
                    out.writeUTF(lambda.getImplMethodName());
                    out.writeUTF(lambda.getImplMethodSignature());
                    out.writeUTF(lambda.getInstantiatedMethodType());
                } catch (IOException e) {
                    throw new IllegalStateException("cannot write a lambda's shape: " + e, e);
                }
                known = buffer.toByteArray();
                bytes = known;
            }
            return known;
        }
    }

    /** A lambda shape as read: what its capturing class's deserializer needs. */
    private record Read(MethodHandle deserializer, Class<?> capturingClass, String interfaceClass, String interfaceMethod,
            String interfaceSignature, int implKind, String implClass, String implMethod, String implSignature,
            String instantiatedType) {

        static Read of(byte[] form, ClassLoader loader) throws StreamCorruptedException, ClassNotFoundException,
                InvalidClassException {
            try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(form))) {
                String capturing = in.readUTF();
                String interfaceClass = in.readUTF();
                String interfaceMethod = in.readUTF();
                String interfaceSignature = in.readUTF();
                int implKind = in.readInt();
                String implClass = in.readUTF();
                String implMethod = in.readUTF();
                String implSignature = in.readUTF();
                String instantiatedType = in.readUTF();
                Class<?> type = Class.forName(capturing, false, loader);
                MethodHandle deserializer;
                try {
                    // A method handle, not Method.invoke: reflection adapts a handle of its own at first use, which
                    // spins ~7 classes in a cold JVM (~5 ms of a child's start).
                    Module ours = LambdaCodec.class.getModule();
                    if (!ours.canRead(type.getModule())) {
                        ours.addReads(type.getModule());
                    }
                    deserializer = MethodHandles.privateLookupIn(type, MethodHandles.lookup()).findStatic(type,
                            "$deserializeLambda$", MethodType.methodType(Object.class, SerializedLambda.class));
                } catch (NoSuchMethodException | IllegalAccessException | RuntimeException e) {
                    throw new InvalidClassException(capturing, "no serializable lambda can be made here: " + e);
                }
                return new Read(deserializer, type, interfaceClass, interfaceMethod, interfaceSignature, implKind,
                        implClass, implMethod, implSignature, instantiatedType);
            } catch (StreamCorruptedException | ClassNotFoundException | InvalidClassException e) {
                throw e;
            } catch (IOException e) {
                throw new StreamCorruptedException("a lambda shape that does not read: " + e);
            }
        }

        Object make(Object[] captured, boolean filtered) throws InvalidClassException {
            ObjectInputFilter filter = filtered ? MessageCodec.filter() : null; // as deserialization would consult it
            if (filter != null && (filter.checkInput(LAMBDA_INFO) == ObjectInputFilter.Status.REJECTED
                    || filter.checkInput(info(capturingClass)) == ObjectInputFilter.Status.REJECTED)) {
                throw new InvalidClassException(capturingClass.getName(), "lambda rejected by the message filter");
            }
            SerializedLambda lambda = new SerializedLambda(capturingClass, interfaceClass, interfaceMethod,
                    interfaceSignature, implKind, implClass, implMethod, implSignature, instantiatedType, captured);
            try {
                return (Object) deserializer.invokeExact(lambda);
            } catch (RuntimeException e) { // "Invalid lambda deserialization" (not the class's lambda), or captured
                // values that do not fit it (too few, of other types)
                InvalidClassException invalid = new InvalidClassException(capturingClass.getName(), "lambda "
                        + implMethod + " does not match its class here or its captured values: " + e);
                invalid.initCause(e);
                throw invalid;
            } catch (Error e) {
                throw e;
            } catch (Throwable e) { // $deserializeLambda$ declares nothing checked
                throw new IllegalStateException(e);
            }
        }
    }
}

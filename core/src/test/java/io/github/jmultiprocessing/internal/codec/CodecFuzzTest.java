package io.github.jmultiprocessing.internal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.Decoding;
import java.io.InvalidClassException;
import java.io.Serializable;
import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Fuzzing of the message and function decoders ({@link MessageCodec}, {@link LambdaCodec}): arbitrary bytes and
 * mutated valid encodings decode to a value or fail with a documented exception that has a message; never a hang,
 * an Error, or an allocation out of proportion to the input (see {@link Decoding}). Valid encodings decode to what
 * was encoded.
 */
class CodecFuzzTest {

    /** Values of every fast path and of the serialization fallback. */
    @Provide
    Arbitrary<Object> values() {
        return Arbitraries.oneOf(
                Arbitraries.just(null), Arbitraries.of(true, false),
                Arbitraries.bytes().map(b -> (Object) b), Arbitraries.shorts().map(s -> (Object) s),
                Arbitraries.chars().map(c -> (Object) c), Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.longs().map(l -> (Object) l), Arbitraries.doubles().map(d -> (Object) d),
                Arbitraries.floats().map(f -> (Object) f),
                Arbitraries.strings().ofMaxLength(40).map(s -> (Object) s),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(a -> (Object) a),
                Arbitraries.shorts().array(short[].class).ofMaxSize(20).map(a -> (Object) a),
                Arbitraries.chars().array(char[].class).ofMaxSize(20).map(a -> (Object) a),
                Arbitraries.integers().array(int[].class).ofMaxSize(20).map(a -> (Object) a),
                Arbitraries.longs().array(long[].class).ofMaxSize(10).map(a -> (Object) a),
                Arbitraries.floats().array(float[].class).ofMaxSize(10).map(a -> (Object) a),
                Arbitraries.doubles().array(double[].class).ofMaxSize(10).map(a -> (Object) a),
                Arbitraries.integers().list().ofMaxSize(10).map(l -> (Object) new ArrayList<>(l)),
                Arbitraries.strings().ofMaxLength(8).list().ofMaxSize(6).map(l -> {
                    HashMap<String, Integer> map = new HashMap<>();
                    l.forEach(k -> map.put(k, k.length()));
                    return (Object) map;
                }),
                Arbitraries.strings().ofMaxLength(10).map(s -> (Object) new IllegalStateException(s)));
    }

    private static Object decode(byte[] bytes) throws Exception {
        return MessageCodec.decode(bytes, 0, bytes.length);
    }

    private static void assertSame(Object expected, Object actual) {
        if (expected instanceof Throwable t) {
            assertTrue(actual instanceof IllegalStateException e && java.util.Objects.equals(t.getMessage(),
                    e.getMessage()), String.valueOf(actual));
        } else {
            assertTrue(java.util.Objects.deepEquals(expected, actual)
                    || expected instanceof Double d && actual instanceof Double a && d.isNaN() && a.isNaN()
                    || expected instanceof Float f && actual instanceof Float a2 && f.isNaN() && a2.isNaN(),
                    expected + " came back as " + actual);
        }
    }

    @Property(tries = 400)
    void messageCodecShouldDecodeArbitraryBytesOrFailClearly(@ForAll @Size(max = 200) byte[] bytes) {
        Decoding.Outcome<Object> outcome = Decoding.decode(bytes, () -> decode(bytes));
        Decoding.assertClear(outcome, Decoding.describe(bytes), StreamCorruptedException.class,
                ClassNotFoundException.class, InvalidClassException.class);
    }

    @Property(tries = 600)
    void messageCodecShouldDecodeMutatedMessagesOrFailClearly(@ForAll("values") Object value,
            @ForAll long seed) {
        byte[] valid = MessageCodec.encode(value);
        Decoding.Outcome<Object> intact = Decoding.decode(valid, () -> decode(valid));
        assertEquals(null, intact.failure(), "a valid message failed");
        assertSame(value, intact.value());
        byte[] mutated = Decoding.mutate(valid, new Random(seed));
        Decoding.Outcome<Object> outcome = Decoding.decode(mutated, () -> decode(mutated));
        Decoding.assertClear(outcome, Decoding.describe(mutated) + " (from " + value + ")",
                StreamCorruptedException.class, ClassNotFoundException.class, InvalidClassException.class);
    }

    /** Serializable lambdas of several shapes: no capture, captured values, a method reference. */
    @Provide
    Arbitrary<Function<Integer, Object>> functions() {
        return Arbitraries.oneOf(
                Arbitraries.just(plain()),
                Arbitraries.integers().map(CodecFuzzTest::adding),
                Arbitraries.strings().ofMaxLength(10).map(CodecFuzzTest::prefixing),
                Arbitraries.just(reference()));
    }

    private interface SerializableFunction extends Function<Integer, Object>, Serializable {
    }

    private static Function<Integer, Object> plain() {
        return (SerializableFunction) x -> x * 2;
    }

    private static Function<Integer, Object> adding(int n) {
        return (SerializableFunction) x -> x + n;
    }

    private static Function<Integer, Object> prefixing(String prefix) {
        return (SerializableFunction) x -> prefix + x;
    }

    private static Function<Integer, Object> reference() {
        return (SerializableFunction) Integer::toBinaryString;
    }

    @Property(tries = 300)
    void lambdaCodecShouldDecodeArbitraryBytesOrFailClearly(@ForAll @Size(max = 200) byte[] bytes) {
        Decoding.Outcome<Object> outcome = Decoding.decode(bytes, () -> LambdaCodec.decode(bytes, 0, bytes.length));
        Decoding.assertClear(outcome, Decoding.describe(bytes), StreamCorruptedException.class,
                ClassNotFoundException.class, InvalidClassException.class);
    }

    @Property(tries = 400)
    @SuppressWarnings("unchecked")
    void lambdaCodecShouldDecodeMutatedFunctionsOrFailClearly(@ForAll("functions") Function<Integer, Object> f,
            @ForAll long seed) {
        byte[] valid = LambdaCodec.encode(f);
        Decoding.Outcome<Object> intact = Decoding.decode(valid, () -> LambdaCodec.decode(valid, 0, valid.length));
        assertEquals(null, intact.failure(), "a valid function failed");
        assertEquals(f.apply(21), ((Function<Integer, Object>) intact.value()).apply(21));
        byte[] mutated = Decoding.mutate(valid, new Random(seed));
        Decoding.Outcome<Object> outcome = Decoding.decode(mutated,
                () -> LambdaCodec.decode(mutated, 0, mutated.length));
        Decoding.assertClear(outcome, Decoding.describe(mutated), StreamCorruptedException.class,
                ClassNotFoundException.class, InvalidClassException.class);
        if (outcome.failure() == null && outcome.value() instanceof Function<?, ?> decoded) {
            try { // a function that decoded from changed captured values runs (its values may differ)
                ((Function<Integer, Object>) decoded).apply(21);
            } catch (ClassCastException | ArithmeticException e) {
                // a captured value of another type: the function's own failure, at its call
            }
        }
    }

    @Property(tries = 100)
    void hugeLengthPrefixesShouldBeRefusedBeforeAllocating(@ForAll("lengths") int count,
            @ForAll @net.jqwik.api.constraints.IntRange(min = 10, max = 18) int tag) {
        byte[] message = new byte[5 + 8];
        message[0] = (byte) tag;
        java.nio.ByteBuffer.wrap(message).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(1, count);
        Decoding.Outcome<Object> outcome = Decoding.decode(message, () -> decode(message));
        Decoding.assertClear(outcome, Decoding.describe(message), StreamCorruptedException.class);
    }

    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.oneOf(Arbitraries.of(Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 1 << 30,
                Integer.MAX_VALUE - 8), Arbitraries.integers());
    }
}

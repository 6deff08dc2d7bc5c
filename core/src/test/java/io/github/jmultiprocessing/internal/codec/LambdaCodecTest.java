package io.github.jmultiprocessing.internal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.Serializable;
import java.io.StreamCorruptedException;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class LambdaCodecTest {

    interface SerialFunction<T, R> extends Function<T, R>, Serializable {
    }

    interface SerialSupplier<T> extends Supplier<T>, Serializable {
    }

    /** Not a lambda: travels as a serialization stream. */
    record Adder(int amount) implements SerialFunction<Integer, Integer> {
        @Override
        public Integer apply(Integer x) {
            return x + amount;
        }
    }

    static long cube(long x) {
        return x * x * x;
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T function) throws Exception {
        byte[] bytes = LambdaCodec.encode(function);
        byte[] padded = new byte[bytes.length + 5];
        System.arraycopy(bytes, 0, padded, 2, bytes.length);
        return (T) LambdaCodec.decode(padded, 2, bytes.length);
    }

    @Property(tries = 50)
    void capturingLambdaComesBackWithItsValues(@ForAll int x, @ForAll String s, @ForAll long y) throws Exception {
        SerialSupplier<String> lambda = () -> s + x + y;
        SerialSupplier<String> back = roundTrip(lambda);
        assertNotSame(lambda, back);
        assertEquals(lambda.get(), back.get());
    }

    @Test
    void shouldCarryMethodReferencesNestedLambdasAndPlainObjects() throws Exception {
        SerialFunction<Long, Long> cube = LambdaCodecTest::cube;
        assertEquals(27L, roundTrip(cube).apply(3L));
        SerialFunction<Integer, Integer> inner = v -> v * 2;
        SerialFunction<Integer, Integer> outer = v -> inner.apply(v) + 1; // captures a lambda
        assertEquals(11, roundTrip(outer).apply(5));
        List<Integer> captured = List.of(1, 2, 3);
        SerialSupplier<Integer> sum = () -> captured.stream().mapToInt(Integer::intValue).sum();
        assertEquals(6, roundTrip(sum).get());
        assertEquals(9, roundTrip(new Adder(4)).apply(5));
    }

    @Test
    void shouldWriteTheShapeOncePerClassAndOnlyCapturedValuesVary() {
        int[] sizes = new int[2];
        for (int i = 0; i < 2; i++) {
            int x = i;
            SerialSupplier<Integer> lambda = () -> x;
            sizes[i] = LambdaCodec.encode(lambda).length;
        }
        assertEquals(sizes[0], sizes[1]);
        assertTrue(sizes[0] < 400, "compact: " + sizes[0] + " bytes (Java serialization writes ~900)");
    }

    @Test
    void shouldRefuseAFunctionThatCapturesSomethingNotSerializable() {
        Object notSerializable = new Object();
        SerialSupplier<Integer> lambda = notSerializable::hashCode;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LambdaCodec.encode(lambda));
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
    }

    @Test
    void shouldRejectCorruptBytes() {
        SerialSupplier<Integer> lambda = () -> 42;
        byte[] bytes = LambdaCodec.encode(lambda);
        assertThrows(StreamCorruptedException.class, () -> LambdaCodec.decode(bytes, 0, bytes.length - 1));
        byte[] badTag = bytes.clone();
        badTag[0] = 9;
        assertThrows(StreamCorruptedException.class, () -> LambdaCodec.decode(badTag, 0, badTag.length));
        byte[] hugeShape = bytes.clone();
        hugeShape[1] = 0x7f;
        assertThrows(StreamCorruptedException.class, () -> LambdaCodec.decode(hugeShape, 0, hugeShape.length));
        assertThrows(StreamCorruptedException.class, () -> LambdaCodec.decode(bytes, 0, 0));
    }

    @Test
    void shouldRefuseALambdaWhoseClassHasNoSuchLambda() throws Exception {
        SerialSupplier<Integer> lambda = () -> 42;
        byte[] bytes = LambdaCodec.encode(lambda);
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        String renamed = text.replace("lambda$", "lambdX$"); // same length: an implementation method not there
        byte[] forged = renamed.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThrows(InvalidClassException.class, () -> LambdaCodec.decode(forged, 0, forged.length));
    }

    @Test
    void shouldAskTheMessageFilterAboutLambdas() {
        SerialSupplier<Integer> lambda = () -> 42;
        byte[] bytes = LambdaCodec.encode(lambda);
        ObjectInputFilter before = MessageCodec.filter();
        MessageCodec.setFilter(info -> info.serialClass() == java.lang.invoke.SerializedLambda.class
                ? ObjectInputFilter.Status.REJECTED : ObjectInputFilter.Status.UNDECIDED);
        try {
            assertThrows(InvalidClassException.class, () -> LambdaCodec.decode(bytes, 0, bytes.length));
            MessageCodec.setFilter(info -> info.serialClass() == LambdaCodecTest.class
                    ? ObjectInputFilter.Status.REJECTED : ObjectInputFilter.Status.UNDECIDED);
            assertThrows(InvalidClassException.class, () -> LambdaCodec.decode(bytes, 0, bytes.length),
                    "the capturing class is asked about too");
        } finally {
            MessageCodec.setFilter(before);
        }
    }
}

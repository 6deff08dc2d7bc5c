package io.github.jmultiprocessing.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

    private static Object roundTrip(Object value) throws Exception {
        byte[] bytes = MessageCodec.encode(value);
        byte[] padded = new byte[bytes.length + 7];
        System.arraycopy(bytes, 0, padded, 3, bytes.length);
        return MessageCodec.decode(padded, 3, bytes.length);
    }

    @Test
    void shouldCarryEveryFastPathTypeExactly() throws Exception {
        assertNull(roundTrip(null));
        for (Object value : List.of(true, false, (byte) -7, (short) -300, 'é', -5, Long.MIN_VALUE, 1.5f, -0.0,
                Double.NaN, "", "héllo wörld \uD83D\uDE00")) {
            Object back = roundTrip(value);
            assertEquals(value, back);
            assertEquals(value.getClass(), back.getClass());
        }
        assertArrayEquals(new byte[] {1, -2, 3}, (byte[]) roundTrip(new byte[] {1, -2, 3}));
        assertArrayEquals(new short[] {1, -2}, (short[]) roundTrip(new short[] {1, -2}));
        assertArrayEquals(new char[] {'a', 'ß'}, (char[]) roundTrip(new char[] {'a', 'ß'}));
        assertArrayEquals(new int[] {Integer.MIN_VALUE, 0, 7}, (int[]) roundTrip(new int[] {Integer.MIN_VALUE, 0, 7}));
        assertArrayEquals(new long[] {-1L, 1L << 40}, (long[]) roundTrip(new long[] {-1L, 1L << 40}));
        assertArrayEquals(new float[] {0.25f}, (float[]) roundTrip(new float[] {0.25f}));
        assertArrayEquals(new double[] {1e300, -2.5}, (double[]) roundTrip(new double[] {1e300, -2.5}));
        assertArrayEquals(new boolean[] {true, false, true}, (boolean[]) roundTrip(new boolean[] {true, false, true}));
        assertArrayEquals(new int[0], (int[]) roundTrip(new int[0]));
        assertEquals(5, MessageCodec.encode(42).length, "an int is its tag and four bytes");
    }

    @Test
    void shouldSerializeEverythingElse() throws Exception {
        Map<String, List<Integer>> map = new TreeMap<>(Map.of("a", List.of(1, 2), "b", List.of()));
        assertEquals(map, roundTrip(map));
        assertEquals(new ArrayList<>(List.of("x", 3)), roundTrip(new ArrayList<>(List.of("x", 3))));
    }

    @Test
    void shouldFailInTheSenderForWhatCannotBeSerialized() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MessageCodec.encode(List.of(new Object())));
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
    }

    @Test
    void shouldRejectCorruptBytesWithAClearException() {
        assertThrows(StreamCorruptedException.class, () -> MessageCodec.decode(new byte[0], 0, 0));
        assertThrows(StreamCorruptedException.class, () -> MessageCodec.decode(new byte[] {99}, 0, 1));
        assertThrows(StreamCorruptedException.class, () -> MessageCodec.decode(new byte[] {MessageCodec.INT, 1}, 0, 2));
        byte[] huge = {MessageCodec.LONGS, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f};
        StreamCorruptedException count = assertThrows(StreamCorruptedException.class,
                () -> MessageCodec.decode(huge, 0, huge.length));
        assertTrue(count.getMessage().contains("element count=2147483647"), count.getMessage());
        byte[] extra = Arrays.copyOf(MessageCodec.encode(7), 6);
        assertThrows(StreamCorruptedException.class, () -> MessageCodec.decode(extra, 0, extra.length));
        byte[] serialized = MessageCodec.encode(new ArrayList<>(List.of(1, 2, 3)));
        byte[] cut = Arrays.copyOf(serialized, serialized.length - 3);
        assertThrows(StreamCorruptedException.class, () -> MessageCodec.decode(cut, 0, cut.length));
        byte[] garbage = {MessageCodec.SERIALIZED, 1, 2, 3, 4, 5};
        assertThrows(StreamCorruptedException.class, () -> MessageCodec.decode(garbage, 0, garbage.length));
    }

    @Test
    void shouldReadSerializedMessagesThroughTheFilter() throws Exception {
        ObjectInputFilter before = MessageCodec.filter();
        MessageCodec.setFilter(ObjectInputFilter.Config.createFilter("!java.util.TreeMap"));
        try {
            byte[] bytes = MessageCodec.encode(new TreeMap<>(Map.of(1, 2)));
            assertThrows(InvalidClassException.class, () -> MessageCodec.decode(bytes, 0, bytes.length));
            assertEquals(new ArrayList<>(List.of(1)), roundTrip(new ArrayList<>(List.of(1))));
        } finally {
            MessageCodec.setFilter(before);
        }
    }

    @Property(tries = 300)
    void shouldRoundTripAnyValue(@ForAll("values") Object value) throws Exception {
        Object back = roundTrip(value);
        assertTrue(java.util.Objects.deepEquals(value, back), value + " came back as " + back);
        if (value != null) {
            assertInstanceOf(value.getClass(), back);
        }
    }

    @Provide
    Arbitrary<Object> values() {
        return Arbitraries.oneOf(
                Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.longs().map(l -> (Object) l),
                Arbitraries.doubles().map(d -> (Object) d),
                Arbitraries.strings().ofMaxLength(200).map(s -> (Object) s),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300).map(a -> (Object) a),
                Arbitraries.integers().array(int[].class).ofMaxSize(100).map(a -> (Object) a),
                Arbitraries.longs().array(long[].class).ofMaxSize(100).map(a -> (Object) a),
                Arbitraries.doubles().array(double[].class).ofMaxSize(100).map(a -> (Object) a),
                Arbitraries.strings().ofMaxLength(20).list().ofMaxSize(10).map(l -> (Object) new ArrayList<>(l)),
                Arbitraries.just(null));
    }

    @org.junit.jupiter.api.Test
    void shouldRefuseASerializedArrayLongerThanItsStreamBeforeAllocatingIt() throws Exception {
        byte[] bytes = MessageCodec.encode(new java.util.ArrayList<>(java.util.List.of(new int[] {1, 2, 3})));
        // find the int[] length 3 (big-endian in a serialization stream) followed by the elements 1, 2, 3
        byte[] pattern = {0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3};
        int at = -1;
        for (int i = 0; i + pattern.length <= bytes.length && at < 0; i++) {
            if (java.util.Arrays.equals(bytes, i, i + pattern.length, pattern, 0, pattern.length)) {
                at = i;
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(at > 0, "the array is in the stream");
        bytes[at] = 0x10; // length 2^28 + 3: 1 GiB of ints
        long t0 = System.nanoTime();
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> MessageCodec.decode(bytes, 0, bytes.length));
        org.junit.jupiter.api.Assertions.assertTrue(System.nanoTime() - t0 < 500_000_000L, "refused, not allocated");
    }
}

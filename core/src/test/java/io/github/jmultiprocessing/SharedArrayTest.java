package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedArrayTest {

    @Test
    void shouldHoldTheSeedArray() {
        SharedArray array = SharedArray.of('d', 0.0, 100.0, 200.0);
        assertEquals(3, array.length());
        assertEquals(List.of(0.0, 100.0, 200.0), array.toList());
        array.setDouble(1, array.getDouble(1) + 1);
        assertEquals("[0.0, 101.0, 200.0]", array.toList().toString());
        assertEquals('d', array.typecode());
        assertTrue(array.isSynchronized());
    }

    @Test
    void shouldMakeArraysByLengthAndByJavaArray() {
        assertEquals(List.of(0, 0, 0, 0), SharedArray.ofLength('i', 4).toList());
        assertEquals(0, SharedArray.ofLength('b', 0).length());
        assertArrayEquals(new long[] {1, 2, 3}, SharedArray.of(new long[] {1, 2, 3}).toLongArray());
        assertEquals('q', SharedArray.of(new long[] {1}).typecode());
        assertArrayEquals(new int[] {4, 5}, SharedArray.of(new int[] {4, 5}).toIntArray());
        assertArrayEquals(new int[] {1, 2}, SharedArray.of('h', new double[] {1, 2}).toIntArray());
        assertEquals(List.of(true, false), SharedArray.of('?', true, false).toList());
        assertEquals(List.of(0.0, 0.0), SharedArray.ofLength(double.class, 2).toList());
        assertFalse(SharedArray.rawOfLength('d', 2).isSynchronized());
    }

    @Test
    void shouldRejectBadIndexesValuesAndLengths() {
        SharedArray array = SharedArray.of('b', 1, 2, 3);
        assertThrows(IndexOutOfBoundsException.class, () -> array.get(3));
        assertThrows(IndexOutOfBoundsException.class, () -> array.setInt(-1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> array.slice(2, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> array.setInt(0, 200));
        assertTrue(e.getMessage().contains("value=200"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SharedArray.of('b', 1, 300));
        assertThrows(IllegalArgumentException.class, () -> SharedArray.of('i', new double[] {1.5}));
        assertThrows(IllegalArgumentException.class, () -> SharedArray.ofLength('d', -1));
        assertThrows(IllegalArgumentException.class, () -> SharedArray.of('x', 1));
        assertThrows(IllegalStateException.class, () -> SharedArray.of('d', 1.0).getLong(0));
        assertThrows(IllegalStateException.class, () -> SharedArray.of('d', 1.0).toLongArray());
        assertEquals(List.of(1, 2, 3), array.toList());
    }

    @Test
    void shouldCopyInBulk() {
        SharedArray doubles = SharedArray.ofLength('d', 5);
        doubles.copyFrom(new double[] {9, 1, 2, 3}, 1, 1, 3);
        assertArrayEquals(new double[] {0, 1, 2, 3, 0}, doubles.toDoubleArray());
        double[] out = new double[2];
        doubles.copyTo(2, out, 0, 2);
        assertArrayEquals(new double[] {2, 3}, out);
        SharedArray shorts = SharedArray.ofLength('H', 3);
        shorts.copyFrom(new long[] {1, 65535, 3}, 0, 0, 3);
        assertArrayEquals(new long[] {1, 65535, 3}, shorts.toLongArray());
        assertThrows(IllegalArgumentException.class, () -> shorts.copyFrom(new long[] {65536}, 0, 0, 1));
        shorts.setSlice(1, List.of(7, 8));
        assertEquals(List.of(1, 7, 8), shorts.toList());
        assertEquals(List.of(7), shorts.slice(1, 2));
        SharedArray floats = SharedArray.of('f', 1.5, 2.5);
        assertArrayEquals(new double[] {1.5, 2.5}, floats.toDoubleArray());
    }

    @Test
    void shouldExposeRawBytesInNativeOrder() {
        SharedArray ints = SharedArray.of('i', 1, 2, 3);
        assertEquals(12, ints.segment().byteSize());
        assertEquals(2, ints.segment().getAtIndex(ValueLayout.JAVA_INT, 1));
    }

    @Test
    void shouldUpdateElementsAtomicallyWithoutTouchingNeighbours() {
        SharedArray bytes = SharedArray.raw('b', 1, 2, 3, 4, 5);
        assertEquals(3, bytes.getAndAdd(2, 10));
        assertEquals(14, bytes.incrementAndGet(2));
        assertTrue(bytes.compareAndSet(4, 5, -5));
        assertEquals(List.of(1, 2, 14, 4, -5), bytes.toList());
    }

    @Test
    void shouldTravelAsAHandleToTheSameMemory() throws Exception {
        SharedArray array = SharedArray.of('q', 1L, 2L);
        SharedArray copy = SharedValueTest.roundTrip(array);
        copy.setLong(1, 20);
        assertEquals(20, array.getLong(1));
        assertEquals(2, copy.length());
        assertTrue(copy.isSynchronized());
    }
}

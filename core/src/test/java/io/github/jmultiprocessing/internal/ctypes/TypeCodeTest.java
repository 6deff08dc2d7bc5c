package io.github.jmultiprocessing.internal.ctypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TypeCodeTest {

    @Test
    void shouldHaveCPythonSizesOn64BitUnix() {
        String codes = "bBhHiIlLqQfdc?";
        int[] sizes = {1, 1, 2, 2, 4, 4, 8, 8, 8, 8, 4, 8, 1, 1};
        for (int i = 0; i < codes.length(); i++) {
            assertEquals(sizes[i], TypeCode.of(codes.charAt(i)).size(), "size of " + codes.charAt(i));
        }
    }

    @Test
    void shouldRejectUnknownTypecodeNamingTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TypeCode.of('z'));
        assertTrue(e.getMessage().contains("typecode='z'") && e.getMessage().contains("b B h H"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TypeCode.of(String.class));
    }

    @Test
    void shouldMapJavaTypes() {
        assertEquals(TypeCode.INT, TypeCode.of(int.class));
        assertEquals(TypeCode.LONG_LONG, TypeCode.of(Long.class));
        assertEquals(TypeCode.DOUBLE, TypeCode.of(double.class));
        assertEquals(TypeCode.BOOL, TypeCode.of(boolean.class));
    }

    @Test
    void shouldCheckRanges() {
        assertEquals(127, TypeCode.BYTE.checkRange(127));
        assertThrows(IllegalArgumentException.class, () -> TypeCode.BYTE.checkRange(128));
        assertThrows(IllegalArgumentException.class, () -> TypeCode.UNSIGNED_BYTE.checkRange(-1));
        assertEquals(4294967295L, TypeCode.UNSIGNED_INT.checkRange(4294967295L));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TypeCode.UNSIGNED_INT.checkRange(4294967296L));
        assertTrue(e.getMessage().contains("0..4294967295"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TypeCode.INT.toLong(1L << 31));
        assertThrows(IllegalArgumentException.class, () -> TypeCode.UNSIGNED_LONG_LONG.toLong(-1L));
        assertThrows(IllegalArgumentException.class, () -> TypeCode.INT.toLong(1.5));
        assertThrows(IllegalArgumentException.class, () -> TypeCode.BOOL.toLong(2));
        assertEquals(-1L, TypeCode.UNSIGNED_LONG_LONG.toLong(new BigInteger("18446744073709551615")));
    }

    @ParameterizedTest
    @EnumSource(value = TypeCode.class, names = {"BYTE", "UNSIGNED_BYTE", "SHORT", "UNSIGNED_SHORT", "INT",
            "UNSIGNED_INT", "LONG", "UNSIGNED_LONG", "LONG_LONG", "UNSIGNED_LONG_LONG"})
    void shouldAddAtomicallyWithoutTouchingNeighbours(TypeCode type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(32, 8);
            memory.fill((byte) 0x5A);
            long offset = 8 + (type.size() < 4 ? type.size() : 0); // a cell not at the start of its word
            type.setLong(memory, offset, 5);
            assertEquals(5, type.getAndAdd(memory, offset, 3));
            assertEquals(8, type.getLong(memory, offset));
            assertTrue(type.compareAndSet(memory, offset, 8, 2));
            assertFalse(type.compareAndSet(memory, offset, 8, 3));
            assertEquals(2, type.getLong(memory, offset));
            for (long i = 0; i < 32; i++) {
                if (i < offset || i >= offset + type.size()) {
                    assertEquals((byte) 0x5A, memory.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i), "byte " + i);
                }
            }
        }
    }

    @Test
    void shouldWrapSubWordArithmeticLikeJava() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(8, 8);
            TypeCode.BYTE.setLong(memory, 1, 127);
            assertEquals(127, TypeCode.BYTE.getAndAdd(memory, 1, 1));
            assertEquals(-128, TypeCode.BYTE.getLong(memory, 1));
            TypeCode.UNSIGNED_SHORT.setLong(memory, 2, 65535);
            TypeCode.UNSIGNED_SHORT.getAndAdd(memory, 2, 1);
            assertEquals(0, TypeCode.UNSIGNED_SHORT.getLong(memory, 2));
        }
    }

    @Test
    void shouldBoxLikePython() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(8, 8);
            TypeCode.UNSIGNED_LONG_LONG.setLong(memory, 0, -1L);
            assertEquals(new BigInteger("18446744073709551615"), TypeCode.UNSIGNED_LONG_LONG.getBoxed(memory, 0));
            assertEquals(1.8446744073709552E19, TypeCode.UNSIGNED_LONG_LONG.getDouble(memory, 0));
            TypeCode.CHAR.setBoxed(memory, 0, 'A');
            assertEquals('A', TypeCode.CHAR.getBoxed(memory, 0));
            TypeCode.BOOL.setBoxed(memory, 0, true);
            assertEquals(true, TypeCode.BOOL.getBoxed(memory, 0));
            TypeCode.FLOAT.setBoxed(memory, 0, 1.5);
            assertEquals(1.5f, TypeCode.FLOAT.getBoxed(memory, 0));
        }
    }
}

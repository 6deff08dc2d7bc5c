package io.github.jmultiprocessing;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedListTest {

    /**
     * CPython 3.11's {@code bytes(ShareableList([1, -2, 2.5, True, False, "abc", "", "01234567", b"xy\x00z",
     * None]).shm.buf).hex()} on x86-64 (3.12 and 3.13 write the same).
     */
    private static final String PYTHON_MADE = "0a00000000000000000000000000000008000000000000001000000000000000"
            + "180000000000000020000000000000002800000000000000300000000000000038000000000000004800000000000000"
            + "500000000000000058000000000000000100000000000000feffffffffffffff00000000000004400000000000000001"
            + "000000000000000061626300000000000000000000000000303132333435363700000000000000007879007a00000000"
            + "0000000000000000710000000000000071000000000000006400000000000000787878787878783f787878787878783f"
            + "38730000000000003873000000000000313673000000000038730000000000007878787878783f780000000000010101"
            + "0203";

    /**
     * The same list after {@code sl[5] = "abcdefg"; sl[0] = "12345678"; sl[9] = 7; sl[6] = None; sl[1] = b"ab";
     * sl[3] = 1.5} in CPython 3.11.
     */
    private static final String PYTHON_AFTER_SETS =
            "0a0000000000000000000000000000000800000000000000100000000000000018000000000000002000000000000000"
            + "280000000000000030000000000000003800000000000000480000000000000050000000000000005800000000000000"
            + "313233343536373861620000000000000000000000000440000000000000f83f00000000000000006162636465666700"
            + "0000000000000000303132333435363700000000000000007879007a0000000007000000000000003873000000000000"
            + "387300000000000064000000000000006400000000000000787878787878783f38730000000000007878787878783f78"
            + "31367300000000003873000000000000710000000000000001020000000103010200";

    private static final List<Object> ITEMS = Arrays.asList(1, -2L, 2.5, true, false, "abc", "", "01234567",
            new byte[] {'x', 'y', 0, 'z'}, null);

    private static byte[] bytesOf(SharedList list) {
        return list.shm().segment().toArray(JAVA_BYTE);
    }

    @Test
    void shouldWriteTheBytesCPythonWrites() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN,
                "the reference bytes are little-endian");
        try (SharedList list = SharedList.create(ITEMS)) {
            try {
                assertEquals(PYTHON_MADE, HexFormat.of().formatHex(bytesOf(list)));
                assertEquals("qqdxxxxxxx?xxxxxxx?8s8s16s8sxxxxxx?x", list.format());
                list.set(5, "abcdefg");
                list.set(0, "12345678");
                list.set(9, 7);
                list.set(6, null);
                list.set(1, "ab".getBytes());
                list.set(3, 1.5f);
                assertEquals(PYTHON_AFTER_SETS, HexFormat.of().formatHex(bytesOf(list)));
                assertEquals("8s8sddxxxxxxx?8sxxxxxx?x16s8sq", list.format());
            } finally {
                list.shm().unlink();
            }
        }
    }

    @Test
    void shouldReadTheBytesCPythonWrote() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN,
                "the reference bytes are little-endian");
        byte[] python = HexFormat.of().parseHex(PYTHON_AFTER_SETS);
        try (SharedMemory shm = SharedMemory.create(python.length)) {
            try {
                MemorySegment.copy(python, 0, shm.segment(), JAVA_BYTE, 0, python.length);
                try (SharedList list = SharedList.attach(shm.name())) {
                    assertEquals(10, list.size());
                    List<Object> items = new ArrayList<>(list);
                    assertEquals("12345678", items.get(0));
                    assertArrayEquals("ab".getBytes(), (byte[]) items.get(1));
                    assertEquals(List.of(2.5, 1.5, false, "abcdefg"), items.subList(2, 6));
                    assertNull(items.get(6));
                    assertEquals("01234567", items.get(7));
                    assertArrayEquals(new byte[] {'x', 'y', 0, 'z'}, (byte[]) items.get(8));
                    assertEquals(7L, items.get(9));
                    assertEquals("SharedList(['12345678', b'ab', 2.5, 1.5, False, 'abcdefg', None, '01234567',"
                            + " b'xy\\x00z', 7], name='" + shm.name() + "')", list.toString());
                }
            } finally {
                shm.unlink();
            }
        }
    }

    @Test
    void shouldRoundTripEveryTypeAsStored() {
        try (SharedList list = SharedList.of(1, (short) 2, (byte) 3, 4L, 1.5f, -0.25, true, "é€😀", new byte[0],
                null, "")) {
            try {
                assertEquals(Arrays.asList(1L, 2L, 3L, 4L, 1.5, -0.25, true, "é€😀"), list.subList(0, 8));
                assertArrayEquals(new byte[0], (byte[]) list.get(8));
                assertNull(list.get(9));
                assertEquals("", list.get(10));
                assertEquals(14, list.format().indexOf("16s"), "a str's slot is sized by its 9 UTF-8 bytes");
                assertEquals(1L, list.set(0, Long.MIN_VALUE), "set returns the item it replaced");
                assertEquals(Long.MIN_VALUE, list.get(0));
            } finally {
                list.shm().unlink();
            }
        }
    }

    @Test
    void shouldRefuseWhatCPythonRefuses() {
        try (SharedList list = SharedList.of("abc", 1, null)) {
            try {
                IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                        () -> list.set(0, "abcdefghi"));
                assertTrue(tooLong.getMessage().contains("exceeds available storage"), tooLong.getMessage());
                assertEquals("abc", list.get(0), "a refused string changes nothing");
                list.set(0, "abcdefgh"); // 8 bytes fill the slot exactly, as in CPython
                assertEquals("abcdefgh", list.get(0));
                assertThrows(IllegalArgumentException.class, () -> list.set(1, new byte[9]));
                list.set(1, "12345678"); // a number's slot holds 8 bytes of text
                assertEquals("12345678", list.get(1));
                ClassCastException wrongType = assertThrows(ClassCastException.class, () -> list.set(2, List.of(1)));
                assertTrue(wrongType.getMessage().contains("expected Long"), wrongType.getMessage());
                assertThrows(ClassCastException.class, () -> list.set(2, 'c'));
                assertThrows(ClassCastException.class, () -> SharedList.of(new Object()));
                assertThrows(IndexOutOfBoundsException.class, () -> list.get(3));
                assertThrows(IndexOutOfBoundsException.class, () -> list.get(-1));
                assertThrows(UnsupportedOperationException.class, () -> list.add(1));
                assertThrows(UnsupportedOperationException.class, () -> list.remove(0));
                assertThrows(UnsupportedOperationException.class, list::clear);
                assertThrows(IllegalArgumentException.class, () -> list.index(99));
                assertThrows(IllegalArgumentException.class,
                        () -> SharedList.of("x".repeat(10_000_000)), "a format longer than 8 characters");
            } finally {
                list.shm().unlink();
            }
        }
    }

    @Test
    void shouldCountAndFindValuesAsStored() {
        try (SharedList list = SharedList.of(1, 2.0, "a", new byte[] {1}, null, 1L, true, 2.0f)) {
            try {
                assertEquals(2, list.count(1), "Integer 1 counts the stored Long 1s");
                assertEquals(2, list.count(2.0f));
                assertEquals(1, list.count(new byte[] {1}), "byte arrays by content");
                assertEquals(1, list.count(null));
                assertEquals(0, list.count(1.0), "no cross-type numeric equality (Python's 1 == 1.0)");
                assertEquals(2, list.index("a"));
                assertEquals(3, list.indexOf(new byte[] {1}));
                assertEquals(5, list.lastIndexOf(1));
                assertEquals(4, list.index(null));
                assertTrue(list.contains(true));
                assertFalse(list.contains("b"));
            } finally {
                list.shm().unlink();
            }
        }
    }

    @Test
    void shouldAttachByNameAndTravelAsAHandle() throws Exception {
        try (SharedList list = SharedList.of(1, "two", 3.0)) {
            try {
                try (SharedList other = SharedList.attach(list.name())) {
                    other.set(1, "TWO");
                    assertEquals("TWO", list.get(1), "two handles of one segment see each other's writes");
                }
                SharedList copy = (SharedList) SharedValueTest.deserialize(SharedValueTest.serialize(list));
                try (copy) {
                    assertEquals(list.name(), copy.name());
                    assertEquals(List.of(1L, "TWO", 3.0), copy);
                }
                assertEquals(3, list.size(), "closing another handle leaves this one open");
            } finally {
                list.shm().unlink();
            }
        }
    }

    @Test
    void shouldRefuseASegmentThatHoldsNoList() {
        try (SharedMemory shm = SharedMemory.create(64)) {
            try {
                shm.segment().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0, 1_000L);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> SharedList.attach(shm.name()));
                assertTrue(e.getMessage().contains("does not hold a ShareableList"), e.getMessage());
            } finally {
                shm.unlink();
            }
        }
    }

    /**
     * Crafted bytes: a valid layout whose first slot (10,000,000 bytes) is larger than a str's 8-byte format can name
     * ("10000000s" has 9 characters). A str written there must be refused, not have its format spill into the next
     * item's (which then no longer reads).
     */
    @Test
    void shouldRefuseAStrForASlotItsFormatCannotName() {
        long slot = 10_000_000L;
        long dataStart = 8 + 3 * 8;
        long formats = dataStart + slot + 8;
        try (SharedMemory shm = SharedMemory.create(formats + 2 * 8 + 2)) {
            try {
                MemorySegment s = shm.segment();
                var longs = java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
                s.set(longs, 0, 2L);
                s.set(longs, 8, 0L);
                s.set(longs, 16, slot);
                s.set(longs, 24, slot + 8);
                s.set(longs, dataStart, 5L);
                s.set(longs, dataStart + slot, 7L);
                s.set(JAVA_BYTE, formats, (byte) 'q');
                s.set(JAVA_BYTE, formats + 8, (byte) 'q');
                try (SharedList list = SharedList.attach(shm.name())) {
                    assertEquals(List.of(5L, 7L), list);
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> list.set(0, "x"));
                    assertTrue(e.getMessage().contains("format"), e.getMessage());
                    assertEquals(7L, list.get(1), "the next item's format is untouched");
                    assertEquals("qq", list.format());
                    list.set(0, 6L); // a number fits any slot
                    assertEquals(List.of(6L, 7L), list);
                }
            } finally {
                shm.unlink();
            }
        }
    }

    @Test
    void shouldMakeAnEmptyListAsCPythonDoes() {
        try (SharedList list = SharedList.of()) {
            try {
                assertEquals(16, list.shm().size(), "CPython: ShareableList([]).shm.size == 16");
                assertEquals(List.of(), list);
                assertEquals("", list.format());
            } finally {
                list.shm().unlink();
            }
        }
    }

    @Test
    void shouldRefuseUseAfterClose() {
        SharedList list = SharedList.of(1);
        try {
            list.close();
            assertThrows(IllegalStateException.class, () -> list.get(0));
            assertTrue(list.toString().endsWith("name='" + list.name() + "')"), list.toString());
        } finally {
            list.shm().unlink();
        }
    }
}

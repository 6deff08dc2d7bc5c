package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import io.github.jmultiprocessing.testing.Children;
import io.github.jmultiprocessing.testing.Python;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** A {@link SharedList} across processes: child JVMs, and CPython's {@code ShareableList} (where python3 exists). */
class SharedListIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    static void writeFromChild(SharedList list) {
        list.set(0, (Long) list.get(0) + 1);
        list.set(1, "child");
        list.set(2, null);
    }

    @Test
    void shouldTravelToAChildJvmByName() throws Exception {
        try (SharedList list = SharedList.of(41, "parent", 2.5); Children children = new Children()) {
            try {
                JvmProcess child = children.start(() -> writeFromChild(list));
                assertEquals(0, Children.joinWithin(child, WAIT));
                assertEquals(Arrays.asList(42L, "child", null), list);
            } finally {
                list.shm().unlink();
            }
        }
    }

    // ---- CPython's ShareableList (Linux: both use /dev/shm/<name>)

    @Test
    void shouldBeReadAndWrittenByPython() throws Exception {
        Python.assumeDevShm();
        try (SharedList list = SharedList.of(1, 2.5, true, "java", new byte[] {0, 1, 2}, null, "é€😀", 7L)) {
            try {
                String output = Python.run("""
                        from multiprocessing import shared_memory, resource_tracker
                        sl = shared_memory.ShareableList(name='%s')
                        print(ascii(list(sl)))
                        print(sl.format, len(sl), sl.count(1), sl.index('java'))
                        sl[0] = -7
                        sl[1] = 'py'
                        sl[2] = None
                        sl[3] = 'ninechars'[:8]
                        sl[4] = b'zz'
                        sl[5] = 0.125
                        sl[6] = '\\u00fcber'
                        sl[7] = False
                        resource_tracker.unregister(sl.shm._name, 'shared_memory')
                        sl.shm.close()
                        """.formatted(list.name()));
                assertEquals("[1, 2.5, True, 'java', b'\\x00\\x01\\x02', None, '\\xe9\\u20ac\\U0001f600', 7]\n"
                        + "qdxxxxxxx?8s8sxxxxxx?x16sq 8 2 3", output, "Python counts True as 1");
                assertEquals(List.of(-7L, "py"), list.subList(0, 2));
                assertNull(list.get(2));
                assertEquals("ninechar", list.get(3));
                assertArrayEquals("zz".getBytes(StandardCharsets.US_ASCII), (byte[]) list.get(4));
                assertEquals(0.125, list.get(5));
                assertEquals("über", list.get(6));
                assertEquals(false, list.get(7));
                assertEquals("q8sxxxxxx?x8s8sd16sxxxxxxx?", list.format(), "Python's formats, read here");
            } finally {
                list.shm().unlink();
            }
        }
    }

    /** {@return a Python expression for a value} */
    private static String pythonLiteral(Object value) {
        return switch (value) {
            case null -> "None";
            case Boolean b -> b ? "True" : "False";
            case Double d -> d.isNaN() ? "float('nan')" : d.isInfinite() ? (d > 0 ? "float('inf')" : "float('-inf')")
                    : "float.fromhex('" + Double.toHexString(d) + "')";
            case String text -> "bytes.fromhex('" + HexFormat.of().formatHex(text.getBytes(StandardCharsets.UTF_8))
                    + "').decode()";
            case byte[] bytes -> "bytes.fromhex('" + HexFormat.of().formatHex(bytes) + "')";
            default -> String.valueOf(value);
        };
    }

    private static Object randomValue(Random random) {
        return switch (random.nextInt(7)) {
            case 0 -> random.nextLong() >> random.nextInt(64);
            case 1 -> switch (random.nextInt(4)) {
                case 0 -> Double.NaN;
                case 1 -> Double.NEGATIVE_INFINITY;
                default -> random.nextGaussian() * Math.pow(10, random.nextInt(20) - 10);
            };
            case 2 -> random.nextBoolean();
            case 3 -> {
                char[] text = new char[random.nextInt(20)];
                for (int i = 0; i < text.length; i++) {
                    text[i] = (char) (' ' + random.nextInt(95)); // ASCII: CPython sizes a slot by code points
                }
                yield new String(text);
            }
            case 4 -> {
                byte[] bytes = new byte[random.nextInt(20)];
                random.nextBytes(bytes);
                yield bytes;
            }
            case 5 -> random.nextInt();
            default -> null;
        };
    }

    @Test
    void shouldWriteTheBytesCPythonWritesForRandomLists() throws Exception {
        Assumptions.assumeTrue(java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN);
        Random random = new Random(13);
        List<String> expected = new ArrayList<>();
        StringBuilder script = new StringBuilder("from multiprocessing import shared_memory\nfor items in [\n");
        for (int n = 0; n < 60; n++) {
            List<Object> items = new ArrayList<>();
            for (int i = random.nextInt(12); i > 0; i--) {
                items.add(randomValue(random));
            }
            try (SharedList list = SharedList.create(items)) {
                try {
                    expected.add(HexFormat.of().formatHex(list.shm().segment().toArray(java.lang.foreign.ValueLayout
                            .JAVA_BYTE)));
                } finally {
                    list.shm().unlink();
                }
            }
            script.append("    [").append(String.join(", ", items.stream().map(SharedListIT::pythonLiteral)
                    .toList())).append("],\n");
        }
        script.append("""
                ]:
                    sl = shared_memory.ShareableList(items)
                    print(bytes(sl.shm.buf).hex())
                    sl.shm.close()
                    sl.shm.unlink()
                """);
        assertEquals(String.join("\n", expected), Python.run(script.toString()));
    }

    @Test
    void shouldAttachAListPythonMadeAndBeReadBack() throws Exception {
        Python.assumeDevShm();
        String name = ShmDirectory.randomName("psm_test_");
        Python.run("""
                from multiprocessing import shared_memory, resource_tracker
                sl = shared_memory.ShareableList([3, -1.5, False, 'from python', b'\\x00raw', None], name='%s')
                resource_tracker.unregister(sl.shm._name, 'shared_memory')
                sl.shm.close()
                """.formatted(name));
        try (SharedList list = SharedList.attach(name)) {
            try {
                assertEquals(6, list.size());
                assertEquals(Arrays.asList(3L, -1.5, false, "from python"), list.subList(0, 4));
                assertArrayEquals(new byte[] {0, 'r', 'a', 'w'}, (byte[]) list.get(4));
                assertNull(list.get(5));
                assertEquals("qdxxxxxxx?16s8sxxxxxx?x", list.format());
                list.set(0, Long.MAX_VALUE);
                list.set(1, "java");
                list.set(2, 1.0 / 3);
                list.set(3, "sixteen  bytes!!");
                list.set(4, null);
                list.set(5, true);
                String output = Python.run("""
                        from multiprocessing import shared_memory, resource_tracker
                        sl = shared_memory.ShareableList(name='%s')
                        print(list(sl))
                        print(sl.format)
                        resource_tracker.unregister(sl.shm._name, 'shared_memory')
                        sl.shm.close()
                        """.formatted(name));
                assertEquals("[9223372036854775807, 'java', 0.3333333333333333, 'sixteen  bytes!!', None, True]\n"
                        + "q8sd16sxxxxxx?xxxxxxxx?", output);
            } finally {
                list.shm().unlink();
            }
        } finally {
            Files.deleteIfExists(ShmDirectory.pathOf(name));
        }
        assertFalse(Files.exists(ShmDirectory.pathOf(name)));
    }
}

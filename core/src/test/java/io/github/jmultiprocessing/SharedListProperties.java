package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;

/** A SharedList behaves as a fixed-size java.util list of its items in their stored form, with CPython's slots. */
class SharedListProperties {

    @Provide
    Arbitrary<Object> values() {
        Arbitrary<String> text = Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u00a0', '\ud7ff')
                .withChars('\0').ofMaxLength(20);
        return Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.integers(), Arbitraries.doubles(),
                Arbitraries.floats(), Arbitraries.of(true, false), text, text,
                Arbitraries.bytes().array(byte[].class).ofMaxSize(20), Arbitraries.just(null));
    }

    @Provide
    Arbitrary<List<Tuple2<Integer, Object>>> sets() {
        return Arbitraries.integers().between(0, 1_000).flatMap(i -> values().map(v -> Tuple.of(i, v)))
                .list().ofMaxSize(30);
    }

    @Property(tries = 200)
    void shouldMatchAListOfStoredValues(@ForAll("valueLists") List<Object> initial,
            @ForAll("sets") List<Tuple2<Integer, Object>> sets) {
        List<Object> model = new ArrayList<>();
        long[] slots = new long[initial.size()];
        for (int i = 0; i < initial.size(); i++) {
            model.add(stored(initial.get(i)));
            byte[] text = encoded(initial.get(i));
            slots[i] = text == null ? 8 : 8L * (text.length / 8 + 1);
        }
        try (SharedList list = SharedList.create(initial)) {
            try (SharedList other = SharedList.attach(list.name())) {
                assertSame(model, list);
                for (Tuple2<Integer, Object> set : sets) {
                    if (model.isEmpty()) {
                        break;
                    }
                    int index = set.get1() % model.size();
                    Object value = set.get2();
                    byte[] text = encoded(value);
                    if (text != null && text.length > slots[index]) {
                        assertThrows(IllegalArgumentException.class, () -> list.set(index, value));
                    } else {
                        list.set(index, value);
                        model.set(index, stored(value));
                    }
                    assertSame(model, other); // another handle sees every write
                    // Searches compare the value as given, with integers as Long and Float as Double (Python: "\0" is
                    // not the item "" that "\0" became).
                    Object probe = value instanceof Integer || value instanceof Float ? stored(value) : value;
                    assertEquals(count(model, probe), list.count(value));
                    assertEquals(indexOf(model, probe), list.indexOf(value));
                }
            } finally {
                list.shm().unlink();
            }
        }
    }

    @Provide
    Arbitrary<List<Object>> valueLists() {
        return values().list().ofMaxSize(12);
    }

    private static void assertSame(List<Object> model, SharedList list) {
        assertEquals(model.size(), list.size());
        for (int i = 0; i < model.size(); i++) {
            if (model.get(i) instanceof byte[] bytes) {
                assertArrayEquals(bytes, (byte[]) list.get(i), "item " + i);
            } else {
                assertEquals(model.get(i), list.get(i), "item " + i);
            }
        }
    }

    private static int count(List<Object> model, Object probe) {
        int count = 0;
        for (Object item : model) {
            count += equal(item, probe) ? 1 : 0;
        }
        return count;
    }

    private static int indexOf(List<Object> model, Object probe) {
        for (int i = 0; i < model.size(); i++) {
            if (equal(model.get(i), probe)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean equal(Object a, Object b) {
        return a instanceof byte[] x && b instanceof byte[] y ? Arrays.equals(x, y) : java.util.Objects.equals(a, b);
    }

    /** {@return a value as it reads back: integers as Long, Float as Double, trailing NULs of text dropped} */
    private static Object stored(Object value) {
        return switch (value) {
            case Integer i -> i.longValue();
            case Float f -> f.doubleValue();
            case String s -> s.replaceAll("\0+$", "");
            case byte[] bytes -> {
                int end = bytes.length;
                while (end > 0 && bytes[end - 1] == 0) {
                    end--;
                }
                yield Arrays.copyOf(bytes, end);
            }
            case null, default -> value;
        };
    }

    private static byte[] encoded(Object value) {
        return value instanceof String s ? s.getBytes(StandardCharsets.UTF_8)
                : value instanceof byte[] bytes ? bytes : null;
    }
}

package io.github.jmultiprocessing.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class PoolFramesTest {

    /** Applies through a TASK's frames, as a worker does, and reads the results back, as the pool does. */
    private static List<Object> throughFrames(List<?> items, Function<Object, Object> function) throws Exception {
        byte[] task = PoolFrames.task(7, 3, items);
        byte[] done = PoolFrames.applied(task, 17, 7, function);
        assertEquals(PoolFrames.DONE, PoolFrames.kind(done));
        assertEquals(7, PoolFrames.number(done));
        return PoolFrames.items(done, 9);
    }

    @Provide
    Arbitrary<List<Object>> items() {
        Arbitrary<Object> item = Arbitraries.oneOf(Arbitraries.longs().map(v -> (Object) v),
                Arbitraries.integers().map(v -> (Object) v), Arbitraries.doubles().map(v -> (Object) v),
                Arbitraries.strings().ofMaxLength(5).map(v -> (Object) v), Arbitraries.just(null));
        return Arbitraries.oneOf(item.list().ofMaxSize(50),
                Arbitraries.longs().map(v -> (Object) v).list().ofMaxSize(50),
                Arbitraries.integers().map(v -> (Object) v).list().ofMaxSize(50));
    }

    /** Results of the item's own type, another packable one, or not packable, depending on the item. */
    private static Object mixed(Object item) {
        if (item instanceof Long v) {
            return v % 7 == 0 ? "seven" : v % 5 == 0 ? null : v * 3;
        }
        if (item instanceof Integer v) {
            return v % 3 == 0 ? (long) v : v + 1;
        }
        return item instanceof Double d ? d / 2 : item;
    }

    @Property(tries = 300)
    void appliedEqualsMappingTheItems(@ForAll("items") List<Object> items) throws Exception {
        assertEquals(items.stream().map(PoolFramesTest::mixed).toList().toString(),
                throughFrames(items, PoolFramesTest::mixed).toString());
        assertEquals(items, throughFrames(items, x -> x), "identity");
    }

    @Test
    void shouldWriteSameTypedResultsPackedAndSwitchWhenTheTypeChanges() throws Exception {
        List<Long> longs = List.of(1L, 2L, 3L);
        assertEquals(List.of(1L, 8L, 27L), throughFrames(longs, x -> (Long) x * (Long) x * (Long) x));
        assertEquals(List.of(2, 3, 4), throughFrames(longs, x -> (int) (long) (Long) x + 1));
        assertEquals(List.of(1.5, 2.5, 3.5), throughFrames(longs, x -> (Long) x + 0.5));
        assertEquals(Arrays.asList(1L, null, 3L), throughFrames(longs, x -> (Long) x == 2 ? null : x));
        assertEquals(Arrays.asList(null, 2L, 3L), throughFrames(longs, x -> (Long) x == 1 ? null : x));
        assertEquals(List.of(1L, 2L, "three"), throughFrames(longs, x -> (Long) x == 3 ? "three" : x));
        assertEquals(List.of(), throughFrames(new ArrayList<>(), x -> x));
    }

    @Test
    void shouldLetAFunctionsExceptionThroughAndRefuseCorruptItems() {
        assertThrows(ArithmeticException.class, () -> throughFrames(List.of(1L, 0L), x -> 1 / (Long) x));
        byte[] task = PoolFrames.task(7, 3, List.of(1L, 2L));
        byte[] cut = Arrays.copyOf(task, task.length - 3);
        assertThrows(StreamCorruptedException.class, () -> PoolFrames.applied(cut, 17, 7, x -> x));
    }

    @Test
    void shouldCarryBatchesWhole() throws Exception {
        List<byte[]> messages = List.of(new byte[] {1, 2}, new byte[] {3}, new byte[] {4, 5, 6});
        byte[] batch = PoolFrames.batch(PoolFrames.TASKS, messages);
        List<byte[]> back = PoolFrames.unbatch(batch);
        assertEquals(3, back.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(Arrays.toString(messages.get(i)), Arrays.toString(back.get(i)));
        }
        assertThrows(StreamCorruptedException.class, () -> PoolFrames.unbatch(Arrays.copyOf(batch, batch.length - 1)));
        byte[] extra = Arrays.copyOf(batch, batch.length + 1);
        assertThrows(StreamCorruptedException.class, () -> PoolFrames.unbatch(extra));
    }
}

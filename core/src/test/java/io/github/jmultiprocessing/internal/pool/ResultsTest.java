package io.github.jmultiprocessing.internal.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A call's results joined from its chunks, packed ones read in place: the list Arrays.asList would have been. */
class ResultsTest {

    @SuppressWarnings("unchecked")
    private static Results results() throws Exception {
        List<Object> packed = PoolFrames.items(PoolFrames.done(1, List.of(1L, 8L, 27L)), 9);
        assertInstanceOf(PackedItems.class, packed, "same-typed numbers stay packed in their message");
        List<Object> each = PoolFrames.items(PoolFrames.done(2, Arrays.asList("x", null, "y")), 9);
        List<Object> doubles = PoolFrames.items(PoolFrames.done(3, List.of(0.5)), 9);
        return new Results(new List[] {packed, each, doubles}, 3, 7);
    }

    @Test
    void readsAsTheChunksEndToEndAndEqualsTheListOfItsElements() throws Exception {
        Results results = results();
        List<Object> expected = Arrays.asList(1L, 8L, 27L, "x", null, "y", 0.5);
        assertEquals(expected, results);
        assertEquals(expected.hashCode(), results.hashCode());
        assertEquals(expected.toString(), results.toString());
        assertArrayEquals(expected.toArray(), results.toArray());
        assertEquals(List.of(8L, 27L, "x"), results.subList(1, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> results.get(7));
        assertThrows(IndexOutOfBoundsException.class, () -> results.get(-1));
    }

    @Test
    void setsLikeArraysAsListAndRefusesAddAndRemove() throws Exception {
        Results results = results();
        assertEquals(8L, results.set(1, "eight"), "a packed chunk is unpacked to take it");
        assertEquals(Arrays.asList(1L, "eight", 27L, "x", null, "y", 0.5), results);
        assertNull(results.set(4, 4));
        assertEquals(0.5, results.set(6, 5.5));
        assertEquals(Arrays.asList(1L, "eight", 27L, "x", 4, "y", 5.5), results);
        assertThrows(UnsupportedOperationException.class, () -> results.add(1));
        assertThrows(UnsupportedOperationException.class, () -> results.remove(0));
    }

    @Test
    void readsAMissingOrShortChunkAsNulls() {
        @SuppressWarnings("unchecked")
        Results results = new Results(new List[] {new ArrayList<>(List.of(1)), null}, 2, 4);
        assertEquals(Arrays.asList(1, null, null, null), results);
        results.set(3, "z");
        assertEquals(Arrays.asList(1, null, null, "z"), results);
    }

    @Test
    void travelsAsAnArraysAsListOfItsElements() throws Exception {
        Results results = results();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(results);
        }
        Object copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = in.readObject();
        }
        assertEquals(Arrays.asList(1L, 8L, 27L, "x", null, "y", 0.5).getClass(), copy.getClass());
        assertEquals(results, copy);
    }
}

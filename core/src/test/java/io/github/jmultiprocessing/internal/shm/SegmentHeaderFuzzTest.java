package io.github.jmultiprocessing.internal.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.jmultiprocessing.testing.Decoding;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Fuzzing of the headers a process reads when it attaches a segment: the library's own segment header
 * ({@link SegmentHeaderLayout#verify}) and a ShareableList's layout, which CPython may have written
 * ({@link ShareableListLayout#verify}, then every item's format and value). Arbitrary bytes and mutated valid
 * segments (the segment keeps its size: the mapping's) are accepted with the right values or refused with an
 * {@link IllegalArgumentException} (verify) or {@link IllegalStateException} (an item) with a message; never an
 * access outside the segment, a hang, an Error, or an allocation out of proportion to the segment.
 */
class SegmentHeaderFuzzTest {

    /** {@return the mutated bytes in a segment of the original's size (a mapping does not change size)} */
    private static byte[] fit(byte[] mutated, int size) {
        return Arrays.copyOf(mutated, size);
    }

    private static Object verifyHeader(byte[] bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(bytes.length, 8);
            MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, bytes.length);
            SegmentHeaderLayout.verify("fuzz", segment, SegmentHeaderLayout.KIND_HEAP_ARENA);
            return SegmentHeaderLayout.creatorPid(segment);
        }
    }

    @Property(tries = 300)
    void segmentHeaderShouldBeVerifiedOrRefusedClearly(@ForAll @Size(max = 300) byte[] arbitrary,
            @ForAll @Size(min = 128, max = 512) byte[] payload, @ForAll long seed) {
        Decoding.assertClear(Decoding.decode(arbitrary, () -> verifyHeader(arbitrary)), Decoding.describe(arbitrary),
                IllegalArgumentException.class);
        byte[] valid;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(payload.length, 8);
            SegmentHeaderLayout.write(segment, SegmentHeaderLayout.KIND_HEAP_ARENA);
            valid = segment.toArray(ValueLayout.JAVA_BYTE);
        }
        assertEquals(ProcessIdentity.pid(), Decoding.decode(valid, () -> verifyHeader(valid)).value());
        byte[] mutated = fit(Decoding.mutate(valid, new Random(seed)), valid.length);
        Decoding.assertClear(Decoding.decode(mutated, () -> verifyHeader(mutated)), Decoding.describe(mutated),
                IllegalArgumentException.class);
    }

    @Provide
    Arbitrary<List<Object>> items() {
        return Arbitraries.oneOf(Arbitraries.longs().map(l -> (Object) l), Arbitraries.doubles().map(d -> (Object) d),
                Arbitraries.of(true, false).map(b -> (Object) b), Arbitraries.just(null),
                Arbitraries.strings().ofMaxLength(20).filter(s -> s.chars().noneMatch(c -> Character.isSurrogate((char) c)))
                        .map(s -> (Object) s),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(20).map(b -> (Object) b)).list().ofMaxSize(8);
    }

    /** Attaches and reads every item; {@return the items} */
    private static List<Object> readList(byte[] bytes) {
        MemorySegment segment = MemorySegment.ofArray(bytes);
        ShareableListLayout layout = ShareableListLayout.verify("fuzz", segment);
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < layout.length(); i++) {
            layout.format(segment, i);
            try {
                items.add(layout.read(segment, i));
            } catch (IllegalStateException e) { // an item CPython would not have written: the others still read
                if (e.getMessage() == null || e.getMessage().isBlank()) {
                    throw new AssertionError("an IllegalStateException without a message", e);
                }
                items.add(e.getClass());
            }
        }
        return items;
    }

    @Property(tries = 300)
    void shareableListShouldBeReadOrRefusedClearly(@ForAll @Size(max = 300) byte[] arbitrary,
            @ForAll("items") List<Object> values, @ForAll long seed) {
        Decoding.assertClear(Decoding.decode(arbitrary, () -> readList(arbitrary)), Decoding.describe(arbitrary),
                IllegalArgumentException.class);
        ShareableListLayout layout = ShareableListLayout.forValues(values);
        byte[] valid = new byte[(int) layout.byteSize()];
        layout.writeAll(MemorySegment.ofArray(valid), values);
        Decoding.Outcome<List<Object>> intact = Decoding.decode(valid, () -> readList(valid));
        assertEquals(null, intact.failure());
        for (int i = 0; i < values.size(); i++) {
            Object expected = ShareableListLayout.stored(values.get(i));
            Object actual = intact.value().get(i);
            if (!java.util.Objects.deepEquals(expected, actual)
                    && !(expected instanceof byte[] b && actual instanceof byte[] a && isPrefixWithoutTrailingNuls(b, a))
                    && !(expected instanceof String s && actual instanceof String a2 && s.replaceAll("\u0000+$", "")
                            .equals(a2))
                    && !(expected instanceof Double d && d.isNaN() && actual instanceof Double a3 && a3.isNaN())) {
                throw new AssertionError("item " + i + " " + expected + " read as " + actual);
            }
        }
        byte[] mutated = fit(Decoding.mutate(valid, new Random(seed)), valid.length);
        Decoding.assertClear(Decoding.decode(mutated, () -> readList(mutated)), Decoding.describe(mutated),
                IllegalArgumentException.class);
    }

    /** CPython strips trailing NULs of bytes and str items: what comes back is the value without them. */
    private static boolean isPrefixWithoutTrailingNuls(byte[] written, byte[] read) {
        int end = written.length;
        while (end > 0 && written[end - 1] == 0) {
            end--;
        }
        return Arrays.equals(Arrays.copyOf(written, end), read);
    }
}

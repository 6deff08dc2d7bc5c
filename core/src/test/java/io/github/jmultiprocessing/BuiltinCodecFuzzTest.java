package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.github.jmultiprocessing.testing.Decoding;
import java.io.StreamCorruptedException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/**
 * Fuzzing of the built-in {@link Codec}s' {@code read}, as a queue's get calls it on a record's bytes: a record of
 * the codec's size reads back what was written; any other size (a corrupt record length) fails with an
 * {@link UncheckedIOException} around a {@link StreamCorruptedException} with a message, never an index exception
 * or a value made of the wrong bytes.
 */
class BuiltinCodecFuzzTest {

    @Property(tries = 200)
    void shouldReadAValueOfItsSizeAndRefuseAnyOther(@ForAll @Size(max = 24) byte[] bytes, @ForAll long l,
            @ForAll int i) {
        MemorySegment src = MemorySegment.ofArray(bytes).asReadOnly();
        for (Codec<?> codec : java.util.List.of(Codec.longs(), Codec.ints())) {
            int size = codec == Codec.longs() ? 8 : 4;
            Decoding.Outcome<Object> outcome = Decoding.decode(bytes, () -> codec.read(src));
            Decoding.assertClear(outcome, Decoding.describe(bytes), UncheckedIOException.class);
            if (bytes.length == size) {
                assertNotNull(outcome.value(), "a value of the codec's size");
            } else {
                assertInstanceOf(UncheckedIOException.class, outcome.failure(), bytes.length + " bytes read as "
                        + outcome.value() + " by " + codec);
                assertInstanceOf(StreamCorruptedException.class, outcome.failure().getCause());
            }
        }
        assertArrayEquals(bytes, Codec.bytes().read(src));
        byte[] written = new byte[8];
        Codec.longs().write(l, MemorySegment.ofArray(written));
        assertEquals(l, Codec.longs().read(MemorySegment.ofArray(written)));
        Codec.ints().write(i, MemorySegment.ofArray(written).asSlice(0, 4));
        assertEquals(i, Codec.ints().read(MemorySegment.ofArray(written).asSlice(0, 4)));
    }
}

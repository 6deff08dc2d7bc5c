package io.github.jmultiprocessing.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.jmultiprocessing.testing.Decoding;
import java.io.IOException;
import java.io.Serializable;
import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CompactCodec}: graphs of fast values, lambdas, objects with forms and fallback values written and read
 * back; shared references read as one object; arbitrary and mutated bytes fail with an {@link IOException}.
 */
class CompactCodecTest {

    interface SerialSupplier<T> extends Supplier<T>, Serializable {
    }

    /** A type with a form: a name and a value it holds (which may be another Box). */
    static final class Box {
        final String name;
        final Object inner;

        Box(String name, Object inner) {
            this.name = name;
            this.inner = inner;
        }
    }

    /** Not a lambda and no form: goes through the fallback. */
    record Point(int x, int y) implements Serializable {
    }

    private static final CompactCodec.Form<Box> BOX = new CompactCodec.Form<>() {
        @Override
        public Class<?> type() {
            return Box.class;
        }

        @Override
        public void write(Box value, CompactCodec.Writer out) throws IOException {
            out.data().writeUTF(value.name);
            out.writeValue(value.inner);
        }

        @Override
        public Box read(CompactCodec.Reader in) throws IOException, ClassNotFoundException {
            String name = in.data().readUTF();
            return new Box(name, in.readValue());
        }
    };

    private final List<Object> fallbacksWritten = new ArrayList<>();

    @BeforeEach
    void registerForms() {
        CompactCodec.setForms(List.of(BOX));
    }

    @AfterEach
    void unregisterForms() {
        CompactCodec.setForms(List.of());
    }

    private byte[] write(Object... values) throws IOException {
        CompactCodec.Writer out = new CompactCodec.Writer(value -> {
            fallbacksWritten.add(value);
            return MessageCodec.encode(value);
        }, lambda -> { });
        for (Object value : values) {
            out.writeValue(value);
        }
        return out.toByteArray();
    }

    private static CompactCodec.Reader reader(byte[] bytes) {
        return new CompactCodec.Reader(bytes, 0, bytes.length, b -> MessageCodec.decode(b, 0, b.length), true);
    }

    @Test
    void shouldReadBackFastValuesFormsLambdasAndFallbacks() throws Exception {
        Box box = new Box("outer", new Box("inner", 42L));
        int captured = 7;
        SerialSupplier<String> lambda = () -> "got " + captured;
        byte[] bytes = write(null, 1, "text", new long[] {1, 2}, box, lambda, new Point(3, 4));

        CompactCodec.Reader in = reader(bytes);
        assertNull(in.readValue());
        assertEquals(1, in.readValue());
        assertEquals("text", in.readValue());
        assertArrayEquals(new long[] {1, 2}, (long[]) in.readValue());
        Box read = (Box) in.readValue();
        assertEquals("outer", read.name);
        assertEquals("inner", ((Box) read.inner).name);
        assertEquals(42L, ((Box) read.inner).inner);
        @SuppressWarnings("unchecked")
        Supplier<String> made = (Supplier<String>) in.readValue();
        assertEquals("got 7", made.get());
        assertEquals(new Point(3, 4), in.readValue());
        in.end();
        assertEquals(List.of(new Point(3, 4)), fallbacksWritten, "only the record needs the fallback");
    }

    @Test
    void shouldReadAnObjectMetTwiceAsOneObject() throws Exception {
        Box shared = new Box("shared", null);
        SerialSupplier<Object> lambda = () -> shared;
        byte[] bytes = write(shared, new Box("holder", shared), lambda, new Box("other", null));

        CompactCodec.Reader in = reader(bytes);
        Box first = (Box) in.readValue();
        Box holder = (Box) in.readValue();
        @SuppressWarnings("unchecked")
        Supplier<Object> made = (Supplier<Object>) in.readValue();
        Box other = (Box) in.readValue();
        assertSame(first, holder.inner);
        assertSame(first, made.get());
        assertNotSame(first, other);
        in.end();
    }

    @Test
    void shouldNotNeedJavaSerializationWhenEveryValueHasAForm() throws Exception {
        String text = "captured";
        SerialSupplier<Object> lambda = () -> new Box(text, null);
        byte[] bytes = write(lambda, new Box("b", new int[] {1}));
        CompactCodec.Reader in = new CompactCodec.Reader(bytes, 0, bytes.length, b -> {
            throw new AssertionError("the fallback reader was asked");
        }, true);
        @SuppressWarnings("unchecked")
        Supplier<Object> made = (Supplier<Object>) in.readValue();
        assertEquals("captured", ((Box) made.get()).name);
        in.readValue();
        in.end();
        assertEquals(List.of(), fallbacksWritten);
    }

    @Test
    void shouldRefuseBytesLeftAfterTheLastValue() throws Exception {
        byte[] one = write(5);
        byte[] longer = java.util.Arrays.copyOf(one, one.length + 1);
        CompactCodec.Reader in = reader(longer);
        assertEquals(5, in.readValue());
        assertThrows(StreamCorruptedException.class, in::end);
    }

    @Test
    void shouldRefuseAReferenceToAnObjectNotReadYet() {
        byte[] bytes = {1, 0, 0, 0, 3}; // REF 3 with nothing read
        assertThrows(StreamCorruptedException.class, () -> reader(bytes).readValue());
    }

    @Test
    void shouldRefuseAFormThatIsNotRegistered() throws Exception {
        byte[] bytes = write(new Box("x", null));
        CompactCodec.setForms(List.of());
        assertThrows(StreamCorruptedException.class, () -> reader(bytes).readValue());
    }

    @Property(tries = 300)
    void shouldReadArbitraryBytesOrFailClearly(@ForAll @Size(max = 80) byte[] bytes) {
        CompactCodec.setForms(List.of(BOX));
        Decoding.assertClear(Decoding.decode(bytes, () -> reader(bytes).readValue()), Decoding.describe(bytes),
                IOException.class, ClassNotFoundException.class);
    }

    @Property(tries = 300)
    void shouldReadMutatedGraphsOrFailClearly(@ForAll long seed) throws Exception {
        CompactCodec.setForms(List.of(BOX));
        int captured = (int) seed;
        SerialSupplier<Integer> lambda = () -> captured;
        byte[] valid = write(new Box("a", new Box("b", lambda)), "text", new Point(1, 2));
        byte[] mutated = Decoding.mutate(valid, new java.util.Random(seed));
        Decoding.assertClear(Decoding.decode(mutated, () -> {
            CompactCodec.Reader in = reader(mutated);
            in.readValue();
            in.readValue();
            return in.readValue();
        }), Decoding.describe(mutated), IOException.class, ClassNotFoundException.class);
    }
}

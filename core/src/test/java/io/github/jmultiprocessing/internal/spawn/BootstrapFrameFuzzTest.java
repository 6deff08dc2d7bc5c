package io.github.jmultiprocessing.internal.spawn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.jmultiprocessing.testing.Decoding;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/**
 * Fuzzing of the bootstrap frame a child reads from its stdin ({@link BootstrapFrame#readFrom}): arbitrary bytes
 * and mutated valid frames give the frame or an {@link IOException} with a message; a payload length up to the
 * 1 GiB limit with few bytes behind it costs only the bytes there (never a 1 GiB allocation), no hang, no Error.
 */
class BootstrapFrameFuzzTest {

    @Property(tries = 300)
    void shouldReadArbitraryBytesOrFailClearly(@ForAll @Size(max = 100) byte[] bytes) {
        Decoding.assertClear(Decoding.decode(bytes, () -> BootstrapFrame.readFrom(new ByteArrayInputStream(bytes))),
                Decoding.describe(bytes), IOException.class);
    }

    @Property(tries = 400)
    void shouldReadMutatedFramesOrFailClearly(@ForAll long pid, @ForAll boolean daemon,
            @ForAll @Size(max = 20) String name, @ForAll @Size(max = 20) String report,
            @ForAll boolean compact, @ForAll @Size(max = 60) byte[] payload, @ForAll long startedMicros,
            @ForAll long seed) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte kind = compact ? BootstrapFrame.COMPACT : BootstrapFrame.SERIALIZED;
        new BootstrapFrame(pid, daemon, name, report, kind, payload, startedMicros).writeTo(out);
        byte[] valid = out.toByteArray();
        Decoding.Outcome<BootstrapFrame> intact = Decoding.decode(valid,
                () -> BootstrapFrame.readFrom(new ByteArrayInputStream(valid)));
        assertEquals(null, intact.failure());
        assertEquals(pid, intact.value().parentPid());
        assertEquals(daemon, intact.value().daemon());
        assertEquals(name, intact.value().name());
        assertEquals(report, intact.value().report());
        assertEquals(startedMicros, intact.value().startedMicros());
        assertEquals(kind, intact.value().kind());
        assertArrayEquals(payload, intact.value().payload());
        byte[] mutated = Decoding.mutate(valid, new Random(seed));
        Decoding.assertClear(Decoding.decode(mutated, () -> BootstrapFrame.readFrom(
                new ByteArrayInputStream(mutated))), Decoding.describe(mutated), IOException.class);
    }

    @org.junit.jupiter.api.Test
    void shouldSayWhatIsMissingWhenAFrameEndsAfterItsMagic() {
        byte[] magicOnly = {0x4a, 0x4d, 0x50, 0x42}; // the minimal example the property found
        var e = org.junit.jupiter.api.Assertions.assertThrows(java.io.EOFException.class,
                () -> BootstrapFrame.readFrom(new ByteArrayInputStream(magicOnly)));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage() != null && e.getMessage().contains("cut short"),
                String.valueOf(e.getMessage()));
    }
}

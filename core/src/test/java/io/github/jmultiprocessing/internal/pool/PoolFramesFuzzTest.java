package io.github.jmultiprocessing.internal.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.jmultiprocessing.testing.Decoding;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Fuzzing of the pool's frame decoders ({@link PoolFrames}): every reader of a worker's or a dispatcher's message
 * (kind, number, task job, form, function, items, results, batches, a failure's body, a task applied in place) on
 * arbitrary bytes and on mutated valid frames returns a value or throws an {@link IOException} with a message;
 * never a runtime exception, a hang, an Error, or an allocation out of proportion to the frame.
 */
class PoolFramesFuzzTest {

    private interface SerializableFunction extends Function<Object, Object>, Serializable {
    }

    @Provide
    Arbitrary<List<Object>> items() {
        return Arbitraries.oneOf(
                Arbitraries.longs().map(l -> (Object) l).list().ofMaxSize(8),
                Arbitraries.integers().map(i -> (Object) i).list().ofMaxSize(8),
                Arbitraries.doubles().map(d -> (Object) d).list().ofMaxSize(8),
                Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(12).map(s -> (Object) s),
                        Arbitraries.integers().map(i -> (Object) i), Arbitraries.just(null)).list().ofMaxSize(8));
    }

    /** Every frame a pool sends or receives, from its parts. */
    private static List<byte[]> frames(long number, List<Object> items) {
        byte[] function = PoolFrames.function((SerializableFunction) x -> x);
        List<byte[]> frames = new ArrayList<>();
        frames.add(PoolFrames.job(number, PoolFrames.FUNCTION, function));
        frames.add(PoolFrames.task(number, number + 1, items));
        frames.add(PoolFrames.call(number, PoolFrames.FUNCTION, function, items));
        frames.add(PoolFrames.done(number, items));
        frames.add(PoolFrames.numbered(PoolFrames.FAILED, number, io.github.jmultiprocessing.internal.codec
                .MessageCodec.encode(new IllegalStateException("failed " + number))));
        frames.add(PoolFrames.numbered(PoolFrames.FORGET, number, null));
        frames.add(PoolFrames.plain(PoolFrames.BROKEN, io.github.jmultiprocessing.internal.codec.MessageCodec
                .encode("broken")));
        frames.add(PoolFrames.batch(PoolFrames.TASKS, List.of(frames.get(1), frames.get(2))));
        return frames;
    }

    /** Reads a frame as its receiver would, by its kind; {@return what it read} */
    private static Object read(byte[] frame) throws IOException {
        byte kind = PoolFrames.kind(frame);
        return switch (kind) {
            case PoolFrames.JOB -> List.of(PoolFrames.number(frame), PoolFrames.form(frame),
                    String.valueOf(PoolFrames.function(frame)));
            case PoolFrames.TASK -> {
                List<Object> read = new ArrayList<>(List.of(PoolFrames.number(frame), PoolFrames.taskJob(frame)));
                read.add(PoolFrames.items(frame, 17));
                read.add(new String(PoolFrames.applied(frame, 17, 7, x -> x)));
                yield read;
            }
            case PoolFrames.CALL -> {
                List<Object> read = new ArrayList<>(List.of(PoolFrames.number(frame), PoolFrames.form(frame)));
                read.add(String.valueOf(PoolFrames.function(frame)));
                read.add(PoolFrames.items(frame, PoolFrames.callItems(frame)));
                yield read;
            }
            case PoolFrames.DONE -> List.of(PoolFrames.number(frame), PoolFrames.items(frame, 9));
            case PoolFrames.FAILED -> List.of(PoolFrames.number(frame), String.valueOf(PoolFrames.body(frame, 9)));
            case PoolFrames.FORGET -> List.of(PoolFrames.number(frame));
            case PoolFrames.BROKEN -> List.of(String.valueOf(PoolFrames.body(frame, 1)));
            case PoolFrames.TASKS -> {
                List<Object> read = new ArrayList<>();
                for (byte[] each : PoolFrames.unbatch(frame)) {
                    read.add(read(each));
                }
                yield read;
            }
            default -> List.of(kind);
        };
    }

    /** Every reader on every frame kind, whatever the kind byte says: readers must not trust it either. */
    private static Object readEveryWay(byte[] frame) throws IOException {
        List<Object> read = new ArrayList<>();
        for (int kind : new int[] {PoolFrames.JOB, PoolFrames.TASK, PoolFrames.CALL, PoolFrames.DONE,
            PoolFrames.FAILED, PoolFrames.FORGET, PoolFrames.BROKEN, PoolFrames.TASKS}) {
            byte[] as = frame.clone();
            if (as.length > 0) {
                as[0] = (byte) kind;
            }
            try {
                read.add(read(as));
            } catch (IOException e) {
                if (e.getMessage() == null || e.getMessage().isBlank()) {
                    throw new AssertionError("an IOException without a message", e);
                }
                read.add(e.getClass());
            }
        }
        return read;
    }

    private interface Reader {
        Object read(byte[] frame) throws IOException;
    }

    /** Each reader alone, as its javadoc promises it (an IOException for what does not decode), in no order. */
    private static final List<Reader> READERS = List.of(PoolFrames::kind, PoolFrames::number, PoolFrames::taskJob,
            PoolFrames::form, PoolFrames::callItems, PoolFrames::function, PoolFrames::unbatch,
            frame -> PoolFrames.items(frame, 17), frame -> PoolFrames.items(frame, 9),
            frame -> PoolFrames.body(frame, 9), frame -> PoolFrames.body(frame, 1),
            frame -> PoolFrames.applied(frame, 17, 7, x -> x));

    private static Object readEachAlone(byte[] frame) throws IOException {
        List<Object> read = new ArrayList<>();
        for (Reader reader : READERS) {
            try {
                read.add(reader.read(frame));
            } catch (IOException e) {
                if (e.getMessage() == null || e.getMessage().isBlank()) {
                    throw new AssertionError("an IOException without a message", e);
                }
                read.add(e.getClass());
            }
        }
        return read;
    }

    @Property(tries = 300)
    void eachReaderAloneShouldReadArbitraryBytesOrFailClearly(@ForAll @Size(max = 40) byte[] bytes) {
        Decoding.assertClear(Decoding.decode(bytes, () -> readEachAlone(bytes)), Decoding.describe(bytes),
                IOException.class);
    }

    @Property(tries = 300)
    void shouldReadArbitraryBytesOrFailClearly(@ForAll @Size(max = 120) byte[] bytes) {
        Decoding.assertClear(Decoding.decode(bytes, () -> readEveryWay(bytes)), Decoding.describe(bytes),
                IOException.class);
    }

    @Property(tries = 300)
    void shouldReadMutatedFramesOrFailClearly(@ForAll("items") List<Object> items, @ForAll long number,
            @ForAll @IntRange(min = 0, max = 7) int which, @ForAll long seed) throws Exception {
        byte[] valid = frames(number, items).get(which);
        Decoding.Outcome<Object> intact = Decoding.decode(valid, () -> read(valid));
        assertEquals(null, intact.failure(), "a valid frame failed");
        if (which == 1) {
            assertEquals(items, ((List<?>) intact.value()).get(2), "a task's items");
        }
        byte[] mutated = Decoding.mutate(valid, new Random(seed));
        Decoding.assertClear(Decoding.decode(mutated, () -> readEveryWay(mutated)), Decoding.describe(mutated),
                IOException.class);
    }

    @Property(tries = 100)
    void shouldCarryBatchesWhole(@ForAll("items") List<Object> items, @ForAll long number) throws Exception {
        List<byte[]> frames = frames(number, items);
        List<byte[]> back = PoolFrames.unbatch(PoolFrames.batch(PoolFrames.TASKS, frames));
        assertEquals(frames.size(), back.size());
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(frames.get(i), back.get(i));
        }
    }

    @org.junit.jupiter.api.Test
    void shouldRefuseAnEmptyJobAndAFailureWithoutBodyWithAnIOException() { // the minimal examples found
        org.junit.jupiter.api.Assertions.assertThrows(java.io.StreamCorruptedException.class,
                () -> PoolFrames.function(new byte[0]));
        org.junit.jupiter.api.Assertions.assertThrows(java.io.StreamCorruptedException.class,
                () -> PoolFrames.body(new byte[8], 9));
    }
}

package io.github.jmultiprocessing.litmus;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.jmultiprocessing.internal.ring.SpscRing;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * jcstress litmus tests of the publication of a record in {@link SpscRing} (the ring under every queue and pipe):
 * a reader that sees a record sees its whole header and payload, never a torn, stale or out-of-order record. The
 * writer writes two records A then B; the reader takes what it finds, twice. Each sample gets a fresh ring of
 * 64 bytes in memory of its own (see {@link LockWordLitmus}); run by {@code LitmusIT}.
 *
 * <p>Results per take: 0 nothing published yet, 1 record A whole, 2 record B whole, 9 a record with other bytes
 * (torn or stale), -1 the reader threw (it judged the ring corrupt).
 */
public final class SpscRingLitmus {

    public static final int CAPACITY = 64;
    public static final byte[] A = filled(16, 0x1A);
    public static final byte[] B = filled(12, 0x2B);
    static final byte[] OLD = filled(24, 0x77);

    private SpscRingLitmus() {
    }

    static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        bytes[length - 1] = (byte) (value + 1); // the last byte differs: a payload cut short is not the record
        return bytes;
    }

    public static MemorySegment freshMemory() {
        return Arena.ofAuto().allocate(SpscRing.size(CAPACITY), 128); // zeroed
    }

    public static int classify(byte[] message) {
        if (message == null) {
            return 0;
        }
        if (Arrays.equals(message, A)) {
            return 1;
        }
        if (Arrays.equals(message, B)) {
            return 2;
        }
        return 9;
    }

    /** A chained ring (a queue's), written with {@code tryWrite}, read with {@code poll}. */
    @JCStressTest
    @Outcome(id = {"0, 0", "0, 1", "1, 0", "1, 2"}, expect = ACCEPTABLE, desc = "records whole, in order, or none")
    @Outcome(id = {".*9.*"}, expect = FORBIDDEN, desc = "a torn or stale record")
    @Outcome(expect = FORBIDDEN, desc = "B before A, a record twice, or the ring judged corrupt")
    @State
    public static class Chained {
        final SpscRing ring = SpscRing.createChained(freshMemory(), CAPACITY);

        @Actor
        public void writer() {
            try {
                if (!ring.tryWrite(A, 0, A.length) || !ring.tryWrite(B, 0, B.length)) {
                    throw new AssertionError("no room in an empty ring");
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        @Actor
        public void reader(II_Result r) {
            try {
                r.r1 = classify(ring.poll());
                r.r2 = classify(ring.poll());
            } catch (IOException e) {
                r.r1 = -1;
            }
        }
    }

    /**
     * A chained ring whose next record wraps: the ring already carried and cleared a 32-byte record (bytes 0..40),
     * so A goes after a PAD record at 40, into the bytes of the old one. The reader never sees the old bytes.
     */
    @JCStressTest
    @Outcome(id = {"0, 0", "0, 1", "1, 0"}, expect = ACCEPTABLE, desc = "A whole, or not yet")
    @Outcome(id = {".*9.*"}, expect = FORBIDDEN, desc = "a torn or stale record")
    @Outcome(expect = FORBIDDEN, desc = "a record twice, or the ring judged corrupt")
    @State
    public static class Wrapped {
        final SpscRing ring;

        public Wrapped() {
            ring = SpscRing.createChained(freshMemory(), CAPACITY);
            try {
                if (!ring.tryWrite(OLD, 0, OLD.length) || classify(ring.poll()) != 9) {
                    throw new AssertionError("the old record did not go through");
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        @Actor
        public void writer() {
            try {
                if (!ring.tryWrite(A, 0, A.length)) {
                    throw new AssertionError("no room in an empty ring");
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        @Actor
        public void reader(II_Result r) {
            try {
                r.r1 = classify(ring.poll());
                r.r2 = classify(ring.poll());
            } catch (IOException e) {
                r.r1 = -1;
            }
        }
    }

    /** A pipe ring, written with {@code write}, read with {@code read} without waiting. */
    @JCStressTest
    @Outcome(id = {"0, 0", "0, 1", "1, 0", "1, 2"}, expect = ACCEPTABLE, desc = "records whole, in order, or none")
    @Outcome(id = {".*9.*"}, expect = FORBIDDEN, desc = "a torn or stale record")
    @Outcome(expect = FORBIDDEN, desc = "B before A, a record twice, or the ring judged corrupt")
    @State
    public static class Pipe {
        final SpscRing ring = SpscRing.create(freshMemory(), CAPACITY);

        @Actor
        public void writer() {
            try {
                if (!ring.write(A, 0, A.length, 0, () -> false) || !ring.write(B, 0, B.length, 0, () -> false)) {
                    throw new AssertionError("no room in an empty ring");
                }
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        @Actor
        public void reader(II_Result r) {
            try {
                r.r1 = classify(ring.read(0, () -> false));
                r.r2 = classify(ring.read(0, () -> false));
            } catch (IOException | InterruptedException e) {
                r.r1 = -1;
            }
        }
    }
}

package io.github.jmultiprocessing.litmus.broken;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.jmultiprocessing.internal.ring.SpscRing;
import io.github.jmultiprocessing.litmus.SpscRingLitmus;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Deliberately broken writers of a chained {@link SpscRing}'s records, read by the real {@code poll}, under the
 * outcomes of {@code SpscRingLitmus.Chained} (0 none, 1 A whole, 2 B whole, 9 torn or stale). The writers write the
 * ring's bytes themselves (the offsets below are SpscRing's: tail at 0, data at 640, an 8-byte header
 * {@code length | WHOLE << 32} then the payload, padded to 8). {@code LitmusIT} requires {@link HeaderFirst} (the
 * header published before the payload is copied) to fail. {@link PlainHeader} (the header written with a plain
 * store) is wrong under the Java memory model but passes on x86: x86 does not reorder a store with older stores,
 * and C2 keeps the order of stores to native memory; it would take ARM or POWER to fail it.
 */
public final class BrokenRingLitmus {

    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final long TAIL = 0;
    private static final long DATA = 640;
    private static final long WHOLE = 1;

    private BrokenRingLitmus() {
    }

    static long header(int length) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("the header word below is little-endian");
        }
        return (length & 0xFFFF_FFFFL) | WHOLE << 32;
    }

    static int read(SpscRing ring) {
        try {
            return SpscRingLitmus.classify(ring.poll());
        } catch (IOException e) {
            return -1;
        }
    }

    /** The header is published (with release) before the payload is written. */
    @JCStressTest
    @Outcome(id = {"0, 0", "0, 1", "1, 0", "1, 2"}, expect = ACCEPTABLE, desc = "records whole, in order, or none")
    @Outcome(id = {".*9.*"}, expect = FORBIDDEN, desc = "a torn or stale record")
    @Outcome(expect = FORBIDDEN, desc = "B before A, a record twice, or the ring judged corrupt")
    @State
    public static class HeaderFirst {
        final MemorySegment memory = SpscRingLitmus.freshMemory();
        final SpscRing ring = SpscRing.createChained(memory, SpscRingLitmus.CAPACITY);

        long write(long tail, byte[] payload) {
            LONG.setRelease(memory, DATA + tail, header(payload.length)); // BROKEN: before the payload
            BrokenLockLitmus.widen();
            MemorySegment.copy(payload, 0, memory, JAVA_BYTE, DATA + tail + 8, payload.length);
            long next = tail + ((8 + payload.length + 7) & ~7);
            LONG.setRelease(memory, TAIL, next);
            return next;
        }

        @Actor
        public void writer() {
            write(write(0, SpscRingLitmus.A), SpscRingLitmus.B);
        }

        @Actor
        public void reader(II_Result r) {
            r.r1 = read(ring);
            r.r2 = read(ring);
        }
    }

    /** The payload, then the header with a plain store. Passes on x86; see the class notes. */
    @JCStressTest
    @Outcome(id = {"0, 0", "0, 1", "1, 0", "1, 2"}, expect = ACCEPTABLE, desc = "records whole, in order, or none")
    @Outcome(id = {".*9.*"}, expect = FORBIDDEN, desc = "a torn or stale record")
    @Outcome(expect = FORBIDDEN, desc = "B before A, a record twice, or the ring judged corrupt")
    @State
    public static class PlainHeader {
        final MemorySegment memory = SpscRingLitmus.freshMemory();
        final SpscRing ring = SpscRing.createChained(memory, SpscRingLitmus.CAPACITY);

        long write(long tail, byte[] payload) {
            MemorySegment.copy(payload, 0, memory, JAVA_BYTE, DATA + tail + 8, payload.length);
            memory.set(JAVA_LONG, DATA + tail, header(payload.length)); // BROKEN: plain, no release
            long next = tail + ((8 + payload.length + 7) & ~7);
            memory.set(JAVA_LONG, TAIL, next);
            return next;
        }

        @Actor
        public void writer() {
            write(write(0, SpscRingLitmus.A), SpscRingLitmus.B);
        }

        @Actor
        public void reader(II_Result r) {
            r.r1 = read(ring);
            r.r2 = read(ring);
        }
    }
}

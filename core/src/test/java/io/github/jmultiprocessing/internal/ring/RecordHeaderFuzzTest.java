package io.github.jmultiprocessing.internal.ring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.queue.QueueChannel;
import io.github.jmultiprocessing.internal.queue.QueueLayout;
import io.github.jmultiprocessing.internal.shm.MappedSegment;
import io.github.jmultiprocessing.internal.shm.SegmentTable;
import io.github.jmultiprocessing.testing.Decoding;
import java.io.StreamCorruptedException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Fuzzing of record headers as a reader decodes them, with any value, not only plausible ones (RingCorruptionTest
 * has the plausible ones and the positions): a pipe ring's records (WHOLE, a message in pieces: FIRST with its
 * total length, MORE) and a queue's chained ring, a header or a total overwritten with extremes (negative, huge,
 * 1 GiB, past the ring, every kind), then the producer goes on. Each read, bounded, gives a message that was
 * written (with a checksum; without one, changed lengths may deliver changed bytes) or a
 * {@link StreamCorruptedException} with a message; never a hang, an Error, or an allocation out of proportion to
 * the ring (a total length of 1 GiB must not allocate 1 GiB).
 */
class RecordHeaderFuzzTest {

    private static final long DATA = 640;
    private static final int CAPACITY = 4096;

    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.oneOf(Arbitraries.of(0, -1, -8, 1, 7, 8, Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 30,
                CAPACITY, CAPACITY / 2 - 8, CAPACITY / 2 - 16, CAPACITY - 8, 100, 3000), Arbitraries.integers());
    }

    @Provide
    Arbitrary<Integer> kinds() {
        return Arbitraries.oneOf(Arbitraries.integers().between(-1, 8), Arbitraries.integers());
    }

    @Provide
    Arbitrary<Long> totals() {
        return Arbitraries.oneOf(Arbitraries.of(0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 30,
                (long) Integer.MAX_VALUE - 8, (long) Integer.MAX_VALUE, 2999L, 3001L, 3000L + CAPACITY, 1L << 40),
                Arbitraries.longs());
    }

    private static byte[] message(int length, int seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Where the records are: A whole (100 bytes), B in pieces (3000: FIRST then MORE), C whole (50). */
    private static long[] records(boolean checksum) {
        int trailer = checksum ? 4 : 0;
        long a = 0;
        long b = a + ((8 + 100 + trailer + 7) & ~7);
        long more = b + CAPACITY / 2; // a first piece takes half the ring
        long c = more + ((8 + (3000 - (CAPACITY / 2 - 8 - (checksum ? 8 : 0) - 8)) + trailer + 7) & ~7);
        return new long[] {a, b, more, c};
    }

    @Property(tries = 250)
    void aPipeReaderShouldThrowOrDeliverWhateverAHeaderSays(@ForAll("lengths") int length,
            @ForAll("kinds") int kind, @ForAll("totals") long total, @ForAll @IntRange(min = 0, max = 4) int target,
            @ForAll boolean checksum) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(SpscRing.size(CAPACITY), 128);
            SpscRing ring = SpscRing.create(memory, CAPACITY, checksum);
            List<byte[]> written = new ArrayList<>(List.of(message(100, 1), message(3000, 2), message(50, 3)));
            for (byte[] m : written) {
                assertTrue(ring.write(m, 0, m.length, -1, () -> false));
            }
            long[] records = records(checksum);
            String change;
            if (target == 4) { // the total length of the message in pieces
                memory.set(JAVA_LONG, DATA + records[1] + 8, total);
                change = "total=" + total;
            } else {
                memory.set(JAVA_INT, DATA + records[target], length);
                memory.set(JAVA_INT, DATA + records[target] + 4, kind);
                change = "header of record " + target + " = " + length + "/" + kind;
            }
            byte[] after = message(60, 4);
            written.add(after);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicBoolean writerGone = new AtomicBoolean();
            Thread producer = Thread.ofPlatform().daemon().start(() -> { // the producer goes on, as a pipe's does
                try {
                    while (!stop.get()) {
                        ring.write(after, 0, after.length, java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10),
                                stop::get);
                        Thread.sleep(1);
                    }
                } catch (Exception e) { // it saw the corruption: its user closes the pipe, the reader sees it gone
                    writerGone.set(true);
                    ring.wakeAll();
                }
            });
            try {
                readAll(written, after, checksum, change, () -> ring.read(-1, writerGone::get));
            } finally {
                stop.set(true);
                ring.wakeAll();
                producer.join(10_000);
            }
        }
    }

    @net.jqwik.api.Example
    void aTotalOfOneGibibyteShouldNotAllocateIt() throws Exception { // the minimal example the property found
        aPipeReaderShouldThrowOrDeliverWhateverAHeaderSays(0, 0, 1L << 30, 4, false);
    }

    @Property(tries = 150)
    void aQueueReaderShouldThrowOrDeliverWhateverAHeaderSays(@ForAll("lengths") int length,
            @ForAll("kinds") int kind, @ForAll @IntRange(min = 0, max = 2) int target, @ForAll boolean checksum)
            throws Exception {
        try (QueueChannel queue = QueueChannel.create(0, 1024, false, checksum)) {
            List<byte[]> written = new ArrayList<>(List.of(message(100, 1), message(10, 2), message(200, 3)));
            for (byte[] m : written) {
                assertTrue(queue.put(m, 0, () -> false));
            }
            int trailer = checksum ? 4 : 0;
            long[] records = {0, (8 + 100 + trailer + 7) & ~7, ((8 + 100 + trailer + 7) & ~7)
                + ((8 + 10 + trailer + 7) & ~7)};
            MappedSegment segment = SegmentTable.attach(queue.name() + ".0");
            try {
                segment.segment().set(JAVA_INT, QueueLayout.RING + DATA + records[target], length);
                segment.segment().set(JAVA_INT, QueueLayout.RING + DATA + records[target] + 4, kind);
            } finally {
                SegmentTable.release(segment);
            }
            byte[] after = message(60, 4);
            assertTrue(queue.put(after, 0, () -> false)); // the producer goes on
            written.add(after);
            readAll(written, after, checksum, "header of record " + target + " = " + length + "/" + kind,
                    () -> queue.get(-1, () -> false));
        }
    }

    private interface Read {
        byte[] read() throws Exception;
    }

    /**
     * Reads until every message came or an exception (corrupt; or the writer gone, having seen the corruption
     * itself); each read bounded by {@link Decoding}. With a checksum, what comes is a message written, in order
     * (some may be lost), or the producer's {@code repeated} one.
     */
    private static void readAll(List<byte[]> written, byte[] repeated, boolean checksum, String change, Read read) {
        int next = 0;
        for (int i = 0; i < written.size(); i++) {
            Decoding.Outcome<byte[]> outcome = Decoding.decode(3L * CAPACITY, () -> change, read::read);
            Decoding.assertClear(outcome, change, StreamCorruptedException.class, java.io.EOFException.class);
            if (outcome.failure() != null) {
                return; // told: corrupt, or the writer is gone
            }
            byte[] got = outcome.value();
            assertTrue(got != null, "a read with no timeout returned nothing after " + change);
            if (!checksum || Arrays.equals(got, repeated)) {
                continue; // without a checksum a changed length may deliver changed bytes
            }
            while (next < written.size() && !Arrays.equals(written.get(next), got)) {
                next++; // a message lost to the change is allowed; garbage is not
            }
            assertTrue(next < written.size(), "a message that was never written was delivered after " + change);
            next++;
        }
    }
}

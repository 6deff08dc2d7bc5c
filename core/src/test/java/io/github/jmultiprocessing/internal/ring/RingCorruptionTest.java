package io.github.jmultiprocessing.internal.ring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.jmultiprocessing.internal.connection.PipeChannel;
import io.github.jmultiprocessing.internal.queue.QueueLayout;
import io.github.jmultiprocessing.internal.connection.PipeLayout;
import io.github.jmultiprocessing.internal.queue.QueueChannel;
import io.github.jmultiprocessing.internal.shm.MappedSegment;
import io.github.jmultiprocessing.internal.shm.SegmentTable;
import java.io.StreamCorruptedException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Plausible but wrong bytes written into a queue's or a pipe's ring (issue 14): a consumer gets an exception within a
 * bounded time, never waits for good while the producer goes on.
 */
class RingCorruptionTest {

    private static final long TAIL = 0;
    private static final long HEAD = 128;
    private static final long DATA = 640;
    private static final int PAD = 4;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private static byte[] message(int length, int seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Puts three 100-byte messages (records of 112 bytes at 0, 112, 224), corrupts ring 0, puts two more. */
    private static Throwable corruptQueue(Consumer<MemorySegment> corruption) throws Exception {
        try (QueueChannel queue = QueueChannel.create(0, 1024, false)) {
            byte[] zeros = new byte[100];
            for (int i = 0; i < 3; i++) {
                assertTrue(queue.put(zeros, 0, () -> false));
            }
            MappedSegment ring = SegmentTable.attach(queue.name() + ".0");
            try {
                corruption.accept(ring.segment().asSlice(QueueLayout.RING));
            } finally {
                SegmentTable.release(ring);
            }
            for (int i = 0; i < 2; i++) { // the producer goes on
                assertTrue(queue.put(zeros, 0, () -> false));
            }
            AtomicBoolean stop = new AtomicBoolean();
            try {
                for (int i = 0; i < 5; i++) {
                    CompletableFuture<byte[]> get = CompletableFuture.supplyAsync(() -> {
                        try {
                            return queue.get(-1, stop::get);
                        } catch (Exception e) {
                            throw new java.util.concurrent.CompletionException(e);
                        }
                    });
                    try {
                        get.get(5, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        return e.getCause();
                    }
                }
            } catch (TimeoutException e) {
                fail("the consumer waited 5 s with no message and no exception");
            } finally {
                stop.set(true);
            }
            return fail("every message taken: the corruption was not noticed");
        }
    }

    private static void assertCorrupt(Throwable thrown) {
        assertInstanceOf(StreamCorruptedException.class, thrown);
        assertTrue(thrown.getMessage().contains("corrupt"), thrown.getMessage());
    }

    @Test
    void shouldThrowWhenTheQueuesHeadIsMovedIntoAPayload() throws Exception {
        assertCorrupt(corruptQueue(ring -> ring.set(JAVA_LONG, HEAD, 16)));
    }

    @Test
    void shouldThrowWhenARecordHeaderAtTheQueuesHeadIsZeroed() throws Exception {
        assertCorrupt(corruptQueue(ring -> ring.set(JAVA_LONG, DATA, 0L)));
    }

    @Test
    void shouldThrowWhenTheQueuesTailIsMovedPastAGap() throws Exception {
        assertCorrupt(corruptQueue(ring -> ring.set(JAVA_LONG, TAIL, ring.get(JAVA_LONG, TAIL) + 64)));
    }

    @Test
    void shouldThrowWhenAPaddingRecordIsWrittenAtTheQueuesHead() throws Exception {
        assertCorrupt(corruptQueue(ring -> {
            ring.set(JAVA_INT, DATA, 1024 - 8); // a plausible PAD: exactly to the end of the ring
            ring.set(JAVA_INT, DATA + 4, PAD);
        }));
    }

    /** Writes three 100-byte messages into a pipe ring, corrupts it, and reads with no timeout. */
    private static Throwable corruptPipe(Consumer<MemorySegment> corruption) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(SpscRing.size(1024), 128);
            SpscRing ring = SpscRing.create(memory, 1024);
            byte[] zeros = new byte[100];
            for (int i = 0; i < 3; i++) {
                assertTrue(ring.write(zeros, 0, zeros.length, -1, () -> false));
            }
            corruption.accept(memory);
            AtomicBoolean stop = new AtomicBoolean();
            try {
                for (int i = 0; i < 3; i++) {
                    CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
                        try {
                            return ring.read(-1, stop::get);
                        } catch (Exception e) {
                            throw new java.util.concurrent.CompletionException(e);
                        }
                    });
                    try {
                        assertArrayEquals(zeros, read.get(5, TimeUnit.SECONDS));
                    } catch (ExecutionException e) {
                        return e.getCause();
                    }
                }
            } catch (TimeoutException e) {
                fail("the reader waited 5 s with no message and no exception");
            } finally {
                stop.set(true);
                ring.wakeAll();
            }
            return fail("every message read: the corruption was not noticed");
        }
    }

    @Test
    void shouldThrowWhenAPipesHeadIsMovedIntoAPayload() throws Exception {
        assertCorrupt(corruptPipe(ring -> ring.set(JAVA_LONG, HEAD, 16)));
    }

    @Test
    void shouldThrowWhenAPipesHeadIsMovedLapsAheadOfItsTail() throws Exception {
        assertCorrupt(corruptPipe(ring -> ring.set(JAVA_LONG, HEAD, ring.get(JAVA_LONG, TAIL) + 2 * 1024)));
    }

    @Test
    void shouldThrowWhenARecordHeaderAtAPipesHeadIsZeroed() throws Exception {
        assertCorrupt(corruptPipe(ring -> ring.set(JAVA_LONG, DATA, 0L)));
    }

    @Test
    void shouldDropAQueueMessageWhosePayloadChangedWhenChecksummed() throws Exception {
        try (QueueChannel queue = QueueChannel.create(0, 1024, false, true);
                QueueChannel other = QueueChannel.attach(queue.name())) {
            assertTrue(other.checksummed(), "an attached process follows the creator's choice");
            byte[] a = message(100, 1);
            byte[] b = message(50, 2);
            assertTrue(other.put(a, 0, () -> false));
            assertTrue(other.put(b, 0, () -> false));
            MappedSegment ring = SegmentTable.attach(queue.name() + ".0");
            try {
                MemorySegment memory = ring.segment().asSlice(QueueLayout.RING);
                memory.set(JAVA_BYTE, DATA + 8 + 10, (byte) (a[10] ^ 1)); // one bit of a's payload
                StreamCorruptedException e = assertThrows(StreamCorruptedException.class,
                        () -> queue.get(SECOND, () -> false));
                assertTrue(e.getMessage().contains("checksum"), e.getMessage());
                assertArrayEquals(b, queue.get(SECOND, () -> false), "the next message, whole");
                assertNull(queue.get(0, () -> false), "empty, and the dropped message counted as taken");
                assertEquals(0, queue.size());
                assertTrue(queue.put(a, 0, () -> false)); // a record at 176: its length changed by 8
                memory.set(JAVA_INT, DATA + 176, 92);
                e = assertThrows(StreamCorruptedException.class, () -> queue.get(SECOND, () -> false));
                assertTrue(e.getMessage().contains("checksum"), e.getMessage());
            } finally {
                SegmentTable.release(ring);
            }
        }
    }

    @Test
    void shouldDropAPipeMessageWhosePayloadChangedWhenChecksummed() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(PipeChannel.size(1024, false), 128);
            PipeChannel.format(memory, 1024, false, true);
            SpscRing ring = SpscRing.attach(memory.asSlice(PipeLayout.RINGS, SpscRing.size(1024)));
            assertTrue(ring.checksummed());
            byte[] a = message(100, 1);
            byte[] b = message(50, 2);
            assertTrue(ring.write(a, 0, a.length, -1, () -> false));
            assertTrue(ring.write(b, 0, b.length, -1, () -> false));
            memory.set(JAVA_BYTE, PipeLayout.RINGS + DATA + 8 + 99, (byte) (a[99] ^ 0x80)); // its last byte
            StreamCorruptedException e = assertThrows(StreamCorruptedException.class, () -> ring.read(0, () -> false));
            assertTrue(e.getMessage().contains("checksum"), e.getMessage());
            assertArrayEquals(b, ring.read(0, () -> false), "the next message, whole");
            assertFalse(ring.available());
        }
    }

    @Test
    void shouldCarryMessagesInPiecesWithAChecksumAndDetectAChangedPiece() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(SpscRing.size(4096), 128);
            SpscRing ring = SpscRing.create(memory, 4096, true);
            byte[] big = message(3000, 3); // a first piece of 2032 bytes (maxPiece) and one more
            assertEquals(4096 / 2 - 16, ring.maxPiece());
            assertTrue(ring.write(big, 0, big.length, -1, () -> false));
            assertArrayEquals(big, ring.read(0, () -> false));
            assertTrue(ring.write(big, 0, big.length, -1, () -> false));
            long second = memory.get(JAVA_LONG, HEAD) + 2048; // the MORE piece after the 2048-byte first one
            long at = DATA + (second & 4095) + 8 + 5;
            memory.set(JAVA_BYTE, at, (byte) (memory.get(JAVA_BYTE, at) ^ 4));
            StreamCorruptedException e = assertThrows(StreamCorruptedException.class, () -> ring.read(0, () -> false));
            assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        }
    }

    /**
     * Random plausible values in a checksummed queue's ring: its positions, wait words, a record header or one
     * byte of a record: every get (with no timeout, under a deadline) returns a message that was put, in order, or
     * throws; it never waits for good and never returns bytes that were not put.
     */
    @Property(tries = 150)
    void shouldThrowOrDeliverWhatWasPutWhateverHeaderBytesChange(
            @ForAll @IntRange(min = 1, max = 12) int count,
            @ForAll @IntRange(min = 0, max = 3) int what,
            @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE - 1) int random,
            @ForAll boolean checksum) throws Exception {
        Random rnd = new Random(random);
        try (QueueChannel queue = QueueChannel.create(0, 1024, false, checksum)) {
            List<byte[]> put = new ArrayList<>();
            List<Long> records = new ArrayList<>();
            long at = 0;
            for (int i = 0; i < count; i++) {
                byte[] m = message(rnd.nextInt(64), i); // 12 records of at most 80 bytes: all in ring 0's 1024
                assertTrue(queue.put(m, 0, () -> false));
                put.add(m);
                records.add(at);
                at += (8 + m.length + (checksum ? 4 : 0) + 7) & ~7;
            }
            MappedSegment ring = SegmentTable.attach(queue.name() + ".0");
            String change;
            try {
                MemorySegment memory = ring.segment().asSlice(QueueLayout.RING);
                long[] words = {0, 8, 16, 128, 136, 144, 256, 384};
                switch (what) {
                    case 0 -> { // a position or wait word: a plausible value near the real one
                        long word = words[rnd.nextInt(words.length)];
                        long value = memory.get(JAVA_LONG, word) + 8L * (rnd.nextInt(33) - 16);
                        memory.set(JAVA_LONG, word, value);
                        change = "word at " + word + " = " + value;
                    }
                    case 1 -> { // a record header: a plausible length and kind
                        long record = records.get(rnd.nextInt(count));
                        int length = rnd.nextInt(200);
                        int kind = 1 + rnd.nextInt(6);
                        memory.set(JAVA_INT, DATA + record, length);
                        memory.set(JAVA_INT, DATA + record + 4, kind);
                        change = "header at " + record + " = " + length + "/" + kind;
                    }
                    case 2 -> { // a record header zeroed
                        long record = records.get(rnd.nextInt(count));
                        memory.set(JAVA_LONG, DATA + record, 0L);
                        change = "header at " + record + " zeroed";
                    }
                    default -> { // one byte anywhere in the records
                        long offset = DATA + rnd.nextInt((int) Math.max(1, at));
                        memory.set(JAVA_BYTE, offset, (byte) (memory.get(JAVA_BYTE, offset) ^ (1 + rnd.nextInt(255))));
                        change = "byte at " + offset;
                    }
                }
            } finally {
                SegmentTable.release(ring);
            }
            AtomicBoolean stop = new AtomicBoolean();
            int next = 0;
            try {
                for (int i = 0; i < count; i++) {
                    CompletableFuture<byte[]> get = CompletableFuture.supplyAsync(() -> {
                        try {
                            return queue.get(-1, stop::get);
                        } catch (Exception e) {
                            throw new java.util.concurrent.CompletionException(e);
                        }
                    });
                    byte[] got;
                    try {
                        got = get.get(5, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        assertInstanceOf(Exception.class, e.getCause(), change); // not an Error
                        return; // told: the queue is corrupt
                    } catch (TimeoutException e) {
                        fail("the consumer waited 5 s with no message and no exception after " + change);
                        return;
                    }
                    if (!checksum) {
                        continue; // without a checksum, changed bytes may be delivered as they are
                    }
                    while (next < count && !java.util.Arrays.equals(put.get(next), got)) {
                        next++; // a message lost to the change is allowed; garbage is not
                    }
                    assertTrue(next < count, "a message that was never put was delivered after " + change);
                    next++;
                }
            } finally {
                stop.set(true);
            }
        }
    }
}

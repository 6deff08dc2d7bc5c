package io.github.jmultiprocessing.internal.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StreamCorruptedException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * In a checksummed ring what a reader gets is what its checksum was checked over (issue 14): a write into the ring
 * between the check and the copy (another process, corrupt or hostile) must not reach the reader as a message that
 * passed. Before, the CRC was checked over ring memory and the payload then read from ring memory again.
 */
class ChecksumCopyTest {

    private static final long HEAD = 128;
    private static final long DATA = 640;
    private static final VarHandle BYTE = JAVA_BYTE.varHandle();

    private static byte[] message(int length, int seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void shouldDecodeAQueueRecordFromTheCheckedCopyNotFromTheRing() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(SpscRing.size(256), 128);
            SpscRing ring = SpscRing.createChained(memory, 256, true);
            byte[] sent = message(40, 1);
            assertTrue(ring.tryWrite(sent, 0, sent.length));
            long at = DATA + 8 + 7; // the 8th payload byte of the record at 0
            byte[] read = ring.poll(src -> {
                memory.set(JAVA_BYTE, at, (byte) (sent[7] ^ 0x10)); // changed after the check, before the decode
                return src.toArray(JAVA_BYTE);
            }, null);
            assertArrayEquals(sent, read, "the bytes the checksum was checked over");
        }
    }

    /** Where a message is read from a checksummed ring. */
    enum Path {
        PIPE_WHOLE, PIPE_PIECES, QUEUE_POLL, QUEUE_PEEK, QUEUE_FOR_EACH
    }

    /**
     * A thread flips one payload byte back and forth while the reader takes the message: every read either throws a
     * checksum mismatch or returns the message as it was sent, never the message with the byte flipped.
     */
    @ParameterizedTest
    @EnumSource(Path.class)
    void shouldNeverDeliverAByteChangedWhileTheReaderChecksAndCopies(Path path) throws Exception {
        int capacity = 1 << 15;
        byte[] sent = message(path == Path.PIPE_PIECES ? capacity / 2 + 4000 : 12_000, 2);
        try (Arena arena = Arena.ofShared(); Flipper flipper = new Flipper()) {
            MemorySegment memory = arena.allocate(SpscRing.size(capacity), 128);
            boolean chained = path != Path.PIPE_WHOLE && path != Path.PIPE_PIECES;
            SpscRing ring = chained ? SpscRing.createChained(memory, capacity, true)
                    : SpscRing.create(memory, capacity, true);
            int delivered = 0;
            int dropped = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            for (int trial = 0; trial < 2_000 && System.nanoTime() < deadline; trial++) {
                long head = memory.get(JAVA_LONG, HEAD);
                assertTrue(chained ? ring.tryWrite(sent, 0, sent.length)
                        : ring.write(sent, 0, sent.length, 0, () -> false));
                // The byte to flip: in the one record, or in the MORE piece after the first piece.
                long record = skipPadding(memory, head, capacity);
                if (path == Path.PIPE_PIECES) {
                    int first = memory.get(JAVA_INT, DATA + record % capacity);
                    record = skipPadding(memory, record + ((8 + first + 4 + 7) & ~7), capacity);
                }
                long at = DATA + record % capacity + 8 + 100;
                int offset = path == Path.PIPE_PIECES ? ring.maxPiece() - 8 + 100 : 100;
                flipper.arm(memory, at, sent[offset]);
                byte[] read;
                try {
                    read = switch (path) {
                        case PIPE_WHOLE, PIPE_PIECES -> ring.read(0, () -> false);
                        case QUEUE_POLL -> ring.poll();
                        case QUEUE_PEEK -> ring.peek();
                        case QUEUE_FOR_EACH -> {
                            byte[][] first = {null};
                            ring.forEach(m -> first[0] = first[0] == null ? m : first[0]);
                            yield first[0];
                        }
                    };
                } catch (StreamCorruptedException e) {
                    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
                    read = null;
                } finally {
                    flipper.disarm();
                }
                boolean kept = path == Path.QUEUE_PEEK || path == Path.QUEUE_FOR_EACH;
                memory.set(JAVA_BYTE, at, kept ? sent[offset] : 0); // the record as written, or cleared as taken
                if (read == null) {
                    dropped++;
                } else {
                    assertArrayEquals(sent, read, "trial " + trial + ": a message with a byte changed after it was"
                            + " checked");
                    delivered++;
                }
                if (kept) {
                    assertArrayEquals(sent, ring.poll(), "the message, taken after the byte was put back");
                }
                assertNull(chained ? ring.poll() : ring.read(0, () -> false), "the ring is empty again");
            }
            assertTrue(flipper.flips() > 0, "the flipper flipped");
            assertTrue(delivered + dropped > 100, delivered + " delivered, " + dropped + " dropped");
        }
    }

    /** {@return where the record at {@code head} starts, past a PAD record there} */
    private static long skipPadding(MemorySegment memory, long head, int capacity) {
        long index = head % capacity;
        return memory.get(JAVA_INT, DATA + index + 4) == 4 ? head + capacity - index : head;
    }

    /** A thread that flips one byte of ring memory back and forth while armed. */
    private static final class Flipper implements AutoCloseable {

        private final Thread thread;
        private volatile MemorySegment memory;
        private volatile byte original;
        private volatile long target = -1;
        private volatile int epoch;
        private volatile int seen;
        private volatile boolean closed;
        private volatile long flips;

        Flipper() {
            thread = new Thread(this::run, "checksum-flipper");
            thread.setDaemon(true);
            thread.start();
        }

        void arm(MemorySegment memory, long at, byte original) {
            this.memory = memory;
            this.original = original;
            target = at;
        }

        /** Stops flipping; returns once no flip is under way. */
        void disarm() {
            target = -1;
            int next = epoch + 1;
            epoch = next;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (seen != next) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the flipper did not stop");
                }
                Thread.onSpinWait();
            }
        }

        long flips() {
            return flips;
        }

        private void run() {
            long count = 0;
            while (!closed) {
                int e = epoch;
                long at = target;
                if (at < 0) {
                    seen = e;
                    flips = count;
                    Thread.onSpinWait();
                    continue;
                }
                MemorySegment m = memory;
                byte b = original;
                for (int i = 0; i < 64; i++) {
                    BYTE.setOpaque(m, at, (byte) (b ^ 0x10));
                    BYTE.setOpaque(m, at, b);
                }
                count++;
            }
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            thread.join(TimeUnit.SECONDS.toMillis(10));
            assertEquals(false, thread.isAlive(), "the flipper stopped");
        }
    }
}

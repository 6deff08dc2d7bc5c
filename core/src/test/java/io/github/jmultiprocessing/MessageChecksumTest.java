package io.github.jmultiprocessing;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.connection.PipeLayout;
import io.github.jmultiprocessing.internal.queue.QueueLayout;
import io.github.jmultiprocessing.internal.ring.SpscRing;
import io.github.jmultiprocessing.internal.shm.MappedSegment;
import io.github.jmultiprocessing.internal.shm.SegmentTable;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The per-queue and per-pipe checksum option ({@link MessageChecksum}), beside the system property's default. */
class MessageChecksumTest {

    private static final long DATA = 640; // a ring's data area (SpscRing)

    /** Flips one bit of the first record's payload in a ring segment (or in the ring at {@code ring} of one). */
    private static void flipFirstPayloadByte(String segment, long ring) {
        MappedSegment mapped = SegmentTable.attach(segment);
        try {
            MemorySegment memory = mapped.segment();
            long at = ring + DATA + 8 + 2;
            memory.set(JAVA_BYTE, at, (byte) (memory.get(JAVA_BYTE, at) ^ 1));
        } finally {
            SegmentTable.release(mapped);
        }
    }

    @Test
    void shouldRecordTheChoiceOfEachFactoryInTheQueue() {
        boolean byDefault = SpscRing.checksumByDefault();
        try (var on = new SharedQueue<String>(0, MessageChecksum.CRC32C);
                var off = new SharedQueue<String>(3, MessageChecksum.NONE);
                var dflt = new SharedQueue<String>(0, MessageChecksum.DEFAULT);
                var plain = new SharedQueue<String>();
                var typed = new SharedQueue<Long>(0, Codec.longs(), MessageChecksum.CRC32C);
                var joinable = new SharedJoinableQueue<String>(0, MessageChecksum.CRC32C);
                var joinableTyped = new SharedJoinableQueue<Long>(0, Codec.longs(), MessageChecksum.CRC32C);
                var simple = new SharedSimpleQueue<String>(MessageChecksum.CRC32C)) {
            assertTrue(on.channel().checksummed());
            assertFalse(off.channel().checksummed());
            assertEquals(3, off.maxsize());
            assertEquals(byDefault, dflt.channel().checksummed());
            assertEquals(byDefault, plain.channel().checksummed());
            assertTrue(typed.channel().checksummed());
            assertTrue(joinable.channel().checksummed());
            assertTrue(joinableTyped.channel().checksummed());
            simple.put("x");
            assertEquals("x", assertTimeout(simple));
        }
    }

    private static String assertTimeout(SharedSimpleQueue<String> queue) {
        try {
            return queue.get(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldDropAQueueMessageWhoseBytesChangedWhenCreatedWithCrc32c() throws Exception {
        try (var queue = new SharedQueue<String>(0, MessageChecksum.CRC32C)) {
            queue.put("the first message");
            queue.put("the second");
            flipFirstPayloadByte(queue.channel().name() + ".0", QueueLayout.RING);
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> queue.get(Duration.ofSeconds(5)));
            assertInstanceOf(StreamCorruptedException.class, e.getCause());
            assertTrue(e.getMessage().contains("checksum"), e.getMessage());
            assertEquals("the second", queue.get(Duration.ofSeconds(5)), "the next message, whole");
        }
    }

    @Test
    void shouldDropAPipeMessageWhoseBytesChangedWhenOpenedWithCrc32c() throws Exception {
        Pipe pipe = Pipe.open(false, MessageChecksum.CRC32C);
        try (Connection in = pipe.left(); Connection out = pipe.right()) {
            assertTrue(in.checksummed() && out.checksummed());
            out.sendBytes(new byte[] {1, 2, 3, 4, 5});
            out.sendBytes(new byte[] {6, 7});
            flipFirstPayloadByte(in.segmentName(), PipeLayout.RINGS);
            IOException e = assertThrows(IOException.class, in::recvBytes);
            assertInstanceOf(StreamCorruptedException.class, e);
            assertTrue(e.getMessage().contains("checksum"), e.getMessage());
            assertArrayEquals(new byte[] {6, 7}, in.recvBytes(), "the next message, whole");
        }
        Pipe plain = Pipe.open(true, MessageChecksum.NONE);
        try (Connection a = plain.left(); Connection b = plain.right()) {
            assertFalse(a.checksummed() || b.checksummed());
        }
    }
}

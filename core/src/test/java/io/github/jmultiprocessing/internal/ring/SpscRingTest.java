package io.github.jmultiprocessing.internal.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SpscRingTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private static SpscRing ring(Arena arena, int capacity) {
        return SpscRing.create(arena.allocate(SpscRing.size(capacity), 128), capacity);
    }

    private static byte[] message(int length, int seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Property(tries = 40)
    void shouldDeliverEveryMessageOnceInOrderWhateverItsSize(
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 0, max = 700) Integer> lengths,
            @ForAll @IntRange(min = 6, max = 9) int capacityLog, @ForAll boolean checksum) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            int capacity = 1 << capacityLog;
            SpscRing ring = SpscRing.create(arena.allocate(SpscRing.size(capacity), 128), capacity, checksum);
            AtomicBoolean done = new AtomicBoolean();
            CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < lengths.size(); i++) {
                        byte[] m = message(lengths.get(i), i);
                        assertTrue(ring.write(m, 0, m.length, -1, () -> false));
                    }
                    done.set(true);
                    ring.wakeAll();
                } catch (InterruptedException | IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            List<byte[]> received = new ArrayList<>();
            try {
                while (true) {
                    received.add(ring.read(10 * SECOND, done::get));
                }
            } catch (EOFException e) {
                // the producer is done and everything was read
            }
            producer.get(10, TimeUnit.SECONDS);
            assertEquals(lengths.size(), received.size());
            for (int i = 0; i < lengths.size(); i++) {
                assertArrayEquals(message(lengths.get(i), i), received.get(i), "message " + i);
            }
        }
    }

    @Test
    void shouldCarryEmptyMessagesAndPeekWithoutConsuming() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            SpscRing ring = ring(arena, 64);
            assertFalse(ring.available());
            assertTrue(ring.write(new byte[0], 0, 0, 0, () -> false));
            assertTrue(ring.awaitMessage(0, () -> false));
            assertTrue(ring.available(), "awaiting a message does not consume it");
            assertArrayEquals(new byte[0], ring.read(0, () -> false));
            assertFalse(ring.available());
            assertNull(ring.read(TimeUnit.MILLISECONDS.toNanos(20), () -> false), "a timeout, not a message");
        }
    }

    @Test
    void shouldTimeOutAWriteThatDoesNotFitAndWriteNothing() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            SpscRing ring = ring(arena, 64);
            byte[] piece = new byte[ring.maxPiece()];
            assertTrue(ring.write(piece, 0, piece.length, 0, () -> false));
            assertTrue(ring.write(piece, 0, piece.length, 0, () -> false)); // two such records fill the ring
            assertFalse(ring.write(piece, 0, piece.length, TimeUnit.MILLISECONDS.toNanos(20), () -> false));
            byte[] big = new byte[3 * piece.length];
            assertFalse(ring.write(big, 0, big.length, 0, () -> false), "no room for a first piece either");
            assertEquals(piece.length, ring.read(0, () -> false).length);
            assertEquals(piece.length, ring.read(0, () -> false).length);
            assertNull(ring.read(0, () -> false), "the timed-out writes left nothing behind");
        }
    }

    @Test
    void shouldReportAClosedPeer() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            SpscRing ring = ring(arena, 64);
            ring.write(new byte[] {7}, 0, 1, 0, () -> false);
            assertArrayEquals(new byte[] {7}, ring.read(0, () -> true), "what was sent is read before the end");
            assertThrows(EOFException.class, () -> ring.read(-1, () -> true));
            byte[] eight = new byte[8];
            while (ring.write(eight, 0, eight.length, 0, () -> false)) {
                // fill the ring
            }
            IOException broken = assertThrows(IOException.class, () -> ring.write(eight, 0, 8, -1, () -> true));
            assertTrue(broken.getMessage().contains("broken pipe"), broken.getMessage());
        }
    }

    @Test
    void shouldRejectCorruptMemoryWithAClearException() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(SpscRing.size(64), 128);
            assertThrows(StreamCorruptedException.class, () -> SpscRing.attach(memory), "not formatted");
            SpscRing ring = SpscRing.create(memory, 64);
            ring.write(new byte[] {1, 2, 3}, 0, 3, 0, () -> false);
            memory.set(JAVA_INT, 640 + 4, 99); // the record's kind
            assertThrows(StreamCorruptedException.class, () -> SpscRing.attach(memory).read(0, () -> false));
            memory.set(JAVA_INT, 640 + 4, 1);
            memory.set(JAVA_INT, 640, 1_000_000); // its length
            assertThrows(StreamCorruptedException.class, () -> ring.read(0, () -> false));
            memory.set(JAVA_LONG, 128, 3); // the head, not a record boundary
            assertThrows(StreamCorruptedException.class, () -> ring.read(SECOND, () -> false));
            memory.set(JAVA_LONG, 128, 0);
            memory.set(JAVA_LONG, 0, -8); // the tail behind the head: the writer finds out
            assertThrows(StreamCorruptedException.class, () -> ring.write(new byte[8], 0, 8, SECOND, () -> false));
            memory.set(JAVA_INT, 516, 100); // the capacity
            assertThrows(StreamCorruptedException.class, () -> SpscRing.attach(memory));
        }
    }

    /** A writer that dies once the ring is full, in the middle of a message (its reader "gone" stops it). */
    private static void dieInTheMiddle(SpscRing ring, byte[] big) {
        assertThrows(IOException.class, () -> ring.write(big, 0, big.length, -1, () -> true));
    }

    private static CompletableFuture<byte[]> readAsync(SpscRing ring, boolean abandoned) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return ring.read(10 * SECOND, () -> false, () -> abandoned);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void shouldDropAMessageItsWriterAbandonedAndGoOn() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            for (boolean readerSeesTheDeath : new boolean[] {false, true}) {
                SpscRing ring = ring(arena, 1024);
                byte[] big = message(5000, 1);
                byte[] after = message(5, 2);
                dieInTheMiddle(ring, big); // a first piece and one more fill the ring
                CompletableFuture<byte[]> reader = readAsync(ring, readerSeesTheDeath);
                ring.writeAbort(() -> false); // what the writer taking over writes first
                ring.write(after, 0, after.length, -1, () -> false);
                assertArrayEquals(after, reader.get(10, TimeUnit.SECONDS), "the abandoned message is dropped");
                assertFalse(ring.available());
            }
        }
    }

    @Test
    void shouldLetAReaderSkipWhatADeadReaderLeftOfAMessage() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(SpscRing.size(256), 128);
            SpscRing ring = SpscRing.create(memory, 256);
            byte[] big = message(300, 4);
            byte[] after = message(3, 5);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    ring.write(big, 0, big.length, -1, () -> false);
                    ring.write(after, 0, after.length, -1, () -> false);
                } catch (InterruptedException | IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            while (!ring.available()) {
                Thread.onSpinWait();
            }
            // a reader that took the first piece as read() does, began clearing it, then died
            int length = memory.get(JAVA_INT, 640);
            assertEquals(300, memory.get(JAVA_LONG, 648));
            memory.set(JAVA_LONG, 136, 300 - (length - 8));
            memory.set(JAVA_LONG, 144, (8 + length + 7) & ~7); // where the head was going
            memory.set(JAVA_LONG, 640 + 16, 0L); // part of the clearing
            ring.recoverAfterDeadReader();
            ring.skipAfterDeadReader(() -> false, () -> false);
            assertArrayEquals(after, ring.read(10 * SECOND, () -> false), "the next message, whole");
            writer.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldChainRingsAndKeepRoomForTheLink() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment first = arena.allocate(SpscRing.size(64), 128);
            SpscRing ring = SpscRing.createChained(first, 64);
            byte[] eight = message(8, 1);
            int written = 0;
            while (ring.tryWrite(eight, 0, 8)) {
                written++;
            }
            assertEquals(3, written, "three 16-byte records and room for the 8-byte LINK in 64 bytes");
            ring.link("next-ring");
            assertArrayEquals(eight, ring.peek(), "peek does not consume");
            List<byte[]> seen = new ArrayList<>();
            assertTrue(ring.forEach(seen::add), "the ring ends in a link");
            assertEquals(3, seen.size());
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(eight, ring.read(0, () -> false));
            }
            assertTrue(ring.read(0, () -> false) == SpscRing.LINKED);
            assertTrue(ring.read(0, () -> false) == SpscRing.LINKED, "a link is not consumed");
            assertEquals("next-ring", SpscRing.attach(first).next());
            assertThrows(IllegalStateException.class, () -> ring.write(eight, 0, 8, 0, () -> false));
            assertEquals(64, SpscRing.chainedCapacityFor(40));
            assertEquals(128, SpscRing.chainedCapacityFor(49));
            assertThrows(IllegalArgumentException.class, () -> SpscRing.chainedCapacityFor(1 << 30));
            SpscRing big = SpscRing.createChained(arena.allocate(SpscRing.size(128), 128), 128);
            byte[] m = message(49, 2);
            assertTrue(big.tryWrite(m, 0, m.length), "a ring of chainedCapacityFor(length) takes the message");
            assertArrayEquals(m, big.read(0, () -> false));
        }
    }

    @Property(tries = 50)
    void shouldLeaveAChainedRingsDataZeroOnceDrained(
            @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 100) Integer> lengths,
            @ForAll boolean checksum) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(SpscRing.size(256), 128);
            SpscRing ring = SpscRing.createChained(memory, 256, checksum);
            int next = 0;
            for (int i = 0; i < lengths.size(); i++) {
                byte[] m = message(lengths.get(i), i);
                while (!ring.tryWrite(m, 0, m.length)) { // full: take the oldest to make room
                    byte[] taken = ring.poll();
                    assertArrayEquals(message(lengths.get(next), next), taken, "message " + next);
                    next++;
                }
            }
            for (byte[] taken; (taken = ring.poll()) != null; next++) {
                assertArrayEquals(message(lengths.get(next), next), taken, "message " + next);
            }
            assertEquals(lengths.size(), next);
            for (long at = 640; at < 640 + 256; at += 8) {
                assertEquals(0, memory.get(JAVA_LONG, at), "data word at " + at + " after draining");
            }
        }
    }

    @Test
    void shouldLetAReaderFinishWhatADeadReaderWasClearing() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(SpscRing.size(256), 128);
            SpscRing ring = SpscRing.createChained(memory, 256);
            byte[] first = message(20, 1);
            byte[] second = message(3, 2);
            assertTrue(ring.tryWrite(first, 0, first.length));
            assertTrue(ring.tryWrite(second, 0, second.length));
            // a reader that took the first record, marked where the head goes, cleared half, then died
            memory.set(JAVA_LONG, 144, 32);
            memory.set(JAVA_LONG, 640 + 16, 0L);
            ring.recoverAfterDeadReader();
            assertArrayEquals(second, ring.poll(), "the next reader goes on with the second record");
            assertNull(ring.poll());
            for (long at = 640; at < 640 + 256; at += 8) {
                assertEquals(0, memory.get(JAVA_LONG, at), "data word at " + at);
            }
        }
    }

    @Test
    void shouldRepairTheTailAWriterDiedBeforeStoring() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(SpscRing.size(256), 128);
            SpscRing ring = SpscRing.createChained(memory, 256);
            byte[] a = message(40, 1);
            assertTrue(ring.tryWrite(a, 0, a.length));
            memory.set(JAVA_LONG, 0, 0L); // the writer published a's header, then died before storing the tail
            assertArrayEquals(a, ring.poll(), "the reader goes by the header");
            ring.repairTail(); // the writer taking over: the reader is past the tail
            byte[] b = message(8, 2);
            byte[] c = message(100, 3);
            assertTrue(ring.tryWrite(b, 0, b.length));
            assertTrue(ring.tryWrite(c, 0, c.length));
            assertArrayEquals(b, ring.poll(), "nothing lost");
            assertArrayEquals(c, ring.poll(), "nothing made up");
            assertNull(ring.poll());

            byte[] d = message(16, 4);
            assertTrue(ring.tryWrite(d, 0, d.length));
            long tail = memory.get(JAVA_LONG, 0);
            memory.set(JAVA_LONG, 0, tail - 24); // d published, its tail never stored, not read yet
            ring.repairTail();
            byte[] e = message(5, 5);
            assertTrue(ring.tryWrite(e, 0, e.length));
            assertArrayEquals(d, ring.poll(), "the published record is kept, not overwritten");
            assertArrayEquals(e, ring.poll());
        }
    }

    @Test
    void shouldKeepARecordBehindOneTheReaderIsClearingWhileTheTailIsRepaired() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(SpscRing.size(256), 128);
            SpscRing ring = SpscRing.createChained(memory, 256);
            byte[] a = message(40, 1);
            byte[] b = message(8, 2);
            assertTrue(ring.tryWrite(a, 0, a.length));
            assertTrue(ring.tryWrite(b, 0, b.length));
            memory.set(JAVA_LONG, 0, 0L); // the writer published a and b, then died before storing the tail
            memory.set(JAVA_LONG, 144, 48L); // a reader in the middle of taking a: where its head goes,
            memory.set(JAVA_LONG, 640, 0L); // a's header already cleared, the head not moved yet
            ring.repairTail(); // the writer taking over sees a zero where a was: consumed, not free
            memory.asSlice(640, 48).fill((byte) 0); // the reader finishes clearing a
            memory.set(JAVA_LONG, 128, 48L);
            assertArrayEquals(b, ring.poll(), "b was published and not read: it must not be cleared");
            byte[] c = message(5, 3);
            assertTrue(ring.tryWrite(c, 0, c.length));
            assertArrayEquals(c, ring.poll(), "written after b, not over it");
            assertNull(ring.poll());
        }
    }

    /** A writer that died copying a payload to {@code at}: its bytes lie past the tail, no header published. */
    private static void dieCopying(MemorySegment memory, long at, byte[] payload) {
        MemorySegment.copy(payload, 0, memory, JAVA_BYTE, 640 + at + 8, payload.length);
    }

    @Test
    void shouldClearWhatAWriterLeftOfAPayloadItDiedCopying() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(SpscRing.size(256), 128);
            SpscRing ring = SpscRing.createChained(memory, 256);
            byte[] a = message(40, 1);
            assertTrue(ring.tryWrite(a, 0, a.length));
            assertArrayEquals(a, ring.poll());
            dieCopying(memory, 48, message(100, 2)); // a 100-byte record at the tail, 48
            ring.repairTail(); // the writer taking over
            for (int i = 0; i < 9; i++) { // smaller records, each read before the next is written: over the bytes
                byte[] small = message(5, 10 + i);
                assertTrue(ring.tryWrite(small, 0, small.length));
                assertArrayEquals(small, ring.poll(), "record " + i);
                assertNull(ring.poll(), "nothing after record " + i + ", not the dead writer's bytes");
            }
            // the tail is at 48 + 9 * 16 = 192: a 100-byte record does not fit before the end, so it goes at 0
            dieCopying(memory, 0, message(100, 3));
            ring.repairTail();
            for (int i = 0; i < 20; i++) {
                byte[] small = message(5, 30 + i);
                assertTrue(ring.tryWrite(small, 0, small.length));
                assertArrayEquals(small, ring.poll(), "record " + i + " after the wrap");
                assertNull(ring.poll(), "nothing after record " + i + " after the wrap");
            }
            for (long at = 640; at < 640 + 256; at += 8) {
                assertEquals(0, memory.get(JAVA_LONG, at), "data word at " + at + " after draining");
            }
        }
    }

    @Test
    void shouldReadPastTheAbortOfAWriterThatDiedCopyingAPiece() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(SpscRing.size(256), 128);
            SpscRing ring = SpscRing.create(memory, 256);
            byte[] a = message(40, 1);
            ring.write(a, 0, a.length, 0, () -> false);
            assertArrayEquals(a, ring.read(0, () -> false));
            dieCopying(memory, 48, message(100, 2));
            ring.repairTail(); // what the writer taking over a pipe does
            ring.writeAbort(() -> false);
            byte[] b = message(5, 3);
            ring.write(b, 0, b.length, 0, () -> false);
            assertArrayEquals(b, ring.read(0, () -> false));
            assertFalse(ring.available(), "the dead writer's bytes are not a record");
            assertNull(ring.read(0, () -> false));
        }
    }
}

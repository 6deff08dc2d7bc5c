package io.github.jmultiprocessing.internal.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.jmultiprocessing.internal.connection.PipeChannel;
import io.github.jmultiprocessing.internal.connection.PipeLayout;
import io.github.jmultiprocessing.internal.queue.QueueLayout;
import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import io.github.jmultiprocessing.internal.shm.SegmentHeaderLayout;
import io.github.jmultiprocessing.internal.sync.LockLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.PaddingLayout;
import java.io.StreamCorruptedException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * The byte formats of rings, pipes and holder tables, declared as layouts ({@link RingLayout}, {@link PipeLayout},
 * {@link EndHoldersLayout}; the queue's is {@link QueueLayoutTest}'s): every offset where the hand-written constants
 * had it, the fields in their order, and the bytes the algorithms write where they wrote them before.
 */
class RingFormatsTest {

    @Test
    void shouldKeepEveryRingOffsetWhereTheHandWrittenConstantsHadIt() {
        // The constants SpscRing declared before RingLayout existed.
        assertEquals(0, RingLayout.TAIL);
        assertEquals(8, RingLayout.LINK_AT);
        assertEquals(16, RingLayout.HEAD_CACHE);
        assertEquals(128, RingLayout.HEAD);
        assertEquals(136, RingLayout.REMAINING);
        assertEquals(144, RingLayout.CONSUMING);
        assertEquals(152, RingLayout.DROPPING);
        assertEquals(256, RingLayout.DATA_SEQ);
        assertEquals(260, RingLayout.DATA_WAITERS);
        assertEquals(384, RingLayout.SPACE_SEQ);
        assertEquals(388, RingLayout.SPACE_WAITERS);
        assertEquals(512, RingLayout.MAGIC_OFFSET);
        assertEquals(516, RingLayout.CAPACITY_OFFSET);
        assertEquals(520, RingLayout.FLAGS);
        assertEquals(528, RingLayout.NEXT_LENGTH);
        assertEquals(532, RingLayout.NEXT_NAME);
        assertEquals(640, RingLayout.DATA);
        assertEquals(640, RingLayout.LAYOUT.byteSize());
        assertEquals(108, SpscRing.MAX_NEXT_NAME);
        assertEquals(640 + 64, SpscRing.size(64));
        assertEquals(0x4A4D_5052, RingLayout.MAGIC);
        assertEquals(1, RingLayout.CHAINED);
        assertEquals(2, RingLayout.CHECKSUM);
        // A record: header word (length, kind), payload, CRC32C trailer; a FIRST payload starts with a long total.
        assertEquals(8, RingLayout.HEADER);
        assertEquals(0, RingLayout.LENGTH);
        assertEquals(4, RingLayout.KIND);
        assertEquals(8, RingLayout.FIRST_TOTAL);
        assertEquals(4, RingLayout.TRAILER);
        assertEquals(1, RingLayout.WHOLE);
        assertEquals(2, RingLayout.FIRST);
        assertEquals(3, RingLayout.MORE);
        assertEquals(4, RingLayout.PAD);
        assertEquals(5, RingLayout.ABORT);
        assertEquals(6, RingLayout.LINK);
    }

    @Test
    void shouldPutEveryPipeFieldBehindTheSegmentHeader() {
        // Layout version 3: the segment header (SegmentHeaderLayout) took the place of the pipe's own magic and
        // version, and every field moved by its 128 bytes; the rest keeps its order and slots.
        assertEquals(128, SegmentHeaderLayout.SIZE);
        assertEquals(3, SegmentHeaderLayout.LAYOUT_VERSION);
        assertEquals(SegmentHeaderLayout.LAYOUT.withName("segment"), PipeLayout.LAYOUT.select(groupElement("segment")));
        assertEquals(128, PipeLayout.FLAGS);
        assertEquals(132, PipeLayout.CAPACITY);
        assertEquals(136, PipeLayout.BROKEN);
        assertEquals(256, PipeLayout.HOLDERS);
        assertEquals(256, PipeLayout.holders(0));
        assertEquals(512, PipeLayout.holders(1));
        assertEquals(768, PipeLayout.LOCKS);
        assertEquals(768, PipeLayout.lock(0, 0));
        assertEquals(896, PipeLayout.lock(0, 1));
        assertEquals(1024, PipeLayout.lock(1, 0));
        assertEquals(1152, PipeLayout.lock(1, 1));
        assertEquals(1280, PipeLayout.RINGS);
        assertEquals(1280, PipeLayout.ring(0, 704));
        assertEquals(1280 + 704, PipeLayout.ring(1, 704));
        assertEquals(1280 + 2 * 704, PipeChannel.size(64, true));
        assertEquals(1, PipeLayout.DUPLEX);
        assertEquals(2, PipeLayout.CHECKSUM);
    }

    @Test
    void shouldWriteTheSegmentHeaderInAPipeAndRefuseAnythingElse() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pipe = arena.allocate(PipeChannel.size(64, false), 128);
            assertThrows(StreamCorruptedException.class, () -> PipeChannel.open(pipe, 0), "zero bytes");
            PipeChannel.format(pipe, 64, false, false);
            SegmentHeaderLayout.verify("pipe", pipe, SegmentHeaderLayout.KIND_PIPE);
            assertEquals(ProcessIdentity.pid(), SegmentHeaderLayout.creatorPid(pipe));
            assertEquals(ProcessIdentity.startTime(), SegmentHeaderLayout.creatorStartTime(pipe));
            PipeChannel.open(pipe, 0);
            // A segment of another kind, or a pipe of layout version 2 (magic "JMPP" in its first word).
            SegmentHeaderLayout.write(pipe, SegmentHeaderLayout.KIND_QUEUE);
            StreamCorruptedException kind = assertThrows(StreamCorruptedException.class,
                    () -> PipeChannel.open(pipe, 0));
            assertTrue(kind.getMessage().contains("kind=2 (expected 4)"), kind.getMessage());
            pipe.set(JAVA_LONG, 0, 0x4A4D_5050L);
            StreamCorruptedException old = assertThrows(StreamCorruptedException.class,
                    () -> PipeChannel.open(pipe, 0));
            assertTrue(old.getMessage().contains("before layout version 3"), old.getMessage());
        }
    }

    @Test
    void shouldKeepEveryHolderSlotWhereTheHandWrittenOffsetsHadIt() {
        assertEquals(32, EndHoldersLayout.SLOTS);
        assertEquals(32, EndHolders.SLOTS);
        assertEquals(256, EndHoldersLayout.SIZE);
        assertEquals(256, EndHolders.SIZE);
        for (int slot = 0; slot < 32; slot++) {
            assertEquals(slot * 8L, EndHoldersLayout.pid(slot), "pid of slot " + slot);
            assertEquals(slot * 8L + 4, EndHoldersLayout.count(slot), "count of slot " + slot);
        }
    }

    @Test
    void shouldDeclareTheFieldsInTheirOrder() {
        // A field moved, added, removed or resized changes one of these lists: the formats are on disk in /dev/shm
        // and shared with processes of the same version only, but the versions say what changed (layout version 3: the
        // segment header in front of pipes and queues).
        assertEquals(List.of("tail@0:8", "linkAt@8:8", "headCache@16:8", "head@128:8", "remaining@136:8",
                "consuming@144:8", "dropping@152:8", "dataSeq@256:4", "dataWaiters@260:4", "spaceSeq@384:4",
                "spaceWaiters@388:4", "magic@512:4", "capacity@516:4", "flags@520:4", "nextLength@528:4",
                "nextName@532:108"), fields(RingLayout.LAYOUT));
        assertEquals(List.of("length@0:4", "kind@4:4"), fields(RingLayout.RECORD_HEADER));
        assertEquals(List.of("segment@0:128", "flags@128:4", "capacity@132:4", "broken@136:4",
                "holders@256:512", "locks@768:512"), fields(PipeLayout.LAYOUT));
        assertEquals(List.of("pid@0:4", "count@4:4"), fields(EndHoldersLayout.SLOT));
        assertEquals(List.of("segment@0:128", "flags@128:4", "maxsize@132:4", "firstCapacity@136:4",
                "shutdown@140:4", "broken@144:4", "producers@256:128", "consumers@384:128", "puts@512:8",
                "writeGen@520:8", "dataSeq@528:4", "dataWaiters@532:4", "gets@640:8", "readGen@648:8",
                "notFullSeq@656:4", "notFullWaiters@660:4", "unfinished@768:4", "joinSeq@772:4",
                "joinWaiters@776:4", "holdersLock@896:128", "tickets@1024:4", "gone@1028:4", "pinned@1032:4",
                "holders@1152:256"), fields(QueueLayout.LAYOUT));
        assertEquals(1408, QueueLayout.SIZE);
        assertEquals(List.of("magic@0:8", "version@8:4", "kind@12:4", "size@16:8", "creatorPid@24:8",
                "creatorStartTime@32:8"), fields(SegmentHeaderLayout.LAYOUT));
        assertEquals(128, LockLayout.SIZE);
    }

    /** {@return "name@offset:size" of every named member, in order} */
    private static List<String> fields(GroupLayout layout) {
        List<String> fields = new ArrayList<>();
        long offset = 0;
        for (MemoryLayout member : layout.memberLayouts()) {
            if (!(member instanceof PaddingLayout)) {
                fields.add(member.name().orElseThrow() + "@" + offset + ":" + member.byteSize());
            }
            offset += member.byteSize();
        }
        assertEquals(layout.byteSize(), offset);
        return fields;
    }

    @Test
    void shouldWriteTheRingBytesWhereTheyWereWrittenBefore() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(640 + 256, 128);
            SpscRing ring = SpscRing.create(memory, 256, true);
            assertTrue(ring.write("hello".getBytes(StandardCharsets.UTF_8), 0, 5, 0, () -> false));
            // Read at the old literal offsets, independent of RingLayout.
            assertEquals(0x4A4D_5052, memory.get(JAVA_INT, 512));
            assertEquals(256, memory.get(JAVA_INT, 516));
            assertEquals(2, memory.get(JAVA_INT, 520)); // CHECKSUM
            assertEquals(24, memory.get(JAVA_LONG, 0)); // tail: 8 + 5 + 4, aligned to 8
            assertEquals(5, memory.get(JAVA_INT, 640)); // length
            assertEquals(1, memory.get(JAVA_INT, 644)); // WHOLE
            assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), memory.asSlice(648, 5).toArray(JAVA_BYTE));
            assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), ring.read(0, () -> false));
            assertEquals(24, memory.get(JAVA_LONG, 128)); // head
            assertEquals(0, memory.get(JAVA_LONG, 640)); // the record cleared

            MemorySegment chained = arena.allocate(640 + 64, 128);
            SpscRing links = SpscRing.createChained(chained, 64);
            links.link("next");
            assertEquals(1, chained.get(JAVA_INT, 520)); // CHAINED
            assertEquals(1, chained.get(JAVA_LONG, 8)); // link at: 1 + position 0
            assertEquals(4, chained.get(JAVA_INT, 528));
            assertEquals("next", new String(chained.asSlice(532, 4).toArray(JAVA_BYTE), StandardCharsets.UTF_8));
            assertEquals(6, chained.get(JAVA_INT, 644)); // LINK
        }
    }

    @Test
    void shouldLayOutRingsPipesAndHolderTablesByteForByteAsBefore() throws Exception {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the checksums were taken little-endian");
        // CRC32s of the bytes the code before the layouts were declared (962d535) wrote in the same scenario; the
        // pipe's as that code laid it out: its first slot as it had it, then the new pipe's bytes after the segment
        // header and the first slot (layout version 3 moved them by 128, unchanged).
        assertArrayEquals(new long[] {GOLDEN_PIPE_RING, GOLDEN_CHAINED_RING, GOLDEN_PIPE, GOLDEN_HOLDERS}, scenario());
    }

    private static final long GOLDEN_PIPE_RING = 1181156275L;
    private static final long GOLDEN_CHAINED_RING = 2643994679L;
    private static final long GOLDEN_PIPE = 1282763510L;
    private static final long GOLDEN_HOLDERS = 713823228L;

    /**
     * Writes rings, a pipe and a holder table through the public methods only (so the same code runs against
     * the classes before the layouts were declared) and {@return the CRC32 of each one's bytes}
     */
    static long[] scenario() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            // A pipe ring with checksums: a whole message read, one left, and a message in pieces (FIRST + MORE).
            MemorySegment pipeRing = arena.allocate(SpscRing.size(1024), 128);
            SpscRing ring = SpscRing.create(pipeRing, 1024, true);
            written(ring.write(bytes(5, 1), 0, 5, 0, () -> false));
            written(ring.write(bytes(100, 2), 0, 100, 0, () -> false));
            ring.read(0, () -> false);
            written(ring.write(bytes(600, 3), 0, 600, 0, () -> false));

            // A chained ring filled until it refuses, one message taken, then linked.
            MemorySegment chainedRing = arena.allocate(SpscRing.size(256), 128);
            SpscRing chained = SpscRing.createChained(chainedRing, 256);
            for (int i = 0; chained.tryWrite(bytes(30 + i, 10 + i), 0, 30 + i); i++) {
                if (i > 20) {
                    throw new AssertionError("a 256-byte ring took more than 20 messages");
                }
            }
            chained.poll();
            chained.link("jmp-next-ring");

            // A duplex checksummed pipe, each ring written at its place.
            long ringSize = SpscRing.size(1024);
            MemorySegment pipe = arena.allocate(PipeChannel.size(1024, true), 128);
            PipeChannel.format(pipe, 1024, true, true);
            written(SpscRing.attach(pipe.asSlice(PipeLayout.ring(0, ringSize), ringSize)).write(bytes(40, 4), 0, 40,
                    0, () -> false));
            written(SpscRing.attach(pipe.asSlice(PipeLayout.ring(1, ringSize), ringSize)).write(bytes(300, 5), 0, 300,
                    0, () -> false));
            MemorySegment pipeBefore = arena.allocate(pipe.byteSize() - SegmentHeaderLayout.SIZE, 128);
            pipeBefore.set(JAVA_INT, 0, 0x4A4D_5050); // magic "JMPP"
            pipeBefore.set(JAVA_INT, 4, pipe.get(JAVA_INT, PipeLayout.FLAGS));
            pipeBefore.set(JAVA_INT, 8, pipe.get(JAVA_INT, PipeLayout.CAPACITY));
            pipeBefore.set(JAVA_INT, 12, 1); // pipe layout version 1 (0 in 962d535: versions came later)
            pipeBefore.set(JAVA_INT, 16, pipe.get(JAVA_INT, PipeLayout.BROKEN));
            MemorySegment.copy(pipe, PipeLayout.HOLDERS, pipeBefore, 128, pipe.byteSize() - PipeLayout.HOLDERS);

            // A holder table: two processes, one with copies closed.
            MemorySegment table = arena.allocate(EndHolders.SIZE, 8);
            EndHolders holders = new EndHolders(table);
            holders.add(1_000_001, 2);
            holders.add(1_000_002, 1);
            holders.add(1_000_001, -1);
            holders.add(1_000_003, -1);
            return new long[] {crc(pipeRing), crc(chainedRing), crc(pipeBefore), crc(table)};
        }
    }

    private static void written(boolean written) {
        if (!written) {
            throw new AssertionError("a message of the scenario did not fit");
        }
    }

    private static byte[] bytes(int length, int seed) {
        byte[] bytes = new byte[length];
        new java.util.Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static long crc(MemorySegment memory) {
        CRC32 crc = new CRC32();
        crc.update(memory.asByteBuffer());
        return crc.getValue();
    }
}

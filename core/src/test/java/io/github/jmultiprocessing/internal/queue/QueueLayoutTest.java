package io.github.jmultiprocessing.internal.queue;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.ring.EndHolders;
import io.github.jmultiprocessing.internal.shm.MappedSegment;
import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import io.github.jmultiprocessing.internal.shm.SegmentHeaderLayout;
import io.github.jmultiprocessing.internal.shm.SegmentTable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The queue header's byte layout: derived offsets, and the checks on attach. */
class QueueLayoutTest {

    @Test
    void shouldMoveEveryFieldBehindTheSegmentHeader() {
        // Layout version 3: the segment header took the place of the queue's magic, version and owner words; the
        // other fields keep their order and slots, each moved by 128 (the first slot's words closed up).
        assertEquals(SegmentHeaderLayout.SIZE, QueueLayout.FLAGS);
        assertEquals(132, QueueLayout.MAXSIZE);
        assertEquals(136, QueueLayout.FIRST_CAPACITY);
        assertEquals(140, QueueLayout.SHUTDOWN);
        assertEquals(144, QueueLayout.BROKEN);
        long[] before = {128, 256, 384, 392, 400, 404, 512, 520, 528, 532, 640, 644, 648, 768, 896, 900, 904, 1024};
        long[] now = {QueueLayout.PRODUCERS, QueueLayout.CONSUMERS, QueueLayout.PUTS, QueueLayout.WRITE_GEN,
                QueueLayout.DATA_SEQ, QueueLayout.DATA_WAITERS, QueueLayout.GETS, QueueLayout.READ_GEN,
                QueueLayout.NOT_FULL_SEQ, QueueLayout.NOT_FULL_WAITERS, QueueLayout.UNFINISHED, QueueLayout.JOIN_SEQ,
                QueueLayout.JOIN_WAITERS, QueueLayout.HOLDERS_LOCK, QueueLayout.TICKETS, QueueLayout.GONE,
                QueueLayout.PINNED, QueueLayout.HOLDERS};
        for (int i = 0; i < before.length; i++) {
            assertEquals(before[i] + 128, now[i], "field " + i);
        }
        assertEquals(1152 + EndHolders.SIZE, QueueLayout.SIZE);
        assertEquals(128, QueueLayout.RING);
        assertEquals(128 + 640 + 64, QueueLayout.ringSegmentSize(64));
    }

    @Test
    void shouldRefuseASegmentThatIsNotAQueueOfThisVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(QueueLayout.SIZE, 128);
            assertThrows(IllegalArgumentException.class, () -> QueueLayout.verify("x", memory), "no magic");
            memory.set(JAVA_INT, 0, 0x4A4D_5051); // "JMPQ": a queue of layout version 2
            IllegalArgumentException old = assertThrows(IllegalArgumentException.class,
                    () -> QueueLayout.verify("x", memory), "a header from before the segment header");
            assertTrue(old.getMessage().contains("before layout version 3"), old.getMessage());
            SegmentHeaderLayout.write(memory, SegmentHeaderLayout.KIND_PIPE);
            IllegalArgumentException kind = assertThrows(IllegalArgumentException.class,
                    () -> QueueLayout.verify("x", memory), "a pipe");
            assertTrue(kind.getMessage().contains("kind=4 (expected 2)"), kind.getMessage());
            SegmentHeaderLayout.write(memory, SegmentHeaderLayout.KIND_QUEUE);
            QueueLayout.verify("x", memory);
            MemorySegment small = memory.asSlice(0, QueueLayout.SIZE - 8);
            SegmentHeaderLayout.write(small, SegmentHeaderLayout.KIND_QUEUE);
            assertThrows(IllegalArgumentException.class, () -> QueueLayout.verify("x", small), "too small");
        }
    }

    @Test
    void shouldWriteTheVersionAndAnOpenShutdownWordInANewQueue() throws Exception {
        try (QueueChannel queue = QueueChannel.create(0, 64, false)) {
            MappedSegment header = SegmentTable.attach(queue.name());
            try {
                SegmentHeaderLayout.verify(queue.name(), header.segment(), SegmentHeaderLayout.KIND_QUEUE);
                assertEquals(ProcessIdentity.pid(), SegmentHeaderLayout.creatorPid(header.segment()));
                MappedSegment ring = SegmentTable.attach(queue.name() + ".0");
                try {
                    SegmentHeaderLayout.verify(ring.name(), ring.segment(), SegmentHeaderLayout.KIND_QUEUE_RING);
                } finally {
                    SegmentTable.release(ring);
                }
                assertEquals(QueueLayout.OPEN, header.segment().get(JAVA_INT, QueueLayout.SHUTDOWN));
                queue.shutdown(false, null);
                assertEquals(QueueLayout.SHUT_DOWN, header.segment().get(JAVA_INT, QueueLayout.SHUTDOWN));
            } finally {
                SegmentTable.release(header);
            }
        }
    }
}

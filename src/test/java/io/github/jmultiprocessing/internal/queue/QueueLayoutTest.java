package io.github.jmultiprocessing.internal.queue;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.ring.EndHolders;
import io.github.jmultiprocessing.internal.shm.MappedSegment;
import io.github.jmultiprocessing.internal.shm.SegmentTable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The queue header's byte layout: derived offsets, and the checks on attach. */
class QueueLayoutTest {

    @Test
    void shouldKeepEveryFieldWhereTheHandWrittenOffsetsHadIt() {
        // The offsets QueueChannel used before its layout was declared (and QueueChannelTest still writes to).
        assertEquals(0, QueueLayout.MAGIC_OFFSET);
        assertEquals(4, QueueLayout.FLAGS);
        assertEquals(8, QueueLayout.MAXSIZE);
        assertEquals(12, QueueLayout.FIRST_CAPACITY);
        assertEquals(16, QueueLayout.OWNER_PID);
        assertEquals(24, QueueLayout.OWNER_START);
        assertEquals(128, QueueLayout.PRODUCERS);
        assertEquals(256, QueueLayout.CONSUMERS);
        assertEquals(384, QueueLayout.PUTS);
        assertEquals(392, QueueLayout.WRITE_GEN);
        assertEquals(400, QueueLayout.DATA_SEQ);
        assertEquals(404, QueueLayout.DATA_WAITERS);
        assertEquals(512, QueueLayout.GETS);
        assertEquals(520, QueueLayout.READ_GEN);
        assertEquals(528, QueueLayout.NOT_FULL_SEQ);
        assertEquals(532, QueueLayout.NOT_FULL_WAITERS);
        assertEquals(640, QueueLayout.UNFINISHED);
        assertEquals(644, QueueLayout.JOIN_SEQ);
        assertEquals(648, QueueLayout.JOIN_WAITERS);
        assertEquals(768, QueueLayout.HOLDERS_LOCK);
        assertEquals(896, QueueLayout.TICKETS);
        assertEquals(900, QueueLayout.GONE);
        assertEquals(904, QueueLayout.PINNED);
        assertEquals(1024, QueueLayout.HOLDERS);
        assertEquals(1024 + EndHolders.SIZE, QueueLayout.SIZE);
        assertEquals(1280, QueueLayout.SIZE);
        // The words added by versions 1 and 3, where they have been since (RingFormatsTest checks the order).
        assertEquals(32, QueueLayout.VERSION_OFFSET);
        assertEquals(36, QueueLayout.SHUTDOWN);
        assertEquals(40, QueueLayout.BROKEN);
        assertTrue(QueueLayout.VERSION_OFFSET >= 32 && QueueLayout.SHUTDOWN + 4 <= 128,
                "the new words sit in the first slot, beside the constants, after the old fields");
    }

    @Test
    void shouldRefuseASegmentThatIsNotAQueueOfThisVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(QueueLayout.SIZE);
            assertThrows(IllegalArgumentException.class, () -> QueueLayout.verify("x", memory), "no magic");
            memory.set(JAVA_INT, QueueLayout.MAGIC_OFFSET, QueueLayout.MAGIC);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> QueueLayout.verify("x", memory), "version 0: a header from before versions");
            assertTrue(e.getMessage().contains("version=0"), e.getMessage());
            memory.set(JAVA_INT, QueueLayout.VERSION_OFFSET, QueueLayout.VERSION);
            QueueLayout.verify("x", memory);
            assertThrows(IllegalArgumentException.class,
                    () -> QueueLayout.verify("x", memory.asSlice(0, QueueLayout.SIZE - 1)), "too small");
        }
    }

    @Test
    void shouldWriteTheVersionAndAnOpenShutdownWordInANewQueue() throws Exception {
        try (QueueChannel queue = QueueChannel.create(0, 64, false)) {
            MappedSegment header = SegmentTable.attach(queue.name());
            try {
                assertEquals(QueueLayout.VERSION, header.segment().get(JAVA_INT, QueueLayout.VERSION_OFFSET));
                assertEquals(QueueLayout.OPEN, header.segment().get(JAVA_INT, QueueLayout.SHUTDOWN));
                queue.shutdown(false, null);
                assertEquals(QueueLayout.SHUT_DOWN, header.segment().get(JAVA_INT, QueueLayout.SHUTDOWN));
            } finally {
                SegmentTable.release(header);
            }
        }
    }
}

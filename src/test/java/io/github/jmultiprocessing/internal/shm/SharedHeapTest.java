package io.github.jmultiprocessing.internal.shm;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SharedHeapTest {

    @Test
    void shouldAttachBlocksToTheSameMemory() {
        HeapBlock block = SharedHeap.allocate(64, 64);
        assertEquals(0, block.memory().address() % 64);
        HeapBlock attached = SharedHeap.attach(block.segmentName(), block.offset(), block.size());
        block.memory().set(JAVA_INT, 4, 1234);
        assertEquals(1234, attached.memory().get(JAVA_INT, 4));
    }

    @Test
    void shouldGiveLargeBlocksAnArenaOfTheirOwn() {
        HeapBlock large = SharedHeap.allocate(SharedHeap.ARENA_SIZE * 2, 128);
        assertEquals(SharedHeap.ARENA_SIZE * 2, large.size());
        HeapBlock small = SharedHeap.allocate(8, 8);
        assertTrue(!small.segmentName().equals(large.segmentName()));
    }

    @Test
    void shouldRefuseFilesThatAreNotHeapArenasOfThisVersion() {
        String name = ShmDirectory.randomName("jmp_test_");
        MappedSegment foreign = SegmentTable.create(name, 4096, true);
        try {
            IllegalArgumentException magic = assertThrows(IllegalArgumentException.class,
                    () -> SharedHeap.attach(name, 128, 8));
            assertTrue(magic.getMessage().contains("magic=0x0") && magic.getMessage().contains(name),
                    magic.getMessage());
            foreign.segment().set(JAVA_LONG, 0, SegmentHeaderLayout.MAGIC);
            foreign.segment().set(JAVA_INT, 8, 99);
            IllegalArgumentException version = assertThrows(IllegalArgumentException.class,
                    () -> SharedHeap.attach(name, 128, 8));
            assertTrue(version.getMessage().contains("layout version=99"), version.getMessage());
        } finally {
            SegmentTable.release(foreign);
            SegmentTable.unlink(name);
        }
    }

    @Test
    void shouldRefuseBlocksOutsideTheArena() {
        HeapBlock block = SharedHeap.allocate(8, 8);
        assertThrows(IllegalArgumentException.class, () -> SharedHeap.attach(block.segmentName(), 0, 8));
        assertThrows(IllegalArgumentException.class,
                () -> SharedHeap.attach(block.segmentName(), SharedHeap.ARENA_SIZE - 4, 8));
    }

    @Test
    void shouldRejectBadRequests() {
        assertThrows(IllegalArgumentException.class, () -> SharedHeap.allocate(0, 8));
        assertThrows(IllegalArgumentException.class, () -> SharedHeap.allocate(8, 3));
    }
}

package io.github.jmultiprocessing.internal.shm;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedHeapTest {

    @Test
    void shouldAttachBlocksToTheSameMemory() {
        Object owner = new Object();
        HeapBlock block = SharedHeap.allocate(64, 64);
        SharedHeap.Claim claim = SharedHeap.claim(owner, block);
        assertEquals(0, block.memory().address() % 64);
        HeapBlock attached = SharedHeap.attach(block.segmentName(), block.offset(), block.size(), claim.send());
        SharedHeap.Claim second = SharedHeap.claim(new Object(), attached);
        block.memory().set(JAVA_INT, 4, 1234);
        assertEquals(1234, attached.memory().get(JAVA_INT, 4));
        second.close();
        claim.close();
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
                    () -> SharedHeap.attach(name, 4096, 8, 0));
            assertTrue(magic.getMessage().contains("magic=0x0") && magic.getMessage().contains(name),
                    magic.getMessage());
            foreign.segment().set(JAVA_LONG, 0, SegmentHeaderLayout.MAGIC);
            foreign.segment().set(JAVA_INT, 8, 99);
            IllegalArgumentException version = assertThrows(IllegalArgumentException.class,
                    () -> SharedHeap.attach(name, 4096, 8, 0));
            assertTrue(version.getMessage().contains("layout version=99"), version.getMessage());
        } finally {
            SegmentTable.release(foreign);
            SegmentTable.unlink(name);
        }
    }

    @Test
    void shouldRefuseBlocksOutsideTheArena() {
        HeapBlock block = SharedHeap.allocate(8, 8);
        try (SharedHeap.Claim claim = SharedHeap.claim(this, block)) {
            long transfer = claim.send();
            assertThrows(IllegalArgumentException.class, () -> SharedHeap.attach(block.segmentName(), 0, 8, transfer));
            assertThrows(IllegalArgumentException.class,
                    () -> SharedHeap.attach(block.segmentName(), SharedHeap.ARENA_SIZE - 4, 8, transfer));
            assertThrows(IllegalArgumentException.class,
                    () -> SharedHeap.attach(block.segmentName(), block.offset() + 8, 8, transfer));
        }
    }

    @Test
    void shouldFreeABlockOnceItsLastObjectIsClosedAndReuseItZeroed() {
        SharedHeap.Claim claim = anchored();
        HeapBlock first = lastAnchored;
        first.memory().set(JAVA_LONG, 0, 42);
        SharedHeap.Claim view = SharedHeap.claim(new Object(), first); // a second object over the same block
        claim.close();
        assertTrue(SharedHeap.inUse(first), "freed while an object still used it");
        view.close();
        assertFalse(SharedHeap.inUse(first), "not freed once its last object was closed");
        try (Held again = allocateUntil(first)) {
            assertEquals(0, again.block().memory().get(JAVA_LONG, 0), "a reused block starts zeroed");
        } finally {
            anchor.close();
        }
    }

    @Test
    void shouldKeepABlockWhileAHandleIsInFlight() {
        HeapBlock block = SharedHeap.allocate(64, 64);
        SharedHeap.Claim claim = SharedHeap.claim(new Object(), block);
        long transfer = claim.send();
        claim.close(); // no object here any more, but a handle is out
        assertTrue(SharedHeap.inUse(block), "freed with a handle in flight");
        HeapBlock received = SharedHeap.attach(block.segmentName(), block.offset(), 64, transfer);
        SharedHeap.Claim receiver = SharedHeap.claim(new Object(), received);
        assertTrue(SharedHeap.inUse(block), "freed while the receiver holds it");
        receiver.close();
        assertFalse(SharedHeap.inUse(block), "not freed once the receiver closed it");
        IllegalStateException freed = assertThrows(IllegalStateException.class,
                () -> SharedHeap.attach(block.segmentName(), block.offset(), 64, transfer));
        assertTrue(freed.getMessage().contains("was freed"), freed.getMessage());
    }

    @Test
    void shouldRefuseAHandleToAnEarlierUseOfAReusedBlock() {
        SharedHeap.Claim claim = anchored();
        HeapBlock block = lastAnchored;
        long stale = claim.send();
        SharedHeap.claim(new Object(), SharedHeap.attach(block.segmentName(), block.offset(), 64, stale)).close();
        claim.close();
        try (Held reused = allocateUntil(block)) {
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> SharedHeap.attach(block.segmentName(), block.offset(), 64, stale));
            assertTrue(refused.getMessage().contains("was freed"), refused.getMessage());
        } finally {
            anchor.close();
        }
    }

    @Test
    void shouldGiveBackTheBlockOfAnUnreachableObject() throws InterruptedException {
        HeapBlock block = SharedHeap.allocate(64, 64);
        SharedHeap.claim(new Object(), block); // the owner is garbage at once
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (SharedHeap.inUse(block)) {
            assertTrue(System.nanoTime() < deadline, "the block of an unreachable object was never freed");
            System.gc();
            Thread.sleep(20); // the cleaner thread closes the claim
        }
    }

    private HeapBlock lastAnchored;
    private SharedHeap.Claim anchor;

    /**
     * Allocates a 64-byte block, and keeps another block of the same arena open ({@link #anchor}) so that the
     * arena stays while the block is freed and allocated again.
     */
    private SharedHeap.Claim anchored() {
        for (int attempt = 0; ; attempt++) {
            HeapBlock first = SharedHeap.allocate(64, 64);
            SharedHeap.Claim firstClaim = SharedHeap.claim(new Object(), first);
            HeapBlock second = SharedHeap.allocate(64, 64);
            SharedHeap.Claim secondClaim = SharedHeap.claim(new Object(), second);
            if (first.segmentName().equals(second.segmentName()) || attempt == 10) {
                anchor = firstClaim;
                lastAnchored = second;
                return secondClaim;
            }
            firstClaim.close();
            secondClaim.close();
        }
    }

    /** A block and its claim. */
    private record Held(HeapBlock block, SharedHeap.Claim claim) implements AutoCloseable {
        @Override
        public void close() {
            claim.close();
        }
    }

    /** Allocates (and holds) 64-byte blocks until {@code freed} comes back, and closes the others. */
    private static Held allocateUntil(HeapBlock freed) {
        List<SharedHeap.Claim> others = new ArrayList<>();
        try {
            for (int i = 0; i < 100_000; i++) {
                HeapBlock next = SharedHeap.allocate(64, 64);
                SharedHeap.Claim claim = SharedHeap.claim(new Object(), next);
                if (next.segmentName().equals(freed.segmentName()) && next.offset() == freed.offset()) {
                    return new Held(next, claim);
                }
                others.add(claim);
            }
            throw new AssertionError("a freed block was never reused");
        } finally {
            others.forEach(SharedHeap.Claim::close);
        }
    }

    @Test
    void shouldRefuseToSendOrShareWhatIsClosed() {
        HeapBlock block = SharedHeap.allocate(64, 64);
        SharedHeap.Claim claim = SharedHeap.claim(new Object(), block);
        claim.close();
        claim.close(); // twice does nothing
        assertThrows(IllegalStateException.class, claim::send);
        assertThrows(IllegalStateException.class, () -> SharedHeap.claim(new Object(), block));
    }

    @Test
    void shouldMakeEveryAccessToClosedMemoryThrow() {
        assertThrows(IllegalStateException.class, () -> SharedHeap.closedMemory().get(JAVA_LONG, 128));
    }

    @Test
    void shouldRejectBadRequests() {
        assertThrows(IllegalArgumentException.class, () -> SharedHeap.allocate(0, 8));
        assertThrows(IllegalArgumentException.class, () -> SharedHeap.allocate(8, 3));
    }
}

package io.github.jmultiprocessing.internal.ring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.jmultiprocessing.internal.shm.MappedSegment;
import io.github.jmultiprocessing.internal.shm.SegmentTable;
import java.io.StreamCorruptedException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
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

    /** Puts three 100-byte messages (records of 112 bytes at 0, 112, 224), corrupts ring 0, puts two more. */
    private static Throwable corruptQueue(Consumer<MemorySegment> corruption) throws Exception {
        try (QueueChannel queue = QueueChannel.create(0, 1024, false)) {
            byte[] zeros = new byte[100];
            for (int i = 0; i < 3; i++) {
                assertTrue(queue.put(zeros, 0, () -> false));
            }
            MappedSegment ring = SegmentTable.attach(queue.name() + ".0");
            try {
                corruption.accept(ring.segment());
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
}

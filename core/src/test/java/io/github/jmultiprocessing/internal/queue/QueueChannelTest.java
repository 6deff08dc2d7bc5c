package io.github.jmultiprocessing.internal.queue;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.ring.SpscRing;
import io.github.jmultiprocessing.internal.shm.MappedSegment;
import io.github.jmultiprocessing.internal.shm.SegmentTable;
import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import io.github.jmultiprocessing.internal.sync.LockLayout;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The queue's recovery from processes that died half way through a put or a get, simulated on its memory. */
class QueueChannelTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long PRODUCERS = QueueLayout.PRODUCERS;
    private static final long PUTS = QueueLayout.PUTS;
    private static final long WRITE_GEN = QueueLayout.WRITE_GEN;
    private static final long GETS = QueueLayout.GETS;

    @Test
    void shouldPutAfterAProducerDiedBetweenLinkingAndMovingTheWriteGeneration() throws Exception {
        try (QueueChannel queue = QueueChannel.create(0, 64, false)) {
            MappedSegment header = SegmentTable.attach(queue.name());
            try {
                byte[] m = new byte[24];
                int n = 0;
                while (header.segment().get(JAVA_LONG, WRITE_GEN) == 0) {
                    assertTrue(queue.put(m, 0, () -> false));
                    assertTrue(++n < 100, "a 64-byte ring took 100 messages of 24 bytes: not the write generation");
                }
                // as if the producer that linked ring 1 died before moving the write generation
                header.segment().set(JAVA_LONG, WRITE_GEN, 0);
                for (int i = 0; i < n; i++) {
                    assertArrayEquals(m, queue.get(SECOND, () -> false));
                }
                // the consumer moved on and unlinked ring 0; a producer that never mapped ring 0 still puts
                try (QueueChannel other = QueueChannel.attach(queue.name())) {
                    assertTrue(other.put(new byte[] {7}, 0, () -> false));
                }
                assertArrayEquals(new byte[] {7}, queue.get(SECOND, () -> false));
            } finally {
                SegmentTable.release(header);
            }
        }
    }

    @Test
    void shouldNotLeaveAConsumerWaitingOnAMessagePublishedButNeverCounted() throws Exception {
        try (QueueChannel queue = QueueChannel.create(0, 1024, false)) {
            CompletableFuture<byte[]> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return queue.get(10 * SECOND, () -> false);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(50); // the consumer is waiting for puts to move
            MappedSegment ring = SegmentTable.attach(queue.name() + ".0");
            try { // a producer that published and died before counting
                SpscRing view = SpscRing.attach(ring.segment().asSlice(QueueLayout.RING));
                assertTrue(view.tryWrite(new byte[] {1, 2}, 0, 2));
            } finally {
                SegmentTable.release(ring);
            }
            assertArrayEquals(new byte[] {1, 2}, waiting.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldKeepABoundedQueueOpenAfterAConsumerDiedBetweenCountingAndTaking() throws Exception {
        try (QueueChannel queue = QueueChannel.create(1, 1024, false)) {
            MappedSegment header = SegmentTable.attach(queue.name());
            try {
                MemorySegment memory = header.segment();
                assertTrue(queue.put(new byte[] {1}, 0, () -> false));
                memory.set(JAVA_LONG, GETS, memory.get(JAVA_LONG, GETS) + 1); // counted, then died
                assertEquals(0, queue.size());
                assertTrue(queue.put(new byte[] {2}, 0, () -> false), "the bound is one looser, not stuck");
                assertArrayEquals(new byte[] {1}, queue.get(0, () -> false));
                assertArrayEquals(new byte[] {2}, queue.get(0, () -> false));
                assertNull(queue.get(0, () -> false));
                assertEquals(memory.get(JAVA_LONG, PUTS), memory.get(JAVA_LONG, GETS) - 1);
            } finally {
                SegmentTable.release(header);
            }
        }
    }

    @Test
    void shouldTakeNoBytesOfAMessageAProducerDiedCopyingForARecord() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        assertEquals(0, exited.waitFor());
        try (QueueChannel queue = QueueChannel.create(0, 1024, false)) {
            MappedSegment header = SegmentTable.attach(queue.name());
            MappedSegment ring = SegmentTable.attach(queue.name() + ".0");
            try {
                byte[] first = new byte[100];
                assertTrue(queue.put(first, 0, () -> false));
                // a producer took the lock and died copying a 500-byte message after the first record (at 112)
                byte[] payload = new byte[500];
                new Random(7).nextBytes(payload);
                MemorySegment.copy(payload, 0, ring.segment(), JAVA_BYTE, QueueLayout.RING + 640 + 112 + 8,
                        payload.length);
                header.segment().set(JAVA_LONG, PRODUCERS + LockLayout.OWNER, exited.pid() << 40 | 1);
                assertTrue(queue.put(new byte[] {1}, 0, () -> false), "the lock is taken over");
                assertArrayEquals(first, queue.get(0, () -> false));
                assertArrayEquals(new byte[] {1}, queue.get(0, () -> false));
                assertNull(queue.get(0, () -> false), "the dead producer's bytes are not a message");
                assertTrue(queue.put(new byte[] {2}, 0, () -> false));
                assertArrayEquals(new byte[] {2}, queue.get(0, () -> false));
            } finally {
                SegmentTable.release(ring);
                SegmentTable.release(header);
            }
        }
    }

    @Test
    void shouldGrowPastANextRingAProducerDiedCreatingBeforeItHadASize() throws Exception {
        // QueueProducerFaultIT found it: a producer killed between creating the next ring's file and sizing it
        // left an empty file under the next ring's name, and every later put that needed a new ring threw
        // IllegalArgumentException (size=0) on attaching it: the queue could no longer grow, for any producer.
        // empty, too short, full-size with junk
        for (long leftover : new long[] {0, 100, QueueLayout.ringSegmentSize(64)}) {
            try (QueueChannel queue = QueueChannel.create(0, 64, false)) {
                Path next = ShmDirectory.pathOf(
                        queue.name() + ".1");
                byte[] junk = new byte[(int) leftover];
                Arrays.fill(junk, (byte) 0x5A);
                Files.write(next, junk, StandardOpenOption.CREATE_NEW);
                byte[] big = new byte[200]; // larger than ring 0: the put needs ring 1
                new Random(leftover).nextBytes(big);
                assertTrue(queue.put(big, 0, () -> false), "leftover of " + leftover + " bytes");
                assertArrayEquals(big, queue.get(SECOND, () -> false), "leftover of " + leftover + " bytes");
                assertNull(queue.get(0, () -> false));
            }
        }
    }
}

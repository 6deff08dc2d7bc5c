package io.github.jmultiprocessing.internal.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.jmultiprocessing.internal.config.Configuration;
import io.github.jmultiprocessing.internal.queue.QueueChannel;
import io.github.jmultiprocessing.internal.queue.QueueLayout;
import io.github.jmultiprocessing.internal.shm.MappedSegment;
import io.github.jmultiprocessing.internal.shm.SegmentTable;
import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import io.github.jmultiprocessing.testing.JavaMain;
import java.io.StreamCorruptedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Another process writes into a queue's ring (issue 14's hostile writer): the consumer is told, never left waiting. */
class RingCorruptionIT {

    /** Child: writes a long (or xors a byte) at an offset of the named segment, then exits. */
    public static final class Corrupter {
        public static void main(String[] args) {
            MappedSegment segment = SegmentTable.attach(args[0]);
            try {
                long offset = Long.parseLong(args[1]);
                if (args[2].equals("xor")) {
                    segment.segment().set(JAVA_BYTE, offset, (byte) (segment.segment().get(JAVA_BYTE, offset) ^ 1));
                } else {
                    segment.segment().set(JAVA_LONG, offset, Long.parseLong(args[2]));
                }
            } finally {
                SegmentTable.release(segment);
            }
        }
    }

    private static void corruptFromAChild(String segment, long offset, String value) throws Exception {
        List<String> options = new ArrayList<>();
        String dir = Configuration.SHM_DIR.value();
        if (dir != null) {
            options.add("-D" + Configuration.SHM_DIR.property() + "=" + dir);
        }
        try (JavaMain child = JavaMain.start(System.getProperty("java.class.path"), options, Corrupter.class, segment,
                Long.toString(offset), value)) {
            assertEquals(0, child.waitFor(Duration.ofSeconds(60)), child.output());
        }
    }

    /** {@return what a get with no timeout threw, within 5 s} */
    private static Throwable getWithin(QueueChannel queue, int messages) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        try {
            for (int i = 0; i < messages; i++) {
                CompletableFuture<byte[]> get = CompletableFuture.supplyAsync(() -> {
                    try {
                        return queue.get(-1, stop::get);
                    } catch (Exception e) {
                        throw new CompletionException(e);
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

    @Test
    void shouldTellTheConsumerWhenAnotherProcessMovesTheHeadIntoAPayload() throws Exception {
        try (QueueChannel queue = QueueChannel.create(0, 1024, false, false)) {
            for (int i = 0; i < 3; i++) {
                assertTrue(queue.put(new byte[100], 0, () -> false));
            }
            corruptFromAChild(queue.name() + ".0", QueueLayout.RING + 128, "16"); // the head, into the first payload
            assertTrue(queue.put(new byte[100], 0, () -> false), "the producer goes on");
            Throwable thrown = getWithin(queue, 4);
            assertInstanceOf(StreamCorruptedException.class, thrown);
            assertTrue(thrown.getMessage().contains("puts=4 gets=0"), thrown.getMessage());
        }
    }

    @Test
    void shouldDropAMessageWhosePayloadAnotherProcessChangedWhenChecksummed() throws Exception {
        try (QueueChannel queue = QueueChannel.create(0, 1024, false, true)) {
            byte[] a = new byte[100];
            byte[] b = {1, 2, 3};
            assertTrue(queue.put(a, 0, () -> false));
            assertTrue(queue.put(b, 0, () -> false));
            corruptFromAChild(queue.name() + ".0", QueueLayout.RING + 640 + 8 + 50, "xor");
            Throwable thrown = getWithin(queue, 1);
            assertInstanceOf(StreamCorruptedException.class, thrown);
            assertTrue(thrown.getMessage().contains("checksum"), thrown.getMessage());
            assertArrayEquals(b, queue.get(TimeUnit.SECONDS.toNanos(5), () -> false));
        }
    }
}

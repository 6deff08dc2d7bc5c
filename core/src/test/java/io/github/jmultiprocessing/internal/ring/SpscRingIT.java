package io.github.jmultiprocessing.internal.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.SharedEvent;
import io.github.jmultiprocessing.SharedMemory;
import io.github.jmultiprocessing.testing.Children;
import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pipe ring across real child JVMs: every message once, in order, whatever its size; the end seen. */
class SpscRingIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int[] LENGTHS = {0, 1, 7, 100, 4096, 5000, 1 << 20, 3, 70_000, 0, 12};

    private static byte[] message(int length, int seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static void produce(SharedMemory memory, SharedEvent done) {
        try {
            SpscRing ring = SpscRing.attach(memory.segment());
            for (int i = 0; i < LENGTHS.length; i++) {
                byte[] m = message(LENGTHS[i], i);
                ring.write(m, 0, m.length, -1, () -> false);
            }
        } catch (InterruptedException | IOException e) {
            throw new IllegalStateException(e);
        } finally {
            done.set();
            try {
                SpscRing.attach(memory.segment()).wakeAll();
            } catch (StreamCorruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void shouldCarryMessagesOfAnySizeFromAChildJvmThenEnd() throws Exception {
        try (SharedMemory memory = SharedMemory.create(SpscRing.size(4096)); Children children = new Children()) {
            SpscRing ring = SpscRing.create(memory.segment(), 4096);
            SharedEvent done = new SharedEvent();
            JvmProcess producer = children.start(() -> produce(memory, done));
            for (int i = 0; i < LENGTHS.length; i++) {
                byte[] received = ring.read(TimeUnit.SECONDS.toNanos(60), done::isSet);
                assertArrayEquals(message(LENGTHS[i], i), received, "message " + i);
            }
            assertThrows(EOFException.class, () -> ring.read(TimeUnit.SECONDS.toNanos(60), done::isSet));
            assertEquals(0, Children.joinWithin(producer, WAIT));
            memory.unlink();
        }
    }
}

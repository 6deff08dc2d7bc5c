package io.github.jmultiprocessing.internal.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.jmultiprocessing.internal.connection.PipeChannel;
import io.github.jmultiprocessing.internal.connection.PipeLayout;
import io.github.jmultiprocessing.internal.queue.QueueChannel;
import io.github.jmultiprocessing.internal.queue.QueueLayout;
import io.github.jmultiprocessing.testing.Decoding;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Fuzzing of the headers read when a process attaches a queue or a pipe: a queue's header
 * ({@link QueueLayout#verify}), a ring's ({@link SpscRing#attach}) and a pipe's ({@link PipeChannel#open}, its
 * header and its rings'), then a first bounded look at what the ring holds. Arbitrary bytes and mutated valid
 * headers (the memory keeps its size) are accepted or refused with the documented exception and a message; never an
 * access outside the memory, a hang, an Error, or an allocation out of proportion.
 */
class AttachHeaderFuzzTest {

    private static final int CAPACITY = 1024;

    private static byte[] fit(byte[] mutated, int size) {
        return Arrays.copyOf(mutated, size);
    }

    private interface Attach {
        Object attach(MemorySegment memory) throws Exception;
    }

    private static Object inMemory(byte[] bytes, Attach attach) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(Math.max(1, bytes.length), 128);
            MemorySegment.copy(bytes, 0, memory, ValueLayout.JAVA_BYTE, 0, bytes.length);
            return attach.attach(memory);
        }
    }

    private static Object queueHeader(MemorySegment memory) {
        QueueLayout.verify("fuzz", memory);
        return "verified";
    }

    private static Object ring(MemorySegment memory) throws Exception {
        SpscRing ring = SpscRing.attach(memory);
        return ring.capacity() + "/" + ring.available() + "/" + (ring.available() ? ring.peek() : null);
    }

    private static Object pipe(MemorySegment memory, int end) throws Exception {
        PipeChannel channel = PipeChannel.open(memory, end);
        return channel.readable() && channel.poll(0, () -> true) ? "a message" : "no message";
    }

    @Property(tries = 200)
    void queueHeaderShouldBeVerifiedOrRefusedClearly(@ForAll @Size(max = 1200) byte[] arbitrary, @ForAll long seed)
            throws Exception {
        Decoding.assertClear(Decoding.decode(arbitrary, () -> inMemory(arbitrary,
                AttachHeaderFuzzTest::queueHeader)), Decoding.describe(arbitrary), IllegalArgumentException.class);
        try (QueueChannel queue = QueueChannel.create(0, CAPACITY, false)) {
            io.github.jmultiprocessing.internal.shm.MappedSegment header =
                    io.github.jmultiprocessing.internal.shm.SegmentTable.attach(queue.name());
            byte[] valid;
            try {
                valid = header.segment().toArray(ValueLayout.JAVA_BYTE);
            } finally {
                io.github.jmultiprocessing.internal.shm.SegmentTable.release(header);
            }
            assertEquals("verified", inMemory(valid, AttachHeaderFuzzTest::queueHeader));
            byte[] mutated = fit(Decoding.mutate(valid, new Random(seed)), valid.length);
            Decoding.assertClear(Decoding.decode(mutated, () -> inMemory(mutated, AttachHeaderFuzzTest::queueHeader)),
                    Decoding.describe(mutated), IllegalArgumentException.class);
        }
    }

    @Property(tries = 300)
    void ringAndPipeHeadersShouldBeAttachedOrRefusedClearly(@ForAll @Size(max = 2000) byte[] arbitrary,
            @ForAll long seed, @ForAll boolean duplex, @ForAll boolean checksum,
            @ForAll @IntRange(min = 0, max = 1) int end, @ForAll @IntRange(min = 0, max = 3) int messages)
            throws Exception {
        Decoding.assertClear(Decoding.decode(arbitrary, () -> inMemory(arbitrary, AttachHeaderFuzzTest::ring)),
                Decoding.describe(arbitrary), StreamCorruptedException.class);
        Decoding.assertClear(Decoding.decode(arbitrary, () -> inMemory(arbitrary, memory -> pipe(memory, end))),
                Decoding.describe(arbitrary), IOException.class);

        byte[] ring;
        byte[] pipe;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(SpscRing.size(CAPACITY), 128);
            SpscRing written = SpscRing.create(memory, CAPACITY, checksum);
            for (int i = 0; i < messages; i++) {
                written.write(new byte[40 * i], 0, 40 * i, -1, () -> false);
            }
            ring = memory.toArray(ValueLayout.JAVA_BYTE);
            MemorySegment pipeMemory = arena.allocate(PipeChannel.size(CAPACITY, duplex), 128);
            PipeChannel.format(pipeMemory, CAPACITY, duplex, checksum);
            pipe = pipeMemory.toArray(ValueLayout.JAVA_BYTE);
        }
        Random random = new Random(seed);
        byte[] mutatedRing = fit(Decoding.mutate(Arrays.copyOf(ring, 640 + 64), random), ring.length); // header
        System.arraycopy(ring, 640 + 64, mutatedRing, 640 + 64, ring.length - 640 - 64); // and the records as written
        Decoding.assertClear(Decoding.decode(mutatedRing, () -> inMemory(mutatedRing, AttachHeaderFuzzTest::ring)),
                Decoding.describe(Arrays.copyOf(mutatedRing, 704)), StreamCorruptedException.class);
        int pipeHeaders = (int) PipeLayout.RINGS + 640; // the segment and pipe headers and ring 0's control block
        byte[] mutatedPipe = fit(Decoding.mutate(Arrays.copyOf(pipe, pipeHeaders), random), pipe.length);
        System.arraycopy(pipe, pipeHeaders, mutatedPipe, pipeHeaders, pipe.length - pipeHeaders);
        Decoding.assertClear(Decoding.decode(mutatedPipe, () -> inMemory(mutatedPipe, memory -> pipe(memory, end))),
                Decoding.describe(Arrays.copyOf(mutatedPipe, pipeHeaders)), IOException.class);
    }
}

package io.github.jmultiprocessing.bench.harness;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.SharedEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The peer baseline of issue 4: Agrona 2.6.0's {@code OneToOneRingBuffer} / {@code ManyToOneRingBuffer} over a file
 * mapped by two JVMs, in the same scenarios as {@link QueueHarness} (producer child JVMs, the main JVM consuming;
 * ping-pong with a child that echoes). Agrona's rings spin and never block, carry raw bytes (no codec, no
 * locks, no growth) and need {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} on JDK 25, in the
 * children too.
 */
final class AgronaBaseline {

    static final String EXPORTS = "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED";
    private static final int CAPACITY = 1 << 20;
    private static final Duration WAIT = Duration.ofMinutes(5);

    private AgronaBaseline() {
    }

    private static Path newFile(int rings) throws IOException {
        Path file = Path.of("/dev/shm").toFile().isDirectory() ? Path.of("/dev/shm") : Path.of(
                System.getProperty("java.io.tmpdir"));
        file = file.resolve("jmp-bench-agrona-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            channel.truncate((long) rings * (CAPACITY + RingBufferDescriptor.TRAILER_LENGTH));
        }
        return file;
    }

    private static RingBuffer ring(Path file, int index, boolean manyToOne) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, index * size, size);
            UnsafeBuffer buffer = new UnsafeBuffer(mapped);
            return manyToOne ? new ManyToOneRingBuffer(buffer) : new OneToOneRingBuffer(buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void produce(String file, boolean manyToOne, SharedEvent ready, SharedEvent go, int n, int length) {
        RingBuffer ring = ring(Path.of(file), 0, manyToOne);
        UnsafeBuffer message = new UnsafeBuffer(new byte[Math.max(8, length)]);
        RingBuffer own = new OneToOneRingBuffer(
                new UnsafeBuffer(new byte[CAPACITY + RingBufferDescriptor.TRAILER_LENGTH]));
        for (int round = 0; round < 50; round++) { // warm-up: the same write path, into a ring of its own
            for (long i = 0; own.write(1, message, 0, length); i++) {
                message.putLong(0, i);
            }
            own.read((type, buffer, index, len) -> { }, Integer.MAX_VALUE);
        }
        ready.set();
        try {
            if (!go.await(WAIT)) {
                throw new IllegalStateException("no start gun");
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        for (long i = 0; i < n; i++) {
            message.putLong(0, i);
            while (!ring.write(1, message, 0, length)) {
                Thread.onSpinWait();
            }
        }
    }

    /** {@return messages per second from {@code producers} child JVMs to this one} */
    static double throughput(int producers, int perProducer, int length) throws Exception {
        Path file = newFile(1);
        try {
            boolean manyToOne = producers > 1;
            RingBuffer ring = ring(file, 0, manyToOne);
            SharedEvent go = new SharedEvent();
            List<JvmProcess> children = new ArrayList<>();
            String path = file.toString();
            for (int p = 0; p < producers; p++) {
                SharedEvent ready = new SharedEvent();
                JvmProcess child = new JvmProcess(() -> produce(path, manyToOne, ready, go, perProducer, length));
                child.start();
                children.add(child);
                if (!ready.await(WAIT)) {
                    throw new IllegalStateException("producer not ready");
                }
            }
            long total = (long) producers * perProducer;
            long[] got = {0};
            long t0 = System.nanoTime();
            go.set();
            while (got[0] < total) {
                if (ring.read((type, buffer, index, len) -> got[0]++, Integer.MAX_VALUE) == 0) {
                    Thread.onSpinWait();
                }
            }
            long t1 = System.nanoTime();
            for (JvmProcess child : children) {
                if (!child.join(WAIT) || child.exitCode().orElse(-1) != 0) {
                    throw new IllegalStateException(child + " did not end well");
                }
            }
            return total / ((t1 - t0) / 1e9);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    static void echo(String file, int n) {
        RingBuffer in = ring(Path.of(file), 0, false);
        RingBuffer out = ring(Path.of(file), 1, false);
        int[] done = {0};
        while (done[0] < n) {
            if (in.read((type, buffer, index, length) -> {
                while (!out.write(type, buffer, index, length)) {
                    Thread.onSpinWait();
                }
                done[0]++;
            }, 1) == 0) {
                Thread.onSpinWait();
            }
        }
    }

    /** {@return mean, p50 and p99 of a 64-byte round trip through a child that echoes, in microseconds} */
    static double[] pingPong(int warm, int n) throws Exception {
        Path file = newFile(2);
        try {
            RingBuffer out = ring(file, 0, false);
            RingBuffer in = ring(file, 1, false);
            String path = file.toString();
            JvmProcess child = new JvmProcess(() -> echo(path, warm + n));
            child.start();
            UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
            long[] rt = new long[n];
            boolean[] back = {false};
            for (int i = -warm; i < n; i++) {
                long t0 = System.nanoTime();
                while (!out.write(1, message, 0, 64)) {
                    Thread.onSpinWait();
                }
                back[0] = false;
                while (!back[0]) {
                    if (in.read((type, buffer, index, length) -> back[0] = true, 1) == 0) {
                        Thread.onSpinWait();
                    }
                }
                if (i >= 0) {
                    rt[i] = System.nanoTime() - t0;
                }
            }
            if (!child.join(WAIT)) {
                throw new IllegalStateException("echo child still running");
            }
            long sum = Arrays.stream(rt).sum();
            Arrays.sort(rt);
            return new double[] {sum / 1e3 / n, rt[n / 2] / 1e3, rt[(int) (n * 0.99)] / 1e3};
        } finally {
            Files.deleteIfExists(file);
        }
    }
}

package io.github.jmultiprocessing.bench.harness;

import io.github.jmultiprocessing.JvmProcess;
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
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The peer baseline: Agrona 2.6.0's {@code OneToOneRingBuffer} / {@code ManyToOneRingBuffer} between JVMs over a
 * file in /dev/shm, measured the way {@code ../shared/anchors/agrona/AgronaBench.java} measures Agrona's own steady
 * state, so that the figure reproduces the standalone one: the consumer (this JVM, fresh for the scenario) and the
 * producer child JVMs stay up for one warm-up trial and then the measured trials, started by a "go" word in the
 * file's control header (warm-up trials for as long as the harness warms ours up, {@code WARM_NANOS}); the consumer
 * spins on an empty ring, checks each producer's FIFO order and the count, and
 * copies a payload longer than 8 bytes out (a queue's {@code get} hands back a copy). Ping-pong: a child echoes
 * over a second ring, after warm-up round trips. Agrona's rings spin and never block, carry raw bytes (no codec,
 * no locks, no growth), and need {@link #EXPORTS} on JDK 25, in the children too.
 *
 * <p>File: a 4 KiB control header (ready count at 64, go word at 128), then ring A and ring B, each 4 KiB aligned.
 *
 * <p>Earlier (issue 16) this baseline ran each trial on fresh producers and a consumer loop in the harness's own
 * long-lived JVM, with no warm-up trial in the same processes; it measured Agrona 5-7x below its standalone figure.
 */
final class AgronaBaseline {

    static final String EXPORTS = "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED";
    /**
     * "spin" (the default, Agrona's busy spin) or "yield" ({@code Thread.yield()}, the anchor's {@code idle=yield}):
     * on one CPU a spinning side burns its whole time slice before the other side can run.
     */
    static final String IDLE_PROPERTY = "jmp.bench.agrona.idle";
    private static final int CAPACITY = 1 << 20;
    private static final int HEADER = 4096;
    private static final int READY = 64;
    private static final int GO = 128;
    private static final int MSG = 1;
    private static final int STOP = 2;
    private static final Duration WAIT = Duration.ofMinutes(5);

    /** What an Agrona side does while its ring has nothing (or no room): spin, or yield when pinned to one CPU. */
    private static final boolean YIELD = "yield".equals(System.getProperty(IDLE_PROPERTY, "spin"));

    private AgronaBaseline() {
    }

    private static void idle() {
        if (YIELD) {
            Thread.yield();
        } else {
            Thread.onSpinWait();
        }
    }

    /** The mapped file. */
    private record Shm(Path file, UnsafeBuffer header, UnsafeBuffer ringA, UnsafeBuffer ringB) {

        static long ringBytes() {
            return CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
        }

        static long stride() {
            return (ringBytes() + 4095) & ~4095L;
        }

        static Shm create() throws IOException {
            Path dir = Path.of("/dev/shm").toFile().isDirectory() ? Path.of("/dev/shm")
                    : Path.of(System.getProperty("java.io.tmpdir"));
            Path file = dir.resolve("agrona-baseline-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                channel.truncate(HEADER + 2 * stride());
            }
            return map(file);
        }

        static Shm map(Path file) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, HEADER + 2 * stride());
                UnsafeBuffer all = new UnsafeBuffer(mapped);
                return new Shm(file, new UnsafeBuffer(all, 0, HEADER),
                        new UnsafeBuffer(all, HEADER, (int) ringBytes()),
                        new UnsafeBuffer(all, (int) (HEADER + stride()), (int) ringBytes()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void awaitReady(int count) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (header.getIntVolatile(READY) < count) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("Agrona children not ready within " + WAIT);
                }
                idle();
            }
        }
    }

    private static RingBuffer ring(UnsafeBuffer buffer, boolean manyToOne) {
        return manyToOne ? new ManyToOneRingBuffer(buffer) : new OneToOneRingBuffer(buffer);
    }

    // ---- throughput

    /** A producer child: tags each message with its id and sequence, one batch per "go". */
    static void produce(String file, boolean manyToOne, int id, long perTrial, int size) {
        Shm shm = Shm.map(Path.of(file));
        RingBuffer ring = ring(shm.ringA(), manyToOne);
        UnsafeBuffer message = new UnsafeBuffer(new byte[size]);
        for (int i = 8; i < size; i++) {
            message.putByte(i, (byte) i);
        }
        long tag = (long) id << 48;
        shm.header().getAndAddInt(READY, 1);
        int seen = 0;
        while (true) {
            int go;
            while ((go = shm.header().getIntVolatile(GO)) == seen) {
                idle();
            }
            if (go < 0) {
                return;
            }
            seen = go;
            for (long s = 0; s < perTrial; s++) {
                message.putLong(0, tag | s);
                while (!ring.write(MSG, message, 0, size)) {
                    idle();
                }
            }
        }
    }

    /** Checks each producer's order and counts; copies a payload longer than 8 bytes out. */
    private static final class Checker implements MessageHandler {
        final long[] expected;
        final byte[] copy;
        long received;
        long errors;

        Checker(int producers, int size) {
            expected = new long[producers];
            copy = size > 8 ? new byte[size] : null;
        }

        @Override
        public void onMessage(int type, MutableDirectBuffer buffer, int index, int length) {
            long value = buffer.getLong(index);
            int id = (int) (value >>> 48);
            if ((value & 0xFFFF_FFFF_FFFFL) != expected[id]++) {
                errors++;
            }
            if (copy != null) {
                buffer.getBytes(index, copy, 0, length);
            }
            received++;
        }
    }

    /**
     * {@return messages per second of each measured trial, from {@code producers} child JVMs to this one} One
     * warm-up trial of the same size runs first, in the same processes.
     *
     * @param producers   1 for a one-to-one ring, more for a many-to-one ring
     * @param perProducer messages each producer writes per trial
     * @param size        bytes per message, at least 8
     * @param trials      measured trials
     */
    static double[] throughput(int producers, long perProducer, int size, int trials) throws Exception {
        Shm shm = Shm.create();
        List<JvmProcess> children = new ArrayList<>();
        try {
            boolean manyToOne = producers > 1;
            RingBuffer ring = ring(shm.ringA(), manyToOne);
            String path = shm.file().toString();
            for (int p = 0; p < producers; p++) {
                int id = p;
                JvmProcess child = new JvmProcess(() -> produce(path, manyToOne, id, perProducer, size));
                child.setDaemon(true);
                child.start();
                children.add(child);
            }
            shm.awaitReady(producers);
            long total = producers * perProducer;
            double[] rates = new double[trials];
            long warmStart = System.nanoTime();
            int warmups = 0;
            int round = 0;
            for (int t = -1; t < trials; t++) {
                Checker checker = new Checker(producers, size);
                long t0 = System.nanoTime();
                shm.header().putIntVolatile(GO, ++round);
                while (checker.received < total) {
                    if (ring.read(checker) == 0) {
                        idle();
                    }
                }
                long t1 = System.nanoTime();
                if (checker.errors != 0) {
                    throw new IllegalStateException(checker.errors + " messages out of order");
                }
                if (t >= 0) {
                    rates[t] = total / ((t1 - t0) / 1e9);
                } else if (++warmups >= 1 && t1 - warmStart < DataPathHarness.WARM_NANOS) {
                    t--; // warm up on: as long as the harness warms ours
                }
            }
            shm.header().putIntVolatile(GO, -1);
            for (JvmProcess child : children) {
                if (!child.join(WAIT) || child.exitCode().orElse(-1) != 0) {
                    throw new IllegalStateException(child + " did not end well");
                }
            }
            return rates;
        } finally {
            for (JvmProcess child : children) {
                child.kill();
            }
            Files.deleteIfExists(shm.file());
        }
    }

    // ---- ping-pong

    /** The echo child: writes every message of ring A back on ring B until a STOP. */
    static void pong(String file) {
        Shm shm = Shm.map(Path.of(file));
        RingBuffer in = new OneToOneRingBuffer(shm.ringA());
        RingBuffer out = new OneToOneRingBuffer(shm.ringB());
        boolean[] stop = {false};
        MessageHandler echo = (type, buffer, index, length) -> {
            if (type == STOP) {
                stop[0] = true;
                return;
            }
            while (!out.write(MSG, buffer, index, length)) {
                idle();
            }
        };
        shm.header().getAndAddInt(READY, 1);
        while (!stop[0]) {
            if (in.read(echo, 1) == 0) {
                idle();
            }
        }
    }

    /**
     * {@return p50 and mean of one round trip in microseconds, per measured trial: {@code [trial][0]} is the p50,
     * {@code [trial][1]} the mean} {@code warmup} untimed round trips run first, with the same child.
     */
    static double[][] pingPong(int size, int warmup, int roundTrips, int trials) throws Exception {
        Shm shm = Shm.create();
        JvmProcess child = null;
        try {
            RingBuffer out = new OneToOneRingBuffer(shm.ringA());
            RingBuffer in = new OneToOneRingBuffer(shm.ringB());
            String path = shm.file().toString();
            child = new JvmProcess(() -> pong(path));
            child.setDaemon(true);
            child.start();
            shm.awaitReady(1);
            UnsafeBuffer message = new UnsafeBuffer(new byte[size]);
            byte[] copy = new byte[size];
            long[] last = {-1};
            MessageHandler reply = (type, buffer, index, length) -> {
                last[0] = buffer.getLong(index);
                buffer.getBytes(index, copy, 0, length);
            };
            double[][] results = new double[trials][];
            long[] rt = new long[roundTrips];
            long warmStart = System.nanoTime();
            for (int t = -1; t < trials; t++) {
                int n = t < 0 ? warmup : roundTrips;
                for (int i = 0; i < n || t < 0 && System.nanoTime() - warmStart < DataPathHarness.WARM_NANOS; i++) {
                    long t0 = System.nanoTime();
                    message.putLong(0, i);
                    while (!out.write(MSG, message, 0, size)) {
                        idle();
                    }
                    while (in.read(reply, 1) == 0) {
                        idle();
                    }
                    long t1 = System.nanoTime();
                    if (last[0] != i) {
                        throw new IllegalStateException("echo " + last[0] + " for " + i);
                    }
                    if (t >= 0) {
                        rt[i] = t1 - t0;
                    }
                }
                if (t >= 0) {
                    double mean = Arrays.stream(rt).average().orElse(0) / 1e3;
                    Arrays.sort(rt);
                    results[t] = new double[] {rt[roundTrips / 2] / 1e3, mean};
                }
            }
            while (!out.write(STOP, message, 0, size)) {
                idle();
            }
            if (!child.join(WAIT) || child.exitCode().orElse(-1) != 0) {
                throw new IllegalStateException(child + " did not end well");
            }
            return results;
        } finally {
            if (child != null) {
                child.kill();
            }
            Files.deleteIfExists(shm.file());
        }
    }
}

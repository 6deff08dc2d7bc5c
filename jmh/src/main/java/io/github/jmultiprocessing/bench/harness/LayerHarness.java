package io.github.jmultiprocessing.bench.harness;

import io.github.jmultiprocessing.internal.connection.PipeChannel;
import io.github.jmultiprocessing.internal.ring.RecordReader;
import io.github.jmultiprocessing.internal.ring.RecordWriter;
import io.github.jmultiprocessing.internal.ring.SpscRing;
import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import io.github.jmultiprocessing.internal.sync.LockWord;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What each layer of a pipe and a queue costs across two processes: the same ping-pong and the same one-to-one
 * stream with the library's layers added one at a time, to put beside Agrona's anchor in the same minutes.
 *
 * <pre>
 *   ping-pong 64 B, p50 of 200,000 round trips per trial, after 2 s of warm-up:
 *     ring   two {@link SpscRing}s, one per direction, nothing else
 *     lock   the same, each send and receive under a {@link LockWord} (as a pipe end's lock)
 *     chan   {@link PipeChannel#send} / {@link PipeChannel#recv}: the end's lock, the broken word, and the check
 *            that a live process holds the other end (the holders' table and the clock)
 *   (the whole {@code Connection}, with its use count, is {@code DataPathHarness}'s row "pipe ping-pong 64 B p50")
 *   stream 8 B: a chained {@link SpscRing} (a queue's ring) written with tryWrite and read with poll, no lock, no
 *     count, no use count, 10 M messages per trial
 *   (the whole {@code SharedQueue} is the row "queue 1->1 8 B Codec.longs()")
 * </pre>
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp jmh/target/benchmarks.jar \
 *       io.github.jmultiprocessing.bench.harness.LayerHarness ring|lock|chan|stream [trials]
 * </pre>
 *
 * It starts its peer as a second JVM on the same class path and prints one line per trial. A probe of the
 * layers, not a row of the table: its figures go with Agrona's anchor run in the same minutes.
 */
public final class LayerHarness {

    private static final int CAPACITY = 1 << 16;
    private static final int STREAM_CAPACITY = 1 << 20;
    private static final int ROUND_TRIPS = 200_000;
    private static final int STREAM = 10_000_000;
    private static final long WARM_NANOS = 2_000_000_000L;
    private static final BooleanSupplier NEVER = () -> false;

    private LayerHarness() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "ring";
        if (args.length > 1 && args[1].equals("--peer")) {
            peer(mode, Path.of(args[2]));
            return;
        }
        int trials = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path file = Path.of("/dev/shm", "jmp-layers-" + ProcessIdentity.pid());
        Files.deleteIfExists(file);
        try {
            MemorySegment memory = map(file, size(mode), true);
            format(mode, memory);
            Process peer = startPeer(mode, file);
            try {
                if (mode.equals("stream")) {
                    stream(memory, trials);
                    peer.destroy(); // it writes until stopped
                } else {
                    ping(mode, memory, trials);
                }
                if (!peer.waitFor(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the peer did not end");
                }
            } finally {
                peer.destroyForcibly();
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static long size(String mode) {
        return switch (mode) {
            case "ring", "lock" -> 2 * SpscRing.size(CAPACITY) + 4 * 128;
            case "chan" -> PipeChannel.size(CAPACITY, true);
            case "stream" -> SpscRing.size(STREAM_CAPACITY);
            default -> throw new IllegalArgumentException("mode " + mode + " (expected ring, lock, chan or stream)");
        };
    }

    private static void format(String mode, MemorySegment memory) {
        switch (mode) {
            case "ring", "lock" -> {
                long ring = SpscRing.size(CAPACITY);
                SpscRing.create(memory.asSlice(0, ring), CAPACITY);
                SpscRing.create(memory.asSlice(ring, ring), CAPACITY);
            }
            case "chan" -> PipeChannel.format(memory, CAPACITY, true, false);
            default -> SpscRing.createChained(memory, STREAM_CAPACITY, false);
        }
    }

    private static MemorySegment map(Path file, long size, boolean create) throws Exception {
        try (FileChannel channel = create
                ? FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (create) {
                channel.write(ByteBuffer.allocate(1), size - 1);
            }
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, size, Arena.global());
        }
    }

    private static Process startPeer(String mode, Path file) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(LayerHarness.class.getName());
        command.add(mode);
        command.add("--peer");
        command.add(file.toString());
        return new ProcessBuilder(command).inheritIO().start();
    }

    /** The two directions of a ping-pong: what this side sends and what it receives. */
    private record Ends(String mode, SpscRing out, SpscRing in, MemorySegment outLock, MemorySegment inLock,
            PipeChannel channel) {

        static Ends of(String mode, MemorySegment memory, boolean first) throws Exception {
            if (mode.equals("chan")) {
                PipeChannel channel = PipeChannel.open(memory, first ? 0 : 1);
                channel.handOffWaits(true);
                channel.holders().add(ProcessIdentity.pid(), 1);
                return new Ends(mode, null, null, null, null, channel);
            }
            long ring = SpscRing.size(CAPACITY);
            SpscRing a = SpscRing.attach(memory.asSlice(0, ring));
            SpscRing b = SpscRing.attach(memory.asSlice(ring, ring));
            MemorySegment locks = memory.asSlice(2 * ring, 4 * 128);
            return first
                    ? new Ends(mode, a, b, locks.asSlice(0, 128), locks.asSlice(128, 128), null)
                    : new Ends(mode, b, a, locks.asSlice(256, 128), locks.asSlice(384, 128), null);
        }

        void send(byte[] message) throws Exception {
            switch (mode) {
                case "chan" -> channel.send(message, 0, message.length, NEVER);
                case "lock" -> {
                    LockWord.acquire(outLock, -1, true);
                    try {
                        out.write(message, 0, message.length, -1, NEVER);
                    } finally {
                        LockWord.release(outLock);
                    }
                }
                default -> out.write(message, 0, message.length, -1, NEVER);
            }
        }

        byte[] recv() throws Exception {
            return switch (mode) {
                case "chan" -> channel.recv(NEVER);
                case "lock" -> {
                    LockWord.acquire(inLock, -1, true);
                    try {
                        yield in.read(-1, NEVER);
                    } finally {
                        LockWord.release(inLock);
                    }
                }
                default -> in.read(-1, NEVER);
            };
        }

        void awaitPeer() throws InterruptedException {
            while (channel != null && !channel.peerOpen()) {
                Thread.sleep(1);
            }
        }
    }

    private static void ping(String mode, MemorySegment memory, int trials) throws Exception {
        Ends ends = Ends.of(mode, memory, true);
        ends.awaitPeer();
        byte[] message = new byte[64];
        long warmStart = System.nanoTime();
        while (System.nanoTime() - warmStart < WARM_NANOS) {
            ends.send(message);
            ends.recv();
        }
        long[] rt = new long[ROUND_TRIPS];
        for (int t = 0; t < trials; t++) {
            for (int i = 0; i < ROUND_TRIPS; i++) {
                long t0 = System.nanoTime();
                ends.send(message);
                ends.recv();
                rt[i] = System.nanoTime() - t0;
            }
            Arrays.sort(rt);
            System.out.printf("%s ping-pong 64 B p50 %.3f us (p10 %.3f, p90 %.3f)%n", mode, rt[ROUND_TRIPS / 2] / 1e3,
                    rt[ROUND_TRIPS / 10] / 1e3, rt[ROUND_TRIPS * 9 / 10] / 1e3);
        }
        ends.send(new byte[1]); // the end
    }

    private static void stream(MemorySegment memory, int trials) throws Exception {
        SpscRing ring = SpscRing.attach(memory);
        RecordReader<Long> reader = src -> src.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        for (int t = -1; t < trials; t++) { // trial -1 warms
            long t0 = System.nanoTime();
            for (int i = 0; i < STREAM; i++) {
                while (ring.poll(reader, (Long) null) == null) {
                    Thread.onSpinWait();
                }
            }
            if (t >= 0) {
                System.out.printf("stream 8 B, a queue's ring alone: %.2f M msgs/s%n",
                        STREAM / ((System.nanoTime() - t0) / 1e3));
            }
        }
    }

    private static void peer(String mode, Path file) throws Exception {
        MemorySegment memory = map(file, size(mode), false);
        if (mode.equals("stream")) {
            SpscRing ring = SpscRing.attach(memory);
            RecordWriter writer = dst -> dst.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 42L);
            for (long full = 1; ; ) {
                while (!ring.tryWrite(8, writer)) {
                    Thread.onSpinWait();
                    if ((full++ & ((1 << 24) - 1)) == 0
                            && !ProcessHandle.current().parent().map(ProcessHandle::isAlive).orElse(false)) {
                        return; // orphaned
                    }
                }
            }
        }
        Ends ends = Ends.of(mode, memory, false);
        ends.awaitPeer();
        while (true) {
            byte[] message = ends.recv();
            if (message.length == 1) {
                return;
            }
            ends.send(message);
        }
    }
}

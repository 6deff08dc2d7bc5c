package io.github.jmultiprocessing.bench.harness;

import io.github.jmultiprocessing.Codec;
import io.github.jmultiprocessing.Connection;
import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.Pipe;
import io.github.jmultiprocessing.SharedEvent;
import io.github.jmultiprocessing.SharedQueue;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Issue 4's cross-process benchmarks, side by side with CPython's {@code bench_mp.py} cases 2 and 3 run in the same
 * invocation: queue throughput from producer child JVMs to the main JVM (small ints, 1 KiB byte arrays; 1 and 4
 * producers), and pipe ping-pong round trips with a child that echoes (small int objects, 64-byte arrays), with
 * p50 and p99 of single round trips. Producers are started and ready before the clock starts (a shared event is
 * the gun), as in bench_mp; "warm producers" first ran the same put loop 400k times on a queue of their own, so
 * that the measured loop runs JIT-compiled (CPython's producer has no warm-up to do); the same scenarios with
 * Agrona's rings are the peer baseline in {@link DataPathHarness} (warm consumers too, and Agrona's own steady state);
 * ping-pong runs 2,000
 * untimed round trips first (CPython: 200), and again with 100,000 so that both JVMs run compiled code. Prints a markdown table of medians and ratios (ours / CPython).
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
 *       -cp jmh/target/benchmarks.jar io.github.jmultiprocessing.bench.harness.QueueHarness
 *       [--reps N] [--no-python] [--bench-mp path/to/bench_mp.py]
 * </pre>
 */
public final class QueueHarness {

    static final int N_INT = 1_000_000;
    static final int N_KIB = 200_000;
    static final int N_RT = 20_000;
    static final int WARM_RT = 2_000;
    static final int WARM_RT_LONG = 100_000;
    private static final Duration WAIT = Duration.ofMinutes(5);

    private QueueHarness() {
    }

    public static void main(String[] args) throws Exception {
        HarnessArgs parsed = HarnessArgs.parse(args);
        int reps = parsed.reps();
        boolean python = parsed.python();
        Path benchMp = parsed.benchMp();
        Map<String, List<Double>> ours = new LinkedHashMap<>();
        for (boolean warm : new boolean[] {false, true}) {
            String w = warm ? ", warm producers" : "";
            SyncHarness.measure(ours, "queue 1->1 small ints" + w + ": msgs/s", reps,
                    () -> queue(1, N_INT, false, warm));
            SyncHarness.measure(ours, "queue 1->1 1 KiB byte[]" + w + ": msgs/s", reps,
                    () -> queue(1, N_KIB, true, warm));
            ours.put("queue 1->1 1 KiB byte[]" + w + ": MB/s", ours.get("queue 1->1 1 KiB byte[]" + w + ": msgs/s")
                    .stream().map(x -> x * 1024 / 1e6).toList());
            SyncHarness.measure(ours, "queue 4->1 small ints" + w + ": msgs/s", reps,
                    () -> queue(4, N_INT / 4, false, warm));
            SyncHarness.measure(ours, "queue 1->1 8 B longs, Codec.longs()" + w + ": msgs/s", reps,
                    () -> typedQueue(N_INT, warm));
        }
        Map<String, List<Double>> p50 = new LinkedHashMap<>();
        Map<String, List<Double>> p99 = new LinkedHashMap<>();
        for (int warm : new int[] {WARM_RT, WARM_RT_LONG}) {
            for (boolean bytes : new boolean[] {false, true}) {
                String name = (bytes ? "pipe ping-pong 64 B bytes" : "pipe ping-pong small int")
                        + (warm == WARM_RT ? "" : ", " + warm / 1000 + "k warm-up round trips");
                SyncHarness.measure(ours, name + ": round trip us (mean)", reps, () -> {
                    double[] rt = pingPong(bytes, warm);
                    p50.computeIfAbsent(name, k -> new ArrayList<>()).add(rt[1]);
                    p99.computeIfAbsent(name, k -> new ArrayList<>()).add(rt[2]);
                    return rt[0];
                });
                ours.put(name + ": p50 us", p50.get(name).subList(1, p50.get(name).size()));
                ours.put(name + ": p99 us", p99.get(name).subList(1, p99.get(name).size()));
            }
        }
        Map<String, List<Double>> cpython = python ? runPython(benchMp, reps) : Map.of();
        SyncHarness.print(ours, cpython);
    }

    // ---- queue throughput

    /** A producer says it is warm, then waits for the start gun shared by all producers. */
    private static void awaitStartGun(SharedEvent ready, SharedEvent go) {
        ready.set();
        try {
            if (!go.await(WAIT)) {
                throw new IllegalStateException("no start gun within " + WAIT);
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static void produce(SharedQueue<Object> queue, SharedEvent ready, SharedEvent go, int n, boolean kib,
            boolean warm) {
        if (warm) { // the same put path, on a queue of its own, until the JIT has compiled it
            byte[] payload = new byte[1024];
            try (SharedQueue<Object> own = new SharedQueue<>()) {
                for (int round = 0; round < 20; round++) {
                    for (int i = 0; i < 20_000; i++) {
                        own.add(kib ? payload : Integer.valueOf(i));
                    }
                    own.clear();
                }
            }
        }
        awaitStartGun(ready, go);
        byte[] payload = new byte[1024];
        Arrays.fill(payload, (byte) 0xab);
        for (int i = 0; i < n; i++) {
            queue.add(kib ? payload : Integer.valueOf(i));
        }
    }

    static double queue(int producers, int perProducer, boolean kib, boolean warm) throws Exception {
        try (SharedQueue<Object> queue = new SharedQueue<>()) {
            SharedEvent go = new SharedEvent();
            List<JvmProcess> children = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                SharedEvent ready = new SharedEvent();
                JvmProcess child = new JvmProcess(() -> produce(queue, ready, go, perProducer, kib, warm));
                child.start();
                children.add(child);
                if (!ready.await(WAIT)) {
                    throw new IllegalStateException("producer not ready within " + WAIT);
                }
            }
            long total = (long) producers * perProducer;
            long t0 = System.nanoTime();
            go.set();
            long check = 0;
            for (long i = 0; i < total; i++) {
                Object m = queue.take();
                check += kib ? ((byte[]) m).length : (Integer) m;
            }
            long t1 = System.nanoTime();
            long expected = kib ? total * 1024 : producers * ((long) perProducer * (perProducer - 1) / 2);
            if (check != expected) {
                throw new IllegalStateException("checksum " + check + " (expected " + expected + ")");
            }
            for (JvmProcess child : children) {
                if (!child.join(WAIT) || child.exitCode().orElse(-1) != 0) {
                    throw new IllegalStateException(child + " did not end well");
                }
            }
            return total / ((t1 - t0) / 1e9);
        }
    }

    static void produceTyped(SharedQueue<Long> queue, SharedEvent ready, SharedEvent go, int n, boolean warm) {
        if (warm) {
            try (SharedQueue<Long> own = new SharedQueue<>(0, Codec.longs())) {
                for (int round = 0; round < 20; round++) {
                    for (int i = 0; i < 20_000; i++) {
                        own.add((long) i);
                    }
                    own.clear();
                }
            }
        }
        awaitStartGun(ready, go);
        for (long i = 0; i < n; i++) {
            queue.add(i);
        }
    }

    static double typedQueue(int n, boolean warm) throws Exception {
        try (SharedQueue<Long> queue = new SharedQueue<>(0, Codec.longs())) {
            SharedEvent go = new SharedEvent();
            SharedEvent ready = new SharedEvent();
            JvmProcess child = new JvmProcess(() -> produceTyped(queue, ready, go, n, warm));
            child.start();
            if (!ready.await(WAIT)) {
                throw new IllegalStateException("producer not ready within " + WAIT);
            }
            long t0 = System.nanoTime();
            go.set();
            long check = 0;
            for (int i = 0; i < n; i++) {
                check += queue.take();
            }
            long t1 = System.nanoTime();
            if (check != (long) n * (n - 1) / 2) {
                throw new IllegalStateException("checksum " + check);
            }
            if (!child.join(WAIT) || child.exitCode().orElse(-1) != 0) {
                throw new IllegalStateException(child + " did not end well");
            }
            return n / ((t1 - t0) / 1e9);
        }
    }

    // ---- pipe ping-pong

    static void echo(Connection conn, boolean bytes) {
        try {
            while (true) {
                if (bytes) {
                    conn.sendBytes(conn.recvBytes());
                } else {
                    conn.send(conn.recv());
                }
            }
        } catch (EOFException e) {
            conn.close();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@return mean, p50 and p99 of one round trip, in microseconds} */
    static double[] pingPong(boolean bytes, int warmRoundTrips) throws Exception {
        Pipe pipe = Pipe.open();
        Connection mine = pipe.left();
        Connection theirs = pipe.right();
        JvmProcess child = new JvmProcess(() -> echo(theirs, bytes));
        child.start();
        theirs.close();
        byte[] message = new byte[64];
        Arrays.fill(message, (byte) 1);
        Integer number = 12345;
        long[] rt = new long[N_RT];
        for (int i = -warmRoundTrips; i < N_RT; i++) {
            long t0 = System.nanoTime();
            if (bytes) {
                mine.sendBytes(message);
                mine.recvBytes();
            } else {
                mine.send(number);
                mine.recv();
            }
            if (i >= 0) {
                rt[i] = System.nanoTime() - t0;
            }
        }
        mine.close();
        if (!child.join(WAIT)) {
            throw new IllegalStateException("echo child still running");
        }
        long sum = Arrays.stream(rt).sum();
        Arrays.sort(rt);
        return new double[] {sum / 1e3 / N_RT, rt[N_RT / 2] / 1e3, rt[(int) (N_RT * 0.99)] / 1e3};
    }

    // ---- CPython

    static Map<String, List<Double>> runPython(Path benchMp, int reps) throws Exception {
        Map<String, List<Double>> all = BenchMp.run(benchMp, "2,3", reps);
        Map<String, List<Double>> mapped = new LinkedHashMap<>();
        BenchMp.copy(mapped, all, "queue 1->1 small ints: msgs/s", "2|small ints: throughput|msgs/s");
        BenchMp.copy(mapped, all, "queue 1->1 8 B longs, Codec.longs(): msgs/s", "2|small ints: throughput|msgs/s");
        BenchMp.copy(mapped, all, "queue 1->1 1 KiB byte[]: msgs/s", "2|1 KiB bytes: throughput|msgs/s");
        BenchMp.copy(mapped, all, "queue 1->1 1 KiB byte[]: MB/s", "2|1 KiB bytes: bandwidth|MB/s");
        BenchMp.copy(mapped, all, "pipe ping-pong small int: round trip us (mean)",
                "3|send/recv small int: round trip|us");
        BenchMp.copy(mapped, all, "pipe ping-pong 64 B bytes: round trip us (mean)",
                "3|send_bytes/recv_bytes 64 B: round trip|us");
        Map<String, List<Double>> withWarm = new LinkedHashMap<>(mapped); // same CPython run beside warm rows
        mapped.forEach((name, samples) -> {
            int colon = name.indexOf(':');
            String warm = name.startsWith("queue") ? ", warm producers" : ", " + WARM_RT_LONG / 1000
                    + "k warm-up round trips";
            withWarm.put(name.substring(0, colon) + warm + name.substring(colon), samples);
        });
        return withWarm;
    }
}

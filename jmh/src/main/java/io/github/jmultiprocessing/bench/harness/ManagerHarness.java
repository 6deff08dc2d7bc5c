package io.github.jmultiprocessing.bench.harness;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.Manager;
import io.github.jmultiprocessing.Multiprocessing;
import io.github.jmultiprocessing.SharedValue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Issue 6's benchmarks, side by side with CPython's {@code bench_mp.py} case 8 in the same invocation: manager
 * startup, first {@code dict()} and shutdown; then on one reused manager, a fresh dict per rep, {@code d[i] = i}
 * then {@code d[i]} for 20,000 keys from the main process; and the same from two client processes at once (no
 * CPython anchor).
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp jmh/target/benchmarks.jar io.github.jmultiprocessing.bench.harness.ManagerHarness
 *       [--reps N] [--no-python] [--bench-mp path/to/bench_mp.py]
 * </pre>
 */
public final class ManagerHarness {

    static final int N = 20_000;

    private ManagerHarness() {
    }

    public static void main(String[] args) throws Exception {
        HarnessArgs parsed = HarnessArgs.parse(args);
        int reps = parsed.reps();
        boolean python = parsed.python();
        Path benchMp = parsed.benchMp();
        Map<String, List<Double>> ours = new LinkedHashMap<>();
        SyncHarness.measure(ours, "Manager() startup: ms", reps, () -> {
            long t0 = System.nanoTime();
            Manager m = Multiprocessing.manager();
            long t1 = System.nanoTime();
            Map<Integer, Integer> d = m.dict();
            d.put(0, 0);
            m.shutdown();
            return (t1 - t0) / 1e6;
        });
        try (Manager m = Multiprocessing.manager()) {
            SyncHarness.measure(ours, "dict proxy d[i] = i: ops/s", reps, () -> {
                Map<Integer, Integer> d = m.dict();
                long t0 = System.nanoTime();
                for (int i = 0; i < N; i++) {
                    d.put(i, i);
                }
                return N / ((System.nanoTime() - t0) / 1e9);
            });
            SyncHarness.measure(ours, "dict proxy d[i] (get): ops/s", reps, () -> {
                Map<Integer, Integer> d = m.dict();
                for (int i = 0; i < N; i++) {
                    d.put(i, i);
                }
                long t0 = System.nanoTime();
                long s = 0;
                for (int i = 0; i < N; i++) {
                    s += d.get(i);
                }
                double rate = N / ((System.nanoTime() - t0) / 1e9);
                if (s != (long) N * (N - 1) / 2 || d.size() != N) {
                    throw new IllegalStateException("manager dict mismatch");
                }
                return rate;
            });
            SyncHarness.measure(ours, "dict proxy set+get, 2 client processes: ops/s", reps, () -> {
                Map<Integer, Integer> d = m.dict();
                SharedValue nanos = SharedValue.of('q', 0L);
                JvmProcess[] clients = new JvmProcess[2];
                for (int c = 0; c < 2; c++) {
                    int base = c * N;
                    clients[c] = new JvmProcess(() -> setGet(d, base, nanos));
                    clients[c].start();
                }
                for (JvmProcess client : clients) {
                    client.join(Duration.ofMinutes(5));
                    if (client.exitCode().orElse(-1) != 0) {
                        throw new IllegalStateException("a client failed: " + client);
                    }
                    client.close();
                }
                return 2.0 * 2 * N / (((Number) nanos.get()).longValue() / 2 / 1e9); // mean time per client
            });
        }
        Map<String, List<Double>> cpython = python ? runPython(benchMp, reps) : Map.of();
        SyncHarness.print(ours, cpython);
    }

    /** One client: warm up, then time {@code N} sets and {@code N} gets of its own keys; adds its time. */
    static void setGet(Map<Integer, Integer> d, int base, SharedValue nanos) {
        for (int i = 0; i < 2_000; i++) {
            d.put(-1 - base - i, i); // warm-up, own keys
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < N; i++) {
            d.put(base + i, i);
        }
        for (int i = 0; i < N; i++) {
            d.get(base + i);
        }
        nanos.getAndAdd(System.nanoTime() - t0);
    }

    static Map<String, List<Double>> runPython(Path benchMp, int reps) throws Exception {
        Map<String, List<Double>> all = BenchMp.run(benchMp, "8", reps);
        Map<String, List<Double>> mapped = new LinkedHashMap<>();
        BenchMp.copy(mapped, all, "Manager() startup: ms", "8|spawn: Manager() startup|ms");
        BenchMp.copy(mapped, all, "dict proxy d[i] = i: ops/s", "8|dict proxy d[i] = i|ops/s");
        BenchMp.copy(mapped, all, "dict proxy d[i] (get): ops/s", "8|dict proxy d[i] (get)|ops/s");
        return mapped;
    }
}

package io.github.jmultiprocessing.bench.harness;

import io.github.jmultiprocessing.ProcessPool;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Issue 5's benchmarks, side by side with CPython's {@code bench_mp.py} cases 6 and 7 in the same invocation:
 * {@code ProcessPool(2)} creation plus a first {@code apply}, {@code map(cube, 0..1e6)} with the default chunk
 * size, {@code map} with chunk size 1 over 20,000 items, and sequential {@code applyAsync(...).get()} round trips.
 * The map and round-trip figures reuse one pool (warmed by the harness's warm-up rep), as bench_mp does.
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp jmh/target/benchmarks.jar io.github.jmultiprocessing.bench.harness.PoolHarness
 *       [--reps N] [--no-python] [--bench-mp path/to/bench_mp.py]
 * </pre>
 */
public final class PoolHarness {

    static final int N_MAP = 1_000_000;
    static final int N_CHUNK1 = 20_000;
    static final int N_APPLY = 5_000;

    private PoolHarness() {
    }

    static long cube(long x) {
        return x * x * x;
    }

    static int ident(int x) {
        return x;
    }

    public static void main(String[] args) throws Exception {
        HarnessArgs parsed = HarnessArgs.parse(args);
        int reps = parsed.reps();
        boolean python = parsed.python();
        Path benchMp = parsed.benchMp();
        Map<String, List<Double>> ours = new LinkedHashMap<>();
        SyncHarness.measure(ours, "ProcessPool(2) create + first apply: ms", reps, () -> {
            long t0 = System.nanoTime();
            try (ProcessPool pool = new ProcessPool(2)) {
                pool.apply(() -> 0);
                return (System.nanoTime() - t0) / 1e6;
            }
        });
        List<Long> range = IntStream.range(0, N_MAP).mapToObj(i -> (long) i).toList();
        List<Long> small = range.subList(0, N_CHUNK1);
        try (ProcessPool pool = new ProcessPool(2)) {
            pool.apply(() -> 0);
            SyncHarness.measure(ours, "map(cube, range(1,000,000)) default chunksize: tasks/s", reps, () -> {
                long t0 = System.nanoTime();
                List<Long> r = pool.map(PoolHarness::cube, range);
                double s = (System.nanoTime() - t0) / 1e9;
                if (r.size() != N_MAP || r.get(N_MAP - 1) != cube(N_MAP - 1)) {
                    throw new IllegalStateException("map result mismatch");
                }
                return N_MAP / s;
            });
            SyncHarness.measure(ours, "map(cube, range(20,000), chunksize=1): tasks/s", reps, () -> {
                long t0 = System.nanoTime();
                List<Long> r = pool.map(PoolHarness::cube, small, 1);
                double s = (System.nanoTime() - t0) / 1e9;
                if (r.size() != N_CHUNK1) {
                    throw new IllegalStateException("map result mismatch");
                }
                return N_CHUNK1 / s;
            });
            SyncHarness.measure(ours, "applyAsync(...).get() round trip: us", reps, () -> {
                long t0 = System.nanoTime();
                int last = -1;
                for (int i = 0; i < N_APPLY; i++) {
                    int x = i;
                    last = pool.applyAsync(() -> ident(x)).get();
                }
                if (last != N_APPLY - 1) {
                    throw new IllegalStateException("applyAsync result mismatch");
                }
                return (System.nanoTime() - t0) / 1e3 / N_APPLY;
            });
        }
        Map<String, List<Double>> cpython = python ? runPython(benchMp, reps) : Map.of();
        SyncHarness.print(ours, cpython);
    }

    static Map<String, List<Double>> runPython(Path benchMp, int reps) throws Exception {
        Map<String, List<Double>> all = BenchMp.run(benchMp, "6,7", reps);
        Map<String, List<Double>> mapped = new LinkedHashMap<>();
        BenchMp.copy(mapped, all, "ProcessPool(2) create + first apply: ms", "6|spawn: Pool(2) create + first apply|ms");
        BenchMp.copy(mapped, all, "map(cube, range(1,000,000)) default chunksize: tasks/s",
                "6|map(cube, range(1,000,000)) default chunksize|tasks/s");
        BenchMp.copy(mapped, all, "map(cube, range(20,000), chunksize=1): tasks/s",
                "6|map(cube, range(20,000), chunksize=1)|tasks/s");
        BenchMp.copy(mapped, all, "applyAsync(...).get() round trip: us", "7|apply_async(...).get() round trip|us");
        return mapped;
    }
}

package io.github.jmultiprocessing.bench.harness;

import io.github.jmultiprocessing.ManagedLock;
import io.github.jmultiprocessing.ManagedQueue;
import io.github.jmultiprocessing.Manager;
import io.github.jmultiprocessing.Multiprocessing;
import io.github.jmultiprocessing.Pool;
import io.github.jmultiprocessing.ProcessPool;
import io.github.jmultiprocessing.ignite.ClusterManager;
import io.github.jmultiprocessing.ignite.ClusterPool;
import io.github.jmultiprocessing.ignite.IgniteJvm;
import io.github.jmultiprocessing.ignite.LocalCluster;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

/**
 * Issue 17's measurements, side by side in one run: {@code ProcessPool(2)} against a {@code ClusterPool} on a
 * {@code LocalCluster} of 2 Ignite node JVMs on this machine, through the same {@link Pool} methods; the local
 * {@code Manager} against a {@code ClusterManager} on the same cluster, through the same proxy interfaces ({@code Map},
 * {@code ManagedLock}, {@code ManagedQueue}). Each row: 3 s of warm-up trials, then {@code trials} measured ones with
 * the same pool or manager; the median and min-max are printed.
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp jmh/target/benchmarks.jar \
 *       io.github.jmultiprocessing.bench.harness.ClusterPoolHarness [trials]
 * </pre>
 *
 * It restarts itself with Ignite's JVM flags ({@link IgniteJvm#flags()}) when started without them.
 */
public final class ClusterPoolHarness {

    static final int N_MAP = 100_000;
    static final int N_SLEEP = 200;
    static final int N_APPLY = 500;
    static final int N_CALLS = 2_000;
    static final long WARM_NANOS = 3_000_000_000L;

    private ClusterPoolHarness() {
    }

    static long cube(long x) {
        return x * x * x;
    }

    static long sleep10(long x) {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return x;
    }

    public static void main(String[] args) throws Exception {
        if (!IgniteJvm.missingHere().isEmpty()) {
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.addAll(IgniteJvm.flags());
            command.add("--enable-native-access=ALL-UNNAMED");
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(ClusterPoolHarness.class.getName());
            command.addAll(Arrays.asList(args));
            System.exit(new ProcessBuilder(command).inheritIO().start().waitFor());
        }
        int trials = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Map<String, double[]> local;
        Map<String, double[]> cluster;
        long t0 = System.nanoTime();
        try (Pool pool = new ProcessPool(2)) {
            pool.apply(() -> 0);
            double created = (System.nanoTime() - t0) / 1e6;
            local = measure(pool, trials);
            local.put("pool create + first apply: ms", new double[] {created});
        }
        t0 = System.nanoTime();
        try (Manager manager = Multiprocessing.manager()) {
            Map<Integer, Integer> dict = manager.dict();
            double created = (System.nanoTime() - t0) / 1e6;
            local.putAll(measure(dict, manager.lock(), manager.queue(), trials));
            local.put("manager create + first dict: ms", new double[] {created});
        }
        t0 = System.nanoTime();
        try (LocalCluster nodes = LocalCluster.start(2); Pool pool = new ClusterPool(nodes.ignite())) {
            pool.apply(() -> 0);
            double created = (System.nanoTime() - t0) / 1e6;
            cluster = measure(pool, trials);
            cluster.put("pool create + first apply: ms", new double[] {created});
            t0 = System.nanoTime();
            try (ClusterManager manager = new ClusterManager(nodes.ignite())) {
                Map<Integer, Integer> dict = manager.dict();
                created = (System.nanoTime() - t0) / 1e6;
                cluster.putAll(measure(dict, manager.lock(), manager.queue(), trials));
                cluster.put("manager create + first dict: ms", new double[] {created});
            }
        }
        System.out.println("| row | ProcessPool(2) / Manager() | ClusterPool / ClusterManager, 2 local Ignite nodes"
                + " | cluster / local |");
        System.out.println("|---|---:|---:|---:|");
        for (String row : local.keySet()) {
            double ours = median(local.get(row));
            double theirs = median(cluster.get(row));
            System.out.printf("| %s | %s | %s | %.2fx |%n", row, figure(local.get(row)), figure(cluster.get(row)),
                    theirs / ours);
        }
    }

    private static Map<String, double[]> measure(Pool pool, int trials) throws Exception {
        List<Long> range = LongStream.range(0, N_MAP).boxed().toList();
        List<Long> sleeps = LongStream.range(0, N_SLEEP).boxed().toList();
        Map<String, double[]> rows = new LinkedHashMap<>();
        rows.put("map(cube, 1e5) default chunks: tasks/s", trials(trials, () -> {
            long t0 = System.nanoTime();
            List<Long> r = pool.map(ClusterPoolHarness::cube, range);
            double s = (System.nanoTime() - t0) / 1e9;
            if (r.size() != N_MAP || r.get(N_MAP - 1) != cube(N_MAP - 1)) {
                throw new IllegalStateException("map result mismatch");
            }
            return N_MAP / s;
        }));
        rows.put("map(sleep 10 ms, 200 items, chunksize=1): s", trials(trials, () -> {
            long t0 = System.nanoTime();
            List<Long> r = pool.map(ClusterPoolHarness::sleep10, sleeps, 1);
            if (r.size() != N_SLEEP) {
                throw new IllegalStateException("map result mismatch");
            }
            return (System.nanoTime() - t0) / 1e9;
        }));
        rows.put("applyAsync(...).get() round trip p50: us", trials(trials, () -> {
            long[] rt = new long[N_APPLY];
            for (int i = 0; i < N_APPLY; i++) {
                int x = i;
                long t0 = System.nanoTime();
                if (pool.applyAsync(() -> x).get(1, TimeUnit.MINUTES) != x) {
                    throw new IllegalStateException("apply result mismatch");
                }
                rt[i] = System.nanoTime() - t0;
            }
            Arrays.sort(rt);
            return rt[N_APPLY / 2] / 1e3;
        }));
        return rows;
    }

    /** The manager rows: each a p50 of {@value #N_CALLS} calls through the proxy interfaces, in microseconds. */
    private static Map<String, double[]> measure(Map<Integer, Integer> dict, ManagedLock lock,
            ManagedQueue<Integer> queue, int trials) throws Exception {
        Map<String, double[]> rows = new LinkedHashMap<>();
        rows.put("dict put p50: us", trials(trials, () -> p50(i -> dict.put(i % 100, i))));
        rows.put("dict get p50: us", trials(trials, () -> p50(i -> {
            if (dict.get(i % 100) == null) {
                throw new IllegalStateException("dict get mismatch");
            }
        })));
        rows.put("lock acquire + release p50: us", trials(trials, () -> p50(i -> {
            lock.acquire();
            lock.release();
        })));
        rows.put("queue put + get p50: us", trials(trials, () -> p50(i -> {
            queue.put(i);
            if (queue.get() != i) {
                throw new IllegalStateException("queue mismatch");
            }
        })));
        return rows;
    }

    private interface Call {
        void run(int i) throws Exception;
    }

    private static double p50(Call call) throws Exception {
        long[] rt = new long[N_CALLS];
        for (int i = 0; i < N_CALLS; i++) {
            long t0 = System.nanoTime();
            call.run(i);
            rt[i] = System.nanoTime() - t0;
        }
        Arrays.sort(rt);
        return rt[N_CALLS / 2] / 1e3;
    }

    private interface Trial {
        double run() throws Exception;
    }

    private static double[] trials(int trials, Trial trial) throws Exception {
        long warm = System.nanoTime();
        do { // warm-up in the same pool: at least 3 s, the JIT of the caller and of the workers or nodes
            trial.run();
        } while (System.nanoTime() - warm < WARM_NANOS);
        double[] figures = new double[trials];
        for (int t = 0; t < trials; t++) {
            figures[t] = trial.run();
        }
        return figures;
    }

    private static double median(double[] figures) {
        double[] sorted = figures.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String figure(double[] figures) {
        double[] sorted = figures.clone();
        Arrays.sort(sorted);
        if (sorted.length == 1) {
            return format(sorted[0]);
        }
        return format(median(sorted)) + " (" + format(sorted[0]) + "-" + format(sorted[sorted.length - 1]) + ")";
    }

    private static String format(double value) {
        return value >= 1e6 ? String.format("%.2f M", value / 1e6) : value >= 1e4 ? String.format("%.1f k", value / 1e3)
                : value >= 100 ? String.format("%.0f", value) : String.format("%.3g", value);
    }
}

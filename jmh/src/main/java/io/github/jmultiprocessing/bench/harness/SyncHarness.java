package io.github.jmultiprocessing.bench.harness;

import io.github.jmultiprocessing.Context;
import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.Multiprocessing;
import io.github.jmultiprocessing.SharedBarrier;
import io.github.jmultiprocessing.SharedEvent;
import io.github.jmultiprocessing.SharedRLock;
import io.github.jmultiprocessing.SharedValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;

/**
 * Issue 3's cross-process benchmarks, side by side with {@code jmh/python/bench_sync.py} (same scenarios, same
 * sizes, run in the same invocation): contended RLock, Event wake-up round trip, Barrier round, start+join per
 * start method, idle child memory. Prints a markdown table of medians and ratios (ours / CPython).
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp jmh/target/benchmarks.jar io.github.jmultiprocessing.bench.harness.SyncHarness
 *       [--reps N] [--no-python]
 * </pre>
 */
public final class SyncHarness {

    static final int N_LOCK = 100_000;
    static final int N_PING = 2_000;
    static final int N_BARRIER = 2_000;

    private SyncHarness() {
    }

    public static void main(String[] args) throws Exception {
        int reps = 5;
        boolean python = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--no-python" -> python = false;
                default -> throw new IllegalArgumentException("argument=" + args[i]
                        + " (expected --reps N or --no-python)");
            }
        }
        Map<String, List<Double>> ours = new LinkedHashMap<>();
        measure(ours, "rlock_contended_ops_s", reps, SyncHarness::rlockContended);
        measure(ours, "event_pingpong_rt_us", reps, SyncHarness::eventPingPong);
        measure(ours, "barrier_round_us", reps, SyncHarness::barrierRounds);
        for (String method : List.of("spawn", "forkserver", "thread")) {
            Context ctx = Multiprocessing.getContext(method);
            measure(ours, "start_join_ms_" + method, reps, () -> startJoin(ctx));
        }
        measure(ours, "start_join_ms_forkserver_idle", reps, SyncHarness::startJoinIdleForkserver);
        double[] memory = idleChildMemory();
        ours.put("idle_child_rss_kb", List.of(memory[0]));
        ours.put("idle_child_private_kb", List.of(memory[1]));
        Map<String, List<Double>> cpython = python ? runPython(reps) : Map.of();
        print(ours, cpython);
    }

    interface Scenario {
        double run() throws Exception;
    }

    static void measure(Map<String, List<Double>> into, String name, int reps, Scenario scenario) throws Exception {
        scenario.run(); // warm-up
        List<Double> samples = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            samples.add(scenario.run());
        }
        into.put(name, samples);
        System.err.println(name + " " + samples);
    }

    static void lockedAdder(SharedRLock lock, SharedValue value, SharedEvent go) {
        try {
            go.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < N_LOCK; i++) {
            try (var _ = lock.locked()) {
                value.setInt(value.getInt() + 1);
            }
        }
    }

    static double rlockContended() throws Exception {
        SharedRLock lock = new SharedRLock();
        SharedValue value = SharedValue.raw('i', 0);
        SharedEvent go = new SharedEvent();
        List<JvmProcess> workers = List.of(new JvmProcess(() -> lockedAdder(lock, value, go)),
                new JvmProcess(() -> lockedAdder(lock, value, go)));
        for (JvmProcess worker : workers) {
            worker.start();
        }
        Thread.sleep(300);
        long start = System.nanoTime();
        go.set();
        for (JvmProcess worker : workers) {
            worker.join();
        }
        long elapsed = System.nanoTime() - start;
        if (value.getInt() != 2 * N_LOCK) {
            throw new IllegalStateException("counter=" + value.getInt() + " (expected " + 2 * N_LOCK + ")");
        }
        return 2.0 * N_LOCK / (elapsed / 1e9);
    }

    static void ponger(SharedEvent e1, SharedEvent e2, int n) {
        try {
            for (int i = 0; i < n; i++) {
                e1.await();
                e1.clear();
                e2.set();
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static double eventPingPong() throws Exception {
        SharedEvent e1 = new SharedEvent();
        SharedEvent e2 = new SharedEvent();
        JvmProcess child = new JvmProcess(() -> ponger(e1, e2, N_PING + 2_000));
        child.start();
        for (int i = 0; i < 2_000; i++) { // warms both JVMs' paths up
            e1.set();
            e2.await();
            e2.clear();
        }
        long start = System.nanoTime();
        for (int i = 0; i < N_PING; i++) {
            e1.set();
            e2.await();
            e2.clear();
        }
        long elapsed = System.nanoTime() - start;
        child.join();
        return elapsed / 1e3 / N_PING;
    }

    static void party(SharedBarrier barrier, int n) {
        try {
            for (int i = 0; i < n; i++) {
                barrier.await();
            }
        } catch (InterruptedException | BrokenBarrierException e) {
            throw new IllegalStateException(e);
        }
    }

    static double barrierRounds() throws Exception {
        SharedBarrier barrier = new SharedBarrier(2);
        JvmProcess child = new JvmProcess(() -> party(barrier, N_BARRIER + 2_000));
        child.start();
        for (int i = 0; i < 2_000; i++) {
            barrier.await();
        }
        long start = System.nanoTime();
        for (int i = 0; i < N_BARRIER; i++) {
            barrier.await();
        }
        long elapsed = System.nanoTime() - start;
        child.join();
        return elapsed / 1e3 / N_BARRIER;
    }

    static void noop() {
    }

    static double startJoin(Context ctx) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            JvmProcess p = ctx.process(SyncHarness::noop);
            p.start();
            p.join();
        }
        return (System.nanoTime() - start) / 1e6 / 20;
    }

    /** One start+join after the standby had time to warm up: the latency a forkserver user sees now and then. */
    static double startJoinIdleForkserver() throws Exception {
        Context ctx = Multiprocessing.getContext("forkserver");
        double total = 0;
        for (int i = 0; i < 5; i++) {
            Thread.sleep(500);
            long start = System.nanoTime();
            JvmProcess p = ctx.process(SyncHarness::noop);
            p.start();
            p.join();
            total += (System.nanoTime() - start) / 1e6;
        }
        return total / 5;
    }

    static void sleepLong() {
        try {
            Thread.sleep(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static double[] idleChildMemory() throws Exception {
        JvmProcess p = new JvmProcess(SyncHarness::sleepLong);
        p.start();
        Thread.sleep(1500);
        long pid = p.pid().orElseThrow();
        double rss = field(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
        double priv = field(Path.of("/proc", Long.toString(pid), "smaps_rollup"), "Private_Dirty:");
        p.kill();
        p.join();
        return new double[] {rss, priv};
    }

    private static double field(Path file, String name) throws IOException {
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith(name)) {
                return Double.parseDouble(line.substring(name.length()).trim().split("\\s+")[0]);
            }
        }
        return Double.NaN;
    }

    @SuppressWarnings("unchecked")
    static Map<String, List<Double>> runPython(int reps) throws Exception {
        Path script = Path.of(System.getProperty("bench.sync.py", "jmh/python/bench_sync.py"));
        ProcessBuilder builder = new ProcessBuilder("python3", script.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("REPS", Integer.toString(reps));
        Process python = builder.start();
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (python.waitFor() != 0) {
            throw new IllegalStateException("bench_sync.py failed: " + out);
        }
        Map<String, Object> parsed = (Map<String, Object>) JsonReader.parse(out.strip());
        Map<String, List<Double>> result = new LinkedHashMap<>();
        parsed.forEach((k, v) -> result.put(k, ((List<Object>) v).stream().map(x -> ((Number) x).doubleValue())
                .toList()));
        return result;
    }

    static double median(List<Double> samples) {
        double[] sorted = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    static void print(Map<String, List<Double>> ours, Map<String, List<Double>> cpython) {
        Map<String, String> pythonKey = Map.of("start_join_ms_forkserver_idle", "start_join_ms_forkserver",
                "start_join_ms_thread", "start_join_ms_fork");
        System.out.println("| metric | ours (median [min - max]) | CPython (median) | ours / CPython |");
        System.out.println("|---|---:|---:|---:|");
        for (Map.Entry<String, List<Double>> entry : ours.entrySet()) {
            String name = entry.getKey();
            List<Double> samples = entry.getValue();
            double m = median(samples);
            List<Double> theirs = cpython.get(pythonKey.getOrDefault(name, name));
            String label = name + (pythonKey.containsKey(name) ? " (vs CPython " + pythonKey.get(name) + ")" : "");
            System.out.printf("| %s | %.4g [%.4g - %.4g] | %s | %s |%n", label, m,
                    samples.stream().mapToDouble(Double::doubleValue).min().orElse(m),
                    samples.stream().mapToDouble(Double::doubleValue).max().orElse(m),
                    theirs == null ? "-" : String.format("%.4g", median(theirs)),
                    theirs == null ? "-" : String.format("%.3gx", m / median(theirs)));
        }
    }
}

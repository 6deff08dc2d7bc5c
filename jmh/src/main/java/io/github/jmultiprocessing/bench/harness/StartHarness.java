package io.github.jmultiprocessing.bench.harness;

import io.github.jmultiprocessing.Context;
import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.Manager;
import io.github.jmultiprocessing.Multiprocessing;
import io.github.jmultiprocessing.ProcessPool;
import io.github.jmultiprocessing.SharedLock;
import io.github.jmultiprocessing.SharedValue;
import io.github.jmultiprocessing.internal.config.Configuration;
import io.github.jmultiprocessing.internal.spawn.ChildLauncher;
import io.github.jmultiprocessing.internal.spawn.LaunchSpec;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.DoublePredicate;

/**
 * Issue 18's start-cost table: what a program pays before its work starts, ours beside CPython's
 * {@code bench_mp.py} (cases 1, 4, 6, 8) and {@code jmh/python/bench_sync.py} (idle child memory), and beside the
 * JVM's own floor, all in the same run.
 *
 * <ul>
 *   <li>the floor: {@code java <the flags a child gets> -cp <this jar> Hello} started and waited for, 20 in a row
 *   (and the same with no flags at all);</li>
 *   <li>{@code JvmProcess} start+join with {@code spawn}, 20 in a row, mean per process (bench_mp case 1);</li>
 *   <li>{@code forkserver}, with 4 standbys asked for: a burst of 4 back-to-back start+joins after a pause (the
 *   standbys ready), mean per process; and one start+join after a pause (a standby warm); both against CPython's
 *   forkserver start+join;</li>
 *   <li>{@code ProcessPool(2)} created and its first {@code apply} returned, then closed (case 6's spawn row);</li>
 *   <li>{@code Manager()} returning, started and connected (case 8's spawn row);</li>
 *   <li>the same pool and manager with the {@code forkserver} context, after a pause (their JVMs are standbys),
 *   against CPython's spawn rows;</li>
 *   <li>an idle child's private dirty memory ({@code /proc/pid/smaps_rollup}) 1.5 s after its start, and 12 s after
 *   (once its JVM has given freed native memory back; CPython's child looked at 1 s and at 12 s);</li>
 *   <li>the locked counter, 2 fresh child JVMs x 100k {@code lock.locked()} increments (case 4, explicit Lock).</li>
 * </ul>
 *
 * <p>The whole harness, ours and CPython, runs {@code --runs} times; each run takes one warm-up and
 * {@code --reps} samples of every row, and the table shows the median of the runs' medians with their min-max,
 * and ratios computed per run.
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp jmh/target/benchmarks.jar io.github.jmultiprocessing.bench.harness.StartHarness
 *       [--runs 3] [--reps 5] [--no-python] [--bench-mp PATH] [--out FILE]
 * </pre>
 */
public final class StartHarness {

    private static final int IN_A_ROW = 20;
    private static final int BURST = 4;
    private static final long STANDBY_PAUSE_MILLIS = 3_000;
    private static final int COUNTER_PER_PROCESS = 100_000;

    /** A row of the table: our metric, CPython's key, and the target as a test on the ratio. */
    private record Row(String name, String unit, String python, String target, DoublePredicate met) {
    }

    private static final String FLOOR = "empty JVM floor: `java <child flags> -cp <jar> Hello`";
    private static final String FLOOR_BARE = "empty JVM, no flags: `java -cp <jar> Hello`";
    private static final String SPAWN = "`JvmProcess` start+join, spawn";
    private static final String BURST_ROW = "start+join, forkserver, burst of 4 back to back (each; 4 standbys)";
    private static final String WARM = "start+join, forkserver, standby warm";
    private static final String POOL = "`ProcessPool(2)` create + first apply";
    private static final String MANAGER = "`Manager()` startup";
    private static final String POOL_FORKSERVER = "`ProcessPool(2)` create + first apply, forkserver context";
    private static final String MANAGER_FORKSERVER = "`Manager()` startup, forkserver context";
    private static final String MEMORY = "idle child, private dirty memory";
    private static final String MEMORY_LATE = "idle child, private dirty memory, 12 s after its start";
    private static final long LATE_IDLE_MILLIS = 12_000;
    private static final int LATE_IDLE_REPS = 3;
    private static final String COUNTER = "locked counter 2 x 100k, fresh children";

    private static final List<Row> ROWS = List.of(
            new Row(FLOOR, "ms", null, "-", r -> true),
            new Row(FLOOR_BARE, "ms", null, "-", r -> true),
            new Row(SPAWN, "ms", "1|spawn: start()+join() per process|ms", "<= 1.0x and <= floor + 15 ms",
                    r -> r <= 1.0),
            new Row(BURST_ROW, "ms", "1|forkserver: start()+join() per process|ms", "<= 1.0x", r -> r <= 1.0),
            new Row(WARM, "ms", "1|forkserver: start()+join() per process|ms", "<= 0.5x", r -> r <= 0.5),
            new Row(POOL, "ms", "6|spawn: Pool(2) create + first apply|ms", "<= 1.5x", r -> r <= 1.5),
            new Row(MANAGER, "ms", "8|spawn: Manager() startup|ms", "<= 1.5x", r -> r <= 1.5),
            new Row(POOL_FORKSERVER, "ms", "6|spawn: Pool(2) create + first apply|ms", "<= 1.5x (vs spawn)",
                    r -> r <= 1.5),
            new Row(MANAGER_FORKSERVER, "ms", "8|spawn: Manager() startup|ms", "<= 1.5x (vs spawn)", r -> r <= 1.5),
            new Row(MEMORY, "MB", "idle_child_private_kb", "<= 1.5x", r -> r <= 1.5),
            new Row(MEMORY_LATE, "MB", "idle_child_private_kb_late", "<= 1.5x", r -> r <= 1.5),
            new Row(COUNTER, "M ops/s", "4|contended explicit Lock + Value(lock=False): total|ops/s", ">= 3x",
                    r -> r >= 3.0));

    private StartHarness() {
    }

    interface Sample {
        double take() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int runs = 3;
        int reps = 5;
        boolean python = true;
        Path benchMp = Path.of("/work/shared/anchors/python/bench_mp.py");
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--no-python" -> python = false;
                case "--bench-mp" -> benchMp = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("argument=" + args[i]
                        + " (expected --runs N, --reps N, --no-python, --bench-mp PATH or --out FILE)");
            }
        }
        log("start-cost harness: java " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors()
                + " CPUs, " + runs + " runs of 1 warm-up + " + reps + " reps");
        primeAotCache();
        List<Map<String, Double>> ours = new ArrayList<>();
        List<Map<String, Double>> theirs = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            log("== run " + run + " of " + runs);
            ours.add(runOurs(reps));
            theirs.add(python ? runPython(benchMp, reps) : Map.of());
        }
        String table = table(ours, theirs);
        System.out.println(table);
        if (out != null) {
            Files.writeString(out, table);
        }
    }

    // ---------------------------------------------------------------- ours

    private static Map<String, Double> runOurs(int reps) throws Exception {
        Map<String, Double> medians = new LinkedHashMap<>();
        List<String> floor = helloCommand(true);
        List<String> bare = helloCommand(false);
        log("floor command: " + String.join(" ", floor));
        medians.put(FLOOR, median(FLOOR, reps, () -> inARow(floor)));
        medians.put(FLOOR_BARE, median(FLOOR_BARE, reps, () -> inARow(bare)));
        Context spawn = Multiprocessing.getContext("spawn");
        medians.put(SPAWN, median(SPAWN, reps, () -> {
            long t0 = System.nanoTime();
            for (int i = 0; i < IN_A_ROW; i++) {
                startJoin(spawn);
            }
            return (System.nanoTime() - t0) / 1e6 / IN_A_ROW;
        }));
        medians.put(POOL, median(POOL, reps, () -> {
            long t0 = System.nanoTime();
            try (ProcessPool pool = new ProcessPool(2)) {
                pool.apply(() -> 0);
                return (System.nanoTime() - t0) / 1e6;
            }
        }));
        medians.put(MANAGER, median(MANAGER, reps, () -> {
            long t0 = System.nanoTime();
            Manager manager = Multiprocessing.manager();
            double ms = (System.nanoTime() - t0) / 1e6;
            manager.shutdown();
            return ms;
        }));
        medians.put(MEMORY, median(MEMORY, reps, () -> idleChildPrivateMb(1_500)));
        medians.put(MEMORY_LATE, median(MEMORY_LATE, LATE_IDLE_REPS, () -> idleChildPrivateMb(LATE_IDLE_MILLIS)));
        medians.put(COUNTER, median(COUNTER, reps, () -> {
            SharedLock lock = new SharedLock();
            SharedValue value = SharedValue.raw('i');
            LockHarness.Timing timing = LockHarness.runGatedPair(LockHarness.Kind.LOCK, COUNTER_PER_PROCESS, lock,
                    value, io.github.jmultiprocessing.internal.sync.Futex.AVAILABLE, false);
            if (value.getInt() != 2 * COUNTER_PER_PROCESS) {
                throw new IllegalStateException("counter=" + value.getInt());
            }
            return 2.0 * COUNTER_PER_PROCESS / timing.seconds() / 1e6;
        }));
        // Last: standbys warming up in the background would take CPU from the rows above.
        System.setProperty(Configuration.FORKSERVER_STANDBYS.property(), Integer.toString(BURST)); // a standby for each of the burst
        Context forkserver = Multiprocessing.getContext("forkserver");
        medians.put(BURST_ROW, median(BURST_ROW, reps, () -> {
            Thread.sleep(STANDBY_PAUSE_MILLIS);
            long t0 = System.nanoTime();
            for (int i = 0; i < BURST; i++) {
                startJoin(forkserver);
            }
            return (System.nanoTime() - t0) / 1e6 / BURST;
        }));
        medians.put(WARM, median(WARM, reps, () -> {
            Thread.sleep(STANDBY_PAUSE_MILLIS);
            long t0 = System.nanoTime();
            startJoin(forkserver);
            return (System.nanoTime() - t0) / 1e6;
        }));
        medians.put(POOL_FORKSERVER, median(POOL_FORKSERVER, reps, () -> {
            Thread.sleep(STANDBY_PAUSE_MILLIS);
            long t0 = System.nanoTime();
            try (ProcessPool pool = new ProcessPool(2, null, 0, forkserver)) {
                pool.apply(() -> 0);
                return (System.nanoTime() - t0) / 1e6;
            }
        }));
        medians.put(MANAGER_FORKSERVER, median(MANAGER_FORKSERVER, reps, () -> {
            Thread.sleep(STANDBY_PAUSE_MILLIS);
            long t0 = System.nanoTime();
            Manager manager = new Manager(null, null, forkserver);
            manager.start();
            double ms = (System.nanoTime() - t0) / 1e6;
            manager.shutdown();
            return ms;
        }));
        return medians;
    }

    /**
     * Starts children until their AOT cache exists (the library builds it in the background from the second
     * child on, ~1.5 s): no row then measures a start without the cache, or beside its build.
     */
    private static void primeAotCache() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Context spawn = Multiprocessing.getContext("spawn");
        while (helloCommand(true).stream().noneMatch(o -> o.startsWith("-XX:AOTCache="))) {
            if (System.nanoTime() - deadline > 0) {
                log("no AOT cache for children after 60 s: rows measure starts without one");
                return;
            }
            startJoin(spawn);
            Thread.sleep(200);
        }
        Thread.sleep(1_000); // the builder's JVMs gone
        log("children start with an AOT cache");
    }

    /** The command a child would start with, its main class replaced by {@link Hello}; or {@code java -cp jar}. */
    private static List<String> helloCommand(boolean childFlags) {
        LaunchSpec spec = LaunchSpec.forLoaders(List.of(StartHarness.class.getClassLoader()));
        if (!childFlags) {
            return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    String.join(File.pathSeparator, spec.classPath()), Hello.class.getName());
        }
        List<String> command = new ArrayList<>(ChildLauncher.command(spec));
        command.set(command.size() - 1, Hello.class.getName());
        return command;
    }

    private static double inARow(List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        long t0 = System.nanoTime();
        for (int i = 0; i < IN_A_ROW; i++) {
            Process process = builder.start();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("Hello failed: " + command);
            }
        }
        return (System.nanoTime() - t0) / 1e6 / IN_A_ROW;
    }

    private static void startJoin(Context ctx) throws InterruptedException {
        JvmProcess process = ctx.process(StartHarness::noop);
        process.start();
        if (!process.join(Duration.ofSeconds(60)) || process.exitCode().orElse(-1) != 0) {
            process.kill();
            throw new IllegalStateException("child failed: " + process);
        }
        process.close();
    }

    private static void noop() {
        // Python's f(): nothing
    }

    private static void sleepLong() {
        try {
            Thread.sleep(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static double idleChildPrivateMb(long afterMillis) throws Exception {
        // A file written moments ago (an AOT cache just built) has dirty page-cache pages until they are written
        // back, and a child mapping it counts them as its own dirty memory (~10 MB more, seen here): write them.
        new ProcessBuilder("sync").inheritIO().start().waitFor(60, TimeUnit.SECONDS);
        JvmProcess process = new JvmProcess(StartHarness::sleepLong);
        process.setDaemon(true);
        process.start();
        try {
            Thread.sleep(afterMillis);
            Path rollup = Path.of("/proc", Long.toString(process.pid().orElseThrow()), "smaps_rollup");
            for (String line : Files.readAllLines(rollup)) {
                if (line.startsWith("Private_Dirty:")) {
                    return Double.parseDouble(line.substring("Private_Dirty:".length()).trim().split("\\s+")[0])
                            / 1e3;
                }
            }
            throw new IllegalStateException("no Private_Dirty in " + rollup);
        } finally {
            process.kill();
            process.join(Duration.ofSeconds(30));
            process.close();
        }
    }

    private static double median(String name, int reps, Sample sample) throws Exception {
        sample.take(); // warm-up
        List<Double> samples = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            samples.add(sample.take());
        }
        double median = median(samples);
        log(String.format(Locale.ROOT, "  %s: %.4g %s", name, median, samples));
        return median;
    }

    // ---------------------------------------------------------------- CPython

    private static Map<String, Double> runPython(Path benchMp, int reps) throws Exception {
        Map<String, Double> medians = new LinkedHashMap<>();
        Map<String, List<Double>> all = BenchMp.run(benchMp, "1,4,6,8", reps);
        for (Row row : ROWS) {
            List<Double> samples = row.python() == null ? null : all.get(row.python());
            if (samples != null) {
                medians.put(row.python(), median(samples) / (row.unit().equals("M ops/s") ? 1e6 : 1));
            }
        }
        medians.put("idle_child_private_kb", idlePythonChildMb(reps, 1.0));
        medians.put("idle_child_private_kb_late", idlePythonChildMb(LATE_IDLE_REPS, LATE_IDLE_MILLIS / 1e3));
        log("  CPython: " + medians);
        return medians;
    }

    @SuppressWarnings("unchecked")
    private static double idlePythonChildMb(int reps, double afterSeconds) throws Exception {
        Path script = Path.of(System.getProperty("bench.sync.py", "jmh/python/bench_sync.py"));
        ProcessBuilder builder = new ProcessBuilder("python3", script.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("ONLY", "idle");
        builder.environment().put("REPS", Integer.toString(reps));
        builder.environment().put("IDLE_SECONDS", Double.toString(afterSeconds));
        Process python = builder.start();
        String text = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!python.waitFor(5, TimeUnit.MINUTES) || python.exitValue() != 0) {
            python.destroyForcibly();
            throw new IllegalStateException("bench_sync.py failed: " + text);
        }
        Map<String, Object> parsed = (Map<String, Object>) JsonReader.parse(text.strip());
        List<Double> kb = ((List<Object>) parsed.get("idle_child_private_kb")).stream()
                .map(x -> ((Number) x).doubleValue()).toList();
        return median(kb) / 1e3;
    }

    // ---------------------------------------------------------------- the table

    private static String table(List<Map<String, Double>> ours, List<Map<String, Double>> theirs) {
        StringBuilder text = new StringBuilder();
        text.append("| what | ours | CPython | ours / CPython | target | met? |\n|---|---:|---:|---:|---|---|\n");
        for (Row row : ROWS) {
            List<Double> mine = ours.stream().map(m -> m.get(row.name())).toList();
            List<Double> python = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            for (int run = 0; run < ours.size(); run++) {
                Double p = row.python() == null ? null : theirs.get(run).get(row.python());
                if (p != null) {
                    python.add(p);
                    ratios.add(mine.get(run) / p);
                }
            }
            String met = "-";
            if (!ratios.isEmpty()) {
                boolean ok = row.met().test(median(ratios));
                if (row.name().equals(SPAWN)) {
                    List<Double> gaps = new ArrayList<>();
                    for (int run = 0; run < ours.size(); run++) {
                        gaps.add(ours.get(run).get(SPAWN) - ours.get(run).get(FLOOR));
                    }
                    ok &= median(gaps) <= 15;
                    met = (ok ? "yes" : "**no**") + String.format(Locale.ROOT, " (floor + %.1f ms)", median(gaps));
                } else {
                    met = ok ? "yes" : "**no**";
                }
            }
            text.append("| ").append(row.name()).append(" | ").append(cell(mine, row.unit())).append(" | ")
                    .append(python.isEmpty() ? "-" : cell(python, row.unit())).append(" | ")
                    .append(ratios.isEmpty() ? "-" : cell(ratios, "x")).append(" | ").append(row.target())
                    .append(" | ").append(met).append(" |\n");
        }
        text.append("\nMedian of ").append(ours.size()).append(" runs' medians (min-max of the runs); ratios per run.\n");
        return text.toString();
    }

    private static String cell(List<Double> values, String unit) {
        double median = median(values);
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(median);
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(median);
        String sep = unit.equals("x") ? "" : " ";
        return values.size() == 1 ? String.format(Locale.ROOT, "%.3g%s%s", median, sep, unit)
                : String.format(Locale.ROOT, "%.3g%s%s (%.3g-%.3g)", median, sep, unit, min, max);
    }

    static double median(List<Double> samples) {
        double[] sorted = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static void log(String line) {
        System.err.println(line);
        System.err.flush();
    }
}

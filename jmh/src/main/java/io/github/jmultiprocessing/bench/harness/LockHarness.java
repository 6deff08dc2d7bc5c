package io.github.jmultiprocessing.bench.harness;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.SerializableRunnable;
import io.github.jmultiprocessing.SharedArray;
import io.github.jmultiprocessing.SharedLock;
import io.github.jmultiprocessing.SharedValue;
import io.github.jmultiprocessing.internal.config.Configuration;
import io.github.jmultiprocessing.internal.sync.Futex;
import java.io.IOException;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Supplier;

/**
 * Measures jmultiprocessing on real child JVMs, through the public API, and puts the numbers beside CPython's
 * {@code multiprocessing} measured in the same run by {@code bench_mp.py} (cases 1, 4 and 5).
 *
 * <p>Metrics, each run {@code --warmup} times (discarded) then {@code --reps} times; median / min / max reported:
 * <ol type="a">
 *   <li>{@code JvmProcess} start()+join() of a trivial target, 20 sequential processes per rep, ms per process
 *       (bench_mp case 1);
 *   <li>locked counter: 2 child JVMs x 100k {@code try (var h = lock.locked()) { v.setInt(v.getInt() + 1); }},
 *       once with a separate {@code SharedLock} over {@code SharedValue.raw('i')} (Python's explicit
 *       {@code Lock} + {@code Value(lock=False)}), once with {@code SharedValue.of('i').getLock()} (Python's
 *       {@code get_lock()}); final value asserted to be 200000 (bench_mp case 4, contended);
 *   <li>the same counter with the futex path off: a second harness JVM started with
 *       {@code -Djmultiprocessing.futex=false}, which the library's launcher passes on to its children;
 *   <li>lock-free {@code SharedValue.raw('q').incrementAndGet()}, 2 child JVMs x 1M: the floor;
 *   <li>unlocked race: 2 child JVMs x 100k {@code v.setInt(v.getInt() + 1)} on {@code SharedValue.raw('i')}:
 *       final value and lost updates (bench_mp case 5);
 * </ol>
 * plus an uncontended {@code SharedLock} acquire+release loop in this JVM, for the row beside CPython's
 * uncontended lock (JMH's {@code SharedLockUncontendedBenchmark} is the rigorous figure).
 *
 * <p>Every rep starts fresh child JVMs, so the measured loops of b-e include the children's JIT warm-up (100k
 * iterations take about as long as compiling them), as a short job of a user would. The "warm children" rows
 * run the same loop 1000 x 1000 times on each child's own objects before the gate, so the measured loop runs
 * compiled, and measure 2 x 1M operations, since 2 x 100k compiled ones are over before both workers run at once.
 * Each gated row also reports the workers' overlap: the time both ran, over the time from the first start to the
 * last end (a lock that one process holds throughout would show a low overlap).
 *
 * <p>Gate, as in bench_mp: both workers start, say they are ready, and spin-yield on a shared flag; the parent
 * reads the wall clock and raises the flag; each worker writes its end time into a {@code SharedArray('q')}.
 * Elapsed = the later end minus the release. Times that cross JVMs are epoch nanoseconds from
 * {@link Instant#now()} (the system clock, common to all processes), since {@code System.nanoTime()} has a
 * per-JVM origin. Each worker also records whether it ran the futex path, and the harness checks it ran the
 * path the row claims.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar
 * io.github.jmultiprocessing.bench.harness.LockHarness [--reps N] [--warmup N] [--no-python]
 * [--no-futex-off] [--bench-mp PATH] [--python-json PATH] [--python-arg ARG]...}. The markdown table goes to
 * stdout, progress to stderr.
 */
public final class LockHarness {

    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration PYTHON_TIMEOUT = Duration.ofMinutes(30);
    private static final int SPAWN_PROCESSES = 20;
    private static final int COUNTER_PER_PROCESS = 100_000;
    private static final int RAW_PER_PROCESS = 1_000_000;
    private static final int RACE_PER_PROCESS = 100_000;
    private static final int UNCONTENDED_PAIRS = 2_000_000;
    private static final int WARM_PER_PROCESS = 1_000_000;
    private static final int WARM_ROUNDS = 1_000;
    private static final int WARM_CHUNK = 1_000;
    private static final String DEFAULT_BENCH_MP = "/work/shared/anchors/python/bench_mp.py";

    /** What a gated worker does between the release and its end timestamp. */
    enum Kind {
        /** {@code try (var h = lock.locked()) { v.setInt(v.getInt() + 1); }} with a separate lock. */
        LOCK,
        /** The same under {@code v.getLock()} of a synchronized value. */
        GET_LOCK,
        /** {@code v.setInt(v.getInt() + 1)} with no lock. */
        RACE,
        /** {@code v.incrementAndGet()} on a raw 'q' value. */
        RAW_ATOMIC
    }

    /**
     * The start gun of a pair of workers, all in shared memory.
     *
     * @param ready      workers that are ready, counted up by each
     * @param go         0 until the parent releases the workers
     * @param starts     each worker's start time (when it saw the release), epoch nanoseconds
     * @param ends       each worker's end time, epoch nanoseconds
     * @param futexPaths 1 where a worker's JVM uses futex waits, else 0
     */
    record Gate(SharedValue ready, SharedValue go, SharedArray starts, SharedArray ends, SharedArray futexPaths)
            implements Serializable {
        static Gate create() {
            return new Gate(SharedValue.raw('q'), SharedValue.raw('q'), SharedArray.rawOfLength('q', 2),
                    SharedArray.rawOfLength('q', 2), SharedArray.rawOfLength('q', 2));
        }
    }

    /** Which of two values is better. */
    enum Better {
        LOWER, HIGHER, NONE
    }

    /** One metric's samples. */
    record Metric(String key, String unit, Better better, List<Double> samples) {
        Stats stats() {
            return Stats.of(samples);
        }
    }

    /** Median, min and max of samples. */
    record Stats(double median, double min, double max, int n) {
        static Stats of(List<Double> samples) {
            double[] s = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            if (s.length == 0) {
                return new Stats(Double.NaN, Double.NaN, Double.NaN, 0);
            }
            double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
            return new Stats(median, s[0], s[s.length - 1], s.length);
        }
    }

    private final Options options;
    private final Map<String, Metric> metrics = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    private LockHarness(Options options) {
        this.options = options;
    }

    /**
     * Runs the harness.
     *
     * @param args see the class description
     * @throws Exception if a measurement fails (a child exits non-zero, a count is wrong, a wait times out)
     */
    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        LockHarness harness = new LockHarness(options);
        if (options.futexOffEmit != null) { // the sub-run of metric c
            harness.runCounters();
            harness.emit(options.futexOffEmit);
            return;
        }
        harness.runAll();
    }

    // ---------------------------------------------------------------- measurements

    private void runAll() throws Exception {
        log("jmultiprocessing cross-process harness: java " + Runtime.version() + ", " + Runtime.getRuntime()
                .availableProcessors() + " CPUs, futex path in this JVM and its children: " + Futex.AVAILABLE
                + ", warmup " + options.warmup + ", reps " + options.reps);
        repeat("a spawn", this::spawnRep);
        repeat("uncontended lock (in-JVM loop)", this::uncontendedRep);
        runCounters();
        repeat("d raw atomic", () -> gatedRep(Kind.RAW_ATOMIC, RAW_PER_PROCESS, false));
        repeat("e race", () -> gatedRep(Kind.RACE, RACE_PER_PROCESS, false));
        repeat("e race, warm children", () -> gatedRep(Kind.RACE, WARM_PER_PROCESS, true));
        if (!options.futexOff) {
            notes.add("c (futex off) skipped: --no-futex-off");
        } else if (!Futex.AVAILABLE) {
            notes.add("c (futex off) skipped: this harness JVM already runs without futex waits, so rows b are the"
                    + " pure-Java path");
        } else {
            runFutexOffSubHarness();
        }
        PythonResults python = options.python ? runPython() : PythonResults.absent("--no-python");
        System.out.println(table(python));
        System.out.flush();
    }

    private void runCounters() {
        repeat("b/c locked counter, explicit lock", () -> gatedRep(Kind.LOCK, COUNTER_PER_PROCESS, false));
        repeat("b/c locked counter, getLock()", () -> gatedRep(Kind.GET_LOCK, COUNTER_PER_PROCESS, false));
        repeat("b/c locked counter, explicit lock, warm children",
                () -> gatedRep(Kind.LOCK, WARM_PER_PROCESS, true));
        repeat("b/c locked counter, getLock(), warm children",
                () -> gatedRep(Kind.GET_LOCK, WARM_PER_PROCESS, true));
    }

    /** Metric a: sequential start()+join() of trivial targets. */
    private Map<String, Double> spawnRep() {
        long total = 0;
        long inStart = 0;
        for (int i = 0; i < SPAWN_PROCESSES; i++) {
            JvmProcess process = new JvmProcess(LockHarness::trivialTarget);
            long t0 = System.nanoTime();
            process.start();
            long t1 = System.nanoTime();
            joinOrDie(process, "trivial target");
            long t2 = System.nanoTime();
            process.close();
            total += t2 - t0;
            inStart += t1 - t0;
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("spawn.startJoin|ms|LOWER", total / 1e6 / SPAWN_PROCESSES);
        out.put("spawn.inStart|ms|LOWER", inStart / 1e6 / SPAWN_PROCESSES);
        return out;
    }

    /** The uncontended row: a plain loop in this JVM. */
    @SuppressWarnings("try") // the resource is the point: its close() is the release
    private Map<String, Double> uncontendedRep() {
        SharedLock lock = new SharedLock();
        long t0 = System.nanoTime();
        for (int i = 0; i < UNCONTENDED_PAIRS; i++) {
            lock.acquire();
            lock.release();
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < UNCONTENDED_PAIRS; i++) {
            try (var _ = lock.locked()) {
                // empty, as Python's `with lock: pass`
            }
        }
        long t2 = System.nanoTime();
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("uncontended.acquireRelease|ns/pair|LOWER", (double) (t1 - t0) / UNCONTENDED_PAIRS);
        out.put("uncontended.locked|ns/pair|LOWER", (double) (t2 - t1) / UNCONTENDED_PAIRS);
        return out;
    }

    /**
     * Metrics b, c, d, e: two gated child JVMs.
     *
     * @param warm true to have each child run the same loop {@value #WARM_ROUNDS} x {@value #WARM_CHUNK} times on
     *             objects of its own before it says it is ready, so the measured loop runs JIT-compiled
     */
    private Map<String, Double> gatedRep(Kind kind, int perProcess, boolean warm) {
        SharedLock lock = null;
        SharedValue value;
        switch (kind) {
            case LOCK -> {
                lock = new SharedLock();
                value = SharedValue.raw('i');
            }
            case GET_LOCK -> value = SharedValue.of('i');
            case RACE -> value = SharedValue.raw('i');
            case RAW_ATOMIC -> value = SharedValue.raw('q');
            default -> throw new AssertionError(kind);
        }
        boolean futex = Futex.AVAILABLE;
        Timing timing = runGatedPair(kind, perProcess, lock, value, futex, warm);
        double elapsed = timing.seconds();
        long total = 2L * perProcess;
        long last = value.getLong();
        Map<String, Double> out = new LinkedHashMap<>();
        String path = futex ? "futex" : "noFutex";
        String suffix = warm ? ".warm" : "";
        switch (kind) {
            case LOCK, GET_LOCK -> {
                if (last != total) {
                    throw new IllegalStateException(kind + ": final value=" + last + " (expected " + total + ")");
                }
                String key = "counter." + (kind == Kind.LOCK ? "lock" : "getLock") + "." + path + suffix;
                out.put(key + "|ops/s|HIGHER", total / elapsed);
                out.put(key + ".perOp|us|LOWER", elapsed * 1e6 / total);
                out.put(key + ".overlap|%|NONE", timing.overlapPercent());
            }
            case RAW_ATOMIC -> {
                if (last != total) {
                    throw new IllegalStateException("raw incrementAndGet: final value=" + last + " (expected "
                            + total + ")");
                }
                out.put("rawAtomic" + suffix + "|ops/s|HIGHER", total / elapsed);
                out.put("rawAtomic" + suffix + ".overlap|%|NONE", timing.overlapPercent());
            }
            case RACE -> {
                out.put("race" + suffix + ".final|count|NONE", (double) last);
                out.put("race" + suffix + ".lost|count|NONE", (double) (total - last));
                out.put("race" + suffix + ".lostPercent|%|NONE", 100.0 * (total - last) / total);
                out.put("race" + suffix + ".ops|ops/s|HIGHER", total / elapsed);
                out.put("race" + suffix + ".overlap|%|NONE", timing.overlapPercent());
            }
            default -> throw new AssertionError(kind);
        }
        return out;
    }

    /**
     * Starts two gated workers, releases them together and waits for both.
     *
     * @return seconds from the release to the later worker's end, and the workers' overlap
     */
    static Timing runGatedPair(Kind kind, int perProcess, SharedLock lock, SharedValue value,
                                       boolean expectFutex, boolean warm) {
        Gate gate = Gate.create();
        List<JvmProcess> workers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int index = i;
            SerializableRunnable target = () -> gatedWorker(index, gate, kind, perProcess, lock, value, warm);
            JvmProcess worker = new JvmProcess(target, kind + "-worker-" + i);
            worker.setDaemon(true); // ends with the harness even if the harness is killed
            worker.start();
            workers.add(worker);
        }
        long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
        while (gate.ready().getLong() < 2) {
            for (JvmProcess worker : workers) {
                if (!worker.isAlive()) {
                    throw new IllegalStateException(worker.getName() + " ended before it was ready, exit code "
                            + worker.exitCode());
                }
            }
            if (System.nanoTime() - deadline > 0) {
                workers.forEach(JvmProcess::kill);
                throw new IllegalStateException(kind + ": workers not ready within " + JOIN_TIMEOUT);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        long released = epochNanos();
        gate.go().setLong(1);
        for (JvmProcess worker : workers) {
            joinOrDie(worker, kind.toString());
            worker.close();
        }
        long end = Math.max(gate.ends().getLong(0), gate.ends().getLong(1));
        if (gate.ends().getLong(0) == 0 || gate.ends().getLong(1) == 0 || end <= released) {
            throw new IllegalStateException(kind + ": bad end times " + gate.ends().toList() + " for release at "
                    + released);
        }
        for (int i = 0; i < 2; i++) {
            if ((gate.futexPaths().getLong(i) == 1) != expectFutex) {
                throw new IllegalStateException(kind + ": worker " + i + " futex path="
                        + (gate.futexPaths().getLong(i) == 1) + " (expected " + expectFutex + ", as this JVM)");
            }
        }
        long start0 = gate.starts().getLong(0);
        long start1 = gate.starts().getLong(1);
        long end0 = gate.ends().getLong(0);
        long end1 = gate.ends().getLong(1);
        double both = Math.max(0, Math.min(end0, end1) - Math.max(start0, start1));
        double span = Math.max(end0, end1) - Math.min(start0, start1);
        return new Timing((end - released) / 1e9, span > 0 ? 100.0 * both / span : 0);
    }

    /**
     * @param seconds        from the release to the later worker's end
     * @param overlapPercent the time both workers ran, in percent of the first start to the last end
     */
    record Timing(double seconds, double overlapPercent) {
    }

    /** What a gated worker runs in its child JVM. */
    private static void gatedWorker(int index, Gate gate, Kind kind, int n, SharedLock lock, SharedValue value,
                                    boolean warm) {
        gate.futexPaths().setLong(index, Futex.AVAILABLE ? 1 : 0);
        if (warm) { // the same code on this child's own objects: compiled, but no contention profile yet
            SharedLock ownLock = kind == Kind.LOCK ? new SharedLock() : null;
            SharedValue ownValue = switch (kind) {
                case GET_LOCK -> SharedValue.of('i');
                case RAW_ATOMIC -> SharedValue.raw('q');
                default -> SharedValue.raw('i');
            };
            for (int round = 0; round < WARM_ROUNDS; round++) {
                ownValue.setLong(0);
                work(kind, WARM_CHUNK, ownLock, ownValue);
            }
        }
        gate.ready().incrementAndGet();
        while (gate.go().getLong() == 0) {
            Thread.yield(); // not park: a timed park wakes 50+ us late, long enough to skew the two workers' starts
        }
        gate.starts().setLong(index, epochNanos());
        work(kind, n, lock, value);
        gate.ends().setLong(index, epochNanos());
    }

    /** The measured loop of a gated worker. */
    @SuppressWarnings("try") // the resource is the point: its close() is the release
    private static void work(Kind kind, int n, SharedLock lock, SharedValue value) {
        switch (kind) {
            case LOCK -> {
                for (int i = 0; i < n; i++) {
                    try (var _ = lock.locked()) {
                        value.setInt(value.getInt() + 1);
                    }
                }
            }
            case GET_LOCK -> {
                SharedLock own = value.getLock();
                for (int i = 0; i < n; i++) {
                    try (var _ = own.locked()) {
                        value.setInt(value.getInt() + 1);
                    }
                }
            }
            case RACE -> {
                for (int i = 0; i < n; i++) {
                    value.setInt(value.getInt() + 1);
                }
            }
            case RAW_ATOMIC -> {
                for (int i = 0; i < n; i++) {
                    value.incrementAndGet();
                }
            }
            default -> throw new AssertionError(kind);
        }
    }

    private static void trivialTarget() {
        // Python's f(): nothing
    }

    // ---------------------------------------------------------------- metric c: the futex-off sub-run

    private void runFutexOffSubHarness() throws IOException, InterruptedException {
        Path emit = Files.createTempFile("jmh-harness-futex-off", ".tsv");
        try {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (!argument.startsWith("-D" + Configuration.FUTEX.property() + "=") && !argument.startsWith("-agentlib")) {
                    command.add(argument);
                }
            }
            command.add("-D" + Configuration.FUTEX.property() + "=false");
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(LockHarness.class.getName());
            command.addAll(List.of("--futex-off-emit", emit.toString(), "--reps", Integer.toString(options.reps),
                    "--warmup", Integer.toString(options.warmup)));
            log("c: second harness JVM with -D" + Configuration.FUTEX.property() + "=false");
            Process sub = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!sub.waitFor(30, TimeUnit.MINUTES)) {
                sub.destroyForcibly();
                throw new IllegalStateException("futex-off harness did not finish within 30 minutes");
            }
            if (sub.exitValue() != 0) {
                throw new IllegalStateException("futex-off harness exited with " + sub.exitValue());
            }
            for (String line : Files.readAllLines(emit)) {
                String[] f = line.split("\t");
                List<Double> samples = Arrays.stream(f[3].split(",")).map(Double::valueOf).toList();
                metrics.put(f[0], new Metric(f[0], f[1], Better.valueOf(f[2]), new ArrayList<>(samples)));
            }
        } finally {
            Files.deleteIfExists(emit);
        }
    }

    private void emit(Path file) throws IOException {
        if (Futex.AVAILABLE) {
            throw new IllegalStateException("the futex-off sub-run has Futex.AVAILABLE=true (expected -D"
                    + Configuration.FUTEX.property() + "=false)");
        }
        List<String> lines = new ArrayList<>();
        for (Metric m : metrics.values()) {
            lines.add(m.key() + "\t" + m.unit() + "\t" + m.better() + "\t"
                    + String.join(",", m.samples().stream().map(d -> Double.toString(d)).toList()));
        }
        Files.write(file, lines);
    }

    // ---------------------------------------------------------------- CPython side by side

    /** bench_mp.py's results: metric samples by (case id, name, unit). */
    record PythonResults(Map<String, List<Double>> samples, String missingReason) {
        static PythonResults absent(String reason) {
            return new PythonResults(Map.of(), reason);
        }

        static String key(String caseId, String name, String unit) {
            return caseId + "|" + name + "|" + unit;
        }
    }

    private PythonResults runPython() throws IOException, InterruptedException {
        Path script = options.benchMp;
        if (!Files.isRegularFile(script)) {
            return PythonResults.absent("no bench_mp.py at " + script);
        }
        Path json = options.pythonJson != null ? options.pythonJson : Files.createTempFile("bench_mp", ".json");
        Path markdown = json.resolveSibling(json.getFileName().toString().replaceFirst("\\.json$", "") + ".md");
        List<String> command = new ArrayList<>(List.of("python3", script.toString(), "--only", "1,4,5", "--json",
                json.toString(), "--reps", Integer.toString(options.reps), "--warmup",
                Integer.toString(options.warmup)));
        command.addAll(options.pythonArgs);
        log("CPython: " + String.join(" ", command));
        try {
            Process python = new ProcessBuilder(command).redirectOutput(markdown.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!python.waitFor(PYTHON_TIMEOUT.toMinutes(), TimeUnit.MINUTES)) {
                python.destroyForcibly();
                return PythonResults.absent("bench_mp.py did not finish within " + PYTHON_TIMEOUT);
            }
            if (python.exitValue() != 0) {
                return PythonResults.absent("bench_mp.py exited with " + python.exitValue());
            }
            return readPython(Files.readString(json));
        } finally {
            if (options.pythonJson == null) {
                Files.deleteIfExists(json);
                Files.deleteIfExists(markdown);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static PythonResults readPython(String text) {
        Map<String, Object> root = (Map<String, Object>) JsonReader.parse(text);
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        for (Object c : (List<Object>) root.get("cases")) {
            Map<String, Object> kase = (Map<String, Object>) c;
            for (Object m : (List<Object>) kase.get("metrics")) {
                Map<String, Object> metric = (Map<String, Object>) m;
                List<Double> values = ((List<Object>) metric.get("samples")).stream()
                        .map(v -> ((Number) v).doubleValue()).toList();
                samples.put(PythonResults.key((String) kase.get("id"), (String) metric.get("name"),
                        (String) metric.get("unit")), values);
            }
        }
        return new PythonResults(samples, null);
    }

    // ---------------------------------------------------------------- the table

    /** One row: our metric beside a CPython metric (transformed per sample, e.g. pairs/s to ns/pair). */
    private record Row(String label, String ours, String pyCase, String pyName, String pyUnit,
                       DoubleUnaryOperator pyTransform, String target) {
    }

    private String table(PythonResults python) {
        DoubleUnaryOperator same = x -> x;
        DoubleUnaryOperator perSecondToNanos = x -> 1e9 / x;
        List<Row> rows = List.of(
                new Row("a. start()+join() per process: JvmProcess vs CPython spawn", "spawn.startJoin",
                        "1", "spawn: start()+join() per process", "ms", same, "<= 0.75x"),
                new Row("a. start()+join() per process: JvmProcess vs CPython forkserver", "spawn.startJoin",
                        "1", "forkserver: start()+join() per process", "ms", same, "<= 1x"),
                new Row("a. start()+join() per process: JvmProcess vs CPython fork", "spawn.startJoin",
                        "1", "fork: start()+join() per process", "ms", same, "(aim)"),
                new Row("a. time blocked inside start(): JvmProcess vs CPython spawn", "spawn.inStart",
                        "1", "spawn: time blocked inside start()", "ms", same, ""),
                new Row("uncontended acquire()+release() (harness loop; JMH has the rigorous figure)",
                        "uncontended.acquireRelease", "4", "uncontended mp.Lock acquire()+release()", "ns/pair",
                        same, "<= 0.5x"),
                new Row("uncontended locked() / `with lock: pass` (harness loop)", "uncontended.locked", "4",
                        "uncontended `with lock: pass`", "pairs/s", perSecondToNanos, "<= 0.5x"),
                new Row("b. locked counter 2 procs x 100k, explicit lock + raw value, futex", "counter.lock.futex",
                        "4", "contended explicit Lock + Value(lock=False): total", "ops/s", same, ">= 10x"),
                new Row("b. locked counter 2 procs x 100k, getLock(), futex", "counter.getLock.futex",
                        "4", "contended Value.get_lock(): total", "ops/s", same, ">= 10x"),
                new Row("c. locked counter 2 procs x 100k, explicit lock + raw value, no futex",
                        "counter.lock.noFutex", "4", "contended explicit Lock + Value(lock=False): total", "ops/s",
                        same, ">= 10x"),
                new Row("c. locked counter 2 procs x 100k, getLock(), no futex", "counter.getLock.noFutex",
                        "4", "contended Value.get_lock(): total", "ops/s", same, ">= 10x"),
                new Row("b. locked counter, explicit lock, futex: per op", "counter.lock.futex.perOp",
                        "4", "contended explicit Lock + Value(lock=False): per op", "us", same, ""),
                new Row("b. locked counter 2 procs x 1M, explicit lock, futex, warm children", "counter.lock.futex.warm",
                        "4", "contended explicit Lock + Value(lock=False): total", "ops/s", same, ">= 10x"),
                new Row("b. locked counter 2 procs x 1M, getLock(), futex, warm children", "counter.getLock.futex.warm",
                        "4", "contended Value.get_lock(): total", "ops/s", same, ">= 10x"),
                new Row("c. locked counter 2 procs x 1M, explicit lock, no futex, warm children", "counter.lock.noFutex.warm",
                        "4", "contended explicit Lock + Value(lock=False): total", "ops/s", same, ">= 10x"),
                new Row("c. locked counter 2 procs x 1M, getLock(), no futex, warm children", "counter.getLock.noFutex.warm",
                        "4", "contended Value.get_lock(): total", "ops/s", same, ">= 10x"),
                new Row("b. workers' overlap, explicit lock, futex", "counter.lock.futex.overlap", null,
                        null, null, same, ""),
                new Row("b. workers' overlap, explicit lock, futex, warm children",
                        "counter.lock.futex.warm.overlap", null, null, null, same, ""),
                new Row("d. raw cross-JVM incrementAndGet 2 procs x 1M (lock-free floor)", "rawAtomic",
                        null, null, null, same, ""),
                new Row("e. unlocked race 2 procs x 100k: final value (200000 if none lost)", "race.final",
                        "5", "final value", "count", same, ""),
                new Row("e. unlocked race: lost updates", "race.lost", "5", "lost updates", "count", same, ""),
                new Row("e. unlocked race: lost updates", "race.lostPercent", "5", "lost updates", "%", same, ""),
                new Row("e. unlocked race: increments/s (both procs)", "race.ops", "5",
                        "unlocked increments (both procs)", "ops/s", same, ""),
                new Row("e. unlocked race 2 procs x 1M, warm children: lost updates", "race.warm.lostPercent", "5",
                        "lost updates", "%", same, ""),
                new Row("e. unlocked race 2 procs x 1M, warm children: increments/s", "race.warm.ops", "5",
                        "unlocked increments (both procs)", "ops/s", same, ""),
                new Row("e. workers' overlap, unlocked race", "race.overlap", null, null, null, same, ""),
                new Row("e. workers' overlap, unlocked race, warm children", "race.warm.overlap", null, null, null,
                        same, ""));
        StringBuilder out = new StringBuilder();
        out.append("# jmultiprocessing vs CPython multiprocessing, side by side\n\n");
        out.append("- JVM: ").append(Runtime.version()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs; ").append(options.warmup).append(" warm-up + ").append(options.reps)
                .append(" measured reps per metric (CPython the same); cells are median [min - max]\n");
        out.append("- CPython: ").append(python.missingReason() == null ? "bench_mp.py --only 1,4,5, same run"
                : "not measured (" + python.missingReason() + ")").append('\n');
        out.append("- ratio = ours / CPython (medians); `better` says which direction is better for that row;"
                + " targets from DESIGN.md section 4\n");
        out.append("- rows without \"warm children\" start fresh child JVMs every rep: their measured loop includes"
                + " the children's JIT warm-up; \"warm children\" ran the same loop 1M times on their own objects"
                + " before the gate\n");
        for (String note : notes) {
            out.append("- ").append(note).append('\n');
        }
        out.append('\n');
        out.append("| Metric | Unit | Ours | CPython | Ours/CPython | Better | Target |\n");
        out.append("|---|---|---:|---:|---:|---|---|\n");
        for (Row row : rows) {
            Metric ours = metrics.values().stream().filter(m -> m.key().equals(row.ours())).findFirst().orElse(null);
            if (ours == null) {
                continue;
            }
            Stats o = ours.stats();
            String pyCell = "-";
            String ratio = "-";
            String unit = ours.unit();
            if (row.pyCase() != null) {
                List<Double> raw = python.samples().get(PythonResults.key(row.pyCase(), row.pyName(), row.pyUnit()));
                if (raw != null) {
                    Stats p = Stats.of(raw.stream().map(x -> row.pyTransform().applyAsDouble(x)).toList());
                    pyCell = cell(p);
                    if (ours.better() != Better.NONE && p.median() != 0) {
                        ratio = String.format(Locale.ROOT, "%.3gx", o.median() / p.median());
                    }
                } else if (python.missingReason() == null) {
                    pyCell = "(no '" + row.pyName() + "' " + row.pyUnit() + " in bench_mp JSON)";
                }
            }
            out.append("| ").append(row.label()).append(" | ").append(unit).append(" | ").append(cell(o))
                    .append(" | ").append(pyCell).append(" | ").append(ratio).append(" | ")
                    .append(ours.better().toString().toLowerCase(Locale.ROOT)).append(" | ").append(row.target())
                    .append(" |\n");
        }
        return out.toString();
    }

    private static String cell(Stats s) {
        return fmt(s.median()) + " [" + fmt(s.min()) + " - " + fmt(s.max()) + "]";
    }

    private static String fmt(double v) {
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        } else if (a >= 100) {
            return String.format(Locale.ROOT, "%.1f", v);
        } else if (a >= 10) {
            return String.format(Locale.ROOT, "%.2f", v);
        } else if (a >= 1) {
            return String.format(Locale.ROOT, "%.3f", v);
        }
        return String.format(Locale.ROOT, "%.4f", v);
    }

    // ---------------------------------------------------------------- plumbing

    /**
     * Runs {@code fn} warmup + reps times; keys of its result are {@code name|unit|better}.
     */
    private void repeat(String label, Supplier<Map<String, Double>> fn) {
        int total = options.warmup + options.reps;
        for (int i = 0; i < total; i++) {
            boolean warm = i < options.warmup;
            long t0 = System.nanoTime();
            Map<String, Double> out = fn.get();
            double seconds = (System.nanoTime() - t0) / 1e9;
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  [%s] %s (%.2fs):", label,
                    warm ? "warmup" : "rep " + (i - options.warmup + 1) + "/" + options.reps, seconds));
            for (Map.Entry<String, Double> e : out.entrySet()) {
                String[] k = e.getKey().split("\\|");
                line.append(' ').append(k[0]).append('=').append(fmt(e.getValue())).append(' ').append(k[1]);
                if (!warm) {
                    metrics.computeIfAbsent(k[0], name -> new Metric(name, k[1], Better.valueOf(k[2]),
                            new ArrayList<>())).samples().add(e.getValue());
                }
            }
            log(line.toString());
        }
    }

    private static void joinOrDie(JvmProcess process, String what) {
        try {
            if (!process.join(JOIN_TIMEOUT)) {
                process.kill();
                process.join();
                throw new IllegalStateException(what + ": " + process.getName() + " did not finish within "
                        + JOIN_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining " + process.getName(), e);
        }
        if (process.exitCode().orElse(-1) != 0) {
            throw new IllegalStateException(what + ": " + process.getName() + " exit code " + process.exitCode());
        }
    }

    /** Wall-clock time in epoch nanoseconds: comparable across the JVMs of one machine. */
    private static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static void log(String line) {
        System.err.println(line);
        System.err.flush();
    }

    /** Command-line options. */
    private record Options(int reps, int warmup, boolean python, boolean futexOff, Path benchMp, Path pythonJson,
                           List<String> pythonArgs, Path futexOffEmit) {

        static Options parse(String[] args) {
            int reps = 5;
            int warmup = 1;
            boolean python = true;
            boolean futexOff = true;
            Path benchMp = Path.of(DEFAULT_BENCH_MP);
            Path pythonJson = null;
            List<String> pythonArgs = new ArrayList<>();
            Path emit = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--reps" -> reps = positive(a, args, ++i);
                    case "--warmup" -> warmup = Integer.parseInt(value(a, args, ++i));
                    case "--no-python" -> python = false;
                    case "--no-futex-off" -> futexOff = false;
                    case "--bench-mp" -> benchMp = Path.of(value(a, args, ++i));
                    case "--python-json" -> pythonJson = Path.of(value(a, args, ++i)).toAbsolutePath();
                    case "--python-arg" -> pythonArgs.add(value(a, args, ++i));
                    case "--futex-off-emit" -> emit = Path.of(value(a, args, ++i));
                    case "-h", "--help" -> {
                        System.out.println("usage: LockHarness [--reps N] [--warmup N] [--no-python]"
                                + " [--no-futex-off] [--bench-mp PATH] [--python-json PATH] [--python-arg ARG]...");
                        System.exit(0);
                    }
                    default -> throw new IllegalArgumentException("argument=" + a + " (expected one of --reps,"
                            + " --warmup, --no-python, --no-futex-off, --bench-mp, --python-json, --python-arg)");
                }
            }
            if (warmup < 0) {
                throw new IllegalArgumentException("--warmup=" + warmup + " (expected >= 0)");
            }
            return new Options(reps, warmup, python, futexOff, benchMp, pythonJson, List.copyOf(pythonArgs), emit);
        }

        private static String value(String option, String[] args, int i) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static int positive(String option, String[] args, int i) {
            int n = Integer.parseInt(value(option, args, i));
            if (n < 1) {
                throw new IllegalArgumentException(option + "=" + n + " (expected >= 1)");
            }
            return n;
        }
    }
}

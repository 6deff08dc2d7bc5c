package io.github.jmultiprocessing.bench.harness;

import io.github.jmultiprocessing.Codec;
import io.github.jmultiprocessing.Connection;
import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.Manager;
import io.github.jmultiprocessing.Multiprocessing;
import io.github.jmultiprocessing.Pipe;
import io.github.jmultiprocessing.ProcessPool;
import io.github.jmultiprocessing.SharedBarrier;
import io.github.jmultiprocessing.SharedQueue;
import io.github.jmultiprocessing.SharedValue;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Issue 16's table: the data paths (queues, pipes, pool map, manager), ours beside CPython's {@code bench_mp.py}
 * and Agrona's own steady state, in one command.
 *
 * <p>How a figure is made. Every row, ours and Agrona's alike, runs in a JVM started for it (so no row's JIT
 * profile pollutes another's), whose processes stay up for warm-up trials ({@link #WARM_NANOS} of them, and
 * for ours on until three in a row agree within {@link #STEADY}, at most {@link #WARM_MAX_NANOS}) and then {@code --trials} measured trials: the consumer or caller is that JVM, the producers, echo child,
 * pool workers or manager server are its children, all warm when a measured trial starts. The row's figure in one run is the median of its trials. The
 * whole harness (every row, ours, Agrona and CPython) runs {@code --runs} times, one run after the other, and
 * the table shows the median of the runs' figures with their spread (min-max). CPython runs {@code bench_mp.py}
 * (cases 2, 3, 6, 7, 8: its own warm-up rep, then {@code --trials} reps) once per run, and
 * {@code jmh/python/bench_queue_m2o.py} for the 4-producer queue; Agrona runs {@link AgronaBaseline}, which
 * measures the way {@code ../shared/anchors/agrona/AgronaBench.java} does; and where that anchor is found
 * ({@code --agrona-anchor}, default {@code /work/shared/anchors/agrona/AgronaBench.java}), the anchor itself runs in
 * the same run too (standalone producer and consumer JVMs, Java's source launcher), in a column of its own: the
 * harness's Agrona figure must reproduce it.
 *
 * <p>Phases. These VMs switch, within minutes and in both directions, between two speeds some 4x apart for
 * cross-core traffic (Agrona one-to-one 8 B: 16 M or 70-80 M msgs/s; its own anchor shows both). So a row with
 * Agrona runs Agrona just before ours and the anchor just after (and, where the anchor disagrees, or without one,
 * the harness's Agrona again), and runs them again, up to {@link #PHASE_ATTEMPTS} times, while the two Agrona
 * figures are more than {@link #PHASE_TOLERANCE}x apart: a ratio stands only if the phase held around ours. A run
 * that never settled keeps its closest attempt and is marked.
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
 *       -cp jmh/target/benchmarks.jar io.github.jmultiprocessing.bench.harness.DataPathHarness \
 *       [--runs 3] [--trials 3] [--no-python] [--no-agrona] [--only REGEX] [--cpus 0] [--out FILE]
 *       [--bench-mp path/to/bench_mp.py] [--agrona-anchor path/to/AgronaBench.java]
 * </pre>
 * {@code --cpus 0} runs everything, ours, Agrona's and CPython's processes, under {@code taskset -c 0}; Agrona's
 * sides then yield instead of spinning while idle (the anchor's {@code idle=yield}), as anyone running Agrona on one
 * CPU would configure it: a spinning side would burn its whole time slice before the other could run.
 */
public final class DataPathHarness {

    // Messages per trial: each trial lasts about 0.2-1 s here (shorter ones measure the machine's noise).
    static final int N_INT = 5_000_000;
    static final int N_KIB = 500_000;
    /**
     * The bounded 1 KiB row's maxsize: about what Agrona's 1 MiB ring holds. Unbounded, a producer that outruns the
     * consumer grows the queue into new rings, whose fresh pages both processes fault in (about one fault per 4
     * messages): that, not the per-message path, is most of the unbounded row's distance to Agrona.
     */
    static final int KIB_BOUND = 1000;
    static final int N_AGRONA_8 = 20_000_000;
    static final int N_AGRONA_KIB = 2_000_000;
    static final int N_RT = 100_000;
    static final int WARM_RT = 100_000;
    /** Agrona before and after ours may differ by this much and the run's ratio stands. */
    static final double PHASE_TOLERANCE = 1.5;
    /** Attempts of a row with Agrona before its run is kept marked as unsettled. */
    static final int PHASE_ATTEMPTS = 3;
    /**
     * The warm-up: trials in the same processes, repeated until this much time has passed (at least one). One
     * trial was not enough: a pool's caller and workers, for one, reach their steady state only after about 8
     * maps of 1e6 items (C2 compiles the frame paths late), so one warm-up map measured the JIT, not the pool.
     */
    static final long WARM_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** The longest warm-up of ours: trials still apart after it are measured all the same. */
    static final long WARM_MAX_NANOS = TimeUnit.SECONDS.toNanos(20);
    /** Three warm-up trials this close (the largest over the smallest) end ours' warm-up, once past its floor. */
    static final double STEADY = 1.15;
    static final int N_MAP = 1_000_000;
    static final int N_CHUNK1 = 20_000;
    static final int N_APPLY = 5_000;
    static final int N_DICT = 20_000;
    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final String RESULT = "TRIALS ";

    /** A row of the table: what it measures, in which unit, and where CPython's and Agrona's figures come from. */
    enum Row {
        QUEUE_INTS("queue 1->1 small ints", "msgs/s", true, "2|small ints: throughput|msgs/s", "o2o 8"),
        QUEUE_LONGS("queue 1->1 8 B Codec.longs()", "msgs/s", true, "2|small ints: throughput|msgs/s", "o2o 8"),
        QUEUE_KIB("queue 1->1 1 KiB", "MB/s", true, "2|1 KiB bytes: bandwidth|MB/s", "o2o 1024"),
        QUEUE_KIB_BOUNDED("queue 1->1 1 KiB, maxsize 1000 (as much in flight as Agrona's 1 MiB ring)", "MB/s",
                true, "2|1 KiB bytes: bandwidth|MB/s", "o2o 1024"),
        QUEUE_M2O("queue 4->1 small ints", "msgs/s", true, "m2o|small ints: throughput|msgs/s", "m2o 8"),
        PIPE_P50("pipe ping-pong 64 B p50", "us", false, "3|send_bytes/recv_bytes 64 B: round trip|us", "ping 64"),
        MAP("map(cube, 1e6)", "tasks/s", true, "6|map(cube, range(1,000,000)) default chunksize|tasks/s", null),
        MAP_LOCAL("map(cube, 1e6): stream().map().toList() in one JVM, the ceiling", "tasks/s", true,
                "6|map(cube, range(1,000,000)) default chunksize|tasks/s", null),
        MAP_CHUNK1("map(cube, 20k, chunksize=1)", "tasks/s", true,
                "6|map(cube, range(20,000), chunksize=1)|tasks/s", null),
        APPLY("applyAsync round trip", "us", false, "7|apply_async(...).get() round trip|us", null),
        DICT_SET("manager dict set", "ops/s", true, "8|dict proxy d[i] = i|ops/s", null),
        DICT_GET("manager dict get", "ops/s", true, "8|dict proxy d[i] (get)|ops/s", null);

        final String label;
        final String unit;
        final boolean higherIsBetter;
        final String cpythonKey;
        final String agrona; // "o2o|m2o|ping size", or null

        Row(String label, String unit, boolean higherIsBetter, String cpythonKey, String agrona) {
            this.label = label;
            this.unit = unit;
            this.higherIsBetter = higherIsBetter;
            this.cpythonKey = cpythonKey;
            this.agrona = agrona;
        }
    }

    private DataPathHarness() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--row")) {
            runRow(args[1], args[2], Integer.parseInt(args[3]));
            return;
        }
        int runs = 3;
        int trials = 3;
        boolean python = true;
        boolean agrona = true;
        Pattern only = Pattern.compile(".*");
        String cpus = null;
        Path out = null;
        Path benchMp = HarnessArgs.parse(new String[0]).benchMp();
        Path anchor = Path.of("/work/shared/anchors/agrona/AgronaBench.java");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--trials" -> trials = Integer.parseInt(args[++i]);
                case "--no-python" -> python = false;
                case "--no-agrona" -> agrona = false;
                case "--only" -> only = Pattern.compile(args[++i]);
                case "--cpus" -> cpus = args[++i];
                case "--out" -> out = Path.of(args[++i]);
                case "--bench-mp" -> benchMp = Path.of(args[++i]);
                case "--agrona-anchor" -> anchor = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Pattern selected = only;
        List<Row> rows = Arrays.stream(Row.values()).filter(r -> selected.matcher(r.label).find()).toList();
        Map<Row, List<Double>> ours = new LinkedHashMap<>();
        Map<Row, List<Double>> cpython = new LinkedHashMap<>();
        Map<Row, List<Double>> peer = new LinkedHashMap<>();
        Map<Row, List<Double>> standalone = new LinkedHashMap<>();
        boolean withAnchor = agrona && Files.isRegularFile(anchor);
        Map<Row, Integer> unsettled = new LinkedHashMap<>();
        for (int run = 1; run <= runs; run++) {
            for (Row row : rows) {
                if (!agrona || row.agrona == null) {
                    double figure = median(launch("ours", row, trials, cpus));
                    ours.computeIfAbsent(row, k -> new ArrayList<>()).add(figure);
                    log("run %d/%d  %-30s ours   %s %s", run, runs, row.label, fmt(figure), row.unit);
                    continue;
                }
                // Agrona just before ours and (its anchor, or the harness's Agrona again) just after: the VM has
                // phases some 4x apart that change within minutes, so a ratio stands only if both agree.
                // The attempt whose two Agrona figures were closest is kept.
                double[] kept = null;
                double keptApart = Double.MAX_VALUE;
                for (int attempt = 1; attempt <= PHASE_ATTEMPTS; attempt++) {
                    double theirs = median(launch("agrona", row, trials, cpus));
                    log("run %d/%d  %-30s Agrona %s %s", run, runs, row.label, fmt(theirs), row.unit);
                    double figure = median(launch("ours", row, trials, cpus));
                    log("run %d/%d  %-30s ours   %s %s", run, runs, row.label, fmt(figure), row.unit);
                    double own = withAnchor ? median(anchor(anchor, row, trials, cpus)) : Double.NaN;
                    if (withAnchor) {
                        log("run %d/%d  %-30s Agrona anchor %s %s", run, runs, row.label, fmt(own), row.unit);
                    }
                    double apart = withAnchor ? apart(theirs, own) : Double.MAX_VALUE;
                    if (apart > PHASE_TOLERANCE) {
                        // The anchor may differ from the harness's Agrona for a reason of its own (pinned to one
                        // CPU, its producers spin while they wait for a trial): the harness's Agrona again decides.
                        double again = median(launch("agrona", row, trials, cpus));
                        log("run %d/%d  %-30s Agrona again %s %s", run, runs, row.label, fmt(again), row.unit);
                        apart = apart(theirs, again);
                    }
                    if (apart < keptApart) {
                        kept = new double[] {figure, theirs, own};
                        keptApart = apart;
                    }
                    if (apart <= PHASE_TOLERANCE) {
                        break;
                    }
                    if (attempt == PHASE_ATTEMPTS) {
                        unsettled.merge(row, 1, Integer::sum);
                        log("run %d/%d  %-30s Agrona before and after still %.1fx apart: the closest attempt kept,"
                                + " marked", run, runs, row.label, keptApart);
                    } else {
                        log("run %d/%d  %-30s Agrona before and after %.1fx apart (the VM changed phase): again",
                                run, runs, row.label, apart);
                    }
                }
                ours.computeIfAbsent(row, k -> new ArrayList<>()).add(kept[0]);
                peer.computeIfAbsent(row, k -> new ArrayList<>()).add(kept[1]);
                if (withAnchor) {
                    standalone.computeIfAbsent(row, k -> new ArrayList<>()).add(kept[2]);
                }
            }
            if (python) {
                Map<String, List<Double>> samples = cpython(benchMp, trials, cpus, rows);
                for (Row row : rows) {
                    List<Double> values = samples.get(row.cpythonKey);
                    if (values != null && !values.isEmpty()) {
                        cpython.computeIfAbsent(row, k -> new ArrayList<>()).add(median(values));
                        log("run %d/%d  %-30s CPython %s %s", run, runs, row.label, fmt(median(values)), row.unit);
                    }
                }
            }
        }
        String table = table(rows, ours, cpython, peer, standalone, unsettled, runs, trials, cpus);
        System.out.println(table);
        if (out != null) {
            Files.writeString(out, table);
        }
    }

    // ---- the parent: one JVM per row and side

    /** {@return the measured trials' figures of one row, run in a JVM of its own} */
    private static List<Double> launch(String side, Row row, int trials, String cpus) throws Exception {
        List<String> command = new ArrayList<>();
        if (cpus != null) {
            command.addAll(List.of("taskset", "-c", cpus));
        }
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("--enable-native-access=ALL-UNNAMED");
        if (side.equals("agrona")) {
            String idle = "-D" + AgronaBaseline.IDLE_PROPERTY + "=" + (cpus != null ? "yield" : "spin");
            command.addAll(List.of(AgronaBaseline.EXPORTS.split(" ")));
            command.add(idle);
            command.add("-Djmultiprocessing.child.jvmOptions=" + AgronaBaseline.EXPORTS + " " + idle);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), DataPathHarness.class.getName(),
                "--row", side, row.name(), Integer.toString(trials)));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Double> figures = null;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith(RESULT)) {
                    figures = Arrays.stream(line.substring(RESULT.length()).trim().split(" "))
                            .map(Double::parseDouble).toList();
                } else {
                    System.err.println(line);
                }
            }
        }
        if (!process.waitFor(WAIT.toMinutes(), TimeUnit.MINUTES) || process.exitValue() != 0 || figures == null) {
            process.destroyForcibly();
            throw new IllegalStateException(side + " " + row.label + " failed (exit " + process.exitValue() + ")");
        }
        return figures;
    }

    /**
     * {@return the measured trials' figures of Agrona's own anchor, {@code AgronaBench.java}, for one row: its
     * producers (or echo) and its consumer (or pinger) as plain JVMs run by Java's source launcher}
     */
    private static List<Double> anchor(Path source, Row row, int trials, String cpus) throws Exception {
        String[] spec = row.agrona.split(" ");
        int size = Integer.parseInt(spec[1]);
        Path file = Path.of("/dev/shm", "agrona-anchor-" + ProcessHandle.current().pid() + "-" + row.name());
        Files.deleteIfExists(file);
        Files.deleteIfExists(Path.of(file + ".tmp"));
        List<String> java = new ArrayList<>();
        if (cpus != null) {
            java.addAll(List.of("taskset", "-c", cpus));
        }
        java.add(ProcessHandle.current().info().command().orElse("java"));
        java.addAll(List.of(AgronaBaseline.EXPORTS.split(" ")));
        java.addAll(List.of("-cp", System.getProperty("java.class.path"), source.toString()));
        List<Process> helpers = new ArrayList<>();
        List<String> main = new ArrayList<>(java);
        String idle = "idle=" + (cpus != null ? "yield" : "spin"); // pinned to one CPU, a spinning side starves
        try {
            if (spec[0].equals("ping")) {
                helpers.add(start(java, "pong", "file=" + file, "size=" + size, idle));
                main.addAll(List.of("ping", "file=" + file, "size=" + size, "count=" + N_RT,
                        "warmup=" + WARM_RT, idle));
            } else {
                int producers = spec[0].equals("m2o") ? 4 : 1;
                long count = size > 8 ? N_AGRONA_KIB : N_AGRONA_8;
                for (int p = 0; p < producers; p++) {
                    helpers.add(start(java, "producer", "file=" + file, "id=" + p, "ring=" + spec[0], "size=" + size,
                            "producers=" + producers, "count=" + count, idle));
                }
                main.addAll(List.of("consumer", "file=" + file, "ring=" + spec[0], "size=" + size,
                        "producers=" + producers, "count=" + count, "trials=" + trials, idle));
            }
            Process coordinator = new ProcessBuilder(main).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String output = new String(coordinator.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!coordinator.waitFor(WAIT.toMinutes(), TimeUnit.MINUTES) || coordinator.exitValue() != 0) {
                throw new IllegalStateException("Agrona anchor " + row.label + " failed: " + output);
            }
            List<Double> figures = new ArrayList<>();
            for (String line : output.split("\n")) {
                java.util.regex.Matcher trial = Pattern.compile("trial [1-9][0-9]*: .* = ([0-9.]+) M msgs/s")
                        .matcher(line);
                java.util.regex.Matcher p50 = Pattern.compile("RESULT agrona-rtt .*p50_ns=([0-9]+)").matcher(line);
                if (trial.find()) {
                    double msgs = Double.parseDouble(trial.group(1)) * 1e6;
                    figures.add(row.unit.equals("MB/s") ? msgs * size / 1e6 : msgs);
                } else if (p50.find()) {
                    figures.add(Double.parseDouble(p50.group(1)) / 1e3);
                }
            }
            if (figures.isEmpty()) {
                throw new IllegalStateException("no figure in the Agrona anchor's output: " + output);
            }
            for (Process helper : helpers) {
                if (!helper.waitFor(1, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("an Agrona anchor helper did not end");
                }
            }
            return figures;
        } finally {
            helpers.forEach(Process::destroyForcibly);
            Files.deleteIfExists(file);
            Files.deleteIfExists(Path.of(file + ".tmp"));
        }
    }

    private static Process start(List<String> java, String... args) throws IOException {
        List<String> command = new ArrayList<>(java);
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** {@return CPython's samples by bench_mp key, plus the 4-producer queue under "m2o|..."} */
    private static Map<String, List<Double>> cpython(Path benchMp, int trials, String cpus, List<Row> rows)
            throws Exception {
        Map<String, List<Double>> all = new LinkedHashMap<>();
        String cases = String.join(",", rows.stream().map(r -> r.cpythonKey.substring(0, r.cpythonKey.indexOf('|')))
                .filter(c -> !c.equals("m2o")).distinct().toList());
        if (!cases.isEmpty()) {
            all.putAll(BenchMp.run(benchMp, cases, trials, cpus));
        }
        if (rows.contains(Row.QUEUE_M2O)) {
            Path script = m2oScript();
            List<String> command = new ArrayList<>();
            if (cpus != null) {
                command.addAll(List.of("taskset", "-c", cpus));
            }
            command.addAll(List.of("python3", script.toString(), "--producers", "4", "--reps",
                    Integer.toString(trials)));
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("bench_queue_m2o.py failed: " + output);
            }
            for (String line : output.split("\n")) {
                if (line.startsWith(RESULT)) {
                    all.put(Row.QUEUE_M2O.cpythonKey, Arrays.stream(line.substring(RESULT.length()).trim()
                            .split(" ")).map(Double::parseDouble).toList());
                }
            }
        }
        return all;
    }

    /** {@return jmh/python/bench_queue_m2o.py: beside the jar's directory (jmh/target), else under this directory} */
    private static Path m2oScript() {
        String classPath = System.getProperty("java.class.path").split(java.io.File.pathSeparator)[0];
        Path besideJar = Path.of(classPath).toAbsolutePath().getParent().resolveSibling("python")
                .resolve("bench_queue_m2o.py");
        return Files.exists(besideJar) ? besideJar : Path.of("jmh", "python", "bench_queue_m2o.py");
    }

    // ---- the child: one row, warm-up trial and measured trials in the same processes

    private static void runRow(String side, String rowName, int trials) throws Exception {
        Row row = Row.valueOf(rowName);
        double[] figures = side.equals("agrona") ? agrona(row, trials) : ours(row, trials);
        StringBuilder line = new StringBuilder(RESULT);
        for (double figure : figures) {
            line.append(' ').append(figure);
        }
        System.out.println(line);
        System.out.flush();
        System.exit(0); // daemon children and pools are ended by the library's exit actions
    }

    private static double[] agrona(Row row, int trials) throws Exception {
        String[] spec = row.agrona.split(" ");
        int size = Integer.parseInt(spec[1]);
        return switch (spec[0]) {
            case "o2o" -> scale(AgronaBaseline.throughput(1, size > 8 ? N_AGRONA_KIB : N_AGRONA_8, size, trials), row,
                    size);
            case "m2o" -> AgronaBaseline.throughput(4, N_AGRONA_8 / 4, size, trials);
            case "ping" -> Arrays.stream(AgronaBaseline.pingPong(size, WARM_RT, N_RT, trials)).mapToDouble(r -> r[0])
                    .toArray();
            default -> throw new IllegalArgumentException(row.agrona);
        };
    }

    /** msgs/s to MB/s for the 1 KiB row. */
    private static double[] scale(double[] msgsPerSecond, Row row, int size) {
        return row.unit.equals("MB/s") ? Arrays.stream(msgsPerSecond).map(x -> x * size / 1e6).toArray()
                : msgsPerSecond;
    }

    private static double[] ours(Row row, int trials) throws Exception {
        return switch (row) {
            case QUEUE_INTS -> queue(1, N_INT, false, 0, trials);
            case QUEUE_KIB -> scale(queue(1, N_KIB, true, 0, trials), row, 1024);
            case QUEUE_KIB_BOUNDED -> scale(queue(1, N_KIB, true, KIB_BOUND, trials), row, 1024);
            case QUEUE_M2O -> queue(4, N_INT / 4, false, 0, trials);
            case QUEUE_LONGS -> typedQueue(N_INT, trials);
            case PIPE_P50 -> pingPong(trials);
            case MAP, MAP_CHUNK1, APPLY -> pool(row, trials);
            case MAP_LOCAL -> local(trials);
            case DICT_SET, DICT_GET -> manager(row, trials);
        };
    }

    /**
     * Runs warm-up trials for {@link #WARM_NANOS} (four times that on one CPU; at least three trials), and on until
     * the last three are within {@link #STEADY} of each other (at most {@link #WARM_MAX_NANOS}), then the measured
     * ones; {@return their figures} Pinned to one CPU, 2 s left the JIT of a pool's caller and workers half done: a
     * map's trials went 4.3, 5.2, then 24-44 M tasks/s, or 3.6, 4.9, 4.5, 6.4, 11.5, 19.7, 35.2 (two slow trials
     * can agree).
     */
    private static double[] trials(int trials, Trial trial) throws Exception {
        long start = System.nanoTime();
        // On one CPU the JIT threads of every JVM of the row share it with the row itself: warm four times longer.
        long floor = Runtime.getRuntime().availableProcessors() < 2 ? 4 * WARM_NANOS : WARM_NANOS;
        double before = trial.run();
        double last = trial.run();
        for (double next; ; before = last, last = next) {
            next = trial.run();
            long spent = System.nanoTime() - start;
            double low = Math.min(before, Math.min(last, next));
            double high = Math.max(before, Math.max(last, next));
            if (spent >= WARM_MAX_NANOS || spent >= floor && high <= STEADY * low) {
                break;
            }
        }
        double[] figures = new double[trials];
        for (int t = 0; t < trials; t++) {
            figures[t] = trial.run();
        }
        return figures;
    }

    @FunctionalInterface
    interface Trial {
        double run() throws Exception;
    }

    /** A producer: one batch of {@code n} per round, a round per barrier, until the stop word is set. */
    static void produce(SharedQueue<Object> queue, SharedBarrier start, SharedValue stop, int n, boolean kib) {
        byte[] payload = new byte[1024];
        Arrays.fill(payload, (byte) 0xab);
        try {
            while (true) {
                start.await(WAIT);
                if (stop.getLong() != 0) {
                    return;
                }
                for (int i = 0; i < n; i++) {
                    queue.put(kib ? payload : Integer.valueOf(i));
                }
            }
        } catch (InterruptedException | java.util.concurrent.BrokenBarrierException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double[] queue(int producers, int perProducer, boolean kib, int maxsize, int trials)
            throws Exception {
        try (SharedQueue<Object> queue = new SharedQueue<>(maxsize); SharedBarrier start = new SharedBarrier(producers + 1);
                SharedValue stop = SharedValue.raw('q', 0L)) {
            List<JvmProcess> children = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                JvmProcess child = new JvmProcess(() -> produce(queue, start, stop, perProducer, kib));
                child.setDaemon(true);
                child.start();
                children.add(child);
            }
            long total = (long) producers * perProducer;
            long expected = kib ? total * 1024 : producers * ((long) perProducer * (perProducer - 1) / 2);
            double[] figures = trials(trials, () -> {
                start.await(WAIT);
                long t0 = System.nanoTime();
                long check = 0;
                for (long i = 0; i < total; i++) {
                    Object m = queue.take();
                    check += kib ? ((byte[]) m).length : (Integer) m;
                }
                long t1 = System.nanoTime();
                if (check != expected) {
                    throw new IllegalStateException("checksum " + check + " (expected " + expected + ")");
                }
                return total / ((t1 - t0) / 1e9);
            });
            stop.setLong(1);
            start.await(WAIT); // the producers see the stop word and end
            joinAll(children);
            return figures;
        }
    }

    static void produceTyped(SharedQueue<Long> queue, SharedBarrier start, SharedValue stop, int n) {
        try {
            while (true) {
                start.await(WAIT);
                if (stop.getLong() != 0) {
                    return;
                }
                for (long i = 0; i < n; i++) {
                    queue.put(i);
                }
            }
        } catch (InterruptedException | java.util.concurrent.BrokenBarrierException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double[] typedQueue(int n, int trials) throws Exception {
        try (SharedQueue<Long> queue = new SharedQueue<>(0, Codec.longs());
                SharedBarrier start = new SharedBarrier(2); SharedValue stop = SharedValue.raw('q', 0L)) {
            JvmProcess child = new JvmProcess(() -> produceTyped(queue, start, stop, n));
            child.setDaemon(true);
            child.start();
            double[] figures = trials(trials, () -> {
                start.await(WAIT);
                long t0 = System.nanoTime();
                long check = 0;
                for (int i = 0; i < n; i++) {
                    check += queue.take();
                }
                long t1 = System.nanoTime();
                if (check != (long) n * (n - 1) / 2) {
                    throw new IllegalStateException("checksum " + check);
                }
                return n / ((t1 - t0) / 1e9);
            });
            stop.setLong(1);
            start.await(WAIT);
            joinAll(List.of(child));
            return figures;
        }
    }

    private static void joinAll(List<JvmProcess> children) throws InterruptedException {
        for (JvmProcess child : children) {
            if (!child.join(WAIT) || child.exitCode().orElse(-1) != 0) {
                throw new IllegalStateException(child + " did not end well");
            }
        }
    }

    static void echo(Connection conn) {
        try {
            while (true) {
                conn.sendBytes(conn.recvBytes());
            }
        } catch (EOFException e) {
            conn.close();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double[] pingPong(int trials) throws Exception {
        Pipe pipe = Pipe.open();
        Connection mine = pipe.left();
        Connection theirs = pipe.right();
        JvmProcess child = new JvmProcess(() -> echo(theirs));
        child.setDaemon(true);
        child.start();
        theirs.close();
        byte[] message = new byte[64];
        Arrays.fill(message, (byte) 1);
        long warmStart = System.nanoTime();
        for (int i = 0; i < WARM_RT || System.nanoTime() - warmStart < WARM_NANOS; i++) { // both JVMs compiled
            mine.sendBytes(message);
            mine.recvBytes();
        }
        long[] rt = new long[N_RT];
        double[] figures = new double[trials];
        for (int t = 0; t < trials; t++) {
            for (int i = 0; i < N_RT; i++) {
                long t0 = System.nanoTime();
                mine.sendBytes(message);
                mine.recvBytes();
                rt[i] = System.nanoTime() - t0;
            }
            Arrays.sort(rt);
            figures[t] = rt[N_RT / 2] / 1e3;
        }
        mine.close();
        joinAll(List.of(child));
        return figures;
    }

    static long cube(long x) {
        return x * x * x;
    }

    static int ident(int x) {
        return x;
    }

    private static double[] pool(Row row, int trials) throws Exception {
        List<Long> range = IntStream.range(0, N_MAP).mapToObj(i -> (long) i).toList();
        List<Long> small = range.subList(0, N_CHUNK1);
        try (ProcessPool pool = new ProcessPool(2)) {
            pool.apply(() -> 0);
            return trials(trials, () -> switch (row) {
                case MAP -> {
                    long t0 = System.nanoTime();
                    List<Long> r = pool.map(DataPathHarness::cube, range);
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (r.size() != N_MAP || r.get(N_MAP - 1) != cube(N_MAP - 1)) {
                        throw new IllegalStateException("map result mismatch");
                    }
                    yield N_MAP / s;
                }
                case MAP_CHUNK1 -> {
                    long t0 = System.nanoTime();
                    List<Long> r = pool.map(DataPathHarness::cube, small, 1);
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (r.size() != N_CHUNK1) {
                        throw new IllegalStateException("map result mismatch");
                    }
                    yield N_CHUNK1 / s;
                }
                default -> {
                    long t0 = System.nanoTime();
                    int last = -1;
                    for (int i = 0; i < N_APPLY; i++) {
                        int x = i;
                        last = pool.applyAsync(() -> ident(x)).get();
                    }
                    if (last != N_APPLY - 1) {
                        throw new IllegalStateException("applyAsync result mismatch");
                    }
                    yield (System.nanoTime() - t0) / 1e3 / N_APPLY;
                }
            });
        }
    }

    /** The ceiling the pool's map is compared with: the same map on one thread of the caller, no processes. */
    private static double[] local(int trials) throws Exception {
        List<Long> range = IntStream.range(0, N_MAP).mapToObj(i -> (long) i).toList();
        return trials(trials, () -> {
            long t0 = System.nanoTime();
            List<Long> r = range.stream().map(DataPathHarness::cube).toList();
            double s = (System.nanoTime() - t0) / 1e9;
            if (r.size() != N_MAP || r.get(N_MAP - 1) != cube(N_MAP - 1)) {
                throw new IllegalStateException("local map result mismatch");
            }
            return N_MAP / s;
        });
    }

    private static double[] manager(Row row, int trials) throws Exception {
        try (Manager manager = Multiprocessing.manager()) {
            return trials(trials, () -> {
                Map<Integer, Integer> d = manager.dict();
                if (row == Row.DICT_SET) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < N_DICT; i++) {
                        d.put(i, i);
                    }
                    return N_DICT / ((System.nanoTime() - t0) / 1e9);
                }
                for (int i = 0; i < N_DICT; i++) {
                    d.put(i, i);
                }
                long t0 = System.nanoTime();
                long s = 0;
                for (int i = 0; i < N_DICT; i++) {
                    s += d.get(i);
                }
                double rate = N_DICT / ((System.nanoTime() - t0) / 1e9);
                if (s != (long) N_DICT * (N_DICT - 1) / 2) {
                    throw new IllegalStateException("manager dict mismatch");
                }
                return rate;
            });
        }
    }

    // ---- the table

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String cell(List<Double> runs) {
        if (runs == null || runs.isEmpty()) {
            return "-";
        }
        double min = runs.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = runs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return fmt(median(runs)) + (runs.size() > 1 ? " (" + fmt(min) + "-" + fmt(max) + ")" : "");
    }

    /** {@return ours / theirs, the median and range of the per-run ratios} */
    private static String ratio(List<Double> ours, List<Double> theirs) {
        if (ours == null || theirs == null || theirs.isEmpty()) {
            return "-";
        }
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(ours.size(), theirs.size()); i++) {
            ratios.add(ours.get(i) / theirs.get(i));
        }
        double min = ratios.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = ratios.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return String.format(Locale.ROOT, "%.2fx", median(ratios))
                + (ratios.size() > 1 ? String.format(Locale.ROOT, " (%.2f-%.2f)", min, max) : "");
    }

    private static String table(List<Row> rows, Map<Row, List<Double>> ours, Map<Row, List<Double>> cpython,
            Map<Row, List<Double>> peer, Map<Row, List<Double>> standalone, Map<Row, Integer> unsettled, int runs,
            int trials, String cpus) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%d runs; each figure the median of %d warm trials in its run; the"
                + " table shows the median of the runs (min-max); ratios are ours / theirs, per run%s. Agrona runs"
                + " just before ours, its anchor (or, where they disagree, Agrona again) just after; a run where the"
                + " two stayed more than %.1fx apart in %d attempts (the VM changed phase) is marked%n%n", runs, trials,
                cpus == null ? "" : "; everything under taskset -c " + cpus, PHASE_TOLERANCE, PHASE_ATTEMPTS));
        out.append("| row | unit | ours | CPython | Agrona | Agrona's anchor, standalone | ours / CPython"
                + " | ours / Agrona |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            out.append("| ").append(row.label).append(" | ").append(row.unit).append(row.higherIsBetter ? "" : " (lower"
                    + " is better)").append(" | ").append(cell(ours.get(row))).append(" | ")
                    .append(cell(cpython.get(row))).append(" | ").append(cell(peer.get(row))).append(" | ")
                    .append(cell(standalone.get(row))).append(" | ")
                    .append(ratio(ours.get(row), cpython.get(row))).append(" | ")
                    .append(ratio(ours.get(row), peer.get(row)))
                    .append(unsettled.containsKey(row) ? " (phase changed in " + unsettled.get(row) + " run(s))" : "")
                    .append(" |\n");
        }
        return out.toString();
    }

    /** {@return how many times the larger of two figures is the smaller} */
    private static double apart(double a, double b) {
        return Math.max(a, b) / Math.min(a, b);
    }

    static String fmt(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.2f M", v / 1e6);
        }
        if (a >= 1e4) {
            return String.format(Locale.ROOT, "%.1f k", v / 1e3);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static void log(String format, Object... args) {
        System.err.println(String.format(Locale.ROOT, format, args));
    }
}

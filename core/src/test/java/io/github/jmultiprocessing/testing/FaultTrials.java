package io.github.jmultiprocessing.testing;

import io.github.jmultiprocessing.testing.FaultTally.Count;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The test JVM's side of a fault scenario ({@code *FaultIT}): runs each trial in a JVM of its own (a trial main,
 * which starts the subject processes, injects the fault and checks what the survivors saw), in a shared-memory
 * directory of its own, bounded, and counts into a {@link FaultTally} what the trial reported (see
 * {@link TrialLog}) and what it left behind: processes alive (orphans), {@code hs_err} files (crashes) and files in
 * its directory (leaked segments).
 *
 * <p>Implementation notes. A trial main reports on its stdout, one {@code FAULT ...} line per event; it ends with
 * {@code FAULT DONE}. A trial main that runs past its bound counts a HANG and is killed with the processes it
 * reported and its descendants; one that exits without {@code DONE} (or with a status other than 0) counts a
 * FAILURE, with the end of its output. Its processes get {@link #ORPHAN_GRACE} to end after it did (a daemon child
 * watches its parent); those still alive then are orphans, and are killed.
 */
public final class FaultTrials {

    /** The system property giving the trials per scenario (20 in CI). */
    public static final String TRIALS_PROPERTY = "jmultiprocessing.faults.trials";

    /** The system property giving the seed, to replay a run. */
    public static final String SEED_PROPERTY = "jmultiprocessing.faults.seed";

    /** How long a trial's processes may take to end after its trial main did. */
    public static final Duration ORPHAN_GRACE = Duration.ofSeconds(5);

    private FaultTrials() {
    }

    /** {@return the trials per scenario: {@value #TRIALS_PROPERTY}, default 20} */
    public static int trials() {
        return Integer.getInteger(TRIALS_PROPERTY, 20);
    }

    /** {@return the seed of this run: {@value #SEED_PROPERTY}, default the clock} */
    public static long seed() {
        return Long.getLong(SEED_PROPERTY, System.nanoTime());
    }

    /**
     * Runs a scenario: {@link #trials()} trials of {@code main}, each given its own seed (drawn from {@code seed})
     * and its index, then appends the tally's row to the report and asserts it within the allowances, naming the
     * seed in the failure.
     *
     * @param tally      the scenario's tally
     * @param seed       the run's seed
     * @param main       the trial main: {@code main(trialSeed, trialIndex)}
     * @param bound      the longest a trial may run
     * @param allowances the documented allowances (0 for a column not in the map)
     * @throws InterruptedException if interrupted
     */
    public static void runScenario(FaultTally tally, long seed, Class<?> main, Duration bound,
            Map<Count, Long> allowances) throws InterruptedException {
        Random random = new Random(seed);
        Map<String, Long> stats = new TreeMap<>();
        long start = System.nanoTime();
        int trials = trials();
        for (int trial = 0; trial < trials; trial++) {
            run(tally, stats, main, bound, Long.toString(random.nextLong()), Integer.toString(trial));
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println(main.getEnclosingClass().getSimpleName() + ": " + trials + " trials in " + millis
                + " ms, seed=" + seed + " (replay: -D" + SEED_PROPERTY + "=" + seed + "); " + stats);
        tally.report();
        try {
            tally.assertWithin(allowances);
        } catch (AssertionError e) {
            throw new AssertionError("seed=" + seed + " (replay: -D" + SEED_PROPERTY + "=" + seed + "): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Runs one trial and counts it.
     *
     * @param tally the scenario's tally
     * @param stats the figures the trials add to ({@link TrialLog#stat})
     * @param main  the trial main
     * @param bound the longest it may run
     * @param args  its arguments
     * @throws InterruptedException if interrupted
     */
    public static void run(FaultTally tally, Map<String, Long> stats, Class<?> main, Duration bound, String... args)
            throws InterruptedException {
        tally.trial();
        Path directory;
        try {
            directory = Files.createTempDirectory("jmp-fault-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Long> pids = new ArrayList<>();
        String output;
        try (JavaMain trial = JavaMain.start(System.getProperty("java.class.path"),
                List.of("-Djmultiprocessing.shm.dir=" + directory), main, args)) {
            Process process = trial.process();
            pids.add(process.pid());
            boolean ended = process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                process.descendants().forEach(p -> pids.add(p.pid())); // before the kill: they may be reparented
                output = trial.output();
                tally.add(Count.HANGS, 1, "trial JVM still running after " + bound + ": " + String.join(" ", args)
                        + "\n" + tail(output));
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            } else {
                output = trial.output();
            }
            boolean done = false;
            for (String line : output.lines().toList()) {
                if (!line.startsWith(TrialLog.PREFIX)) {
                    continue;
                }
                String[] words = line.substring(TrialLog.PREFIX.length()).split(" ", 4);
                switch (words[0]) {
                    case "PID" -> pids.add(Long.parseLong(words[1]));
                    case "INJECTED" -> tally.injected(Long.parseLong(words[1]));
                    case "RECOVERY" -> tally.recovery(Duration.ofNanos(Long.parseLong(words[1])));
                    case "COUNT" -> tally.add(Count.valueOf(words[1]), Long.parseLong(words[2]),
                            words.length > 3 ? words[3] : "");
                    case "STAT" -> stats.merge(words[1], Long.parseLong(words[2]), Long::sum);
                    case "DONE" -> done = true;
                    default -> { // NOTE lines: printed for the reader of the log
                    }
                }
            }
            if (ended && (process.exitValue() != 0 || !done)) {
                tally.add(Count.FAILURES, 1, "trial JVM exit=" + process.exitValue() + (done ? "" : " before DONE")
                        + ": " + String.join(" ", args) + "\n" + tail(output));
            }
            countLeftovers(tally, pids.stream().distinct().toList(), directory);
        } finally {
            deleteTree(directory);
        }
    }

    private static void countLeftovers(FaultTally tally, List<Long> pids, Path directory) throws InterruptedException {
        long deadline = System.nanoTime() + ORPHAN_GRACE.toNanos();
        while (FaultTally.alive(pids) > 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        List<Long> alive = pids.stream().filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                .orElse(false)).toList();
        tally.add(Count.ORPHANS, alive.size(), "alive " + ORPHAN_GRACE + " after the trial: " + alive);
        for (long pid : alive) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        Path here = Path.of("").toAbsolutePath();
        tally.add(Count.CRASHES, FaultTally.crashFiles(here, pids), "hs_err_pid files in " + here + " of " + pids);
        List<String> left = FaultTally.files(directory);
        tally.add(Count.LEAKED_SEGMENTS, left.size(), "left in the trial's directory: " + left);
    }

    private static String tail(String output) {
        List<String> lines = output.lines().toList();
        return "  | " + String.join("\n  | ", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static void deleteTree(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory
        }
    }
}

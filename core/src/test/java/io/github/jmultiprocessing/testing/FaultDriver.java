package io.github.jmultiprocessing.testing;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.Multiprocessing;
import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Runs one scenario of the fault suite in a JVM of its own (the driver), with a shared-memory directory of its own:
 * the driver and every process it starts (children inherit the directory) create their segments there, so the
 * files left in it after a trial are exactly that trial's leaks, whatever else runs on the machine. The driver
 * holds the scenario's {@link FaultTally}, appends its row to {@code target/fault-report.md} and exits with 0 only
 * if every count is within its allowance; the test asserts that, and that the directory is empty once the driver
 * has ended.
 *
 * <p>Implementation notes. The number of trials and the seed are chosen in the test's JVM ({@value #TRIALS},
 * {@value #SEED}) and handed to the driver as the same properties, so a failure names the seed that replays it.
 */
public final class FaultDriver {

    /** Trials per scenario (20 in CI). */
    public static final String TRIALS = "jmultiprocessing.faults.trials";

    /** The seed of the kill moments; a fresh one unless given. */
    public static final String SEED = "jmultiprocessing.faults.seed";

    private FaultDriver() {
    }

    /** {@return the trials per scenario} */
    public static int trials() {
        return Integer.getInteger(TRIALS, 20);
    }

    /** {@return the seed: the property's, else a fresh one} */
    public static long seed() {
        return Long.getLong(SEED, System.nanoTime());
    }

    /**
     * Runs a driver's {@code main} in a JVM with a fresh shared-memory directory and the trials and seed of this
     * JVM, waits for it within the bound, and fails unless it exited with 0 and left the directory empty.
     *
     * @param main  the driver's class
     * @param bound the longest the whole scenario may take
     * @param args  the driver's arguments
     * @throws InterruptedException if interrupted
     */
    public static void run(Class<?> main, Duration bound, String... args) throws InterruptedException {
        long seed = seed();
        Path directory;
        try {
            directory = Files.createTempDirectory("jmp-fault-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long start = System.nanoTime();
        try (JavaMain driver = JavaMain.start(System.getProperty("java.class.path"),
                List.of("-Djmultiprocessing.shm.dir=" + directory, "-D" + TRIALS + "=" + trials(),
                        "-D" + SEED + "=" + seed, "-Xmx256m"), main, args)) {
            int status;
            try {
                status = driver.waitFor(bound);
            } catch (AssertionError e) {
                throw new AssertionError("seed=" + seed + ": " + e.getMessage(), e);
            }
            String output = driver.output();
            System.out.println(output.strip() + "\n" + main.getSimpleName() + " " + String.join(" ", args) + ": "
                    + (System.nanoTime() - start) / 1_000_000 + " ms, seed=" + seed);
            if (status != 0) {
                throw new AssertionError(main.getSimpleName() + " exit status=" + status + " (expected 0), seed="
                        + seed + ":\n" + output);
            }
            List<String> left = FaultTally.files(directory);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!left.isEmpty() && System.nanoTime() - deadline < 0) { // its children end just after it
                Thread.sleep(10);
                left = FaultTally.files(directory);
            }
            if (!left.isEmpty()) {
                throw new AssertionError("segments left 5 s after the driver ended=" + left + " (expected none), seed="
                        + seed + ":\n" + output);
            }
        } finally {
            delete(directory);
        }
    }

    /**
     * In the driver: appends the tally's row to the report and fails (naming the seed) if a count exceeds its
     * allowance.
     *
     * @param tally      the scenario's tally
     * @param seed       the seed the driver used
     * @param allowances the documented allowances
     */
    public static void finish(FaultTally tally, long seed, Map<FaultTally.Count, Long> allowances) {
        tally.report();
        try {
            tally.assertWithin(allowances);
        } catch (AssertionError e) {
            throw new AssertionError("seed=" + seed + " (-D" + SEED + "=" + seed + " replays it): " + e.getMessage(),
                    e);
        }
    }

    /** A driver's body. */
    @FunctionalInterface
    public interface Body {
        /**
         * Runs the scenario.
         *
         * @throws Exception whatever it throws: the driver then exits with 1
         */
        void run() throws Exception;
    }

    /**
     * Runs a driver's body and exits the JVM: 0 if it returned, 1 (after printing why) if it threw, whatever threads
     * are still running.
     *
     * @param body the scenario
     */
    public static void exitWith(Body body) {
        int status = 0;
        try {
            body.run();
        } catch (Throwable e) {
            e.printStackTrace(System.out);
            status = 1;
        }
        System.out.flush();
        System.exit(status);
    }

    /**
     * A uniformly random duration, for a kill moment.
     *
     * @param random the seeded random
     * @param from   the shortest
     * @param to     the longest (exclusive)
     * @return a duration in between
     */
    public static Duration between(Random random, Duration from, Duration to) {
        return Duration.ofNanos(from.toNanos() + (long) (random.nextDouble() * (to.toNanos() - from.toNanos())));
    }

    /**
     * Waits until every given process has ended, at most until the bound, then kills those still running. Handles,
     * not pids: a handle knows its process's start time, so a pid reused meanwhile by another process is neither
     * counted nor killed.
     *
     * @param processes the processes
     * @param bound     the longest wait
     * @return how many still ran at the bound (orphans)
     * @throws InterruptedException if interrupted
     */
    public static long awaitGone(List<ProcessHandle> processes, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (running(processes) > 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        long running = running(processes);
        for (ProcessHandle process : processes) {
            if (process.isAlive() && state(process.pid()) != 'Z') {
                process.destroyForcibly();
            }
        }
        return running;
    }

    /**
     * Counts the given processes that still run: alive for the JDK and not a zombie (a zombie runs nothing and holds
     * nothing; one whose parent died waits for init to reap it, which in a container may take a second).
     *
     * @param processes the processes
     * @return how many run
     */
    public static long running(List<ProcessHandle> processes) {
        return processes.stream().filter(p -> p.isAlive() && state(p.pid()) != 'Z').count();
    }

    /**
     * Handles of the given processes that are still there.
     *
     * @param pids the pids
     * @return their handles
     */
    public static List<ProcessHandle> handles(List<Long> pids) {
        return pids.stream().flatMap(pid -> ProcessHandle.of(pid).stream()).toList();
    }

    /**
     * The state letter of a process (field 3 of {@code /proc/<pid>/stat}), {@code '?'} if it is gone.
     *
     * @param pid the process
     * @return its state
     */
    public static char state(long pid) {
        try {
            String text = Files.readString(Path.of("/proc", Long.toString(pid), "stat"),
                    java.nio.charset.StandardCharsets.US_ASCII);
            return text.charAt(text.lastIndexOf(')') + 2);
        } catch (IOException | RuntimeException e) {
            return '?';
        }
    }

    /**
     * In the driver: lets the library reap what killed processes left, as it does at the next start of any JVM
     * that uses it (a killed JVM's segments stay until then, by design: see {@code SegmentLedger}). Starts one
     * child with the spawn method that does nothing (it reaps on its start, and its exit waits for that), then waits
     * at most the bound for the files named after the given processes to go.
     *
     * @param pids  the processes whose files must go
     * @param bound the longest wait after the next start ended
     * @return the files of those processes still there
     * @throws InterruptedException if interrupted
     */
    public static List<String> leftAfterNextStart(List<Long> pids, Duration bound) throws InterruptedException {
        JvmProcess next = Multiprocessing.getContext(Multiprocessing.SPAWN).process(() -> { });
        next.start();
        if (!next.join(Duration.ofSeconds(60))) {
            next.kill();
            next.join();
        }
        long deadline = System.nanoTime() + bound.toNanos();
        List<String> left = filesOf(pids);
        while (!left.isEmpty() && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
            left = filesOf(pids);
        }
        return left;
    }

    /**
     * In the driver: the segment and ledger files in its directory named after one of the given processes.
     *
     * @param pids the processes
     * @return their files' names
     */
    public static List<String> filesOf(List<Long> pids) {
        return FaultTally.files(ShmDirectory.directory()).stream()
                .filter(name -> pids.stream().anyMatch(pid -> name.contains("-" + pid + "-"))).toList();
    }

    /**
     * Deletes a directory and what is in it.
     *
     * @param directory the directory
     */
    public static void delete(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

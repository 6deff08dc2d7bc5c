package io.github.jmultiprocessing.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What one scenario of the fault suite ({@code *FaultIT}) saw over its trials: the counts issue 14 asks for
 * (hangs, lost, duplicated and garbage messages, crashes, orphans, leaked segments, plus failures the scenario
 * did not expect), the longest recovery, and a line per trial that went wrong.
 *
 * <p>{@link #report()} appends one row to {@code target/fault-report.md} (the table README copies) and
 * {@link #assertWithin(Map)} fails the test when a count exceeds its allowance (0 unless the scenario documents
 * one, e.g. one message per consumer killed mid-get).
 */
public final class FaultTally {

    /** The columns of the fault table. */
    public enum Count {
        /** A wait that did not end within the scenario's bound. */
        HANGS,
        /** Messages or tasks sent and never delivered. */
        LOST,
        /** Messages or tasks delivered twice. */
        DUPLICATED,
        /** Messages delivered with content that was never sent. */
        GARBAGE,
        /** {@code hs_err_pid*.log} files of the trial's processes. */
        CRASHES,
        /** Processes of the trial alive after it ended. */
        ORPHANS,
        /** Segment files left in the trial's shared-memory directory. */
        LEAKED_SEGMENTS,
        /** Anything else the scenario did not expect (an exception of the wrong kind, a lost permit, ...). */
        FAILURES
    }

    /** Where {@link #report()} appends its row. */
    public static final Path REPORT = Path.of("target", "fault-report.md");

    private final String scenario;
    private final EnumMap<Count, Long> counts = new EnumMap<>(Count.class);
    private final List<String> problems = new ArrayList<>();
    private int trials;
    private long events;
    private Duration longestRecovery = Duration.ZERO;

    /**
     * @param scenario the row's name in the fault table
     */
    public FaultTally(String scenario) {
        this.scenario = scenario;
        for (Count count : Count.values()) {
            counts.put(count, 0L);
        }
    }

    /** Counts one trial. */
    public synchronized void trial() {
        trials++;
    }

    /**
     * Counts the faults injected (kills, corruptions, hostile connections), for the table's second column.
     *
     * @param n how many
     */
    public synchronized void injected(long n) {
        events += n;
    }

    /**
     * Adds to a column.
     *
     * @param count  the column
     * @param n      how many (0 adds nothing)
     * @param detail what happened, kept for the failure message
     */
    public synchronized void add(Count count, long n, String detail) {
        if (n != 0) {
            counts.merge(count, n, Long::sum);
            problems.add("trial " + trials + ": " + count + " +" + n + ": " + detail);
        }
    }

    /**
     * Records how long one recovery took (a lock taken over, a client failing, a consumer's exception).
     *
     * @param took the time
     */
    public synchronized void recovery(Duration took) {
        if (took.compareTo(longestRecovery) > 0) {
            longestRecovery = took;
        }
    }

    /**
     * @param count the column
     * @return its count so far
     */
    public synchronized long get(Count count) {
        return counts.get(count);
    }

    /** {@return the trials counted} */
    public synchronized int trials() {
        return trials;
    }

    /**
     * Counts the {@code hs_err_pid<pid>.log} files of the given processes in a directory (a JVM writes one in its
     * working directory when it crashes).
     *
     * @param directory the working directory of the processes
     * @param pids      their pids
     * @return how many there are
     */
    public static long crashFiles(Path directory, List<Long> pids) {
        return pids.stream().filter(pid -> Files.exists(directory.resolve("hs_err_pid" + pid + ".log"))).count();
    }

    /**
     * Counts the processes among the given ones still alive.
     *
     * @param pids the pids of the trial's processes
     * @return how many are alive
     */
    public static long alive(List<Long> pids) {
        return pids.stream().filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).count();
    }

    /**
     * Lists the files in a trial's own shared-memory directory (given to its processes with
     * {@code -Djmultiprocessing.shm.dir}).
     *
     * @param directory the directory
     * @return the names of the files in it
     */
    public static List<String> files(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> listing = Files.list(directory)) {
            return listing.map(path -> path.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Appends this scenario's row to {@link #REPORT}: scenario, trials, faults injected, each count, the
     * longest recovery in milliseconds.
     */
    public synchronized void report() {
        String row = "| " + scenario + " | " + trials + " | " + events + " | "
                + counts.values().stream().map(String::valueOf).collect(Collectors.joining(" | "))
                + " | " + longestRecovery.toMillis() + " |\n";
        try {
            Files.createDirectories(REPORT.getParent());
            if (!Files.exists(REPORT)) {
                String header = "| scenario | trials | faults | "
                        + Stream.of(Count.values()).map(c -> c.name().toLowerCase().replace('_', ' '))
                                .collect(Collectors.joining(" | "))
                        + " | longest recovery, ms |\n|---|" + "---:|".repeat(Count.values().length + 3) + "\n";
                Files.writeString(REPORT, header, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            Files.writeString(REPORT, row, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Fails if any count exceeds its allowance (0 for a column not in the map), listing what went wrong.
     *
     * @param allowances the documented allowances, e.g. {@code Map.of(Count.LOST, 3L)}
     */
    public synchronized void assertWithin(Map<Count, Long> allowances) {
        List<String> over = new ArrayList<>();
        counts.forEach((count, n) -> {
            long allowed = allowances.getOrDefault(count, 0L);
            if (n > allowed) {
                over.add(count + "=" + n + " (allowed " + allowed + ")");
            }
        });
        if (!over.isEmpty()) {
            throw new AssertionError(scenario + " over " + trials + " trials: " + String.join(", ", over)
                    + "\n  " + String.join("\n  ", problems));
        }
    }
}

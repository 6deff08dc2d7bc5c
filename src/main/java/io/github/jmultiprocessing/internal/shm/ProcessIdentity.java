package io.github.jmultiprocessing.internal.shm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Who this process is, and whether another one still lives: a pid plus a start time, so that a recycled pid is
 * not mistaken for the process that had it before.
 *
 * <p>On Linux the start time is field 22 of {@code /proc/<pid>/stat}: clock ticks since boot, which a step of
 * the wall clock (NTP, a resumed VM) does not move. {@code ProcessHandle.Info.startInstant()} is derived from the
 * boot time as the wall clock gives it when a JVM starts, so two JVMs can disagree about it after a step and one
 * would take the other for dead. Elsewhere the start instant in milliseconds is used.
 */
public final class ProcessIdentity {

    private static final long PID = ProcessHandle.current().pid();
    private static final long START = startTimeOf(PID);

    private ProcessIdentity() {
    }

    /** {@return this JVM's pid} */
    public static long pid() {
        return PID;
    }

    /** {@return this JVM's start time, comparable only with {@link #startTimeOf(long)}; 0 if unknown} */
    public static long startTime() {
        return START;
    }

    /**
     * {@return the start time of a process as {@link #startTime()} reports it there, 0 if unknown or gone}
     * @param pid the pid
     */
    public static long startTimeOf(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (Files.isReadable(Path.of("/proc/self/stat"))) {
            try {
                String text = Files.readString(stat, StandardCharsets.US_ASCII);
                // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields count from the last ')'
                String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(fields[22 - 3]);
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }
        return ProcessHandle.of(pid).flatMap(h -> h.info().startInstant()).map(Instant::toEpochMilli).orElse(0L);
    }

    /**
     * Tells whether the process that had the given pid and start time is still running.
     *
     * @param pid       the pid
     * @param startTime its start time as {@link #startTime()} reported it there, or 0 if unknown
     * @return true if a process with that pid runs and, where both start times are known, started then
     */
    public static boolean isAlive(long pid, long startTime) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        if (startTime == 0) {
            return true;
        }
        long actual = startTimeOf(pid);
        return actual == 0 || actual == startTime;
    }

    /**
     * Tells whether a process with the given pid is running (any start time).
     *
     * @param pid the pid
     * @return true if it runs
     */
    public static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}

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
 *
 * <p>A process counts as alive while it runs, not while its pid exists: a process that has died but whose parent
 * has not reaped it yet (a zombie, state {@code Z}, or {@code X} while it is being reaped, field 3 of
 * {@code /proc/<pid>/stat}) holds nothing any more, so the locks it held are taken over and its segments reaped.
 * {@link ProcessHandle#isAlive()} says true for a zombie.
 */
public final class ProcessIdentity {

    private static final boolean PROC = Files.isReadable(Path.of("/proc/self/stat"));
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
        if (PROC) {
            String[] fields = statFields(pid);
            return fields == null ? 0 : startTime(fields);
        }
        return ProcessHandle.of(pid).flatMap(h -> h.info().startInstant()).map(Instant::toEpochMilli).orElse(0L);
    }

    /**
     * {@return the fields of {@code /proc/<pid>/stat} from field 3 (the state) on, or null if gone or unreadable}
     * @param pid the pid
     */
    private static String[] statFields(long pid) {
        try {
            String text = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields count from the last ')'
            return text.substring(text.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long startTime(String[] fields) {
        try {
            return Long.parseLong(fields[22 - 3]);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** {@return true if the state (field 3) says the process has died: a zombie or being reaped} */
    private static boolean dead(String[] fields) {
        return fields[0].equals("Z") || fields[0].equals("X") || fields[0].equals("x");
    }

    /**
     * Tells whether the process that had the given pid and start time is still running.
     *
     * @param pid       the pid
     * @param startTime its start time as {@link #startTime()} reported it there, or 0 if unknown
     * @return true if a process with that pid runs and, where both start times are known, started then
     */
    public static boolean isAlive(long pid, long startTime) {
        if (PROC) {
            String[] fields = statFields(pid);
            if (fields == null || dead(fields)) {
                return false;
            }
            long actual = startTime(fields);
            return startTime == 0 || actual == 0 || actual == startTime;
        }
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
     * Tells whether a process with the given pid is running (any start time); a zombie is not.
     *
     * @param pid the pid
     * @return true if it runs
     */
    public static boolean isAlive(long pid) {
        return isAlive(pid, 0);
    }
}

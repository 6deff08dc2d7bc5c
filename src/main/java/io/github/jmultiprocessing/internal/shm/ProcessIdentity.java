package io.github.jmultiprocessing.internal.shm;

import java.time.Instant;
import java.util.Optional;

/**
 * Who this process is, and whether another one still lives: a pid plus the process start time, so that a
 * recycled pid is not mistaken for the process that held it before.
 */
public final class ProcessIdentity {

    private static final long PID = ProcessHandle.current().pid();
    private static final long START_MILLIS = startMillisOf(ProcessHandle.current());

    private ProcessIdentity() {
    }

    /** {@return this JVM's pid} */
    public static long pid() {
        return PID;
    }

    /** {@return this JVM's start time in epoch milliseconds, 0 where the platform does not tell} */
    public static long startMillis() {
        return START_MILLIS;
    }

    /**
     * Tells whether the process that had the given pid and start time is still running.
     *
     * @param pid         the pid
     * @param startMillis its start time as {@link #startMillis()} reported it there, or 0 if unknown
     * @return true if a process with that pid runs and, where both start times are known, started then
     */
    public static boolean isAlive(long pid, long startMillis) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        if (startMillis == 0) {
            return true;
        }
        long actual = startMillisOf(handle.get());
        return actual == 0 || actual == startMillis;
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

    private static long startMillisOf(ProcessHandle handle) {
        return handle.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }
}

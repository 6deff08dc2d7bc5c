package io.github.jmultiprocessing.internal.spawn;

/**
 * Python's exit-code conventions for child JVMs.
 *
 * <p>A JVM ended by signal N reports {@code 128 + N} (the JDK reports a signal death that way, and a JVM that
 * handles SIGTERM exits with 143), so statuses 129..192 are read as "killed by signal N" and reported as
 * {@code -N}, as Python reports a child killed by a signal; the price is that a child calling
 * {@code System.exit(137)} reads as {@code -9}, as it would in a shell.
 */
public final class ExitCodes {

    /** Exit code of a child whose target threw. */
    public static final int UNCAUGHT_EXCEPTION = 1;

    /** Status a JVM exits with after SIGTERM. */
    public static final int SIGTERM_STATUS = 128 + 15;

    private ExitCodes() {
    }

    /**
     * {@return Python's exit code: {@code -N} for a death by signal N, else the status}
     * @param status the status {@link Process#exitValue()} reported
     */
    public static int fromStatus(int status) {
        if (status > 128 && status <= 128 + 64) {
            return -(status - 128);
        }
        return status;
    }
}

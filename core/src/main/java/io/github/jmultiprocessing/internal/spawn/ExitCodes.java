package io.github.jmultiprocessing.internal.spawn;

/**
 * Python's exit-code conventions for child JVMs.
 *
 * <p>A JVM ended by signal N reports {@code 128 + N} (the JDK reports a signal death that way, and a JVM that
 * handles SIGTERM exits with 143 itself), and so does a JVM whose code calls {@code System.exit(128 + N)}. A
 * status in 129..192 is read as "ended by signal N" and reported as {@code -N}, as Python reports a child killed
 * by a signal, when the library sent that signal itself ({@code terminate()}, {@code kill()}) or when the child
 * did not report that its own code chose the status ({@link ExitReport}); else it is the status chosen.
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
     * @param chosen tells, when asked, whether the child reported that its own code chose its exit status
     * @param sent   the signal the library sent the child, or 0
     */
    public static int fromStatus(int status, java.util.function.BooleanSupplier chosen, int sent) {
        if (status > 128 && status <= 128 + 64) {
            int signal = status - 128;
            if (signal == sent || !chosen.getAsBoolean()) {
                return -signal;
            }
        }
        return status;
    }
}

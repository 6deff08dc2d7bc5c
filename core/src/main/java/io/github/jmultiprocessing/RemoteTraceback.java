package io.github.jmultiprocessing;

import java.io.Serial;

/**
 * The stack trace of an exception as it was in the process that threw it: attached as the cause of the exception a
 * {@link ProcessPool} or a manager's proxy re-throws (Python's {@code multiprocessing.pool.RemoteTraceback}).
 */
public final class RemoteTraceback extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    RemoteTraceback(String trace) {
        super("\n\"\"\"\n" + trace + "\"\"\"", null, false, false);
    }

    /**
     * {@return the exception, with the remote trace attached: as its cause if it has none, else suppressed}
     *
     * @param t     the exception as it came
     * @param trace its stack trace where it was thrown, as text
     */
    static Throwable attach(Throwable t, String trace) {
        RemoteTraceback remote = new RemoteTraceback(trace);
        if (t.getCause() == null) {
            try {
                t.initCause(remote);
                return t;
            } catch (IllegalStateException e) {
                // initCause(null) was called: fall through
            }
        }
        t.addSuppressed(remote);
        return t;
    }
}

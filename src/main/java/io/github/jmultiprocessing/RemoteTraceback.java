package io.github.jmultiprocessing;

import java.io.Serial;

/**
 * The stack trace of an exception as it was in the worker that threw it: attached as the cause of the exception a
 * {@link ProcessPool} re-throws (Python's {@code multiprocessing.pool.RemoteTraceback}).
 */
public final class RemoteTraceback extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    RemoteTraceback(String trace) {
        super("\n\"\"\"\n" + trace + "\"\"\"", null, false, false);
    }
}

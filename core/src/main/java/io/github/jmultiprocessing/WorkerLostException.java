package io.github.jmultiprocessing;

import java.io.Serial;

/**
 * A {@link ProcessPool} worker JVM ended (killed, {@code System.exit}, out of memory) while it ran a task: that
 * task fails with this exception; the tasks queued at the worker that it had not started run on other workers, the
 * pool starts a replacement and goes on. A task also fails with it if three workers ended with it queued and not
 * started (a bound on re-sending a task that may itself end its workers, as while its function is read).
 */
public final class WorkerLostException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which worker ended, and which task it was running
     */
    public WorkerLostException(String message) {
        super(message);
    }
}

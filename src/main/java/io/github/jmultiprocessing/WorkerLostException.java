package io.github.jmultiprocessing;

import java.io.Serial;

/**
 * A {@link ProcessPool} worker JVM ended (killed, {@code System.exit}, out of memory) while it ran a task: that
 * task fails with this exception; the pool starts a replacement and goes on with the others.
 */
public final class WorkerLostException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    WorkerLostException(String message) {
        super(message);
    }
}

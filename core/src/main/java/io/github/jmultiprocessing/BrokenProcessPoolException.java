package io.github.jmultiprocessing;

import java.io.Serial;

/**
 * A {@link ProcessPool} is broken and runs no more tasks: a worker's initializer threw, or its workers cannot start
 * (Python's {@code concurrent.futures.process.BrokenProcessPool}). Every outstanding call fails with it, and every
 * later call throws it; its cause is what broke the pool (the initializer's exception, with the worker's trace).
 *
 * <p>It is an {@link IllegalStateException}, the type a broken pool threw before it had its own, so existing
 * {@code catch} blocks still catch it; a pool that was shut down or terminated throws a plain
 * {@code IllegalStateException} ("pool not running") instead.
 */
public final class BrokenProcessPoolException extends IllegalStateException {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message why the pool is broken
     * @param cause   what broke it, or null
     */
    public BrokenProcessPoolException(String message, Throwable cause) {
        super(message, cause);
    }
}

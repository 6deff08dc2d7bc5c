package io.github.jmultiprocessing.internal.pool;

import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * A call's future, as a pool's caller gets it. {@link #cancel} succeeds only while none of the call's tasks has
 * gone to a worker (then none ever runs), as CPython's {@code Future.cancel} fails once its call is in the workers'
 * call queue; {@link #abandon()} cancels the future in any case.
 *
 * @param <V> the call's result type
 */
public final class CallFuture<V> extends CompletableFuture<V> {
    private final BooleanSupplier withdraw;

    /**
     * A future of a call.
     *
     * @param withdraw withdraws the call if none of its tasks went to a worker: then true
     */
    public CallFuture(BooleanSupplier withdraw) {
        this.withdraw = withdraw;
    }

    /**
     * Cancels the call if none of its tasks has gone to a worker yet: then none ever runs.
     *
     * @param mayInterruptIfRunning no effect: a task a worker has is not cancelled
     * @return true if the call was withdrawn (this future is then cancelled)
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (isDone() || !withdraw.getAsBoolean()) {
            return false; // done, or a worker has (or had) a task of it
        }
        super.cancel(mayInterruptIfRunning); // its job's cancellation may have done it already
        return true;
    }

    /**
     * Cancels this future unless it is done (as {@code invokeAll}'s timeout must): the call is withdrawn if no
     * worker has a task of it; else those tasks run to their end and their results are dropped.
     *
     * @return true if this cancelled the future
     */
    public boolean abandon() {
        if (isDone()) {
            return false;
        }
        withdraw.getAsBoolean();
        return super.cancel(false);
    }
}

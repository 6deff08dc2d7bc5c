package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The result of a {@link Pool} call that runs while the caller goes on: Python's
 * {@code multiprocessing.pool.AsyncResult}, and a {@link Future}. {@link #cancel} withdraws a call none of whose
 * tasks has gone to a worker yet (Python's {@code AsyncResult} has no {@code cancel}); {@link ProcessPool#terminate()}
 * cancels what is outstanding. Either way the result is then cancelled: {@link #isCancelled()} is true and
 * {@code get} throws {@link java.util.concurrent.CancellationException}.
 *
 * <pre>{@code
 * try (var pool = new ProcessPool(2)) {
 *     AsyncResult<Integer> result = pool.applyAsync(() -> 6 * 7);   // Python: r = pool.apply_async(f)
 *     // ... the caller goes on while a worker runs it ...
 *     System.out.println(result.get(Duration.ofSeconds(10)));     // Python: r.get(timeout=10) -> 42
 * }
 * }</pre>
 *
 * @param <V> the result type
 */
public final class AsyncResult<V> implements Future<V> {

    private final CompletableFuture<V> future;

    AsyncResult(CompletableFuture<V> future) {
        this.future = future;
    }

    /**
     * {@return a result that completes as {@code future} does} For pools of other backends (the cluster pool of
     * {@code jmultiprocessing-ignite}): {@link #cancel} cancels {@code future}, whose owner withdraws the call's work
     * if none of it has started.
     *
     * @param future the call's future, completed by the pool
     * @param <V>    the result type
     */
    public static <V> AsyncResult<V> of(CompletableFuture<V> future) {
        return new AsyncResult<>(java.util.Objects.requireNonNull(future, "future"));
    }

    /**
     * Waits for the result (Python's {@code get()}).
     *
     * @return the result
     * @throws ExecutionException   if the task threw (its exception is the cause, with the worker's stack trace
     *                              as a {@link RemoteTraceback} attached) or its worker was lost
     *                              ({@link WorkerLostException})
     * @throws InterruptedException if interrupted while waiting
     * @throws java.util.concurrent.CancellationException if the pool was terminated first
     */
    @Override
    public V get() throws InterruptedException, ExecutionException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw unwrapped(e);
        }
    }

    /** A cancellation (the pool terminated) is thrown as itself, as {@link Future#get()} promises. */
    private static ExecutionException unwrapped(ExecutionException e) {
        if (e.getCause() instanceof java.util.concurrent.CancellationException cancelled) {
            throw cancelled;
        }
        return e;
    }

    /**
     * Waits at most {@code timeout} for the result (Python's {@code get(timeout)}); the task goes on if it is not
     * ready.
     *
     * @param timeout the longest wait
     * @param unit    its unit
     * @return the result
     * @throws TimeoutException     if it is not ready in time
     * @throws ExecutionException   if the task threw or its worker was lost
     * @throws InterruptedException if interrupted while waiting
     */
    @Override
    public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        try {
            return future.get(timeout, unit);
        } catch (ExecutionException e) {
            throw unwrapped(e);
        }
    }

    /**
     * Waits at most {@code timeout} for the result.
     *
     * @param timeout the longest wait
     * @return the result
     * @throws TimeoutException     if it is not ready in time
     * @throws ExecutionException   if the task threw or its worker was lost
     * @throws InterruptedException if interrupted while waiting
     */
    public V get(Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
        return get(WaitCore.nanos(timeout), TimeUnit.NANOSECONDS);
    }

    /**
     * Waits at most {@code timeout} until the result is ready (Python's {@code wait(timeout)}).
     *
     * @param timeout the longest wait
     * @return true if ready
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean await(Duration timeout) throws InterruptedException {
        try {
            future.get(WaitCore.nanos(timeout), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            return true;
        } catch (TimeoutException e) {
            return false;
        }
        return true;
    }

    /** {@return true once the call has finished, well or not (Python's {@code ready()})} */
    public boolean ready() {
        return future.isDone();
    }

    /**
     * {@return true if the call finished without an exception (Python's {@code successful()})}
     *
     * @throws IllegalStateException if it is not ready yet (Python's ValueError)
     */
    public boolean successful() {
        if (!future.isDone()) {
            throw new IllegalStateException("the result is not ready (expected ready() before successful())");
        }
        return !future.isCompletedExceptionally();
    }

    /**
     * Cancels the call if none of its tasks has gone to a worker yet: then none of them ever runs, and
     * {@link #isDone()} and {@link #isCancelled()} are true. Once a worker has a task of it (it runs it, or holds it
     * next in its pipe), the call counts as running and cannot be cancelled, as CPython's {@code Future.cancel}
     * (a worker JVM has no thread to interrupt, so {@code mayInterrupt} changes nothing).
     *
     * @param mayInterrupt no effect
     * @return true if this cancelled the call; false if it is running or done
     */
    @Override
    public boolean cancel(boolean mayInterrupt) {
        return future.cancel(mayInterrupt);
    }

    @Override
    public boolean isCancelled() {
        try {
            future.getNow(null);
            return false;
        } catch (java.util.concurrent.CancellationException e) {
            return true;
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause() instanceof java.util.concurrent.CancellationException;
        }
    }

    @Override
    public boolean isDone() {
        return future.isDone();
    }

    CompletableFuture<V> future() {
        return future;
    }
}

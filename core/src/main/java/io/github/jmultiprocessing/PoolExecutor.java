package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.pool.CallFuture;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link ProcessPool} as an {@link java.util.concurrent.ExecutorService} (Python's
 * {@code concurrent.futures.ProcessPoolExecutor}), from {@link ProcessPool#asExecutorService()}: tasks run in the
 * pool's worker JVMs and their futures are {@link CompletableFuture}s.
 *
 * <pre>{@code
 * PoolExecutor executor = pool.asExecutorService();
 * CompletableFuture<Integer> cube = executor.submit(() -> 3 * 3 * 3);   // a serializable lambda
 * for (int c : (Iterable<Integer>) () -> executor.map(x -> x * x * x, List.of(1, 2, 3), null, 1)) { ... }
 * }</pre>
 *
 * <p>Tasks must be serializable. A lambda or method reference given straight to {@code submit} or {@code execute}
 * is ({@link #submit(SerializableCallable)}, {@link #submit(SerializableRunnable)}: javac picks these overloads for
 * it); a task held in a variable of type {@code Callable} or {@code Runnable} is refused with
 * {@link IllegalArgumentException} unless its object is serializable. {@code invokeAll} and {@code invokeAny} take
 * {@code Callable}s: give them a {@code List<SerializableCallable<T>>}.
 *
 * <p>{@code cancel} on a future withdraws its task while it is still in the pool's queue: it returns true, the
 * future is cancelled ({@code isDone()} and {@code isCancelled()} true, {@code get()} throws
 * {@link CancellationException}) and the task never runs. Once the task has gone to a worker (each worker holds
 * the task it runs and a window of more in its pipe: one behind a slow task, up to 64 behind very short ones, as
 * CPython's {@code ProcessPoolExecutor} moves calls into its call queue), it counts as running: {@code cancel} returns false, as CPython's {@code Future.cancel} does and
 * as the {@link Future} contract allows, whatever {@code mayInterruptIfRunning} says (a worker JVM has no thread
 * to interrupt). The timed {@code invokeAll} cancels every future unfinished at its timeout, as its contract
 * requires: those of tasks in the queue are withdrawn, those of tasks a worker has run to their end there, their
 * results dropped. {@link #shutdownNow()} cancels every outstanding future and kills the workers. A task submitted
 * after {@link #shutdown()}, or to a broken pool, is refused with {@link RejectedExecutionException} (its cause
 * says which).
 *
 * <p>Work submitted here finishes before the JVM exits, also when the program returns from {@code main} without
 * shutting the executor down (Python's {@code ProcessPoolExecutor} does the same); then the pool terminates.
 */
public final class PoolExecutor extends AbstractExecutorService {

    /*
     * Implementation notes. Every future is the pool's own (internal.pool.CallFuture): its cancel reaches the pool's
     * queue, where a cancelled call's tasks are removed, and a sender that took one before skips it (the call is
     * over). The moment a sender checks that is when a task starts: a cancel after it lets the task run, the
     * future cancelled all the same. submit(Runnable, result) shapes the same future rather than a thenApply copy.
     */

    private final ProcessPool pool;

    PoolExecutor(ProcessPool pool) {
        this.pool = pool;
    }

    private static <T> SerializableCallable<T> serializable(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        if (task instanceof SerializableCallable<T> callable) {
            return callable;
        }
        if (!(task instanceof Serializable)) {
            throw new IllegalArgumentException("cannot send " + task.getClass().getName() + " to a worker JVM (expected"
                    + " a serializable task: a lambda given to submit directly, or a SerializableCallable; a lambda is"
                    + " compiled serializable only where the variable is a PoolExecutor, not an ExecutorService:"
                    + " PoolExecutor executor = pool.asExecutorService())");
        }
        return task::call; // the method reference captures the serializable task
    }

    private static SerializableCallable<Object> serializable(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (!(task instanceof Serializable)) {
            throw new IllegalArgumentException("cannot send " + task.getClass().getName() + " to a worker JVM (expected"
                    + " a serializable task: a lambda given to submit directly, or a SerializableRunnable; a lambda is"
                    + " compiled serializable only where the variable is a PoolExecutor, not an ExecutorService:"
                    + " PoolExecutor executor = pool.asExecutorService())");
        }
        Runnable sendable = task;
        return () -> {
            sendable.run();
            return null;
        };
    }

    /** Submits through the pool, a pool that does not run refusing as the contract says. */
    private <T> CompletableFuture<T> send(SerializableCallable<?> task,
            java.util.function.Function<List<Object>, T> shape) {
        CompletableFuture<T> future;
        try {
            future = pool.call(task, shape);
        } catch (IllegalStateException notRunning) { // shut down, terminated, or broken
            throw new RejectedExecutionException(notRunning.getMessage(), notRunning);
        }
        return pool.executorWork(future);
    }

    @SuppressWarnings("unchecked")
    private static <T> T first(List<Object> results) {
        return (T) results.get(0);
    }

    /**
     * Submits a serializable task: the overload javac picks for a lambda or method reference that returns a value.
     *
     * @param task the task
     * @param <T>  its result type
     * @return its future; {@code cancel} withdraws it if it is still queued
     * @throws RejectedExecutionException if the executor is shut down or its pool broken
     * @throws IllegalArgumentException   if the task's function cannot be sent to the workers
     */
    public <T> CompletableFuture<T> submit(SerializableCallable<T> task) {
        return send(Objects.requireNonNull(task, "task"), PoolExecutor::first);
    }

    /**
     * Submits a serializable task without a result: the overload javac picks for a lambda or method reference
     * that returns nothing.
     *
     * @param task the task
     * @return its future, completing with null
     * @throws RejectedExecutionException if the executor is shut down or its pool broken
     * @throws IllegalArgumentException   if the task cannot be sent to the workers
     */
    public CompletableFuture<?> submit(SerializableRunnable task) {
        return send(serializable((Runnable) task), PoolExecutor::first);
    }

    /**
     * Submits a serializable task without a result, its future completing with {@code result}.
     *
     * @param task   the task
     * @param result the future's value (it stays here: it need not be serializable)
     * @param <T>    its type
     * @return its future
     * @throws RejectedExecutionException if the executor is shut down or its pool broken
     * @throws IllegalArgumentException   if the task cannot be sent to the workers
     */
    public <T> CompletableFuture<T> submit(SerializableRunnable task, T result) {
        return send(serializable((Runnable) task), ignored -> result);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the task's object is not serializable
     */
    @Override
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        return send(serializable(task), PoolExecutor::first);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the task's object is not serializable
     */
    @Override
    public CompletableFuture<?> submit(Runnable task) {
        return send(serializable(task), PoolExecutor::first);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the task's object is not serializable
     */
    @Override
    public <T> CompletableFuture<T> submit(Runnable task, T result) {
        return send(serializable(task), ignored -> result);
    }

    /**
     * Runs a serializable task in a worker: the overload javac picks for a lambda or method reference.
     *
     * @param command the task
     * @throws RejectedExecutionException if the executor is shut down or its pool broken
     */
    public void execute(SerializableRunnable command) {
        reportFailure(submit(command));
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the task's object is not serializable
     */
    @Override
    public void execute(Runnable command) {
        reportFailure(submit(command));
    }

    /**
     * A task given to {@code execute} has no future to hold its exception: as a {@code ThreadPoolExecutor}'s, it
     * goes to the uncaught-exception handler of the thread that learns of it (by default printed to
     * {@code System.err}), not dropped. A cancelled task is not reported.
     */
    private static void reportFailure(CompletableFuture<?> future) {
        future.whenComplete((ignored, failure) -> {
            Throwable thrown = failure instanceof java.util.concurrent.CompletionException wrapped
                    && wrapped.getCause() != null ? wrapped.getCause() : failure;
            if (thrown != null && !(thrown instanceof java.util.concurrent.CancellationException)) {
                Thread thread = Thread.currentThread();
                thread.getUncaughtExceptionHandler().uncaughtException(thread, thrown);
            }
        });
    }

    /**
     * Applies a function to the items in workers and iterates over the results in the items' order (Python's
     * {@code Executor.map(fn, iterable, timeout=..., chunksize=...)}): the items are read lazily, a bounded window
     * ahead of the results taken.
     *
     * @param function  the function
     * @param items     the items
     * @param timeout   measured from this call: a result not ready by then makes {@code hasNext()} and
     *                  {@code next()} throw a {@link java.util.concurrent.CompletionException} whose cause is a
     *                  {@link TimeoutException}
     *                  ({@link IMapIterator#next(Duration)} throws the {@code TimeoutException} itself), after which
     *                  the iteration is over and the tasks still queued never run; null for no limit
     * @param chunksize items per task, at least 1 (Python's default is 1)
     * @param <T>       the items' type
     * @param <R>       the results' type
     * @return the results, in order; a task's exception is thrown by {@code next()} at its place
     * @throws RejectedExecutionException if the executor is shut down or its pool broken
     * @throws IllegalArgumentException   if chunksize is below 1
     */
    public <T, R> IMapIterator<R> map(SerializableFunction<T, R> function, Iterable<? extends T> items,
            Duration timeout, int chunksize) {
        Objects.requireNonNull(items, "items");
        try {
            return pool.stream(function, items, chunksize, true, timeout);
        } catch (IllegalStateException notRunning) {
            throw new RejectedExecutionException(notRunning.getMessage(), notRunning);
        }
    }

    /**
     * {@link #map(SerializableFunction, Iterable, Duration, int)} one item per task, without a timeout.
     *
     * @param function the function
     * @param items    the items
     * @param <T>      the items' type
     * @param <R>      the results' type
     * @return the results, in order
     * @throws RejectedExecutionException if the executor is shut down or its pool broken
     */
    public <T, R> IMapIterator<R> map(SerializableFunction<T, R> function, Iterable<? extends T> items) {
        return map(function, items, null, 1);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        List<CompletableFuture<T>> futures = submitAll(tasks);
        try {
            for (Future<T> future : futures) {
                try {
                    future.get();
                } catch (ExecutionException | CancellationException e) {
                    // its future says so
                }
            }
        } catch (InterruptedException e) {
            abandonAll(futures);
            throw e;
        }
        return List.copyOf(futures);
    }

    /**
     * {@inheritDoc} The futures of tasks not done in time are cancelled: those still queued never run, those a worker
     * has run to their end there, their results dropped (see the class description).
     */
    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        long deadline = System.nanoTime() + Math.min(WaitCore.nanos(timeout, unit), Long.MAX_VALUE / 2);
        List<CompletableFuture<T>> futures = submitAll(tasks);
        try {
            for (Future<T> future : futures) {
                try {
                    future.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (ExecutionException | CancellationException e) {
                    // its future says so
                } catch (TimeoutException e) {
                    break; // the rest are cancelled below
                }
            }
        } finally {
            abandonAll(futures); // every returned future is done: the unfinished cancelled
        }
        return List.copyOf(futures);
    }

    private <T> List<CompletableFuture<T>> submitAll(Collection<? extends Callable<T>> tasks) {
        List<SerializableCallable<T>> sendable = new ArrayList<>(tasks.size());
        for (Callable<T> task : tasks) {
            sendable.add(serializable(task)); // all checked before any is submitted
        }
        List<CompletableFuture<T>> futures = new ArrayList<>(sendable.size());
        try {
            for (SerializableCallable<T> task : sendable) {
                futures.add(submit(task));
            }
        } catch (RuntimeException e) {
            abandonAll(futures);
            throw e;
        }
        return futures;
    }

    /** Cancels every unfinished future, also of a task a worker has (it runs to its end, its result dropped). */
    private static void abandonAll(List<? extends CompletableFuture<?>> futures) {
        for (CompletableFuture<?> future : futures) {
            ((CallFuture<?>) future).abandon();
        }
    }

    /** Withdraws the tasks still queued. */
    private static void cancelAll(List<? extends Future<?>> futures) {
        for (Future<?> future : futures) {
            future.cancel(true);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return invokeAny(tasks, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no timeout, yet one", e);
        }
    }

    /**
     * {@inheritDoc} Once one task succeeds (or the time is up), the others still queued are withdrawn. When none
     * succeeded, the {@code ExecutionException}'s cause is a task's failure (a {@code CancellationException} if
     * {@link #shutdownNow()} cancelled them).
     */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("no tasks (expected at least one)");
        }
        CompletableFuture<T> first = new CompletableFuture<>();
        List<CompletableFuture<T>> futures = submitAll(tasks);
        for (CompletableFuture<T> future : futures) { // NOTE: before the failure below, which all may be done for
            future.thenAccept(first::complete);
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) -> {
            for (CompletableFuture<T> future : futures) { // all failed: the first one's failure
                future.whenComplete((value, e) -> {
                    if (e != null) { // wrapped: get throws an ExecutionException, for a CancellationException too
                        first.completeExceptionally(e instanceof java.util.concurrent.CompletionException ? e
                                : new java.util.concurrent.CompletionException(e));
                    }
                });
            }
        });
        try {
            return first.get(timeout, unit);
        } finally {
            cancelAll(futures);
        }
    }

    @Override
    public void shutdown() {
        pool.shutdown();
    }

    /**
     * Terminates the pool: every future not done is cancelled, its task stopped (its worker is killed) or never
     * run. The tasks cannot be handed back as {@code Runnable}s, so the list is empty.
     */
    @Override
    public List<Runnable> shutdownNow() {
        pool.terminate();
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return pool.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return pool.join(Duration.ofNanos(WaitCore.nanos(timeout, unit)));
    }
}

package io.github.jmultiprocessing.ignite;

import io.github.jmultiprocessing.SerializableCallable;
import io.github.jmultiprocessing.SerializableRunnable;
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
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link ClusterPool} as an {@link java.util.concurrent.ExecutorService}, from {@link ClusterPool#asExecutorService()}:
 * tasks run on the cluster's server nodes and their futures are {@link CompletableFuture}s.
 *
 * <pre>{@code
 * ClusterExecutor executor = pool.asExecutorService();
 * CompletableFuture<Integer> cube = executor.submit(() -> 3 * 3 * 3);   // a serializable lambda
 * }</pre>
 *
 * <p>Tasks must be serializable: a lambda or method reference given straight to {@code submit} or {@code execute}
 * is (javac picks the {@link SerializableCallable} and {@link SerializableRunnable} overloads for it); a task held in
 * a variable of type {@code Callable} or {@code Runnable} is refused with {@link IllegalArgumentException} unless its
 * object is serializable, and so are those given to {@code invokeAll} and {@code invokeAny}. A task submitted after
 * {@link #shutdown()} is refused with {@link RejectedExecutionException}. {@code shutdown} and {@link #shutdownNow()}
 * are the pool's {@code shutdown} and {@code terminate}: {@code shutdownNow} cancels every outstanding future (a
 * running task is interrupted on its node) and returns an empty list (tasks on the cluster cannot be handed back).
 * {@code cancel} on a future cancels its Ignite task, running or not.
 */
public final class ClusterExecutor extends AbstractExecutorService {

    private final ClusterPool pool;

    ClusterExecutor(ClusterPool pool) {
        this.pool = pool;
    }

    /**
     * Runs a serializable task on a node: the overload javac picks for a lambda or method reference.
     *
     * @param task the task
     * @param <T>  its result type
     * @return its result, to come
     * @throws RejectedExecutionException if the executor is shut down
     */
    public <T> CompletableFuture<T> submit(SerializableCallable<T> task) {
        Objects.requireNonNull(task, "task");
        try {
            return pool.submitTask(task);
        } catch (IllegalStateException notRunning) {
            throw new RejectedExecutionException("the executor is shut down (" + notRunning.getMessage() + ")",
                    notRunning);
        }
    }

    /**
     * Runs a serializable task on a node: the overload javac picks for a lambda or method reference.
     *
     * @param task the task
     * @return completed with null once it ran
     * @throws RejectedExecutionException if the executor is shut down
     */
    public CompletableFuture<?> submit(SerializableRunnable task) {
        return submit(task, null);
    }

    /**
     * Runs a serializable task on a node, then completes with {@code result}.
     *
     * @param task   the task
     * @param result the future's value once the task ran
     * @param <T>    its type
     * @return completed with {@code result} once the task ran
     * @throws RejectedExecutionException if the executor is shut down
     */
    public <T> CompletableFuture<T> submit(SerializableRunnable task, T result) {
        Objects.requireNonNull(task, "task");
        CompletableFuture<Object> ran = submit((SerializableCallable<Object>) () -> {
            task.run();
            return null;
        });
        CompletableFuture<T> shaped = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                ran.cancel(mayInterruptIfRunning);
                return super.cancel(mayInterruptIfRunning);
            }
        };
        ran.whenComplete((ignored, failure) -> {
            if (failure == null) {
                shaped.complete(result);
            } else if (failure instanceof CancellationException) {
                shaped.cancel(false);
            } else {
                shaped.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure);
            }
        });
        return shaped;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the task's object is not serializable
     */
    @Override
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        return submit(serializable(task));
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the task's object is not serializable
     */
    @Override
    public CompletableFuture<?> submit(Runnable task) {
        return submit(serializable(task));
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the task's object is not serializable
     */
    @Override
    public <T> CompletableFuture<T> submit(Runnable task, T result) {
        return submit(serializable(task), result);
    }

    /**
     * Runs a serializable task on a node; its exception goes to the uncaught-exception handler of the thread that
     * learns of it, as a {@code ThreadPoolExecutor}'s does.
     *
     * @param command the task
     * @throws RejectedExecutionException if the executor is shut down
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

    private static void reportFailure(CompletableFuture<?> future) {
        future.whenComplete((ignored, failure) -> {
            Throwable thrown = failure instanceof CompletionException wrapped && wrapped.getCause() != null
                    ? wrapped.getCause() : failure;
            if (thrown != null && !(thrown instanceof CancellationException)) {
                Thread thread = Thread.currentThread();
                thread.getUncaughtExceptionHandler().uncaughtException(thread, thrown);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static <T> SerializableCallable<T> serializable(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        if (task instanceof SerializableCallable<?> callable) {
            return (SerializableCallable<T>) callable;
        }
        if (!(task instanceof Serializable)) {
            throw new IllegalArgumentException("task of " + task.getClass().getName() + " is not serializable"
                    + " (expected a lambda given straight to submit, or a Serializable object)");
        }
        return (SerializableCallable<T>) task::call; // captures the task, which is serializable
    }

    private static SerializableRunnable serializable(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (task instanceof SerializableRunnable runnable) {
            return runnable;
        }
        if (!(task instanceof Serializable)) {
            throw new IllegalArgumentException("task of " + task.getClass().getName() + " is not serializable"
                    + " (expected a lambda given straight to execute or submit, or a Serializable object)");
        }
        return (SerializableRunnable) task::run; // captures the task, which is serializable
    }

    // ---- invokeAll, invokeAny: every task submitted at once (a FutureTask, AbstractExecutorService's way, would
    // run here, not on a node)

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if a task's object is not serializable
     */
    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        List<Future<T>> futures = submitAll(tasks);
        for (Future<T> future : futures) {
            try {
                future.get();
            } catch (ExecutionException | CancellationException e) {
                // done all the same: the caller reads it from the future
            }
        }
        return futures;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if a task's object is not serializable
     */
    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        List<Future<T>> futures = submitAll(tasks);
        long deadline = System.nanoTime() + ClusterPool.nanos(Duration.of(Math.max(0, timeout), unit.toChronoUnit()));
        for (Future<T> future : futures) {
            try {
                future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | CancellationException e) {
                // done
            } catch (TimeoutException e) {
                futures.forEach(unfinished -> unfinished.cancel(true));
                break;
            }
        }
        return futures;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if a task's object is not serializable
     */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return any(tasks, null);
        } catch (TimeoutException e) {
            throw new AssertionError("an untimed invokeAny timed out", e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if a task's object is not serializable
     */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return any(tasks, Duration.of(Math.max(0, timeout), unit.toChronoUnit()));
    }

    private <T> T any(Collection<? extends Callable<T>> tasks, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("no tasks (expected at least one)");
        }
        List<Future<T>> futures = submitAll(tasks);
        CompletableFuture<T> first = new CompletableFuture<>();
        AtomicInteger failed = new AtomicInteger();
        for (Future<T> future : futures) {
            ((CompletableFuture<T>) future).whenComplete((value, failure) -> {
                if (failure == null) {
                    first.complete(value);
                } else if (failed.incrementAndGet() == futures.size()) {
                    first.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure);
                }
            });
        }
        try {
            return timeout == null ? first.get() : first.get(ClusterPool.nanos(timeout), TimeUnit.NANOSECONDS);
        } finally {
            futures.forEach(future -> future.cancel(true));
        }
    }

    private <T> List<Future<T>> submitAll(Collection<? extends Callable<T>> tasks) {
        List<SerializableCallable<T>> checked = new ArrayList<>(tasks.size());
        for (Callable<T> task : tasks) {
            checked.add(serializable(task)); // every one checked before any is submitted
        }
        List<Future<T>> futures = new ArrayList<>(checked.size());
        try {
            for (SerializableCallable<T> task : checked) {
                futures.add(submit(task));
            }
        } catch (RuntimeException e) {
            futures.forEach(future -> future.cancel(true));
            throw e;
        }
        return futures;
    }

    // ---- life cycle

    @Override
    public void shutdown() {
        pool.shutdown();
    }

    /**
     * Cancels every outstanding future (the pool's {@code terminate}).
     *
     * @return an empty list
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
        long deadline = System.nanoTime() + ClusterPool.nanos(Duration.of(Math.max(0, timeout), unit.toChronoUnit()));
        while (!pool.isShutdown()) { // no shutdown request yet: wait for one or the timeout
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 10));
        }
        return pool.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
}

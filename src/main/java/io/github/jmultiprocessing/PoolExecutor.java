package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link ProcessPool} as an {@link java.util.concurrent.ExecutorService}: tasks run in the pool's worker JVMs and
 * their futures are {@link CompletableFuture}s. Tasks must be serializable: a lambda has to target a serializable
 * type (a cast to {@link SerializableCallable}, or a method reference assigned to one); others are refused with
 * {@link IllegalArgumentException}.
 *
 * <p>Work submitted here finishes before the JVM exits, also when the program returns from {@code main} without
 * shutting the executor down (Python's {@code ProcessPoolExecutor} does the same); then the pool terminates.
 */
final class PoolExecutor extends AbstractExecutorService {

    private final ProcessPool pool;

    PoolExecutor(ProcessPool pool) {
        this.pool = pool;
    }

    private static <T> SerializableCallable<T> serializable(Callable<T> task) {
        if (task instanceof SerializableCallable<T> callable) {
            return callable;
        }
        if (!(task instanceof Serializable)) {
            throw new IllegalArgumentException("cannot send " + task.getClass().getName() + " to a worker JVM (expected"
                    + " a serializable task: cast the lambda to SerializableCallable)");
        }
        return task::call; // the method reference captures the serializable task
    }

    private static SerializableCallable<Object> serializable(Runnable task) {
        if (!(task instanceof Serializable)) {
            throw new IllegalArgumentException("cannot send " + task.getClass().getName() + " to a worker JVM (expected"
                    + " a serializable task: cast the lambda to SerializableRunnable)");
        }
        Runnable sendable = task;
        return () -> {
            sendable.run();
            return null;
        };
    }

    @Override
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        return pool.executorWork(pool.applyAsync(serializable(task)).future());
    }

    @Override
    public CompletableFuture<?> submit(Runnable task) {
        return pool.executorWork(pool.applyAsync(serializable(task)).future());
    }

    @Override
    public <T> CompletableFuture<T> submit(Runnable task, T result) {
        return pool.executorWork(pool.applyAsync(serializable(task)).future()).thenApply(ignored -> result);
    }

    @Override
    public void execute(Runnable command) {
        submit(command);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> task : tasks) {
            futures.add(submit(task));
        }
        for (Future<T> future : futures) {
            try {
                future.get();
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                // its future says so
            }
        }
        return futures;
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        long deadline = System.nanoTime() + WaitCore.nanos(timeout, unit);
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> task : tasks) {
            futures.add(submit(task));
        }
        for (Future<T> future : futures) {
            try {
                future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                // its future says so
            } catch (TimeoutException e) {
                break; // the rest are not done: their futures say so (tasks in workers cannot be cancelled)
            }
        }
        return futures;
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return invokeAny(tasks, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no timeout, yet one", e);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("no tasks (expected at least one)");
        }
        CompletableFuture<T> first = new CompletableFuture<>();
        List<CompletableFuture<T>> futures = new ArrayList<>();
        for (Callable<T> task : tasks) {
            futures.add(submit(task));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) -> {
            for (CompletableFuture<T> future : futures) { // all failed: the last failure
                future.whenComplete((value, e) -> first.completeExceptionally(e));
            }
        });
        for (CompletableFuture<T> future : futures) {
            future.thenAccept(first::complete);
        }
        return first.get(timeout, unit);
    }

    @Override
    public void shutdown() {
        pool.shutdown();
    }

    /** Terminates the pool; tasks in workers cannot be handed back, so the list is empty. */
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

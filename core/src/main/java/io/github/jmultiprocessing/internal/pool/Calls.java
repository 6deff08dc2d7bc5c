package io.github.jmultiprocessing.internal.pool;

import io.github.jmultiprocessing.IMapIterator;
import io.github.jmultiprocessing.internal.shm.LibraryThreads;
import io.github.jmultiprocessing.internal.spawn.ChildLauncher;
import io.github.jmultiprocessing.internal.spawn.ClassLocations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The calls of one pool (the caller's side of CPython's {@code pool.py}: {@code ApplyResult}, {@code MapResult},
 * {@code IMapIterator} and the result handler's callbacks): a call's items cut into tasks and its job handed to the
 * {@link Dispatcher}, the future its caller gets, callbacks, the check that the workers can load a function, and the
 * work an executor view submitted, which finishes before the JVM exits.
 *
 * <p>Implementation notes. A call's items are copied once (as Python's {@code list(iterable)}) and its tasks are
 * views of that copy, so nothing changes under a task. Its future is a {@link CallFuture}: cancelling it withdraws
 * the call while none of its tasks went to a worker. Callbacks run one at a time on the pool's callback thread, as
 * Python's result handler runs them; one that throws is printed and the others go on.
 */
public final class Calls {

    private final String name;
    private final int processes;
    private final Dispatcher dispatcher;
    /** Runs callbacks, one at a time, as Python's result-handler thread does. */
    private final ExecutorService callbacks;
    /** The class path of the workers (null for the thread start method): functions are checked against it. */
    private volatile List<String> workerClassPath;
    /** Function classes the workers were found to load. */
    private final Set<Class<?>> loadable = ConcurrentHashMap.newKeySet();
    /** Work submitted through an executor view not yet done: it finishes before the JVM exits. */
    private final Set<CompletableFuture<?>> executorWork = ConcurrentHashMap.newKeySet();

    /**
     * The calls of a pool.
     *
     * @param name       the pool's name, for threads and messages
     * @param processes  its number of workers (Python's default chunk size follows it)
     * @param dispatcher its dispatcher
     */
    public Calls(String name, int processes, Dispatcher dispatcher) {
        this.name = name;
        this.processes = processes;
        this.dispatcher = dispatcher;
        this.callbacks = Executors.newSingleThreadExecutor(LibraryThreads.factory(name + "-callbacks"));
    }

    /**
     * Records the workers' class path, the first time a worker started: functions are checked against it.
     *
     * @param classPath the class path, or null for the thread start method (nothing to check)
     */
    public void workersStarted(List<String> classPath) {
        if (workerClassPath == null) {
            workerClassPath = classPath;
        }
    }

    /**
     * Submits one call of a callable; its future's {@code cancel} withdraws it while it is still queued.
     *
     * @param task  the callable (a {@code SerializableCallable})
     * @param shape makes the call's result of the task's result list (one element)
     * @param <V>   the result type
     * @return the call's result, to come
     * @throws IllegalStateException    if the pool is not running
     * @throws IllegalArgumentException if the workers cannot load the callable's class
     */
    public <V> CompletableFuture<V> call(Object task, Function<List<Object>, V> shape) {
        Objects.requireNonNull(task, "task");
        return future(submit(task, PoolFrames.CALLABLE, List.of(Arrays.asList(new Object[] {null})), 1), shape);
    }

    /**
     * Submits a map: the function over every item, in chunks.
     *
     * @param function  the function (a {@code SerializableFunction})
     * @param items     the items, copied now
     * @param chunksize items per task, 0 for Python's rule (four chunks per worker)
     * @return the results in the items' order, to come
     * @throws IllegalArgumentException if chunksize is negative, or the workers cannot load the function's class
     * @throws IllegalStateException    if the pool is not running
     */
    public CompletableFuture<List<Object>> map(Object function, Iterable<?> items, int chunksize) {
        Objects.requireNonNull(function, "function");
        if (chunksize < 0) {
            throw new IllegalArgumentException("chunksize=" + chunksize + " (expected >= 1, or 0 for the default)");
        }
        Collection<?> collection;
        if (items instanceof Collection<?> c) {
            collection = c;
        } else {
            List<Object> list = new ArrayList<>();
            items.forEach(list::add);
            collection = list;
        }
        int size = collection.size();
        if (chunksize == 0) { // Python's rule: four chunks per worker
            chunksize = size / (processes * 4) + (size % (processes * 4) == 0 ? 0 : 1);
        }
        return future(submit(function, PoolFrames.FUNCTION, chunks(collection, Math.max(1, chunksize)),
                Math.max(1, chunksize)), results -> results);
    }

    /**
     * {@return the caller's items as they are now (as Python's {@code list(iterable)}), in chunks of
     * {@code chunksize} (the last one shorter), never changed after} Copied chunk by chunk, read once: no array of
     * all the items (a humongous object for the collector at a million items), and the collection's own iterator
     * decides how many there are.
     */
    private static List<List<Object>> chunks(Collection<?> items, int chunksize) {
        List<List<Object>> chunks = new ArrayList<>(items.size() / chunksize + 1);
        Object[] chunk = null;
        int filled = 0;
        for (Object item : items) {
            if (chunk == null) {
                chunk = new Object[chunksize];
            }
            chunk[filled++] = item;
            if (filled == chunksize) {
                chunks.add(Arrays.asList(chunk));
                chunk = null;
                filled = 0;
            }
        }
        if (filled > 0) {
            chunks.add(Arrays.asList(Arrays.copyOf(chunk, filled)));
        }
        return chunks;
    }

    /**
     * Opens a lazy map: the items read a bounded window ahead, the results as they come or in order.
     *
     * @param function  the function (a {@code SerializableFunction})
     * @param items     the items, read lazily
     * @param chunksize items per task, at least 1
     * @param ordered   true for the items' order, false for the order results come in
     * @param timeout   counted from now, after which the iteration fails and the rest is withdrawn; null for none
     * @return the results
     * @throws IllegalArgumentException if chunksize is below 1, or the workers cannot load the function's class
     */
    public IMapIterator<Object> stream(Object function, Iterable<?> items, int chunksize, boolean ordered,
            Duration timeout) {
        Objects.requireNonNull(function, "function");
        if (chunksize < 1) {
            throw new IllegalArgumentException("chunksize=" + chunksize + " (expected >= 1)");
        }
        checkLoadable(function);
        StreamJob stream = new StreamJob(dispatcher, dispatcher.nextId(), function, items.iterator(), chunksize,
                processes * 16, ordered, timeout);
        dispatcher.openStream(stream);
        return stream;
    }

    /**
     * {@return a future completed as {@code result} is, after the callback for it ran on the callback thread}
     * An exception a callback throws is printed, as in Python.
     *
     * @param result        the call's result
     * @param callback      called with the value, or null
     * @param errorCallback called with the exception, or null
     * @param <V>           the result type
     */
    public <V> CompletableFuture<V> withCallbacks(CompletableFuture<V> result, Consumer<? super V> callback,
            Consumer<? super Throwable> errorCallback) {
        CompletableFuture<V> ready = new CallFuture<>(() -> result.cancel(false));
        result.whenCompleteAsync((value, failure) -> {
            Throwable cause = failure instanceof CompletionException wrapped && wrapped.getCause() != null
                    ? wrapped.getCause() : failure;
            try {
                if (cause == null && callback != null) {
                    callback.accept(value);
                } else if (cause != null && errorCallback != null) {
                    errorCallback.accept(cause);
                }
            } catch (RuntimeException | Error e) {
                System.getLogger(Calls.class.getName()).log(System.Logger.Level.WARNING, name + ": a callback threw",
                        e);
            } finally {
                if (cause == null) {
                    ready.complete(value);
                } else {
                    ready.completeExceptionally(cause);
                }
            }
        }, task -> {
            try {
                callbacks.execute(task);
            } catch (RejectedExecutionException e) {
                task.run(); // the pool has ended: run it here rather than never
            }
        });
        return ready;
    }

    /** Lets the callback thread end once the callbacks queued now have run. */
    public void shutdownCallbacks() {
        callbacks.shutdown();
    }

    /**
     * Counts work an executor view submitted until it is done; {@return the work}
     *
     * @param work the work's future
     * @param <T>  its result type
     */
    public <T> CompletableFuture<T> executorWork(CompletableFuture<T> work) {
        executorWork.add(work);
        work.whenComplete((value, failure) -> executorWork.remove(work));
        return work;
    }

    /** Waits, at this JVM's exit, for the work an executor view submitted, done one way or another. */
    public void finishExecutorWork() {
        for (CompletableFuture<?> work : List.copyOf(executorWork)) {
            try {
                work.get();
            } catch (ExecutionException | CancellationException e) {
                // done, one way or another
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** {@return true if an executor view has work not yet done} */
    public boolean hasExecutorWork() {
        return !executorWork.isEmpty();
    }

    /** {@return the future a caller gets of a call: its job's result, shaped; cancelling it cancels the job} */
    private <V> CompletableFuture<V> future(Job job, Function<List<Object>, V> shape) {
        CompletableFuture<V> future = new CallFuture<>(() -> withdraw(job));
        job.result.whenComplete((values, failure) -> {
            if (failure != null) {
                // as itself: a CancellationException (terminate, cancel) makes this future cancelled too
                future.completeExceptionally(failure);
                return;
            }
            V shaped;
            try {
                shaped = shape.apply(values);
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
                return;
            }
            future.complete(shaped);
        });
        return future;
    }

    /**
     * Withdraws a call none of whose tasks has gone to a worker: none of them ever runs ({@link Job#start()} fails
     * for them), its result is cancelled.
     *
     * @return false if it is done, or a task of it went to a worker
     */
    private boolean withdraw(Job job) {
        if (job.over() || !job.cancelQueued()) {
            return false;
        }
        job.result.cancel(false);
        dispatcher.withdraw(job); // tidiness: a sender would skip them
        return true;
    }

    private Job submit(Object function, byte form, List<List<Object>> chunks, int chunksize) {
        dispatcher.checkRunning();
        checkLoadable(function);
        int size = 0;
        for (List<Object> chunk : chunks) {
            size += chunk.size();
        }
        Job job = new Job(dispatcher.nextId(), function, form, size, chunksize);
        if (size == 0) {
            job.result.complete(List.of());
            return job;
        }
        List<Task> tasks = new ArrayList<>(chunks.size());
        int from = 0;
        for (List<Object> chunk : chunks) {
            tasks.add(new Task(dispatcher.nextId(), job, from, chunk));
            from += chunk.size();
        }
        job.expect(tasks.size()); // before any chunk can come back
        job.single = tasks.size() == 1; // before it is sent: one CALL message, no JOB
        dispatcher.submit(job, tasks);
        return job;
    }

    private void checkLoadable(Object function) {
        List<String> classPath = workerClassPath;
        Class<?> type = function.getClass();
        if (classPath != null && !loadable.contains(type)) {
            String problem = ClassLocations.problem(type, classPath);
            if (problem != null) {
                throw new IllegalArgumentException("cannot send the function to " + name + "'s worker JVMs: "
                        + problem);
            }
            loadable.add(type); // checked once: the check reads every class path entry
            // a lambda's class is hidden: its capturing class is what the workers load (an AOT cache built from
            // now on holds it, so a worker's first task need not open the jar it is in)
            ChildLauncher.noteBootstrapClasses(List.of(type.isHidden() ? type.getNestHost() : type));
        }
    }
}

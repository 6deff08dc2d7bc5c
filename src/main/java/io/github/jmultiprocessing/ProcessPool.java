package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.shm.LibraryThreads;
import io.github.jmultiprocessing.internal.pool.CreditWindow;
import io.github.jmultiprocessing.internal.pool.Job;
import io.github.jmultiprocessing.internal.pool.PoolFrames;
import io.github.jmultiprocessing.internal.pool.PoolWorker;
import io.github.jmultiprocessing.internal.pool.StreamJob;
import io.github.jmultiprocessing.internal.pool.Task;
import io.github.jmultiprocessing.internal.spawn.ClassLocations;
import io.github.jmultiprocessing.internal.spawn.ExitActions;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pool of worker JVMs that run tasks: Python's {@code multiprocessing.Pool}.
 *
 * <pre>{@code
 * try (var pool = new ProcessPool(4)) {                   // Python: with Pool(4) as p:
 *     List<Integer> cubes = pool.map(x -> x * x * x, List.of(1, 2, 3));
 * }
 * }</pre>
 *
 * <p>Functions are serializable lambdas or method references; each call sends its function to a worker once, and
 * the items in chunks ({@code chunksize}, by default Python's rule: the items split in four chunks per worker).
 * Closing with try-with-resources terminates the pool, as Python's {@code with} does; {@link #shutdown()} (Python's
 * {@code close()}) then {@link #join()} lets the queued work finish first.
 *
 * <p>Unlike CPython's pool, a worker that dies (killed, {@code System.exit}, out of memory) does not hang the pool:
 * the task it was running fails with {@link WorkerLostException}, the tasks sent to it that it had not started run
 * on other workers, a replacement starts (a start that fails is retried a few times, with backoff, before the pool
 * is called broken), and the rest go on. An initializer that throws breaks the pool (every outstanding and later
 * call fails with {@link BrokenProcessPoolException}, naming the cause) instead of being retried forever. Workers
 * are daemon processes: none outlives the pool or its JVM.
 *
 * <p>A task's exception reaches the caller with its own type and message: a blocking call ({@code apply},
 * {@code map}, {@code starmap}, an {@code imap} iterator's {@code next}) throws it with the caller's frames as its
 * stack trace and the worker's as its cause, a {@link RemoteTraceback} (as Python shows both); a {@link Future}'s
 * {@code get} throws an {@link ExecutionException} with the caller's frames whose cause it is. A result that cannot
 * be sent back fails with {@link MaybeEncodingException}.
 */
public final class ProcessPool implements AutoCloseable {

    /** The largest task sent from the caller's thread (and only if the worker's pipe has room for it now). */
    private static final int DIRECT_BYTES = 16 * 1024;
    /** Queued tasks go to a worker together, in one message, up to this size (small tasks: chunksize=1 maps). */
    private static final int BATCH_BYTES = 16 * 1024;
    private static final int MAX_BATCH = CreditWindow.MAX / 4;
    /** Functions a worker keeps; older calls' are dropped (FORGET). */
    private static final int KNOWN_JOBS = 32;
    /** Workers that may end with a task in their pipe, not started, before the task fails: a bound on re-sends. */
    private static final int LOST_WORKERS = 3;
    /** Starts of a replacement worker tried before the pool is broken. */
    private static final int START_ATTEMPTS = 5;
    private static final AtomicInteger POOLS = new AtomicInteger();

    private enum State { RUNNING, CLOSED, TERMINATED, BROKEN }

    private final int processes;
    private final SerializableRunnable initializer;
    private final int maxTasksPerChild;
    private final Context context;
    private final String name = "ProcessPool-" + POOLS.incrementAndGet();
    private final LinkedBlockingDeque<Task> pending = new LinkedBlockingDeque<>();
    private final Set<Worker> workers = ConcurrentHashMap.newKeySet();
    /** Streaming calls whose input is not yet all queued: shutdown() has them read it to its end. */
    private final Set<StreamJob> openStreams = ConcurrentHashMap.newKeySet();
    /** The workers have been told to stop: no chunk may be queued after; guarded by this. */
    private boolean stopsQueued;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger workerNumbers = new AtomicInteger();
    private volatile State state = State.RUNNING;
    /** Runs callbacks, one at a time, as Python's result-handler thread does. */
    private final java.util.concurrent.ExecutorService callbacks = java.util.concurrent.Executors
            .newSingleThreadExecutor(LibraryThreads.factory(name + "-callbacks"));
    private volatile Throwable brokenBy;
    private volatile String brokenWhy; // what broke it, for messages
    /** The class loader of the code that made the pool: its workers load what it loads. */
    private final ClassLoader creatorLoader = ClassLocations.callerLoader();
    /** The class path of the workers (null for the thread start method): functions are checked against it. */
    private volatile List<String> workerClassPath;
    /** Function classes the workers were found to load. */
    private final Set<Class<?>> loadable = ConcurrentHashMap.newKeySet();
    /** Workers that ended with a positive exit code before they were ready, since the last one was ready. */
    private int bootFailures; // guarded by this
    private volatile boolean anyReady;
    /** Work submitted through {@link #asExecutorService()} not yet done: it finishes before the JVM exits. */
    private final Set<java.util.concurrent.CompletableFuture<?>> executorWork = ConcurrentHashMap.newKeySet();
    private volatile PoolExecutor executor;

    /** Creates a pool of {@link Multiprocessing#cpuCount()} workers. */
    public ProcessPool() {
        this(Multiprocessing.cpuCount());
    }

    /**
     * Creates a pool.
     *
     * @param processes the number of worker JVMs, at least 1
     */
    public ProcessPool(int processes) {
        this(processes, null, 0, null);
    }

    /**
     * Creates a pool (Python's {@code Pool(processes, initializer, maxtasksperchild, context)}).
     *
     * @param processes        the number of worker JVMs, at least 1
     * @param initializer      run once in each worker before its first task, or null
     * @param maxTasksPerChild tasks (chunks) a worker runs before it is replaced by a fresh one, 0 for no limit
     * @param context          the start method's context, or null for the default
     * @throws IllegalArgumentException if processes is below 1 or maxTasksPerChild negative
     */
    public ProcessPool(int processes, SerializableRunnable initializer, int maxTasksPerChild, Context context) {
        if (processes < 1) {
            throw new IllegalArgumentException("processes=" + processes + " (expected >= 1)");
        }
        if (maxTasksPerChild < 0) {
            throw new IllegalArgumentException("maxTasksPerChild=" + maxTasksPerChild + " (expected >= 0, 0 for no"
                    + " limit)");
        }
        this.processes = processes;
        this.initializer = initializer;
        this.maxTasksPerChild = maxTasksPerChild;
        this.context = context;
        JvmProcess.atExit(this, ExitActions.WORK, this::finishExecutorWork);
        JvmProcess.atExit(this, ExitActions.POOLS, this::exit);
        try {
            for (int i = 0; i < processes; i++) {
                startWorker();
            }
        } catch (RuntimeException e) {
            terminate();
            throw e;
        }
    }

    // ---- calls

    /**
     * Runs a task in a worker and waits for its result (Python's {@code apply}).
     *
     * @param task the task
     * @param <V>  its result type
     * @return its result
     * @throws InterruptedException  if interrupted while waiting (the task goes on)
     * @throws IllegalStateException if the pool is not running ({@link BrokenProcessPoolException} if broken)
     * @throws WorkerLostException   if the worker running it ended
     * @throws RuntimeException      the task's own exception, with the caller's frames as its trace and the
     *                               worker's as its cause ({@link RemoteTraceback}); a checked one comes wrapped
     *                               in a {@link CompletionException}
     */
    public <V> V apply(SerializableCallable<V> task) throws InterruptedException {
        return await(applyAsync(task));
    }

    /**
     * Runs a task in a worker (Python's {@code apply_async}).
     *
     * @param task the task
     * @param <V>  its result type
     * @return its result, to come
     * @throws IllegalStateException if the pool is not running
     */
    @SuppressWarnings("unchecked")
    public <V> AsyncResult<V> applyAsync(SerializableCallable<V> task) {
        return new AsyncResult<>(call(task, list -> (V) list.get(0)));
    }

    /**
     * Submits a task; its future's {@code cancel} withdraws it if it is still queued.
     *
     * @param shape makes the call's result of the task's result list (one element)
     */
    <V> CompletableFuture<V> call(SerializableCallable<?> task, java.util.function.Function<List<Object>, V> shape) {
        Objects.requireNonNull(task, "task");
        return future(submit(task, PoolFrames.CALLABLE, Arrays.asList(new Object[] {null}), 1), shape);
    }

    /** {@return the future a caller gets of a call: its job's result, shaped; cancelling it cancels the job} */
    private <V> CompletableFuture<V> future(Job job, java.util.function.Function<List<Object>, V> shape) {
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
     * A call's future. {@link #cancel} succeeds only while none of the call's tasks has gone to a worker (then none
     * ever runs), as CPython's {@code Future.cancel} fails once its call is in the workers' call queue;
     * {@link #abandon()} cancels the future in any case.
     */
    static final class CallFuture<V> extends CompletableFuture<V> {
        private final java.util.function.BooleanSupplier withdraw;

        /** @param withdraw withdraws the call if none of its tasks went to a worker: then true */
        CallFuture(java.util.function.BooleanSupplier withdraw) {
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
        boolean abandon() {
            if (isDone()) {
                return false;
            }
            withdraw.getAsBoolean();
            return super.cancel(false);
        }
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
        pending.removeIf(task -> task.job == job); // tidiness: a sender would skip them
        return true;
    }

    /**
     * Runs a task in a worker and calls back with its result (Python's {@code apply_async(..., callback,
     * error_callback)}). Callbacks run one at a time on the pool's callback thread, before the result is ready:
     * they should be quick. An exception a callback throws is printed, as in Python.
     *
     * @param task          the task
     * @param callback      called with the result, or null
     * @param errorCallback called with the task's exception (or {@link WorkerLostException}), or null
     * @param <V>           its result type
     * @return its result, to come
     * @throws IllegalStateException if the pool is not running
     */
    public <V> AsyncResult<V> applyAsync(SerializableCallable<V> task, java.util.function.Consumer<? super V> callback,
            java.util.function.Consumer<? super Throwable> errorCallback) {
        return withCallbacks(applyAsync(task), callback, errorCallback);
    }

    /**
     * {@link #mapAsync(SerializableFunction, Iterable, int)} with callbacks (Python's {@code map_async(...,
     * callback, error_callback)}), run as {@link #applyAsync(SerializableCallable, java.util.function.Consumer,
     * java.util.function.Consumer)} runs them.
     *
     * @param function      the function
     * @param items         the items
     * @param chunksize     items per task, 0 for Python's default rule
     * @param callback      called with the results, or null
     * @param errorCallback called with the first failing chunk's exception, or null
     * @param <T>           the items' type
     * @param <R>           the results' type
     * @return the results, to come
     * @throws IllegalStateException if the pool is not running
     */
    public <T, R> AsyncResult<List<R>> mapAsync(SerializableFunction<T, R> function, Iterable<? extends T> items,
            int chunksize, java.util.function.Consumer<? super List<R>> callback,
            java.util.function.Consumer<? super Throwable> errorCallback) {
        return withCallbacks(mapAsync(function, items, chunksize), callback, errorCallback);
    }

    private <V> AsyncResult<V> withCallbacks(AsyncResult<V> result, java.util.function.Consumer<? super V> callback,
            java.util.function.Consumer<? super Throwable> errorCallback) {
        CompletableFuture<V> ready = new CallFuture<>(() -> result.cancel(false));
        result.future().whenCompleteAsync((value, failure) -> {
            Throwable cause = failure instanceof CompletionException wrapped && wrapped.getCause() != null
                    ? wrapped.getCause() : failure;
            try {
                if (cause == null && callback != null) {
                    callback.accept(value);
                } else if (cause != null && errorCallback != null) {
                    errorCallback.accept(cause);
                }
            } catch (RuntimeException | Error e) {
                System.err.println(name + ": a callback threw:");
                e.printStackTrace();
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
            } catch (java.util.concurrent.RejectedExecutionException e) {
                task.run(); // the pool has ended: run it here rather than never
            }
        });
        return new AsyncResult<>(ready);
    }

    /**
     * Applies a function to every item in workers and returns the results in order (Python's {@code map}); with
     * the default chunk size.
     *
     * @param function the function
     * @param items    the items
     * @param <T>      their type
     * @param <R>      the results' type
     * @return the results, in the items' order
     * @throws InterruptedException  if interrupted while waiting
     * @throws IllegalStateException if the pool is not running
     * @throws RuntimeException      the first failing chunk's exception (after every chunk has finished, as in
     *                               Python), or {@link WorkerLostException}
     */
    public <T, R> List<R> map(SerializableFunction<T, R> function, Iterable<? extends T> items)
            throws InterruptedException {
        return map(function, items, 0);
    }

    /**
     * Applies a function to every item in workers, {@code chunksize} items per task.
     *
     * @param function  the function
     * @param items     the items
     * @param chunksize items per task, 0 for Python's default rule
     * @param <T>       their type
     * @param <R>       the results' type
     * @return the results, in the items' order
     * @throws InterruptedException     if interrupted while waiting
     * @throws IllegalArgumentException if chunksize is negative
     * @throws IllegalStateException    if the pool is not running
     * @throws RuntimeException         the first failing chunk's exception, or {@link WorkerLostException}
     */
    public <T, R> List<R> map(SerializableFunction<T, R> function, Iterable<? extends T> items, int chunksize)
            throws InterruptedException {
        return await(mapAsync(function, items, chunksize));
    }

    /**
     * {@link #mapAsync(SerializableFunction, Iterable, int)} with the default chunk size (Python's
     * {@code map_async(func, iterable)}).
     *
     * @param function the function
     * @param items    the items
     * @param <T>      their type
     * @param <R>      the results' type
     * @return the results, to come
     * @throws IllegalStateException if the pool is not running
     */
    public <T, R> AsyncResult<List<R>> mapAsync(SerializableFunction<T, R> function, Iterable<? extends T> items) {
        return mapAsync(function, items, 0);
    }

    /**
     * {@link #map} without waiting (Python's {@code map_async}).
     *
     * @param function  the function
     * @param items     the items
     * @param chunksize items per task, 0 for Python's default rule
     * @param <T>       their type
     * @param <R>       the results' type
     * @return the results, to come
     * @throws IllegalArgumentException if chunksize is negative
     * @throws IllegalStateException    if the pool is not running
     */
    @SuppressWarnings("unchecked")
    public <T, R> AsyncResult<List<R>> mapAsync(SerializableFunction<T, R> function, Iterable<? extends T> items,
            int chunksize) {
        Objects.requireNonNull(function, "function");
        if (chunksize < 0) {
            throw new IllegalArgumentException("chunksize=" + chunksize + " (expected >= 1, or 0 for the default)");
        }
        List<Object> list; // the caller's items as they are now (as Python's list(iterable)), never changed after
        if (items instanceof java.util.Collection<? extends T> collection) {
            list = new ArrayList<>(collection); // one array copy
        } else {
            list = new ArrayList<>();
            items.forEach(list::add);
        }
        if (chunksize == 0) { // Python's rule: four chunks per worker
            chunksize = list.size() / (processes * 4) + (list.size() % (processes * 4) == 0 ? 0 : 1);
        }
        Job job = submit(function, PoolFrames.FUNCTION, list, Math.max(1, chunksize));
        return new AsyncResult<>(future(job, results -> (List<R>) results));
    }

    /**
     * Applies a function to argument tuples in workers (Python's {@code starmap}, {@code f(*args)} for each
     * tuple): the function takes the tuple as an array.
     *
     * <pre>{@code
     * List<Integer> powers = pool.starmap(args -> pow((int) args[0], (int) args[1]),
     *         List.of(new Object[] {2, 3}, new Object[] {3, 2}));
     * }</pre>
     *
     * @param function  the function of a tuple
     * @param tuples    the argument tuples
     * @param chunksize tuples per task, 0 for Python's default rule
     * @param <R>       the results' type
     * @return the results, in the tuples' order
     * @throws InterruptedException  if interrupted while waiting
     * @throws IllegalStateException if the pool is not running
     * @throws RuntimeException      the first failing chunk's exception, or {@link WorkerLostException}
     */
    public <R> List<R> starmap(SerializableFunction<Object[], R> function, Iterable<Object[]> tuples, int chunksize)
            throws InterruptedException {
        return await(starmapAsync(function, tuples, chunksize));
    }

    /**
     * {@link #starmap(SerializableFunction, Iterable, int)} with the default chunk size (Python's
     * {@code starmap(func, iterable)}).
     *
     * @param function the function of a tuple
     * @param tuples   the argument tuples
     * @param <R>      the results' type
     * @return the results, in the tuples' order
     * @throws InterruptedException  if interrupted while waiting
     * @throws IllegalStateException if the pool is not running
     * @throws RuntimeException      the first failing chunk's exception, or {@link WorkerLostException}
     */
    public <R> List<R> starmap(SerializableFunction<Object[], R> function, Iterable<Object[]> tuples)
            throws InterruptedException {
        return starmap(function, tuples, 0);
    }

    /**
     * {@link #starmapAsync(SerializableFunction, Iterable, int)} with the default chunk size.
     *
     * @param function the function of a tuple
     * @param tuples   the argument tuples
     * @param <R>      the results' type
     * @return the results, to come
     * @throws IllegalStateException if the pool is not running
     */
    public <R> AsyncResult<List<R>> starmapAsync(SerializableFunction<Object[], R> function,
            Iterable<Object[]> tuples) {
        return starmapAsync(function, tuples, 0);
    }

    /**
     * {@link #starmap} without waiting (Python's {@code starmap_async}).
     *
     * @param function  the function of a tuple
     * @param tuples    the argument tuples
     * @param chunksize tuples per task, 0 for Python's default rule
     * @param <R>       the results' type
     * @return the results, to come
     * @throws IllegalStateException if the pool is not running
     */
    public <R> AsyncResult<List<R>> starmapAsync(SerializableFunction<Object[], R> function, Iterable<Object[]> tuples,
            int chunksize) {
        return mapAsync(function, tuples, chunksize);
    }

    /**
     * {@link #starmapAsync(SerializableFunction, Iterable, int)} with callbacks, run as
     * {@link #applyAsync(SerializableCallable, java.util.function.Consumer, java.util.function.Consumer)} runs them.
     *
     * @param function      the function of a tuple
     * @param tuples        the argument tuples
     * @param chunksize     tuples per task, 0 for Python's default rule
     * @param callback      called with the results, or null
     * @param errorCallback called with the first failing chunk's exception, or null
     * @param <R>           the results' type
     * @return the results, to come
     * @throws IllegalStateException if the pool is not running
     */
    public <R> AsyncResult<List<R>> starmapAsync(SerializableFunction<Object[], R> function, Iterable<Object[]> tuples,
            int chunksize, java.util.function.Consumer<? super List<R>> callback,
            java.util.function.Consumer<? super Throwable> errorCallback) {
        return withCallbacks(mapAsync(function, tuples, chunksize), callback, errorCallback);
    }

    /**
     * Applies a function to the items in workers, one item per task, and iterates over the results in input order
     * as they come (Python's {@code imap}); the items are taken from {@code items} as the results are consumed, so
     * memory stays bounded on any input length.
     *
     * @param function the function
     * @param items    the items (read lazily, by the consuming thread)
     * @param <T>      their type
     * @param <R>      the results' type
     * @return the results; {@code next()} throws a task's exception at its place, and an exception of the
     *         source after the results of the items before it (then the iteration ends)
     * @throws IllegalStateException if the pool is not running
     */
    public <T, R> IMapIterator<R> imap(SerializableFunction<T, R> function, Iterable<? extends T> items) {
        return imap(function, items, 1);
    }

    /**
     * {@link #imap(SerializableFunction, Iterable)} with {@code chunksize} items per task.
     *
     * @param function  the function
     * @param items     the items
     * @param chunksize items per task, at least 1
     * @param <T>       their type
     * @param <R>       the results' type
     * @return the results in input order
     * @throws IllegalStateException if the pool is not running
     */
    public <T, R> IMapIterator<R> imap(SerializableFunction<T, R> function, Iterable<? extends T> items,
            int chunksize) {
        return stream(function, items, chunksize, true, null);
    }

    /**
     * {@link #imapUnordered(SerializableFunction, Iterable, int)} one item per task (Python's
     * {@code imap_unordered(func, iterable)}).
     *
     * @param function the function
     * @param items    the items
     * @param <T>      their type
     * @param <R>      the results' type
     * @return the results as they finish
     * @throws IllegalStateException if the pool is not running
     */
    public <T, R> IMapIterator<R> imapUnordered(SerializableFunction<T, R> function, Iterable<? extends T> items) {
        return imapUnordered(function, items, 1);
    }

    /**
     * {@link #imap(SerializableFunction, Iterable, int)}, with the results in the order they finish (Python's
     * {@code imap_unordered}).
     *
     * @param function  the function
     * @param items     the items
     * @param chunksize items per task, at least 1
     * @param <T>       their type
     * @param <R>       the results' type
     * @return the results as they finish
     * @throws IllegalStateException if the pool is not running
     */
    public <T, R> IMapIterator<R> imapUnordered(SerializableFunction<T, R> function,
            Iterable<? extends T> items, int chunksize) {
        return stream(function, items, chunksize, false, null);
    }

    /**
     * A streaming call.
     *
     * @param timeout of the whole call (the executor's {@code map}), or null
     */
    @SuppressWarnings("unchecked")
    <T, R> IMapIterator<R> stream(SerializableFunction<T, R> function, Iterable<? extends T> items, int chunksize,
            boolean ordered, Duration timeout) {
        Objects.requireNonNull(function, "function");
        if (chunksize < 1) {
            throw new IllegalArgumentException("chunksize=" + chunksize + " (expected >= 1)");
        }
        checkLoadable(function);
        StreamJob stream = new StreamJob(forStreams, ids.incrementAndGet(), function, items.iterator(), chunksize,
                processes * 16, ordered, timeout);
        synchronized (this) {
            checkRunning();
            openStreams.add(stream); // until its input ends: shutdown() lets it read the rest first
        }
        return (IMapIterator<R>) stream;
    }

    private static <V> V await(AsyncResult<V> result) throws InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw Job.rethrown(e.getCause());
        }
    }

    private Job submit(Object function, byte form, List<Object> items, int chunksize) {
        checkRunning();
        checkLoadable(function);
        Job job = new Job(ids.incrementAndGet(), function, form, items.size());
        if (items.isEmpty()) {
            job.result.complete(List.of());
            return job;
        }
        List<Task> tasks = new ArrayList<>();
        for (int from = 0; from < items.size(); from += chunksize) {
            tasks.add(new Task(ids.incrementAndGet(), job, from,
                    items.subList(from, Math.min(items.size(), from + chunksize)))); // views: items never change
        }
        job.expect(tasks.size()); // before any chunk can come back
        job.single = tasks.size() == 1; // before it is sent: one CALL message, no JOB
        if (job.single && sendDirect(tasks.get(0))) {
            return job;
        }
        synchronized (this) { // as shutdown, terminate and breakPool: no task after their STOPs
            checkRunning();
            pending.addAll(tasks);
        }
        return job;
    }

    /**
     * Sends a lone task from the caller's thread to the idlest worker with a free credit, sparing the hand-off to
     * a sender thread (the latency of {@code apply}); only when nothing is queued, so it overtakes nothing.
     *
     * @return false if no worker can take it now: the caller queues it
     */
    private boolean sendDirect(Task task) {
        if (!pending.isEmpty()) {
            return false;
        }
        Worker idlest = null;
        for (Worker worker : workers) {
            if (worker.receiver == Thread.currentThread()) {
                // NOTE: a continuation of a result runs here; a send that waited for room in a worker's pipe would
                // stop the results that make that room (the worker waits for this thread to read them): queue it.
                return false;
            }
            if (idlest == null || worker.credits.inFlight() < idlest.credits.inFlight()) {
                idlest = worker;
            }
        }
        if (idlest == null || !idlest.credits.tryAcquire()) {
            return false;
        }
        byte[] message;
        try {
            message = task.message();
        } catch (RuntimeException e) { // an item that cannot be serialized fails the call, as a queued one would
            idlest.credits.giveBack(1);
            task.job.failed(task, e);
            return true;
        }
        try {
            // only what goes at once: a caller of applyAsync never waits for room in a busy worker's pipe
            if (message.length <= DIRECT_BYTES && idlest.conn.fitsNow(message.length)
                    && idlest.deliver(List.of(task), List.of(message), false)) {
                task.job.start(); // its future is not out yet: nothing can have withdrawn it
                return true;
            }
        } catch (IOException | RuntimeException e) {
            // the worker is ending: its receiver handles that; the task goes the queued way
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // as a queued task's submission, this call does not block
        }
        idlest.credits.giveBack(1);
        PoolFrames.discard(message); // the queued way encodes the task again
        return false;
    }

    private void checkRunning() {
        switch (state) {
            case RUNNING -> { }
            case BROKEN -> throw broken();
            default -> throw new IllegalStateException("pool not running (" + name + " is " + state.name()
                    .toLowerCase() + ")");
        }
    }

    /**
     * Fails at once, here, for a function whose class the workers cannot load (a jshell snippet's, one of a class
     * loader the pool was not made from), instead of in every worker.
     */
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
        }
    }

    private BrokenProcessPoolException broken() {
        return new BrokenProcessPoolException("pool broken: " + brokenWhy, brokenBy);
    }

    // ---- life cycle

    /**
     * Stops taking calls; the workers finish what is queued, then exit (Python's {@code close()}; named as
     * {@link java.util.concurrent.ExecutorService#shutdown()}, since {@link #close()} is try-with-resources').
     */
    public void shutdown() {
        List<StreamJob> streams;
        synchronized (this) {
            if (state != State.RUNNING) {
                return;
            }
            state = State.CLOSED;
            streams = List.copyOf(openStreams);
            if (streams.isEmpty()) {
                queueStops();
                return;
            }
        }
        // as CPython's task handler: the streams' input is read to its end, without the window, before the
        // workers are told to stop, so an imap made before shutdown() delivers every result (also when the caller
        // joins before it iterates); a thread of its own, so an endless input does not block this caller
        LibraryThreads.start(name + "-closing", () -> {
            for (StreamJob stream : streams) {
                stream.readToEnd();
            }
            synchronized (this) {
                if (state == State.CLOSED) {
                    queueStops();
                }
            }
        });
    }

    /** Tells every worker to exit once the tasks queued before are done. Holds this. */
    private void queueStops() {
        stopsQueued = true;
        for (int i = 0; i < workers.size(); i++) {
            pending.add(Task.STOP);
        }
    }


    /**
     * Stops the workers now (Python's {@code terminate()}): outstanding calls are cancelled (their results'
     * {@code get} throws {@link CancellationException}) by the time this returns.
     */
    public void terminate() {
        synchronized (this) {
            if (state == State.TERMINATED) {
                return;
            }
            state = State.TERMINATED;
            notifyAll(); // a replacement's start waiting to be retried gives up
        }
        CancellationException terminated = new CancellationException("the pool was terminated");
        for (Worker worker : workers) {
            kill(worker);
        }
        fail(pending, terminated);
        for (Worker worker : workers) { // when this returns, every outstanding call is cancelled
            for (Sent sent : new ArrayList<>(worker.inFlight.values())) {
                if (worker.inFlight.remove(sent.task().id) != null) { // NOTE: else its result came: it counts
                    sent.task().job.failed(sent.task(), terminated);
                }
            }
        }
        pending.add(Task.STOP); // wakes senders
        // A task a sender took from the queue (encoding it, or sending it) is in neither place above: the sender
        // hands it back as it ends (requeue fails it, the pool being terminated). Interrupted, a sender waiting for
        // a credit or for room in a dead worker's pipe ends at once; one encoding ends after the encoding.
        for (Worker worker : workers) {
            worker.sender.interrupt();
        }
        for (Worker worker : workers) {
            if (worker.sender != Thread.currentThread()) {
                try {
                    worker.sender.join(TERMINATE_SENDER_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break; // the rest fail as their senders end
                }
            }
        }
        ExitActions.cancel(this);
    }

    /** How long {@link #terminate()} waits for each sender to hand back the task it holds. */
    private static final long TERMINATE_SENDER_MILLIS = 10_000;

    /**
     * At JVM exit, first of all (while workers may still be started: one that retires or dies is replaced): the
     * work given to {@link #asExecutorService()} finishes, as Python's {@code ProcessPoolExecutor} runs its
     * submitted work at exit; unless it cannot ({@link Multiprocessing#workCanFinishAtExit}: a signal, or
     * {@code System.exit} from a thread the work depends on).
     */
    private void finishExecutorWork() {
        if (executorWork.isEmpty() || !JvmProcess.workCanFinishAtExit()) {
            return;
        }
        for (java.util.concurrent.CompletableFuture<?> work : List.copyOf(executorWork)) {
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

    /**
     * At JVM exit, after the executor's work and before children are joined: the pool terminates, as Python's
     * {@code Pool} does at exit (outstanding {@code apply}/{@code map} calls are cancelled), and its workers are
     * waited for, at most 2 s; a receiver blocked in {@code System.exit} (called from a continuation it ran) is
     * not waited for.
     */
    private void exit() {
        terminate();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        try {
            for (Worker worker : List.copyOf(workers)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                if (!worker.receiver.join(Duration.ofNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100))))
                        && !ExitActions.isExitingThread(worker.receiver)) {
                    worker.receiver.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalThreadStateException e) {
            // a worker being added as the JVM exits: it is killed with the other daemon children
        }
        callbacks.shutdown();
    }

    /** Tracks a future of the executor view: it completes before the JVM exits. */
    <T> java.util.concurrent.CompletableFuture<T> executorWork(java.util.concurrent.CompletableFuture<T> work) {
        executorWork.add(work);
        work.whenComplete((value, failure) -> executorWork.remove(work));
        return work;
    }

    /**
     * Waits for the workers to exit (Python's {@code join()}), after {@link #shutdown()} or {@link #terminate()}.
     *
     * @throws IllegalStateException if the pool is still running
     * @throws InterruptedException  if interrupted while waiting
     */
    public void join() throws InterruptedException {
        if (state == State.RUNNING) {
            throw new IllegalStateException("join() of a running pool (expected shutdown() or terminate() first)");
        }
        while (true) {
            Worker any = workers.stream().findFirst().orElse(null);
            if (any == null) {
                break;
            }
            awaitReceiver(any, 0); // it ends after the process, having failed or replaced what it ran
        }
        callbacks.shutdown(); // after the last results: their callbacks still run
    }

    /**
     * Waits at most {@code timeout} for the workers to exit, after {@link #shutdown()} or {@link #terminate()}.
     *
     * @param timeout the longest wait
     * @return true if every worker has exited
     * @throws IllegalStateException if the pool is still running
     * @throws InterruptedException  if interrupted while waiting
     */
    public boolean join(Duration timeout) throws InterruptedException {
        if (state == State.RUNNING) {
            throw new IllegalStateException("join() of a running pool (expected shutdown() or terminate() first)");
        }
        long deadline = System.nanoTime() + WaitCore.nanos(timeout);
        while (true) {
            Worker any = workers.stream().findFirst().orElse(null);
            long left = deadline - System.nanoTime();
            if (any == null) {
                callbacks.shutdown();
                return true;
            }
            if (left <= 0) {
                return false;
            }
            awaitReceiver(any, left); // it ends after the process (see join())
        }
    }

    /**
     * Waits for a worker's receiver to end, at most {@code nanos} (0: as long as it takes); returns at once, after
     * a millisecond, if its thread is still being started (a replacement just added to the set).
     */
    private static void awaitReceiver(Worker worker, long nanos) throws InterruptedException {
        if (worker.receiver.getState() == Thread.State.NEW) {
            Thread.sleep(1); // startWorker starts it right after adding the worker
        } else if (nanos == 0) {
            worker.receiver.join();
        } else {
            worker.receiver.join(Duration.ofNanos(nanos));
        }
    }

    /** {@return true once {@link #shutdown()} or {@link #terminate()} was called, or the pool broke} */
    public boolean isShutdown() {
        return state != State.RUNNING;
    }

    /** {@return true once the pool is shut down and every worker has exited} */
    public boolean isTerminated() {
        return state != State.RUNNING && workers.isEmpty();
    }

    /**
     * {@return this pool as an {@link java.util.concurrent.ExecutorService}} Its futures are
     * {@link CompletableFuture}s; tasks must be serializable (a lambda given to its {@code submit} is);
     * {@code shutdown} and {@code shutdownNow} are {@link #shutdown()} and {@link #terminate()}. See
     * {@link PoolExecutor}.
     */
    public PoolExecutor asExecutorService() {
        PoolExecutor view = executor;
        if (view == null) {
            synchronized (this) {
                view = executor;
                if (view == null) {
                    view = new PoolExecutor(this);
                    executor = view;
                }
            }
        }
        return view;
    }

    /** Terminates the pool and waits for its workers, as Python's {@code with Pool() as p:} does on exit. */
    @Override
    public void close() {
        terminate();
        try {
            join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- workers

    /** What the streaming calls ({@link #imap}, the executor's {@code map}) reach of this pool. */
    private final StreamJob.Pool forStreams = new StreamJob.Pool() {
        @Override
        public void queue(StreamJob stream, int chunk, List<Object> items) {
            synchronized (ProcessPool.this) {
                if (state != State.CLOSED || stopsQueued) { // shut down: its input is still read to its end
                    checkRunning();
                }
                pending.add(new Task(ids.incrementAndGet(), stream, chunk, items));
            }
        }

        @Override
        public void withdraw(StreamJob stream) {
            pending.removeIf(task -> task.job == stream);
        }

        @Override
        public boolean closing() {
            return state == State.CLOSED;
        }

        @Override
        public void allQueued(StreamJob stream) {
            openStreams.remove(stream);
        }
    };

    /** The pool's side of one worker JVM: a sender thread, a receiver thread, the tasks it is running. */
    private final class Worker {
        final JvmProcess process;
        final Connection conn;
        /** The number of the task (or call) the worker started last, written by the worker (see PoolWorker). */
        final SharedValue started;
        final CreditWindow credits = new CreditWindow();
        final Map<Long, Sent> inFlight = new ConcurrentHashMap<>();
        /** Guards what goes down the pipe: a call's JOB before its TASKs, nothing after STOP or the end. */
        final java.util.concurrent.locks.ReentrantLock sendLock = new java.util.concurrent.locks.ReentrantLock();
        final Set<Long> knownJobs = new LinkedHashSet<>(); // guarded by sendLock
        int sent; // tasks sent, guarded by sendLock
        long sequence; // of tasks sent, guarded by sendLock
        boolean gone; // the worker ended, guarded by sendLock
        final Thread sender;
        final Thread receiver;
        volatile boolean stopSent; // written under sendLock
        /** The worker JVM booted, ran the initializer and runs the worker loop. */
        volatile boolean ready;

        Worker(JvmProcess process, Connection conn, SharedValue started) {
            this.process = process;
            this.conn = conn;
            this.started = started;
            String label = name + " " + process.getName();
            this.sender = LibraryThreads.unstarted(label + "-sender", this::send);
            this.receiver = LibraryThreads.unstarted(label + "-receiver", this::receive);
        }

        /**
         * Sends tasks (each call's function first, if this worker does not have it yet), by the sender thread or a
         * caller's: one message, or a TASKS batch of several.
         *
         * @param tasks    the tasks, each holding a credit
         * @param messages their TASK or CALL messages
         * @param wait     false to give up at once if another send is under way (a caller's thread)
         * @return false if this worker takes no more tasks (stopped, ended, or at maxTasksPerChild), or if not
         *         waiting and another send is under way
         * @throws IOException if the pipe is broken: none of the tasks is in flight (nor on InterruptedException)
         */
        boolean deliver(List<Task> tasks, List<byte[]> messages, boolean wait)
                throws IOException, InterruptedException {
            if (wait) {
                sendLock.lock();
            } else if (!sendLock.tryLock()) {
                return false; // a caller never waits behind a send blocked on a full pipe: it queues instead
            }
            try {
                if (gone || stopSent || (maxTasksPerChild > 0 && sent + tasks.size() > maxTasksPerChild)
                        || state == State.TERMINATED || state == State.BROKEN) {
                    return false;
                }
                List<Long> forget = null; // after the tasks: a batch may hold a task of the job it evicts
                try {
                    for (Task task : tasks) {
                        if (!task.job.single && knownJobs.add(task.job.id)) {
                            byte[] job = PoolFrames.job(task.job.id, task.job.form, task.job.functionBytes());
                            try {
                                conn.sendBytes(job);
                            } catch (IOException | InterruptedException | RuntimeException e) {
                                knownJobs.remove(task.job.id);
                                PoolFrames.discard(job); // not sent (a message half sent is not read either)
                                throw e;
                            }
                            if (knownJobs.size() > KNOWN_JOBS) {
                                long oldest = knownJobs.iterator().next();
                                knownJobs.remove(oldest);
                                forget = forget == null ? new ArrayList<>() : forget;
                                forget.add(oldest);
                            }
                        }
                    }
                    long now = System.nanoTime();
                    for (Task task : tasks) {
                        inFlight.put(task.id, new Sent(task, ++sequence, now));
                    }
                    conn.sendBytes(messages.size() == 1 ? messages.get(0)
                            : PoolFrames.batch(PoolFrames.TASKS, messages));
                } catch (IOException | InterruptedException | RuntimeException e) {
                    for (Task task : tasks) {
                        inFlight.remove(task.id); // never reached the worker: another one runs it
                    }
                    throw e;
                }
                sent += tasks.size();
                forget(forget);
                return true;
            } finally {
                sendLock.unlock();
            }
        }

        /** Sends FORGETs of the jobs evicted while sending tasks, unless a later task sent them again. */
        private void forget(List<Long> jobs) {
            if (jobs == null) {
                return;
            }
            try {
                for (long job : jobs) {
                    if (!knownJobs.contains(job)) {
                        conn.sendBytes(PoolFrames.numbered(PoolFrames.FORGET, job, null));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the worker is ending (its receiver handles that); the tasks are in flight all the same
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // a FORGET left out costs the worker a function kept
            }
        }

        private void sendStop() throws IOException, InterruptedException {
            sendLock.lock();
            try {
                stopSent = true; // this worker is not replaced, even if the STOP does not reach it
                if (!gone) {
                    conn.sendBytes(new byte[] {PoolFrames.STOP});
                }
            } finally {
                sendLock.unlock();
            }
        }

        /** Marks the worker ended: no send starts after this; one under way has finished. */
        void markGone() {
            sendLock.lock();
            try {
                gone = true;
            } finally {
                sendLock.unlock();
            }
        }

        private void send() {
            List<Task> batch = new ArrayList<>(); // taken from the queue and not yet handed to the worker
            List<byte[]> messages = new ArrayList<>();
            try {
                while (true) {
                    credits.acquire();
                    Task task = pending.take();
                    if (task == Task.STOP) {
                        if (state == State.TERMINATED) {
                            pending.addFirst(Task.STOP); // for the other senders
                            return;
                        }
                        sendStop();
                        return;
                    }
                    // more small tasks waiting and credits free: one message for them all (chunksize=1 maps)
                    int bytes = take(task, batch, messages);
                    while (maxTasksPerChild == 0 && bytes < BATCH_BYTES && batch.size() < MAX_BATCH
                            && credits.tryAcquire()) {
                        Task next = pending.pollFirst();
                        if (next == null || next == Task.STOP) {
                            if (next != null) {
                                pending.addFirst(next);
                            }
                            credits.giveBack(1);
                            break;
                        }
                        bytes += take(next, batch, messages);
                    }
                    if (!batch.isEmpty() && !deliver(batch, messages, true)) {
                        return; // at maxTasksPerChild (or ended): the tasks go back for another worker
                    }
                    batch.clear();
                    messages.clear();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException | RuntimeException e) {
                // the worker or its connection is gone: the receiver handles the end
            } finally {
                for (int i = batch.size() - 1; i >= 0; i--) {
                    PoolFrames.discard(messages.get(i)); // a task requeued is encoded again when next sent
                    requeue(batch.get(i));
                }
            }
        }

        /**
         * Adds a task holding a credit to the batch with its message, unless it is over or does not encode.
         *
         * @return the message's size, 0 if it was not added
         */
        private int take(Task task, List<Task> batch, List<byte[]> messages) {
            if (task.job.over() || !task.job.start()) { // failed or cancelled meanwhile
                credits.giveBack(1);
                return 0;
            }
            byte[] message;
            try {
                message = task.message();
            } catch (RuntimeException e) { // an item that cannot be serialized fails this chunk
                credits.giveBack(1);
                task.job.failed(task, e);
                return 0;
            }
            batch.add(task);
            messages.add(message);
            return message.length;
        }

        private void receive() {
            try {
                while (true) {
                    byte[] message = conn.recvBytes();
                    long now = System.nanoTime();
                    byte kind = PoolFrames.kind(message);
                    if (kind == PoolFrames.RETIRE) {
                        continue; // it exits next: the end below starts a fresh one
                    }
                    if (kind == PoolFrames.READY) {
                        ready = true;
                        readied();
                        continue;
                    }
                    if (kind == PoolFrames.BROKEN) {
                        Throwable thrown = remote(message, 1);
                        breakPool("a worker's initializer threw " + thrown, thrown);
                        continue;
                    }
                    if (kind != PoolFrames.DONE && kind != PoolFrames.FAILED) {
                        throw new IOException("unknown pool message kind " + kind);
                    }
                    Sent sent = inFlight.remove(PoolFrames.number(message));
                    // credits first: a caller woken by its result finds this worker free again
                    credits.completed(1, now, sent != null ? sent.nanos() : now);
                    if (sent != null) {
                        finish(sent.task(), message);
                    }
                }
            } catch (EOFException | IllegalStateException e) {
                // the worker ended: see below
            } catch (IOException | InterruptedException | RuntimeException e) {
                // a broken connection or message: the worker is ended below (its tasks fail, a fresh one starts)
            } finally {
                ended(this);
            }
        }
    }

    /** A task's DONE or FAILED message, to its call. */
    private static void finish(Task task, byte[] result) {
        if (result[0] == PoolFrames.FAILED) {
            task.job.failed(task, remote(result, 9));
            return;
        }
        try {
            task.job.done(task, PoolFrames.items(result, 9));
        } catch (IOException | RuntimeException e) { // results that do not read here
            task.job.failed(task, e);
        }
    }

    /** A task in flight to a worker: its place in the worker's pipe, and when it was sent. */
    private record Sent(Task task, long order, long nanos) {
    }

    /** A task a worker never got: back to the front of the queue, or failed if the pool no longer runs tasks. */
    private void requeue(Task task) {
        synchronized (this) {
            if (state == State.RUNNING || state == State.CLOSED) {
                pending.addFirst(task);
                return;
            }
        }
        task.job.failed(task, state == State.BROKEN ? broken() : new CancellationException("the pool was terminated"));
    }

    /** The exception a worker sent: its own type and message, its stack trace there attached as cause. */
    private static Throwable remote(byte[] message, int offset) {
        try {
            PoolWorker.Failure failure = (PoolWorker.Failure) PoolFrames.body(message, offset);
            Throwable t = failure.exception();
            if (t instanceof CompletionException wrapped && wrapped.getCause() != null) {
                t = wrapped.getCause(); // a checked exception of a Callable: itself
            }
            // NOTE: the worker's frames are in the RemoteTraceback, once; the exception's own trace is set where a
            // caller receives it (inCaller), empty until then (Python: the caller's traceback, the remote as cause)
            t = RemoteTraceback.attach(t, failure.trace());
            if (Job.carriesRemote(t)) { // else (a cause set to null, suppression off) its own trace is the worker's
                t.setStackTrace(new StackTraceElement[0]);
            }
            return t;
        } catch (IOException | RuntimeException e) {
            return new IllegalStateException("a task failed, and its exception could not be read here: " + e, e);
        }
    }

    private void startWorker() {
        Pipe pipe = Pipe.open();
        Connection mine = pipe.left();
        Connection theirs = pipe.right();
        SerializableRunnable init = initializer;
        int maxTasks = maxTasksPerChild;
        String workerName = "ProcessPoolWorker-" + workerNumbers.incrementAndGet();
        SharedValue started = SharedValue.raw('q', 0L);
        SerializableRunnable target = () -> PoolWorker.run(theirs, init, maxTasks, started);
        JvmProcess process = context == null ? new JvmProcess(target, workerName)
                : context.process(target, workerName);
        process.setDaemon(true);
        process.addClassLoader(creatorLoader);
        Worker worker = new Worker(process, mine, started);
        try {
            process.start();
        } catch (RuntimeException e) {
            mine.close();
            theirs.close();
            started.close();
            throw e;
        }
        if (workerClassPath == null) {
            workerClassPath = process.classPath(); // null for the thread start method: nothing to check
        }
        if (!process.isThread()) {
            theirs.close(); // the worker's own copy stays open in the worker JVM
        } // else it is the very end the worker's thread uses (and closes when it ends)
        workers.add(worker);
        worker.sender.start();
        worker.receiver.start();
    }

    /** A worker's connection ended: fail what it was running, replace it if the pool still needs it. */
    private void ended(Worker worker) {
        try {
            worker.process.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.process.isAlive()) { // its connection broke, not the process: it cannot be trusted further
            worker.process.kill();
            try {
                worker.process.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        worker.sender.interrupt();
        worker.conn.close(); // fails a send under way (the worker is dead), so that the lock below is free
        worker.markGone(); // after this, nothing new goes in flight: the loop below sees all that did
        try {
            worker.sender.join(10_000); // its last task is back in the queue, and stopSent is final
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String exit = worker.process.exitCode().isPresent() ? "exit code " + worker.process.exitCode().getAsInt()
                : "still running";
        if (!worker.ready && bootFailure(worker.process.exitCode().orElse(0)) && bootFailed()) {
            // A worker JVM that cannot boot (a class it cannot load, a bad option) fails the same way every time:
            // the pool breaks with its own words instead of starting workers forever and blaming tasks.
            String why = "worker " + worker.process.getName() + " (pid " + worker.process.pid().orElse(-1)
                    + ") could not start: it exited with " + exit + " before it was ready" + said(worker.process);
            breakPool(why, new IllegalStateException(why));
        }
        // The worker's started word names the task it was running (PoolWorker): that one fails, if its result has
        // not come; the others in its pipe never started and go to another worker, unless this is the
        // LOST_WORKERS-th worker that ended with one of them unstarted (a cause the word does not see: bounded).
        long startedLast = startedLast(worker);
        List<Sent> lost = new ArrayList<>(worker.inFlight.values());
        lost.sort(java.util.Comparator.comparingLong(Sent::order));
        List<Task> unstarted = new ArrayList<>();
        boolean stopAgain = false; // a STOP this worker took goes to its replacement (shut down, tasks requeued)
        synchronized (this) {
            boolean requeue = state == State.RUNNING || state == State.CLOSED;
            for (Sent sent : lost) {
                Task task = sent.task();
                if (worker.inFlight.remove(task.id) == null) {
                    continue; // its result came meanwhile
                }
                boolean ran = worker.ready && (task.id == startedLast || task.job.id == startedLast);
                if (requeue && !ran && (!worker.ready || ++task.lostWorkers < LOST_WORKERS)) {
                    unstarted.add(task); // requeued before the replacement starts, below
                    continue;
                }
                String where = "worker " + worker.process.getName() + " (pid " + worker.process.pid().orElse(-1)
                        + ", " + exit + ")";
                String what = "task " + task.id + " (items " + task.from + ".." + (task.from + task.items.size() - 1)
                        + " of call " + task.job.id + ")";
                task.job.failed(task, state == State.TERMINATED ? new CancellationException("the pool was"
                        + " terminated") : state == State.BROKEN ? broken() : new WorkerLostException(ran ? where
                        + " ended while it ran " + what : what + " was sent to " + LOST_WORKERS + " workers that"
                        + " ended before they started it, the last " + where));
            }
            for (int i = unstarted.size() - 1; i >= 0; i--) {
                pending.addFirst(unstarted.get(i));
            }
            if (state == State.CLOSED && worker.stopSent && !unstarted.isEmpty()) {
                stopAgain = true; // the other workers may have taken their STOPs: a replacement runs these
                pending.add(Task.STOP);
            }
        }
        replace(worker, stopAgain);
        synchronized (this) { // as shutdown() counts the workers: a STOP for each, the replacement's included
            workers.remove(worker); // after its replacement is in the set: join() never sees none between the two
        }
        worker.process.close();
        worker.started.close();
    }

    /** {@return the number a dead worker wrote last in its started word, 0 if none} */
    private static long startedLast(Worker worker) {
        if (worker.process.isAlive()) {
            return 0; // a thread of the thread start method that did not end: nothing is known
        }
        // NOTE: the process is reaped (joined above): every store it made is visible; the getLong is an acquire load
        return worker.started.getLong();
    }

    /**
     * Starts a replacement for a worker that ended, if the pool still needs one. A start that throws (a failure to
     * launch the JVM: the JDK's spawn helper or the forkserver's standby killed, a short resource shortage) is
     * retried {@value #START_ATTEMPTS} times in all, after 100, 200, 400 ... ms, before the pool is broken; a
     * terminate or the JVM's exit meanwhile ends the retries.
     *
     * @param stopAgain the worker had taken a STOP and a new one was queued for its replacement
     */
    private void replace(Worker worker, boolean stopAgain) {
        long backoff = TimeUnit.MILLISECONDS.toNanos(100);
        for (int attempt = 1; ; attempt++) {
            RuntimeException failure;
            synchronized (this) {
                boolean needed = (state == State.RUNNING
                        || (state == State.CLOSED && (!worker.stopSent || stopAgain)))
                        && !JvmProcess.isExiting(); // no worker starts once the JVM exits
                if (!needed) {
                    return;
                }
                try {
                    startWorker();
                    return;
                } catch (RuntimeException e) {
                    failure = e;
                }
                if (attempt >= START_ATTEMPTS || JvmProcess.isExiting()) {
                    if (!JvmProcess.isExiting()) {
                        breakPool("a replacement worker could not start (" + attempt + " attempts): " + failure,
                                failure);
                    }
                    return;
                }
            }
            System.getLogger(ProcessPool.class.getName()).log(System.Logger.Level.WARNING, name + ": a replacement"
                    + " worker could not start (attempt " + attempt + " of " + START_ATTEMPTS + "), retrying in "
                    + TimeUnit.NANOSECONDS.toMillis(backoff) + " ms: " + failure);
            long deadline = System.nanoTime() + backoff;
            synchronized (this) {
                try {
                    for (long left = backoff; left > 0 && state != State.TERMINATED && state != State.BROKEN;
                            left = deadline - System.nanoTime()) {
                        TimeUnit.NANOSECONDS.timedWait(this, left); // terminate() and breakPool() notify
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    breakPool("a replacement worker could not start (interrupted while retrying): " + failure,
                            failure);
                    return;
                }
            }
            backoff *= 2;
        }
    }

    /**
     * {@return true for the exit code of a worker that could not boot}: a status, or a crash (SIGABRT, SIGSEGV), not
     * a kill or terminate, which someone sent from outside and which says nothing of the next worker.
     */
    private static boolean bootFailure(int exitCode) {
        return exitCode != 0 && exitCode != -9 && exitCode != -15;
    }

    /** A worker became ready: boot failures before it were passing ones. */
    private synchronized void readied() {
        anyReady = true;
        bootFailures = 0;
    }

    /**
     * {@return true if a worker's failure to boot should break the pool}: at once while no worker of the pool has
     * ever been ready (the same failure awaits every worker), else after three in a row (one may be passing).
     */
    private synchronized boolean bootFailed() {
        return !anyReady || ++bootFailures >= 3;
    }

    /** {@return ": " and the first lines a worker wrote to stderr, or "" if none} */
    private static String said(JvmProcess process) {
        String head = process.errorHead(12);
        return head.isEmpty() ? "" : "; it said:\n" + head;
    }

    private void breakPool(String why, Throwable cause) {
        synchronized (this) {
            if (state == State.BROKEN || state == State.TERMINATED) {
                return;
            }
            brokenBy = cause;
            brokenWhy = why;
            state = State.BROKEN;
            notifyAll(); // a replacement's start waiting to be retried gives up
        }
        BrokenProcessPoolException broken = broken();
        fail(pending, broken);
        for (Worker worker : workers) {
            for (Sent sent : new ArrayList<>(worker.inFlight.values())) {
                if (worker.inFlight.remove(sent.task().id) != null) {
                    sent.task().job.failed(sent.task(), broken);
                }
            }
            kill(worker);
        }
        pending.add(Task.STOP);
    }

    /** Kills a worker's JVM; one that ended and was closed meanwhile (its receiver saw the end) is left alone. */
    private static void kill(Worker worker) {
        try {
            worker.process.kill();
        } catch (IllegalStateException closed) {
            // ended and reaped by its receiver since the caller took it from the set
        }
    }

    private static void fail(LinkedBlockingDeque<Task> tasks, Throwable why) {
        for (Task task; (task = tasks.pollFirst()) != null; ) {
            if (task != Task.STOP) {
                task.job.failed(task, why);
            }
        }
    }

    @Override
    public String toString() {
        return name + "[" + state.name().toLowerCase() + ", " + workers.size() + " workers, " + pending.size()
                + " tasks queued]";
    }
}

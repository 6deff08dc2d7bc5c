package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.pool.Calls;
import io.github.jmultiprocessing.internal.pool.Dispatcher;
import io.github.jmultiprocessing.internal.pool.Job;
import io.github.jmultiprocessing.internal.pool.Link;
import io.github.jmultiprocessing.internal.spawn.ClassLocations;
import io.github.jmultiprocessing.internal.spawn.ExitActions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

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
public final class ProcessPool implements Pool {

    /*
     * Implementation notes. This class is the API (CPython's Pool methods): it checks arguments and shapes results;
     * internal.pool's Calls makes each call a Job of Tasks (a StreamJob for imap and the executor's map), its
     * future, and runs callbacks. Dispatch and supervision are internal.pool's Dispatcher: the queue, the workers (a WorkerLink each: sender
     * and receiver threads, credits, tasks in flight), the pool's state, a worker's end and its replacement, under
     * the Dispatcher's one monitor. The Dispatcher never names this class: it starts workers through a
     * Dispatcher.Starter (startWorker below) and talks to each over a Link, the companion WorkerEnd, which adapts the
     * worker's JvmProcess, the pool's end of its Pipe and its started word (a raw SharedValue written by PoolWorker).
     */

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final int processes;
    private final SerializableRunnable initializer;
    private final int maxTasksPerChild;
    private final Context context;
    private final String name = "ProcessPool-" + POOLS.incrementAndGet();
    /** Dispatch and supervision: the queue, the workers, the pool's state. */
    private final Dispatcher dispatcher;
    /** The calls: tasks, futures, callbacks, the workers' class path check, the executor view's work. */
    private final Calls calls;
    /** The class loader of the code that made the pool: its workers load what it loads. */
    private final ClassLoader creatorLoader = ClassLocations.callerLoader();
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
        this.dispatcher = new Dispatcher(name, maxTasksPerChild, new Dispatcher.Starter() {
            @Override
            public Link start(String workerName) {
                return startWorker(workerName);
            }

            @Override
            public boolean exiting() {
                return JvmProcess.isExiting(); // no worker starts once the JVM exits
            }
        }, RemoteTraceback::attach, System.getLogger(ProcessPool.class.getName()));
        this.calls = new Calls(name, processes, dispatcher);
        JvmProcess.atExit(this, ExitActions.WORK, this::finishExecutorWork);
        JvmProcess.atExit(this, ExitActions.POOLS, this::exit);
        try {
            dispatcher.startWorkers(processes, bootsAtOnce(processes, initializer, context));
        } catch (RuntimeException e) {
            terminate();
            throw e;
        }
    }

    /**
     * {@return how many of the pool's workers may boot at a time}: with the spawn start method, half the CPUs (at
     * least one), the rest starting as those become ready: cold JVMs booting together on few CPUs share them, and
     * the first task waits for the first of them (on 2 CPUs, a pool of 2's first apply took ~250 ms with both
     * booting, ~150 ms one after the other). All at once with an initializer (Python runs them side by side), and
     * with the other start methods (a forkserver's standbys are booted already; threads boot nothing).
     */
    static int bootsAtOnce(int processes, SerializableRunnable initializer, Context context) {
        String method = context != null ? context.getStartMethod() : Context.defaultMethod(false);
        if (initializer != null || !"spawn".equals(method)) {
            return processes;
        }
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
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
        return calls.call(task, shape);
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
        return new AsyncResult<>(calls.withCallbacks(result.future(), callback, errorCallback));
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
        return new AsyncResult<>((CompletableFuture<List<R>>) (CompletableFuture<?>) calls.map(function, items,
                chunksize));
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
        return (IMapIterator<R>) (IMapIterator<?>) calls.stream(function, items, chunksize, ordered, timeout);
    }

    private static <V> V await(AsyncResult<V> result) throws InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw Job.rethrown(e.getCause());
        }
    }

    // ---- life cycle

    /**
     * Stops taking calls; the workers finish what is queued, then exit (Python's {@code close()}; named as
     * {@link java.util.concurrent.ExecutorService#shutdown()}, since {@link #close()} is try-with-resources').
     */
    public void shutdown() {
        dispatcher.shutdown();
    }


    /**
     * Stops the workers now (Python's {@code terminate()}): outstanding calls are cancelled (their results'
     * {@code get} throws {@link CancellationException}) by the time this returns.
     */
    public void terminate() {
        dispatcher.terminate();
        ExitActions.cancel(this);
    }

    /**
     * At JVM exit, first of all (while workers may still be started: one that retires or dies is replaced): the
     * work given to {@link #asExecutorService()} finishes, as Python's {@code ProcessPoolExecutor} runs its
     * submitted work at exit; unless it cannot ({@link JvmProcess#workCanFinishAtExit}: a signal, or
     * {@code System.exit} from a thread the work depends on).
     */
    private void finishExecutorWork() {
        if (calls.hasExecutorWork() && JvmProcess.workCanFinishAtExit()) {
            calls.finishExecutorWork();
        }
    }

    private void exit() {
        terminate();
        dispatcher.awaitWorkersAtExit();
        calls.shutdownCallbacks();
    }

    /** Tracks a future of the executor view: it completes before the JVM exits. */
    <T> java.util.concurrent.CompletableFuture<T> executorWork(java.util.concurrent.CompletableFuture<T> work) {
        return calls.executorWork(work);
    }

    /**
     * Waits for the workers to exit (Python's {@code join()}), after {@link #shutdown()} or {@link #terminate()}.
     *
     * @throws IllegalStateException if the pool is still running
     * @throws InterruptedException  if interrupted while waiting
     */
    public void join() throws InterruptedException {
        dispatcher.join();
        calls.shutdownCallbacks(); // after the last results: their callbacks still run
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
        if (!dispatcher.join(timeout)) {
            return false;
        }
        calls.shutdownCallbacks();
        return true;
    }

    /** {@return true once {@link #shutdown()} or {@link #terminate()} was called, or the pool broke} */
    public boolean isShutdown() {
        return dispatcher.isShutdown();
    }

    /** {@return true once the pool is shut down and every worker has exited} */
    public boolean isTerminated() {
        return dispatcher.isTerminated();
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

    /** Starts a worker JVM running the worker loop at the other end of a fresh pipe: {@link Dispatcher.Starter}. */
    private Link startWorker(String workerName) {
        WorkerEnd end = WorkerEnd.start(workerName, initializer, maxTasksPerChild, context, creatorLoader);
        calls.workersStarted(end.classPath()); // null for the thread start method: nothing to check
        return end;
    }

    @Override
    public String toString() {
        return dispatcher.toString();
    }
}

package io.github.jmultiprocessing;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * A pool of workers that run tasks (Python's {@code multiprocessing.pool.Pool}): the type both pools share, so that
 * a program moves from local worker JVMs to a cluster by changing the line that makes its pool.
 *
 * <ul>
 *   <li>{@link ProcessPool}: worker JVMs on this machine, fed through shared memory;</li>
 *   <li>{@code ClusterPool} (artifact {@code jmultiprocessing-ignite}): the server nodes of an Apache Ignite
 *       cluster.</li>
 * </ul>
 *
 * <pre>{@code
 * static List<Long> cubes(Pool pool) throws InterruptedException {
 *     return pool.map(x -> x * x * x, List.of(1L, 2L, 3L));
 * }
 * try (Pool pool = new ProcessPool(4)) {        // or: new ClusterPool(cluster.ignite())
 *     System.out.println(cubes(pool));
 * }
 * }</pre>
 *
 * <p>Tasks and functions travel to the workers serialized (a lambda whose target is a {@code Serializable*}
 * interface is). {@code map} splits its items into chunks, by default Python's rule (four chunks per worker); the
 * results come back in the items' order. A task's own exception is rethrown to the caller (by {@code apply} and
 * {@code map}) or is the cause of the {@link java.util.concurrent.ExecutionException} of its {@link AsyncResult}; a
 * task whose worker was lost and that no other worker can take fails with {@link WorkerLostException}. Callbacks run
 * on one thread of the pool's, one at a time, in the order results complete.
 *
 * <p>Memory consistency effects: actions in a thread before it gives a task to the pool happen-before the task
 * runs, and the task's actions happen-before its result is returned or its callback runs.
 */
public interface Pool extends AutoCloseable {

    /**
     * Runs a task in a worker and waits for its result (Python's {@code apply}).
     *
     * @param task the task
     * @param <V>  its result type
     * @return its result
     * @throws InterruptedException  if interrupted while waiting (the task goes on)
     * @throws IllegalStateException if the pool does not take calls any more
     * @throws WorkerLostException   if the worker running it was lost
     * @throws RuntimeException      the task's own exception; a checked one wrapped in a
     *                               {@link java.util.concurrent.CompletionException}
     */
    <V> V apply(SerializableCallable<V> task) throws InterruptedException;

    /**
     * Runs a task in a worker (Python's {@code apply_async}).
     *
     * @param task the task
     * @param <V>  its result type
     * @return its result, to come
     * @throws IllegalStateException if the pool does not take calls any more
     */
    <V> AsyncResult<V> applyAsync(SerializableCallable<V> task);

    /**
     * Runs a task in a worker, then its callback with the result, or its error callback with the exception.
     *
     * @param task          the task
     * @param callback      runs with the result, or null
     * @param errorCallback runs with the exception, or null
     * @param <V>           its result type
     * @return its result, to come
     * @throws IllegalStateException if the pool does not take calls any more
     */
    <V> AsyncResult<V> applyAsync(SerializableCallable<V> task, Consumer<? super V> callback,
            Consumer<? super Throwable> errorCallback);

    /**
     * Applies a function to every item in workers (Python's {@code map}), in chunks of the default size.
     *
     * @param function the function
     * @param items    the items
     * @param <T>      their type
     * @param <R>      the results' type
     * @return the results, in the items' order
     * @throws InterruptedException  if interrupted while waiting
     * @throws IllegalStateException if the pool does not take calls any more
     * @throws RuntimeException      the first failing chunk's exception, or {@link WorkerLostException}
     */
    <T, R> List<R> map(SerializableFunction<T, R> function, Iterable<? extends T> items) throws InterruptedException;

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
     * @throws IllegalStateException    if the pool does not take calls any more
     * @throws RuntimeException         the first failing chunk's exception, or {@link WorkerLostException}
     */
    <T, R> List<R> map(SerializableFunction<T, R> function, Iterable<? extends T> items, int chunksize)
            throws InterruptedException;

    /**
     * {@link #map(SerializableFunction, Iterable)} while the caller goes on (Python's {@code map_async}).
     *
     * @param function the function
     * @param items    the items
     * @param <T>      their type
     * @param <R>      the results' type
     * @return the results, to come
     * @throws IllegalStateException if the pool does not take calls any more
     */
    <T, R> AsyncResult<List<R>> mapAsync(SerializableFunction<T, R> function, Iterable<? extends T> items);

    /**
     * {@link #map(SerializableFunction, Iterable, int)} while the caller goes on.
     *
     * @param function  the function
     * @param items     the items
     * @param chunksize items per task, 0 for Python's default rule
     * @param <T>       their type
     * @param <R>       the results' type
     * @return the results, to come
     * @throws IllegalArgumentException if chunksize is negative
     * @throws IllegalStateException    if the pool does not take calls any more
     */
    <T, R> AsyncResult<List<R>> mapAsync(SerializableFunction<T, R> function, Iterable<? extends T> items,
            int chunksize);

    /**
     * {@link #mapAsync(SerializableFunction, Iterable, int)} with callbacks.
     *
     * @param function      the function
     * @param items         the items
     * @param chunksize     items per task, 0 for Python's default rule
     * @param callback      runs with the results, or null
     * @param errorCallback runs with the first exception, or null
     * @param <T>           their type
     * @param <R>           the results' type
     * @return the results, to come
     * @throws IllegalArgumentException if chunksize is negative
     * @throws IllegalStateException    if the pool does not take calls any more
     */
    <T, R> AsyncResult<List<R>> mapAsync(SerializableFunction<T, R> function, Iterable<? extends T> items,
            int chunksize, Consumer<? super List<R>> callback, Consumer<? super Throwable> errorCallback);

    /**
     * Applies a function to every tuple of arguments (Python's {@code starmap}), in chunks of the default size.
     *
     * @param function the function, of one tuple
     * @param tuples   the tuples
     * @param <R>      the results' type
     * @return the results, in the tuples' order
     * @throws InterruptedException  if interrupted while waiting
     * @throws IllegalStateException if the pool does not take calls any more
     */
    <R> List<R> starmap(SerializableFunction<Object[], R> function, Iterable<Object[]> tuples)
            throws InterruptedException;

    /**
     * Applies a function to every tuple of arguments, {@code chunksize} tuples per task.
     *
     * @param function  the function, of one tuple
     * @param tuples    the tuples
     * @param chunksize tuples per task, 0 for Python's default rule
     * @param <R>       the results' type
     * @return the results, in the tuples' order
     * @throws InterruptedException     if interrupted while waiting
     * @throws IllegalArgumentException if chunksize is negative
     * @throws IllegalStateException    if the pool does not take calls any more
     */
    <R> List<R> starmap(SerializableFunction<Object[], R> function, Iterable<Object[]> tuples, int chunksize)
            throws InterruptedException;

    /**
     * {@link #starmap(SerializableFunction, Iterable)} while the caller goes on (Python's {@code starmap_async}).
     *
     * @param function the function, of one tuple
     * @param tuples   the tuples
     * @param <R>      the results' type
     * @return the results, to come
     * @throws IllegalStateException if the pool does not take calls any more
     */
    <R> AsyncResult<List<R>> starmapAsync(SerializableFunction<Object[], R> function, Iterable<Object[]> tuples);

    /**
     * {@link #starmap(SerializableFunction, Iterable, int)} while the caller goes on.
     *
     * @param function  the function, of one tuple
     * @param tuples    the tuples
     * @param chunksize tuples per task, 0 for Python's default rule
     * @param <R>       the results' type
     * @return the results, to come
     * @throws IllegalArgumentException if chunksize is negative
     * @throws IllegalStateException    if the pool does not take calls any more
     */
    <R> AsyncResult<List<R>> starmapAsync(SerializableFunction<Object[], R> function, Iterable<Object[]> tuples,
            int chunksize);

    /**
     * {@link #starmapAsync(SerializableFunction, Iterable, int)} with callbacks.
     *
     * @param function      the function, of one tuple
     * @param tuples        the tuples
     * @param chunksize     tuples per task, 0 for Python's default rule
     * @param callback      runs with the results, or null
     * @param errorCallback runs with the first exception, or null
     * @param <R>           the results' type
     * @return the results, to come
     * @throws IllegalArgumentException if chunksize is negative
     * @throws IllegalStateException    if the pool does not take calls any more
     */
    <R> AsyncResult<List<R>> starmapAsync(SerializableFunction<Object[], R> function, Iterable<Object[]> tuples,
            int chunksize, Consumer<? super List<R>> callback, Consumer<? super Throwable> errorCallback);

    /**
     * Applies a function to every item lazily (Python's {@code imap}): items are read and sent as workers take
     * them, a bounded number ahead, and results come back in the items' order. Chunks of one item.
     *
     * @param function the function
     * @param items    the items, read as the iteration goes
     * @param <T>      their type
     * @param <R>      the results' type
     * @return the results, in the items' order, each as it is ready
     * @throws IllegalStateException if the pool does not take calls any more
     */
    <T, R> IMapIterator<R> imap(SerializableFunction<T, R> function, Iterable<? extends T> items);

    /**
     * {@link #imap(SerializableFunction, Iterable)} with {@code chunksize} items per task.
     *
     * @param function  the function
     * @param items     the items, read as the iteration goes
     * @param chunksize items per task, at least 1
     * @param <T>       their type
     * @param <R>       the results' type
     * @return the results, in the items' order, each as it is ready
     * @throws IllegalArgumentException if chunksize is less than 1
     * @throws IllegalStateException    if the pool does not take calls any more
     */
    <T, R> IMapIterator<R> imap(SerializableFunction<T, R> function, Iterable<? extends T> items, int chunksize);

    /**
     * {@link #imap(SerializableFunction, Iterable)} with results in the order they complete (Python's
     * {@code imap_unordered}).
     *
     * @param function the function
     * @param items    the items, read as the iteration goes
     * @param <T>      their type
     * @param <R>      the results' type
     * @return the results, as they complete
     * @throws IllegalStateException if the pool does not take calls any more
     */
    <T, R> IMapIterator<R> imapUnordered(SerializableFunction<T, R> function, Iterable<? extends T> items);

    /**
     * {@link #imapUnordered(SerializableFunction, Iterable)} with {@code chunksize} items per task.
     *
     * @param function  the function
     * @param items     the items, read as the iteration goes
     * @param chunksize items per task, at least 1
     * @param <T>       their type
     * @param <R>       the results' type
     * @return the results, as they complete
     * @throws IllegalArgumentException if chunksize is less than 1
     * @throws IllegalStateException    if the pool does not take calls any more
     */
    <T, R> IMapIterator<R> imapUnordered(SerializableFunction<T, R> function, Iterable<? extends T> items,
            int chunksize);

    /**
     * {@return this pool as an {@link java.util.concurrent.ExecutorService}} (Python's
     * {@code concurrent.futures.ProcessPoolExecutor}): its futures are {@link java.util.concurrent.CompletableFuture}s,
     * its tasks must be serializable (a lambda given straight to the {@code submit} of the pool's own executor type
     * is; through this interface's {@code ExecutorService} type, cast it: {@code (SerializableCallable<T>) () -> ...}),
     * and its {@code shutdown} and
     * {@code shutdownNow} are this pool's {@link #shutdown()} and {@link #terminate()}.
     */
    java.util.concurrent.ExecutorService asExecutorService();

    /**
     * Stops taking calls; what was given finishes (Python's {@code close()}; named as
     * {@link java.util.concurrent.ExecutorService#shutdown()}, since {@link #close()} is try-with-resources').
     */
    void shutdown();

    /** Stops now (Python's {@code terminate()}): outstanding calls are cancelled by the time this returns. */
    void terminate();

    /**
     * Waits until the pool's work is over (Python's {@code join()}), after {@link #shutdown()} or
     * {@link #terminate()}.
     *
     * @throws IllegalStateException if the pool still takes calls
     * @throws InterruptedException  if interrupted while waiting
     */
    void join() throws InterruptedException;

    /**
     * Waits at most {@code timeout} until the pool's work is over, after {@link #shutdown()} or
     * {@link #terminate()}.
     *
     * @param timeout the longest wait
     * @return true if it is over
     * @throws IllegalStateException if the pool still takes calls
     * @throws InterruptedException  if interrupted while waiting
     */
    boolean join(Duration timeout) throws InterruptedException;

    /** {@return true once {@link #shutdown()} or {@link #terminate()} was called, or the pool broke} */
    boolean isShutdown();

    /** {@return true once the pool is shut down and its work is over} */
    boolean isTerminated();

    /** Terminates the pool and waits for it, as Python's {@code with Pool() as p:} does on exit. */
    @Override
    void close();
}

package io.github.jmultiprocessing.ignite;

import io.github.jmultiprocessing.AsyncResult;
import io.github.jmultiprocessing.IMapIterator;
import io.github.jmultiprocessing.Pool;
import io.github.jmultiprocessing.SerializableCallable;
import io.github.jmultiprocessing.SerializableFunction;
import io.github.jmultiprocessing.WorkerLostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCheckedException;
import org.apache.ignite.IgniteClientDisconnectedException;
import org.apache.ignite.IgniteCompute;
import org.apache.ignite.IgniteException;
import org.apache.ignite.cluster.ClusterTopologyException;
import org.apache.ignite.internal.IgniteClientDisconnectedCheckedException;
import org.apache.ignite.lang.IgniteCallable;
import org.apache.ignite.lang.IgniteFuture;
import org.apache.ignite.lang.IgniteFutureCancelledException;

/**
 * A {@link Pool} whose workers are the server nodes of an Ignite cluster: the pool's API as
 * {@link io.github.jmultiprocessing.ProcessPool}'s, each task, or chunk of a map, an Ignite compute job. A job whose
 * node leaves the cluster runs again on another (Ignite's failover); with no server node left, the call fails with
 * {@link WorkerLostException}.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.start(2);
 *      Pool pool = new ClusterPool(cluster.ignite())) {        // was: new ProcessPool(2)
 *     List<Long> cubes = pool.map(x -> x * x * x, List.of(1L, 2L, 3L));
 * }
 * }</pre>
 *
 * <p>Tasks and functions travel serialized (a serializable lambda or class): their classes must be on the nodes'
 * class path or reach them by Ignite's peer class loading, which {@link LocalCluster} turns on. The nodes belong to
 * the cluster, not to the pool: {@link #shutdown()}, {@link #terminate()} and {@link #join()} concern the pool's own
 * calls ({@code terminate} cancels its outstanding Ignite tasks), and {@link #close()} leaves the cluster running.
 * {@link AsyncResult#cancel} cancels the call's Ignite task: its jobs not started never run, running ones are asked
 * to stop. Callbacks run one at a time on a thread of the pool's, before the result is ready, as Python's.
 */
public final class ClusterPool implements Pool {

    private static final AtomicInteger POOLS = new AtomicInteger();
    private static final int RUNNING = 0;
    private static final int SHUT_DOWN = 1;
    private static final int TERMINATED = 2;

    private final Ignite ignite;
    private final String name;
    private final ExecutorService callbacks;
    private final Set<CompletableFuture<?>> outstanding = ConcurrentHashMap.newKeySet(); // the callers' futures
    private volatile int state = RUNNING; // written under this
    private int entering; // calls past their state check whose future is not tracked yet: guarded by this
    private volatile Thread callbackThread;
    private volatile ClusterExecutor executor;

    /**
     * Makes a pool over the server nodes of the cluster this node (a client, typically) belongs to.
     *
     * @param ignite a started node of the cluster
     */
    public ClusterPool(Ignite ignite) {
        this.ignite = Objects.requireNonNull(ignite, "ignite");
        this.name = "jmultiprocessing-ClusterPool-" + POOLS.incrementAndGet();
        this.callbacks = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, name + " callbacks");
            thread.setDaemon(true);
            callbackThread = thread;
            return thread;
        });
    }

    /**
     * {@return the number of server nodes now: the pool's workers}
     *
     * @throws WorkerLostException if this node lost the cluster
     */
    public int workers() {
        return rethrown(() -> ignite.cluster().forServers().nodes().size());
    }

    private void checkRunning() {
        if (state != RUNNING) {
            throw new IllegalStateException("the pool is " + (state == SHUT_DOWN ? "shut down" : "terminated")
                    + " (expected a running pool)");
        }
    }

    /**
     * Runs a call's submission and tracks the future its caller gets, so that {@link #join} waits for it and
     * {@link #terminate} cancels it. The state check and the count of calls being made are one step under this
     * lock, which {@code shutdown} and {@code terminate} take: no call slips past a {@code join} that saw none.
     *
     * @param whileOpen true for a chunk of a stream (allowed until terminate), false for a call (until shutdown)
     */
    private <V> CompletableFuture<V> call(boolean whileOpen, Supplier<CompletableFuture<V>> submission) {
        synchronized (this) {
            if (whileOpen ? state == TERMINATED : state != RUNNING) {
                checkRunning();
                throw new IllegalStateException("the pool is terminated (expected a running pool)");
            }
            entering++;
        }
        CompletableFuture<V> future = null;
        try {
            future = submission.get();
            return future;
        } finally {
            if (future != null) {
                CompletableFuture<V> tracked = future;
                outstanding.add(tracked);
                tracked.whenComplete((value, failure) -> outstanding.remove(tracked));
            }
            synchronized (this) {
                entering--;
                notifyAll();
            }
        }
    }

    private IgniteCompute compute() {
        return ignite.compute(ignite.cluster().forServers());
    }

    // ---- apply

    @Override
    public <V> V apply(SerializableCallable<V> task) throws InterruptedException {
        return await(applyAsync(task));
    }

    @Override
    public <V> AsyncResult<V> applyAsync(SerializableCallable<V> task) {
        Objects.requireNonNull(task, "task");
        return AsyncResult.of(call(false, () -> applyFuture(task)));
    }

    @Override
    public <V> AsyncResult<V> applyAsync(SerializableCallable<V> task, Consumer<? super V> callback,
            Consumer<? super Throwable> errorCallback) {
        Objects.requireNonNull(task, "task");
        return AsyncResult.of(call(false, () -> withCallbacks(applyFuture(task), callback, errorCallback)));
    }

    /** {@return the task's result, to come, tracked as a call's} For the executor view. */
    <V> CompletableFuture<V> submitTask(SerializableCallable<V> task) {
        return call(false, () -> applyFuture(task));
    }

    /**
     * {@return this pool as an {@link java.util.concurrent.ExecutorService}} Its futures are
     * {@link CompletableFuture}s; tasks must be serializable (a lambda given to its {@code submit} is). See
     * {@link ClusterExecutor}.
     */
    @Override
    public ClusterExecutor asExecutorService() {
        ClusterExecutor view = executor;
        if (view == null) {
            synchronized (this) {
                view = executor;
                if (view == null) {
                    view = new ClusterExecutor(this);
                    executor = view;
                }
            }
        }
        return view;
    }

    private <V> CompletableFuture<V> applyFuture(SerializableCallable<V> task) {
        return derived(submit(List.of(new CallJob<>(task))), results -> results.iterator().next());
    }

    // ---- map and starmap

    @Override
    public <T, R> List<R> map(SerializableFunction<T, R> function, Iterable<? extends T> items)
            throws InterruptedException {
        return map(function, items, 0);
    }

    @Override
    public <T, R> List<R> map(SerializableFunction<T, R> function, Iterable<? extends T> items, int chunksize)
            throws InterruptedException {
        return await(mapAsync(function, items, chunksize));
    }

    @Override
    public <T, R> AsyncResult<List<R>> mapAsync(SerializableFunction<T, R> function, Iterable<? extends T> items) {
        return mapAsync(function, items, 0);
    }

    @Override
    public <T, R> AsyncResult<List<R>> mapAsync(SerializableFunction<T, R> function, Iterable<? extends T> items,
            int chunksize) {
        return AsyncResult.of(call(false, () -> mapFuture(function, items, chunksize)));
    }

    @Override
    public <T, R> AsyncResult<List<R>> mapAsync(SerializableFunction<T, R> function, Iterable<? extends T> items,
            int chunksize, Consumer<? super List<R>> callback, Consumer<? super Throwable> errorCallback) {
        return AsyncResult.of(call(false,
                () -> withCallbacks(mapFuture(function, items, chunksize), callback, errorCallback)));
    }

    @Override
    public <R> List<R> starmap(SerializableFunction<Object[], R> function, Iterable<Object[]> tuples)
            throws InterruptedException {
        return map(function, tuples, 0);
    }

    @Override
    public <R> List<R> starmap(SerializableFunction<Object[], R> function, Iterable<Object[]> tuples, int chunksize)
            throws InterruptedException {
        return map(function, tuples, chunksize);
    }

    @Override
    public <R> AsyncResult<List<R>> starmapAsync(SerializableFunction<Object[], R> function,
            Iterable<Object[]> tuples) {
        return mapAsync(function, tuples, 0);
    }

    @Override
    public <R> AsyncResult<List<R>> starmapAsync(SerializableFunction<Object[], R> function,
            Iterable<Object[]> tuples, int chunksize) {
        return mapAsync(function, tuples, chunksize);
    }

    @Override
    public <R> AsyncResult<List<R>> starmapAsync(SerializableFunction<Object[], R> function,
            Iterable<Object[]> tuples, int chunksize, Consumer<? super List<R>> callback,
            Consumer<? super Throwable> errorCallback) {
        return mapAsync(function, tuples, chunksize, callback, errorCallback);
    }

    private <T, R> CompletableFuture<List<R>> mapFuture(SerializableFunction<T, R> function,
            Iterable<? extends T> items, int chunksize) {
        Objects.requireNonNull(function, "function");
        if (chunksize < 0) {
            throw new IllegalArgumentException("chunksize=" + chunksize + " (expected >= 1, or 0 for the default)");
        }
        List<T> all = new ArrayList<>();
        items.forEach(all::add); // as Python's list(iterable), at the call
        if (all.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        if (chunksize == 0) { // Python's rule: four chunks per worker
            int per = Math.max(1, workersOrNone()) * 4;
            chunksize = Math.max(1, all.size() / per + (all.size() % per == 0 ? 0 : 1));
        }
        List<ChunkJob<T, R>> jobs = new ArrayList<>();
        for (int from = 0; from < all.size(); from += chunksize) {
            jobs.add(new ChunkJob<>(jobs.size(), function,
                    new ArrayList<>(all.subList(from, Math.min(all.size(), from + chunksize)))));
        }
        int size = all.size();
        // One Ignite task of one job per chunk: the load balancer spreads them; they come back as they finish.
        return derived(submit(jobs), chunks -> {
            List<List<R>> ordered = new ArrayList<>(Collections.nCopies(jobs.size(), null));
            for (Chunk<R> chunk : chunks) {
                ordered.set(chunk.index, chunk.results);
            }
            List<R> results = new ArrayList<>(size);
            ordered.forEach(results::addAll);
            return results;
        });
    }

    /** {@return the server nodes now, 0 if this node lost the cluster (the call then fails as it is submitted)} */
    private int workersOrNone() {
        try {
            return workers();
        } catch (WorkerLostException e) {
            return 0;
        }
    }

    // ---- imap

    @Override
    public <T, R> IMapIterator<R> imap(SerializableFunction<T, R> function, Iterable<? extends T> items) {
        return imap(function, items, 1);
    }

    @Override
    public <T, R> IMapIterator<R> imap(SerializableFunction<T, R> function, Iterable<? extends T> items,
            int chunksize) {
        return stream(function, items, chunksize, true);
    }

    @Override
    public <T, R> IMapIterator<R> imapUnordered(SerializableFunction<T, R> function, Iterable<? extends T> items) {
        return imapUnordered(function, items, 1);
    }

    @Override
    public <T, R> IMapIterator<R> imapUnordered(SerializableFunction<T, R> function, Iterable<? extends T> items,
            int chunksize) {
        return stream(function, items, chunksize, false);
    }

    private <T, R> IMapIterator<R> stream(SerializableFunction<T, R> function, Iterable<? extends T> items,
            int chunksize, boolean ordered) {
        Objects.requireNonNull(function, "function");
        if (chunksize < 1) {
            throw new IllegalArgumentException("chunksize=" + chunksize + " (expected >= 1)");
        }
        checkRunning();
        int window = 2 * Math.max(1, workersOrNone()) * 4; // chunks in flight: enough to keep every node's jobs busy
        // After shutdown() the stream goes on (what was given finishes) as its consumer reads the items; only
        // terminate() ends it. join() waits for the chunks submitted by then, not for items not read yet.
        ClusterStream.Submitter<T, R> submitter = (index, chunk) -> call(true, () -> {
            List<ChunkJob<T, R>> job = List.of(new ChunkJob<>(index, function, chunk));
            return derived(submit(job), results -> results.iterator().next().results);
        });
        return new ClusterStream<T, R>(items.iterator(), chunksize, ordered, window, submitter);
    }

    // ---- submission

    /**
     * Submits one Ignite task of these jobs: {@return its results as the jobs finish, in no order} A failure
     * completes it with the pool's exception ({@link #failure}); cancelling it cancels the task.
     */
    private <V> CompletableFuture<Collection<V>> submit(List<? extends IgniteCallable<V>> jobs) {
        IgniteTask<V> task = new IgniteTask<>();
        try {
            task.started(compute().callAsync(jobs));
        } catch (IgniteException e) {
            task.completeExceptionally(failure(e));
        } catch (RuntimeException e) {
            task.completeExceptionally(e);
        }
        return task;
    }

    /** An Ignite task's results as a {@link CompletableFuture}: cancelling it cancels the task. */
    private static final class IgniteTask<V> extends CompletableFuture<Collection<V>> {
        private volatile IgniteFuture<Collection<V>> running;

        void started(IgniteFuture<Collection<V>> future) {
            running = future;
            if (isCancelled()) {
                future.cancel();
            }
            future.listen(done -> {
                try {
                    complete(done.get());
                } catch (IgniteFutureCancelledException e) {
                    cancel(false);
                } catch (IgniteException e) {
                    completeExceptionally(failure(e));
                } catch (RuntimeException | Error e) {
                    completeExceptionally(e);
                }
            });
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            IgniteFuture<Collection<V>> future = running;
            if (cancelled && future != null) {
                try {
                    future.cancel();
                } catch (IgniteException e) {
                    // the task ended meanwhile
                }
            }
            return cancelled;
        }
    }

    /** {@return a future of {@code shape} applied to the source's value; cancelling it cancels the source} */
    private static <A, B> CompletableFuture<B> derived(CompletableFuture<A> source, Function<A, B> shape) {
        CompletableFuture<B> result = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                source.cancel(mayInterruptIfRunning);
                return super.cancel(mayInterruptIfRunning);
            }
        };
        source.whenComplete((value, failure) -> {
            if (failure == null) {
                try {
                    result.complete(shape.apply(value));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            } else {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                if (cause instanceof CancellationException) {
                    result.cancel(false);
                } else {
                    result.completeExceptionally(cause);
                }
            }
        });
        return result;
    }

    /**
     * {@return a future completed as {@code result} is, after the callback for it ran on the callback thread} An
     * exception a callback throws is printed, as in Python.
     */
    private <V> CompletableFuture<V> withCallbacks(CompletableFuture<V> result, Consumer<? super V> callback,
            Consumer<? super Throwable> errorCallback) {
        CompletableFuture<V> ready = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                result.cancel(mayInterruptIfRunning);
                return super.cancel(mayInterruptIfRunning);
            }
        };
        result.whenCompleteAsync((value, failure) -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            try {
                if (cause == null && callback != null) {
                    callback.accept(value);
                } else if (cause != null && errorCallback != null) {
                    errorCallback.accept(cause);
                }
            } catch (RuntimeException | Error e) {
                System.getLogger(ClusterPool.class.getName()).log(System.Logger.Level.WARNING,
                        name + ": a callback threw", e);
            } finally {
                if (cause == null) {
                    ready.complete(value);
                } else if (cause instanceof CancellationException) {
                    ready.cancel(false);
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

    // ---- exceptions

    /** {@return the pool's exception for an Ignite failure: the task's own, or WorkerLostException} */
    static Throwable failure(IgniteException e) {
        Throwable cause = e;
        while (cause instanceof IgniteException && !lost(cause) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (lost(cause) || cause instanceof IgniteCheckedException && lost(cause.getCause())) {
            WorkerLostException lostException = new WorkerLostException("no server node of the cluster is left to"
                    + " run the task (" + cause.getMessage() + ")");
            lostException.initCause(e);
            return lostException;
        }
        return cause instanceof IgniteCheckedException && cause.getCause() != null ? cause.getCause() : cause;
    }

    /** {@return true if the exception says that no node is left to run a job, or that this client lost them} */
    private static boolean lost(Throwable e) {
        return e instanceof ClusterTopologyException // also ClusterGroupEmptyException
                || e instanceof IgniteClientDisconnectedException
                || e instanceof IgniteClientDisconnectedCheckedException;
    }

    private static <V> V rethrown(Supplier<V> call) {
        try {
            return call.get();
        } catch (IgniteException e) {
            throw unchecked(failure(e));
        }
    }

    /** {@return a task's exception to rethrow: itself if unchecked, else wrapped in a CompletionException} */
    static RuntimeException unchecked(Throwable cause) {
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new CompletionException(cause);
    }

    private static <V> V await(AsyncResult<V> result) throws InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw unchecked(e.getCause());
        }
    }

    // ---- life cycle

    @Override
    public void shutdown() {
        synchronized (this) {
            if (state == RUNNING) {
                state = SHUT_DOWN;
            }
        }
    }

    /**
     * {@inheritDoc} The pool's Ignite tasks are cancelled: their jobs not started never run, and running ones are
     * interrupted; a job that does not stop when interrupted runs on to its end on its node (a node is the cluster's,
     * not the pool's: it is not killed), after this pool's {@code join} has returned.
     */
    @Override
    public void terminate() {
        synchronized (this) {
            state = TERMINATED;
        }
        for (CompletableFuture<?> call : List.copyOf(outstanding)) {
            call.cancel(false);
        }
    }

    /**
     * {@inheritDoc} It waits for the calls made before {@code shutdown}, their callbacks included, and for the
     * chunks an {@code imap} submitted by then (items of an {@code imap} its consumer has not read yet are not
     * waited for).
     *
     * @throws IllegalStateException also if called from a callback (it would wait for itself)
     */
    @Override
    public void join() throws InterruptedException {
        join(null);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException also if called from a callback (it would wait for itself)
     */
    @Override
    public boolean join(Duration timeout) throws InterruptedException {
        if (state == RUNNING) {
            throw new IllegalStateException("the pool is running (expected shutdown() or terminate() before join())");
        }
        if (Thread.currentThread() == callbackThread) {
            throw new IllegalStateException("join() from a callback of this pool would wait for itself");
        }
        long deadline = System.nanoTime() + nanos(timeout); // compared by subtraction: an overflow is harmless
        synchronized (this) {
            while (entering > 0) {
                long left = deadline - System.nanoTime();
                if (timeout != null && left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, timeout == null ? TimeUnit.SECONDS.toNanos(1) : left);
            }
        }
        for (CompletableFuture<?> call : List.copyOf(outstanding)) {
            try {
                if (timeout == null) {
                    call.get();
                } else {
                    call.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
            } catch (ExecutionException | CancellationException e) {
                // over all the same
            } catch (TimeoutException e) {
                return false;
            }
        }
        callbacks.shutdown(); // every call's future completes after its callback ran: none is left to run
        return true;
    }

    /** {@return the nanoseconds of a timeout: negative as 0, one too large for a long as Long.MAX_VALUE} */
    static long nanos(Duration timeout) {
        if (timeout == null) {
            return Long.MAX_VALUE;
        }
        if (timeout.isNegative()) {
            return 0;
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public boolean isShutdown() {
        return state != RUNNING;
    }

    @Override
    public boolean isTerminated() {
        synchronized (this) {
            return state != RUNNING && entering == 0 && outstanding.isEmpty();
        }
    }

    /** Terminates the pool's calls and waits for them; the cluster goes on. */
    @Override
    public void close() {
        terminate();
        try {
            join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + "[" + (state == RUNNING ? "running" : state == SHUT_DOWN ? "shut down" : "terminated")
                + ", outstanding calls=" + outstanding.size() + "]";
    }

    // ---- jobs

    /**
     * A task as an Ignite job (a class, not a record: Ignite 2's marshaller cannot set a record's fields).
     *
     * @param <V> the result's type
     */
    private static final class CallJob<V> implements IgniteCallable<V> {
        private static final long serialVersionUID = 1L;
        private final SerializableCallable<V> task;

        CallJob(SerializableCallable<V> task) {
            this.task = task;
        }

        @Override
        public V call() throws Exception {
            return task.call();
        }
    }

    /**
     * A chunk of a map as an Ignite job: the function applied to each item, in order.
     *
     * @param <T> the items' type
     * @param <R> the results' type
     */
    private static final class ChunkJob<T, R> implements IgniteCallable<Chunk<R>> {
        private static final long serialVersionUID = 1L;
        private final int index;
        private final SerializableFunction<T, R> function;
        private final List<T> items;

        ChunkJob(int index, SerializableFunction<T, R> function, List<T> items) {
            this.index = index;
            this.function = function;
            this.items = items;
        }

        @Override
        public Chunk<R> call() {
            List<R> results = new ArrayList<>(items.size());
            for (T item : items) {
                results.add(function.apply(item));
            }
            return new Chunk<>(index, results);
        }
    }

    /**
     * A chunk's results and its place in the call.
     *
     * @param <R> the results' type
     */
    private static final class Chunk<R> implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final int index;
        private final List<R> results;

        Chunk(int index, List<R> results) {
            this.index = index;
            this.results = results;
        }
    }
}

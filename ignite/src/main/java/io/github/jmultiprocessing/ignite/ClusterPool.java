package io.github.jmultiprocessing.ignite;

import io.github.jmultiprocessing.SerializableCallable;
import io.github.jmultiprocessing.SerializableFunction;
import io.github.jmultiprocessing.WorkerLostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCompute;
import org.apache.ignite.IgniteCheckedException;
import org.apache.ignite.IgniteClientDisconnectedException;
import org.apache.ignite.IgniteException;
import org.apache.ignite.internal.IgniteClientDisconnectedCheckedException;
import org.apache.ignite.cluster.ClusterTopologyException;
import org.apache.ignite.lang.IgniteCallable;

/**
 * A pool whose workers are the server nodes of an Ignite cluster: {@code apply} and {@code map} as
 * {@link io.github.jmultiprocessing.ProcessPool}'s, each task or chunk an Ignite compute job. A job whose node leaves
 * the cluster runs again on another (Ignite's failover); with no server node left, the call fails with
 * {@link WorkerLostException}.
 *
 * <p>Tasks and functions travel as serialized objects (a serializable lambda or class): their classes must be on
 * the nodes' class path or reach them by Ignite's peer class loading, which {@link LocalCluster} turns on.
 */
public final class ClusterPool implements AutoCloseable {

    private final Ignite ignite;
    private volatile boolean closed;

    /**
     * Makes a pool over the server nodes of the cluster this node (a client, typically) belongs to.
     *
     * @param ignite a started node of the cluster
     */
    public ClusterPool(Ignite ignite) {
        this.ignite = java.util.Objects.requireNonNull(ignite, "ignite");
    }

    /** {@return the number of server nodes now: the pool's workers} */
    public int workers() {
        return get(() -> ignite.cluster().forServers().nodes().size());
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the pool is closed");
        }
    }

    private IgniteCompute compute() {
        return ignite.compute(ignite.cluster().forServers());
    }

    /**
     * Runs a task on a node and waits for its result (Python's {@code apply}).
     *
     * @param task the task
     * @param <V>  its result type
     * @return its result
     * @throws IllegalStateException if the pool is closed
     * @throws WorkerLostException   if no server node is left to run it
     * @throws RuntimeException      the task's own exception; a checked one wrapped in {@link CompletionException}
     */
    public <V> V apply(SerializableCallable<V> task) {
        java.util.Objects.requireNonNull(task, "task");
        checkOpen();
        return get(() -> compute().callAsync(new CallJob<>(task)).get());
    }

    /**
     * Applies a function to every item on the nodes, in chunks of Python's default size (four per node).
     *
     * @param function the function
     * @param items    the items
     * @param <T>      their type
     * @param <R>      the results' type
     * @return the results, in the items' order
     * @throws IllegalStateException if the pool is closed
     * @throws WorkerLostException   if no server node is left to run a chunk
     * @throws RuntimeException      the first failing chunk's exception (in the items' order)
     */
    public <T, R> List<R> map(SerializableFunction<T, R> function, Iterable<? extends T> items) {
        return map(function, items, 0);
    }

    /**
     * Applies a function to every item on the nodes, {@code chunksize} items per job.
     *
     * @param function  the function
     * @param items     the items
     * @param chunksize items per job, 0 for Python's default rule (four chunks per node)
     * @param <T>       their type
     * @param <R>       the results' type
     * @return the results, in the items' order
     * @throws IllegalArgumentException if chunksize is negative
     * @throws IllegalStateException    if the pool is closed
     * @throws WorkerLostException      if no server node is left to run a chunk
     * @throws RuntimeException         the first failing chunk's exception (in the items' order)
     */
    public <T, R> List<R> map(SerializableFunction<T, R> function, Iterable<? extends T> items, int chunksize) {
        java.util.Objects.requireNonNull(function, "function");
        if (chunksize < 0) {
            throw new IllegalArgumentException("chunksize=" + chunksize + " (expected 0 for the default, or more)");
        }
        List<T> all = new ArrayList<>();
        items.forEach(all::add);
        if (chunksize == 0) { // Python's rule: four chunks per worker
            int per = Math.max(1, workers()) * 4;
            chunksize = Math.max(1, all.size() / per + (all.size() % per == 0 ? 0 : 1));
        }
        List<ChunkJob<T, R>> jobs = new ArrayList<>();
        for (int from = 0; from < all.size(); from += chunksize) {
            jobs.add(new ChunkJob<>(jobs.size(), function,
                    new ArrayList<>(all.subList(from, Math.min(all.size(), from + chunksize)))));
        }
        checkOpen();
        if (jobs.isEmpty()) {
            return List.of();
        }
        // One Ignite task of one job per chunk: the load balancer spreads them; they come back as they finish.
        Collection<Chunk<R>> done = get(() -> compute().callAsync(jobs).get());
        List<List<R>> ordered = new ArrayList<>(java.util.Collections.nCopies(jobs.size(), null));
        for (Chunk<R> chunk : done) {
            ordered.set(chunk.index, chunk.results);
        }
        List<R> results = new ArrayList<>(all.size());
        ordered.forEach(results::addAll);
        return results;
    }

    /** Runs a submission and waits for it, turning Ignite's exceptions into the pool's. */
    private static <V> V get(java.util.function.Supplier<V> call) {
        try {
            return call.get();
        } catch (IgniteException e) {
            Throwable cause = e;
            while (cause instanceof IgniteException && !lost(cause) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (lost(cause) || cause instanceof IgniteCheckedException && lost(cause.getCause())) {
                WorkerLostException lostException = new WorkerLostException("no server node of the cluster is"
                        + " left to run the task (" + cause.getMessage() + ")");
                lostException.initCause(e);
                throw lostException;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new CompletionException(cause != null ? cause : e);
        }
    }

    /** {@return true if the exception says that no node is left to run a job, or that this client lost them} */
    private static boolean lost(Throwable e) {
        return e instanceof ClusterTopologyException // also ClusterGroupEmptyException
                || e instanceof IgniteClientDisconnectedException
                || e instanceof IgniteClientDisconnectedCheckedException;
    }

    /** Stops taking calls; calls already made go on (the cluster is the caller's to close). */
    @Override
    public void close() {
        closed = true;
    }

    /** A task as an Ignite job (a class, not a record: Ignite 2's marshaller cannot set a record's fields). */
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

    /** A chunk of a map as an Ignite job: the function applied to each item, in order. */
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

    /** A chunk's results and its place in the map. */
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

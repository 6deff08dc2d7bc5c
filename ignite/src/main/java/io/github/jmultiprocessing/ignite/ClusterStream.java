package io.github.jmultiprocessing.ignite;

import io.github.jmultiprocessing.IMapIterator;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The results of {@link ClusterPool#imap} and {@link ClusterPool#imapUnordered}: the items are read from the source
 * by the consuming thread, a chunk at a time, and at most {@code window} chunks are in flight, so memory stays
 * bounded on any input length. In order, the oldest chunk is waited for; unordered, whichever finishes first.
 *
 * <p>A chunk's exception is thrown in place of its results, once, and the iteration goes on; an exception of the
 * source is thrown after the results of the items read before it, and ends the iteration. Not thread-safe: one
 * consumer, as the interface says.
 *
 * @param <T> the items' type
 * @param <R> the results' type
 */
final class ClusterStream<T, R> implements IMapIterator<R> {

    /** Submits a chunk (its index in the input, its items) as a job: its results, to come. */
    interface Submitter<T, R> {
        CompletableFuture<List<R>> submit(int index, List<T> chunk);
    }

    private final Iterator<? extends T> source;
    private final int chunksize;
    private final boolean ordered;
    private final int window;
    private final Submitter<T, R> submitter;
    private final ArrayDeque<CompletableFuture<List<R>>> inFlight = new ArrayDeque<>(); // ordered: oldest first
    private final LinkedBlockingQueue<CompletableFuture<List<R>>> finished = new LinkedBlockingQueue<>();
    private int running; // chunks submitted and not yet consumed
    private int chunks;
    private boolean sourceEnded;
    private RuntimeException sourceFailure; // thrown once the chunks read before it are consumed
    private List<R> current = List.of();
    private int position;

    ClusterStream(Iterator<? extends T> source, int chunksize, boolean ordered, int window,
            Submitter<T, R> submitter) {
        this.source = source;
        this.chunksize = chunksize;
        this.ordered = ordered;
        this.window = window;
        this.submitter = submitter;
    }

    /** Reads and submits chunks until {@code window} are in flight or the source ends. */
    private void fill() {
        while (running < window && !sourceEnded) {
            List<T> chunk = new ArrayList<>(chunksize);
            try {
                while (chunk.size() < chunksize && source.hasNext()) {
                    chunk.add(source.next());
                }
                if (chunk.size() < chunksize) {
                    sourceEnded = true;
                }
            } catch (RuntimeException e) {
                sourceEnded = true;
                sourceFailure = e;
            }
            if (chunk.isEmpty()) {
                return;
            }
            CompletableFuture<List<R>> results = submitted(chunks++, chunk);
            running++;
            if (ordered) {
                inFlight.addLast(results);
            } else {
                results.whenComplete((value, failure) -> finished.add(results));
            }
        }
    }

    /** {@return the chunk's results, to come; failed at its place if the pool refused it (it was terminated)} */
    private CompletableFuture<List<R>> submitted(int index, List<T> chunk) {
        try {
            return submitter.submit(index, chunk);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public boolean hasNext() {
        if (position < current.size()) {
            return true;
        }
        fill();
        return running > 0 || sourceFailure != null;
    }

    @Override
    public R next() {
        try {
            return next(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for the next result");
        } catch (TimeoutException e) {
            throw new AssertionError("an untimed wait timed out", e);
        }
    }

    @Override
    public R next(Duration timeout) throws TimeoutException, InterruptedException {
        if (position < current.size()) {
            return current.get(position++);
        }
        fill();
        if (running == 0) {
            if (sourceFailure != null) {
                RuntimeException failure = sourceFailure;
                sourceFailure = null;
                throw failure;
            }
            throw new NoSuchElementException("no more results");
        }
        CompletableFuture<List<R>> chunk;
        if (ordered) {
            chunk = inFlight.peekFirst();
            await(chunk, timeout);
            inFlight.removeFirst();
        } else {
            chunk = timeout == null ? finished.take() : finished.poll(ClusterPool.nanos(timeout), TimeUnit.NANOSECONDS);
            if (chunk == null) {
                throw new TimeoutException("no result within " + timeout);
            }
        }
        running--;
        List<R> results;
        try {
            results = chunk.getNow(null);
        } catch (CompletionException e) {
            throw ClusterPool.unchecked(e.getCause() != null ? e.getCause() : e);
        } catch (CancellationException e) {
            throw e;
        }
        current = results;
        position = 0;
        fill();
        return current.get(position++); // a chunk is never empty
    }

    private static void await(CompletableFuture<?> chunk, Duration timeout)
            throws TimeoutException, InterruptedException {
        try {
            if (timeout == null) {
                chunk.get();
            } else {
                chunk.get(ClusterPool.nanos(timeout), TimeUnit.NANOSECONDS);
            }
        } catch (ExecutionException | CancellationException e) {
            // done: read by getNow
        }
    }
}

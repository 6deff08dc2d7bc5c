package io.github.jmultiprocessing.internal.pool;

import io.github.jmultiprocessing.IMapIterator;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A streaming call of a pool ({@code imap}, the executor's {@code map}): chunks are taken from the source and
 * submitted as the consumer goes, at most {@code window} ahead of it, so memory stays bounded whatever the input's
 * length; results come in input order, or as they finish when unordered. A task's {@code from} is its chunk's
 * number. An exception of the source comes after the results of the items read before it, then the iteration ends
 * (as in CPython's {@code imap}). With a deadline (the executor's {@code map}), a wait past it ends the call: the
 * chunks still queued are withdrawn, the unread source left alone.
 *
 * <p>Implementation notes. The stream's state is guarded by this object; a chunk read from the source is queued
 * outside that lock ({@link Pool#queue}, under the pool's), counted in {@code inHand} meanwhile so that
 * {@link #readToEnd()} returns only once every chunk read is queued. The pool is reached only through
 * {@link Pool}, so this class never names the pool.
 */
public final class StreamJob extends Job implements IMapIterator<Object> {

    /** What a stream needs of its pool. */
    public interface Pool {

        /**
         * Queues a chunk of the stream as a task, unless the pool runs no more tasks (a pool shut down still
         * takes the rest of a stream's input until its workers are told to stop).
         *
         * @param stream the stream
         * @param chunk  the chunk's number
         * @param items  its items
         * @throws IllegalStateException if the pool runs no more tasks: the chunk then fails at its place
         */
        void queue(StreamJob stream, int chunk, List<Object> items);

        /**
         * Drops a call's tasks still queued (a stream's deadline passed; a call withdrawn). A stream calls it
         * holding its lock.
         *
         * @param job the call
         */
        void withdraw(Job job);

        /** {@return true while the pool is shut down and its workers not told to stop: input is read to its end} */
        boolean closing();

        /**
         * The stream's input is all queued (or the call is over): shutting the pool down no longer waits for it.
         * Called holding the stream's lock.
         *
         * @param stream the stream
         */
        void allQueued(StreamJob stream);
    }

    private final Pool pool;
    private final Iterator<?> source;
    private final int chunksize;
    private final boolean ordered;
    private final int window; // chunks ahead of the consumer
    private final Duration timeout; // of the whole call (the executor's map), or null
    private final long deadline; // System.nanoTime() at which the call times out, if timeout != null
    private final Map<Integer, Object> arrived = new java.util.HashMap<>(); // chunk -> values or Throwable
    private final java.util.ArrayDeque<Object> unordered = new java.util.ArrayDeque<>();
    private int submitted; // chunks, guarded by this
    private int delivered; // chunks, guarded by this
    private boolean sourceDone; // guarded by this
    private boolean readAll; // the pool is shut down: the rest of the input is read, window or not; guarded by this
    private int inHand; // chunks read from the source and not yet queued, guarded by this
    private RuntimeException sourceFailure; // thrown once every chunk before it is delivered; guarded by this
    private volatile boolean expired; // the deadline passed: queued chunks are skipped (over), no more taken
    private Iterator<Object> current = java.util.Collections.emptyIterator();

    /**
     * A streaming call.
     *
     * @param pool      its pool
     * @param id        its number
     * @param function  its function
     * @param source    its items
     * @param chunksize items per task
     * @param window    chunks submitted at most ahead of the consumer
     * @param ordered   whether results come in input order (else as they finish)
     * @param timeout   of the whole call (the executor's {@code map}), or null
     * @throws IllegalArgumentException if the function cannot be serialized
     */
    public StreamJob(Pool pool, long id, Object function, Iterator<?> source, int chunksize, int window,
            boolean ordered, Duration timeout) {
        super(id, function, PoolFrames.FUNCTION, 0, 1);
        this.pool = pool;
        this.window = window;
        this.source = source;
        this.chunksize = chunksize;
        this.ordered = ordered;
        this.timeout = timeout;
        this.deadline = timeout == null ? 0 : System.nanoTime() + Math.min(WaitCore.nanos(timeout), Long.MAX_VALUE / 2);
    }

    @Override
    public boolean over() {
        return expired; // else a live stream's chunks all run; terminate fails them
    }

    @Override
    public void done(Task task, List<Object> values) {
        arrive(task.from, values);
    }

    @Override
    public void failed(Task task, Throwable t) {
        arrive(task.from, t);
    }

    private synchronized void arrive(int chunk, Object what) {
        if (expired) {
            return;
        }
        if (ordered) {
            arrived.put(chunk, what);
        } else {
            unordered.add(what);
        }
        notifyAll();
    }

    @Override
    public boolean hasNext() {
        return advance();
    }

    @Override
    public Object next() {
        if (!advance()) {
            throw new java.util.NoSuchElementException("no more results");
        }
        return current.next();
    }

    @Override
    public Object next(Duration wait) throws TimeoutException, InterruptedException {
        Objects.requireNonNull(wait, "timeout");
        long now = System.nanoTime();
        if (!advance(now + Math.min(WaitCore.nanos(wait), Long.MAX_VALUE / 2), true)) {
            throw new java.util.NoSuchElementException("no more results");
        }
        return current.next();
    }

    /** {@link #advance(long, boolean)} without a timeout of its own, for the {@code Iterator} methods. */
    private boolean advance() {
        try {
            return advance(0, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for the next result");
        } catch (TimeoutException e) { // the call's deadline: Iterator's methods throw no checked exceptions
            throw new CompletionException(e);
        }
    }

    /**
     * Waits until a result is current, or the end.
     *
     * @param until  System.nanoTime() to give up at, if timed
     * @param timed  whether {@code until} applies
     * @return false at the end
     * @throws TimeoutException if {@code until} or the call's deadline passed first (after the deadline the
     *                          call is over)
     */
    private boolean advance(long until, boolean timed) throws InterruptedException, TimeoutException {
        while (!current.hasNext()) {
            if (!nextChunk(until, timed)) {
                return false;
            }
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private boolean nextChunk(long until, boolean timed) throws InterruptedException, TimeoutException {
        while (true) {
            submitMore();
            synchronized (this) {
                while (true) {
                    if (sourceDone && delivered == submitted) {
                        dropSpare(); // no items at all
                        RuntimeException failure = sourceFailure;
                        if (failure != null) { // after the results before it, once; then the end
                            sourceFailure = null;
                            throw failure;
                        }
                        return false;
                    }
                    Object got = ordered ? arrived.remove(delivered) : unordered.poll();
                    if (got != null) {
                        delivered++;
                        if (got instanceof Throwable t) {
                            current = java.util.Collections.emptyIterator();
                            throw Job.rethrown(t); // this iterator's own: it takes the caller's frames
                        }
                        current = ((List<Object>) got).iterator();
                        return true;
                    }
                    long now = System.nanoTime();
                    if (timeout != null && now - deadline >= 0) {
                        expire();
                        throw new TimeoutException("timeout=" + timeout + " of the map call passed (expected"
                                + " every result within it)");
                    }
                    if (timed && now - until >= 0) {
                        throw new TimeoutException("no result in time (the iteration can go on)");
                    }
                    long wait = TimeUnit.MILLISECONDS.toNanos(100); // NOTE: arrive() notifies; this re-checks
                    if (timed) {
                        wait = Math.min(wait, until - now);
                    }
                    if (timeout != null) {
                        wait = Math.min(wait, deadline - now);
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, wait));
                    if (!sourceDone && submitted - delivered < window) {
                        break; // room to submit more (a chunk arrived): do it outside the lock
                    }
                }
            }
        }
    }

    /** The call's deadline passed: the iteration ends, the chunks still queued never run. Holds this. */
    private void expire() {
        expired = true; // NOTE: volatile: a sender taking one of its chunks after this skips it (take)
        sourceDone = true;
        endedIfAllQueued();
        sourceFailure = null;
        submitted = delivered;
        arrived.clear();
        unordered.clear();
        current = java.util.Collections.emptyIterator();
        pool.withdraw(this);
        dropSpare();
    }

    /**
     * After the pool's {@code shutdown()}: queues the rest of the input, then waits until no chunk is in another
     * thread's hands, so that the workers' STOPs come after every chunk.
     */
    public void readToEnd() {
        synchronized (this) {
            readAll = true;
        }
        try {
            while (true) {
                submitMore();
                synchronized (this) {
                    if (sourceDone || expired || !pool.closing()) {
                        while (inHand > 0) {
                            wait();
                        }
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Leaves the pool's open streams once every chunk of the input is queued (or the call is over). Holds this. */
    private void endedIfAllQueued() {
        if (sourceDone && inHand == 0) {
            pool.allQueued(this);
        }
    }

    private void submitMore() {
        while (true) {
            List<Object> chunk = new ArrayList<>(Math.min(chunksize, 1024));
            int number;
            synchronized (this) {
                if (sourceDone || (!readAll && submitted - delivered >= window)) {
                    return;
                }
                try {
                    while (chunk.size() < chunksize && source.hasNext()) {
                        chunk.add(source.next());
                    }
                } catch (RuntimeException e) { // the source's own: after the items read before it
                    sourceFailure = e;
                    sourceDone = true;
                }
                if (chunk.isEmpty()) {
                    sourceDone = true;
                    endedIfAllQueued();
                    return;
                }
                number = submitted++;
                inHand++;
            }
            try {
                pool.queue(this, number, chunk);
            } catch (IllegalStateException e) { // the pool ended: this chunk fails at its place
                arrive(number, e);
                return;
            } finally {
                synchronized (this) {
                    if (--inHand == 0) {
                        endedIfAllQueued();
                        notifyAll(); // readToEnd
                    }
                }
            }
        }
    }
}

package io.github.jmultiprocessing.internal.pool;

import io.github.jmultiprocessing.RemoteTraceback;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One call of a pool ({@code apply}, {@code map}, ...): its function, and its results as the chunks
 * ({@link Task}s) come back.
 *
 * <p>Implementation notes. The chunks' results are kept as they come back ({@link Results} joins them), under this
 * object's lock; the last chunk back
 * completes {@link #result} (outside the lock), with the first failing chunk's exception (the lowest index) if
 * any chunk failed. A call is QUEUED until a task of it goes to a worker (STARTED) or it is withdrawn first
 * (CANCELLED): one CAS on {@code phase} decides between {@link #start()} and {@link #cancelQueued()}, so a
 * withdrawn call never runs and a started one is never reported withdrawn. {@link StreamJob} (the streaming
 * calls) overrides how results arrive.
 */
public class Job {
    /** The call's number. */
    public final long id;
    /** How its function is applied: {@link PoolFrames#FUNCTION} or {@link PoolFrames#CALLABLE}. */
    public final byte form;
    private final Object function;
    private byte[] spare; // the function's first encoding, not yet in a message; guarded by this
    /** Its only task goes as a CALL (no JOB message), set before it is sent. */
    public volatile boolean single;
    private final List<Object>[] chunks; // each chunk's results as they came back, guarded by this
    private final int chunkSize;
    private final int size;
    /** The call's results in item order, or its first failing chunk's exception, or cancelled. */
    public final CompletableFuture<List<Object>> result = new CompletableFuture<>();
    private int remaining; // chunks not back yet, guarded by this
    private Throwable failure; // the first failing chunk's (lowest index), guarded by this
    private int failedFrom = Integer.MAX_VALUE; // guarded by this
    /** QUEUED until a task of it goes to a worker (STARTED), or it is withdrawn first (CANCELLED); by PHASE. */
    private volatile int phase; // QUEUED
    static final int QUEUED = 0;
    static final int STARTED = 1;
    static final int CANCELLED = 2;

    /**
     * A call.
     *
     * @param id       its number
     * @param function its function (encoded once here: a function that cannot be serialized fails here)
     * @param form     {@link PoolFrames#FUNCTION} or {@link PoolFrames#CALLABLE}
     * @param size      the number of its items
     * @param chunkSize the items of each of its tasks but the last (at least 1)
     * @throws IllegalArgumentException if the function cannot be serialized
     */
    @SuppressWarnings("unchecked")
    public Job(long id, Object function, byte form, int size, int chunkSize) {
        this.id = id;
        this.form = form;
        this.function = function;
        this.spare = PoolFrames.function(function); // a function that cannot be serialized fails here
        this.size = size;
        this.chunkSize = Math.max(1, chunkSize);
        this.chunks = new List[size == 0 ? 0 : (size - 1) / this.chunkSize + 1];
        result.whenComplete((values, failure) -> dropSpare());
    }

    /**
     * Sets the number of chunks to come back, before any can.
     *
     * @param count its tasks
     */
    public synchronized void expect(int count) {
        remaining = count;
    }

    /**
     * {@return the function's bytes for one message} Each message gets an encoding of its own: an encoding
     * takes a ticket for every shared object the function captured, and each is read exactly once, by the
     * worker it goes to (a call's function goes to several workers, and again after a FORGET).
     */
    public byte[] functionBytes() {
        byte[] bytes;
        synchronized (this) {
            bytes = spare;
            spare = null;
        }
        return bytes != null ? bytes : PoolFrames.function(function); // not under the lock results take
    }

    /** Gives back the tickets of the first encoding if no message took it (no items, over before sent). */
    public void dropSpare() {
        byte[] bytes;
        synchronized (this) {
            bytes = spare;
            spare = null;
        }
        if (bytes != null) {
            PoolFrames.discard(PoolFrames.job(id, form, bytes));
        }
    }

    /**
     * A chunk's results came back.
     *
     * @param task   the chunk
     * @param values its results, in its items' order
     */
    public void done(Task task, List<Object> values) {
        synchronized (this) {
            chunks[task.from / chunkSize] = values;
        }
        finishChunk();
    }

    /**
     * A chunk failed (its function threw, its worker was lost, the pool ended).
     *
     * @param task the chunk
     * @param t    why
     */
    public void failed(Task task, Throwable t) {
        synchronized (this) {
            if (task.from < failedFrom) {
                failedFrom = task.from;
                failure = t;
            }
        }
        finishChunk();
    }

    /** {@return true if the call needs no more of its tasks run (failed or cancelled)} */
    public boolean over() {
        return result.isDone();
    }

    /**
     * Marks a task of the call as going to a worker, the moment the call counts as started.
     *
     * @return false if the call was withdrawn: the task must not be sent
     */
    public boolean start() {
        // NOTE: the CAS against cancelQueued's: exactly one of "a task goes to a worker" and "withdrawn" wins
        return phase == STARTED || PHASE.compareAndSet(this, QUEUED, STARTED) || phase == STARTED;
    }

    /** {@return true if the call was withdrawn now, before any of its tasks went to a worker} */
    public boolean cancelQueued() {
        return PHASE.compareAndSet(this, QUEUED, CANCELLED); // NOTE: against start()'s CAS
    }

    private void finishChunk() {
        Throwable end;
        synchronized (this) {
            if (--remaining > 0) {
                return;
            }
            end = failure;
        }
        if (end == null) {
            List<Object>[] all;
            synchronized (this) { // the last chunk's results were stored by another thread, perhaps
                all = chunks;
            }
            result.complete(new Results(all, chunkSize, size));
        } else {
            result.completeExceptionally(end);
        }
    }

    /**
     * Makes a call's failure ready to throw in the caller: a task's exception as itself (with the caller's frames as
     * its trace), a checked one in a {@link CompletionException}. Only for a failure no other thread sees (a
     * blocking call's own, an iterator's).
     *
     * @param cause the failure
     * @return it, or it in a {@link CompletionException} if it is checked
     * @throws Error if it is an {@code Error}
     */
    public static RuntimeException rethrown(Throwable cause) {
        Throwable t = inCaller(cause);
        if (t instanceof RuntimeException runtime) {
            return runtime;
        }
        if (t instanceof Error error) {
            throw error;
        }
        return new CompletionException(t);
    }

    /**
     * Gives an exception that came from a worker (it carries a {@link RemoteTraceback}) the frames of the thread
     * calling this, where the caller receives it, as Python's {@code raise} in the caller does; the worker's frames
     * stay in the {@code RemoteTraceback}. An exception the pool made itself keeps its own.
     */
    private static Throwable inCaller(Throwable t) {
        if (carriesRemote(t)) {
            StackTraceElement[] here = new Throwable().getStackTrace();
            t.setStackTrace(Arrays.copyOfRange(here, Math.min(2, here.length), here.length)); // from the caller's
        }
        return t;
    }

    /**
     * {@return true if a {@link RemoteTraceback} is attached to the exception, as its cause or suppressed}
     *
     * @param t the exception
     */
    public static boolean carriesRemote(Throwable t) {
        boolean remote = t.getCause() instanceof RemoteTraceback;
        for (Throwable suppressed : remote ? new Throwable[0] : t.getSuppressed()) {
            remote |= suppressed instanceof RemoteTraceback;
        }
        return remote;
    }

    private static final java.lang.invoke.VarHandle PHASE;

    static {
        try {
            PHASE = java.lang.invoke.MethodHandles.lookup().findVarHandle(Job.class, "phase", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}

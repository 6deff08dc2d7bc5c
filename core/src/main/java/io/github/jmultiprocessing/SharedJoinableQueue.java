package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.queue.QueueChannel;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.io.Serial;
import java.time.Duration;

/**
 * A {@link SharedQueue} that counts unfinished tasks: Python's {@code multiprocessing.JoinableQueue}. Each
 * {@code put} adds a task; a consumer calls {@link #taskDone()} once it has processed an element it took, and
 * {@link #join()} waits until every task is done. {@code shutdown(true)} counts each element it drops as a task
 * done, as CPython's {@code Queue.shutdown(immediate=True)} does; a plain {@code shutdown()} leaves the count alone.
 *
 * <pre>{@code
 * var tasks = new SharedJoinableQueue<String>();
 * var worker = new JvmProcess(() -> {
 *     while (true) {
 *         String task = tasks.get();
 *         process(task);
 *         tasks.taskDone();
 *     }
 * });
 * worker.setDaemon(true);
 * worker.start();
 * tasks.put("a");
 * tasks.put("b");
 * tasks.join();                                 // both processed
 * }</pre>
 *
 * @param <E> the element type
 */
public final class SharedJoinableQueue<E> extends SharedQueue<E> {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Creates an unbounded joinable queue. */
    public SharedJoinableQueue() {
        this(0);
    }

    /**
     * Creates a joinable queue of at most {@code maxsize} elements.
     *
     * @param maxsize the most elements, 0 for no limit
     * @throws IllegalArgumentException if maxsize is negative
     */
    public SharedJoinableQueue(int maxsize) {
        super(QueueChannel.create(maxsize, CAPACITY, true), null);
    }

    /**
     * Creates a typed joinable queue whose elements travel through {@code codec} (see {@link SharedQueue}).
     *
     * @param maxsize the most elements, 0 for no limit
     * @param codec   the codec; it travels with the queue to other processes
     * @throws IllegalArgumentException if maxsize is negative
     */
    public SharedJoinableQueue(int maxsize, Codec<E> codec) {
        super(QueueChannel.create(maxsize, CAPACITY, true), java.util.Objects.requireNonNull(codec, "codec"));
    }

    /**
     * Creates a joinable queue of at most {@code maxsize} elements, each with a checksum or not.
     *
     * @param maxsize  the most elements, 0 for no limit
     * @param checksum whether each message carries a checksum checked before it is delivered
     * @throws IllegalArgumentException if maxsize is negative
     */
    public SharedJoinableQueue(int maxsize, MessageChecksum checksum) {
        super(QueueChannel.create(maxsize, CAPACITY, true, checksum.enabled()), null);
    }

    /**
     * Creates a typed joinable queue (see {@link SharedQueue}) whose messages carry a checksum or not.
     *
     * @param maxsize  the most elements, 0 for no limit
     * @param codec    the codec; it travels with the queue to other processes
     * @param checksum whether each message carries a checksum checked before it is delivered
     * @throws IllegalArgumentException if maxsize is negative
     */
    public SharedJoinableQueue(int maxsize, Codec<E> codec, MessageChecksum checksum) {
        super(QueueChannel.create(maxsize, CAPACITY, true, checksum.enabled()),
                java.util.Objects.requireNonNull(codec, "codec"));
    }

    SharedJoinableQueue(QueueChannel channel, Codec<E> codec) {
        super(channel, codec);
    }

    /**
     * Marks one element taken from the queue as processed (Python's {@code task_done}).
     *
     * @throws IllegalStateException if called more times than elements were put
     */
    public void taskDone() {
        channel().taskDone();
    }

    /**
     * Waits until every element put has been marked done (Python's {@code join}).
     *
     * @throws InterruptedException        if interrupted while waiting
     * @throws java.io.UncheckedIOException if the queue's memory was found corrupt (also while waiting): its tasks
     *                                      will never all be done
     */
    public void join() throws InterruptedException {
        join(-1);
    }

    /**
     * Waits at most {@code timeout} until every element put has been marked done.
     *
     * @param timeout the longest wait; zero or negative does not wait
     * @return true if every task is done
     * @throws InterruptedException        if interrupted while waiting
     * @throws java.io.UncheckedIOException if the queue's memory was found corrupt (also while waiting): its tasks
     *                                      will never all be done
     */
    public boolean join(Duration timeout) throws InterruptedException {
        return join(WaitCore.nanos(timeout));
    }

    private boolean join(long timeoutNanos) throws InterruptedException {
        try {
            return channel().join(timeoutNanos);
        } catch (java.io.StreamCorruptedException e) {
            throw new java.io.UncheckedIOException("queue " + channel().name() + ": " + e.getMessage(), e);
        }
    }

    @Override
    Handle.Kind kind() {
        return Handle.Kind.JOINABLE;
    }
}

package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.queue.QueueChannel;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;

/**
 * A plain unbounded queue in shared memory: Python's {@code multiprocessing.SimpleQueue}, with {@code put},
 * {@code get}, {@code empty} and {@code close}. Same machinery and guarantees as {@link SharedQueue}, which also
 * offers bounds, timeouts on put and the {@link java.util.concurrent.BlockingQueue} methods. Both are
 * {@link MultiprocessingQueue}s, so code that only puts, gets and closes takes either. Like {@code SharedQueue}, and
 * unlike Python's {@code SimpleQueue}, it can be shut down ({@link #shutdown(boolean)}).
 *
 * <pre>{@code
 * try (var queue = new SharedSimpleQueue<String>()) {                 // Python: q = SimpleQueue()
 *     var p = new JvmProcess(() -> queue.put("hello"));
 *     p.start();
 *     System.out.println(queue.get());                                // hello
 *     p.join();
 * }
 * }</pre>
 *
 * @param <E> the element type
 */
public final class SharedSimpleQueue<E> implements MultiprocessingQueue<E>, AutoCloseable, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final transient SharedQueue<E> queue;

    /** Creates an empty queue. */
    public SharedSimpleQueue() {
        this(QueueChannel.create(0, SharedQueue.CAPACITY, false));
    }

    /**
     * Creates an empty queue whose messages carry a checksum or not.
     *
     * @param checksum whether each message carries a checksum checked before it is delivered
     */
    public SharedSimpleQueue(MessageChecksum checksum) {
        this(QueueChannel.create(0, SharedQueue.CAPACITY, false, checksum.enabled()));
    }

    SharedSimpleQueue(QueueChannel channel) {
        this.queue = new SharedQueue<>(channel, null);
    }

    /**
     * Puts an element; never waits.
     *
     * @param e the element, not null (put a sentinel object where Python code puts {@code None})
     * @throws QueueShutDownException   if the queue is shut down
     * @throws IllegalArgumentException if it cannot be serialized
     * @throws IllegalStateException    if this queue object is closed
     */
    @Override
    public void put(E e) {
        queue.putNowait(e);
    }

    /**
     * Takes the oldest element, waiting as long as needed.
     *
     * @return the element
     * @throws QueueShutDownException if the queue is shut down and empty, also while waiting
     * @throws IllegalStateException  if this queue object is closed
     * @throws InterruptedException   if interrupted while waiting
     */
    @Override
    public E get() throws InterruptedException {
        return queue.get();
    }

    /**
     * Takes the oldest element, waiting at most {@code timeout}.
     *
     * @param timeout the longest wait
     * @return the element
     * @throws QueueEmptyException    if none came in time
     * @throws QueueShutDownException if the queue is shut down and empty, also while waiting
     * @throws IllegalStateException  if this queue object is closed
     * @throws InterruptedException   if interrupted while waiting
     */
    @Override
    public E get(Duration timeout) throws InterruptedException {
        return queue.get(timeout);
    }

    /** {@return true if the queue is empty now} */
    @Override
    public boolean empty() {
        return queue.empty();
    }

    /**
     * Shuts the queue down for every process, as {@link SharedQueue#shutdown(boolean)} does (Python's
     * {@code SimpleQueue} has no shutdown; this one shares {@code SharedQueue}'s machinery).
     *
     * @param immediate true to drop the elements left
     * @throws IllegalStateException if this queue object is closed
     */
    @Override
    public void shutdown(boolean immediate) {
        queue.shutdown(immediate);
    }

    /**
     * {@return true once the queue was shut down, by any process}
     *
     * @throws IllegalStateException if this queue object is closed
     */
    @Override
    public boolean isShutdown() {
        return queue.isShutdown();
    }

    /** Ends this process's use of this queue object; elements already put stay for others. */
    @Override
    public void close() {
        queue.close();
    }

    @Override
    public String toString() {
        return queue.toString().replace("SharedQueue", "SharedSimpleQueue");
    }

    /**
     * Sends a handle in place of this object: the segment's name and where in it the object lies, never its bytes;
     * the receiver maps the same memory.
     *
     * @return the handle that travels
     */
    @Serial
    Object writeReplace() {
        return new SharedQueue.Handle(SharedQueue.Handle.Kind.SIMPLE, queue.sendName(), null);
    }

    /**
     * Refuses a stream that holds this object itself rather than its handle (a forged or corrupt stream).
     *
     * @param in the stream
     * @throws InvalidObjectException always
     */
    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("SharedSimpleQueue travels as a handle");
    }
}

package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.ring.QueueChannel;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;

/**
 * A plain unbounded queue in shared memory: Python's {@code multiprocessing.SimpleQueue}, with {@code put},
 * {@code get}, {@code empty} and {@code close}. Same machinery and guarantees as {@link SharedQueue}, which also
 * offers bounds, timeouts on put and the {@link java.util.concurrent.BlockingQueue} methods.
 *
 * @param <E> the element type
 */
public final class SharedSimpleQueue<E> implements AutoCloseable, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final transient SharedQueue<E> queue;

    /** Creates an empty queue. */
    public SharedSimpleQueue() {
        this(QueueChannel.create(0, SharedQueue.CAPACITY, false));
    }

    SharedSimpleQueue(QueueChannel channel) {
        this.queue = new SharedQueue<>(channel, null);
    }

    /**
     * Puts an element; never waits.
     *
     * @param e the element, not null (put a sentinel object where Python code puts {@code None})
     * @throws IllegalArgumentException if it cannot be serialized
     * @throws IllegalStateException    if this queue object is closed
     */
    public void put(E e) {
        queue.putNowait(e);
    }

    /**
     * Takes the oldest element, waiting as long as needed.
     *
     * @return the element
     * @throws IllegalStateException if this queue object is closed
     * @throws InterruptedException  if interrupted while waiting
     */
    public E get() throws InterruptedException {
        return queue.get();
    }

    /**
     * Takes the oldest element, waiting at most {@code timeout}.
     *
     * @param timeout the longest wait
     * @return the element
     * @throws QueueEmptyException   if none came in time
     * @throws IllegalStateException if this queue object is closed
     * @throws InterruptedException  if interrupted while waiting
     */
    public E get(Duration timeout) throws InterruptedException {
        return queue.get(timeout);
    }

    /** {@return true if the queue is empty now} */
    public boolean empty() {
        return queue.empty();
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

    @Serial
    private Object writeReplace() {
        return new QueueHandle(QueueHandle.Kind.SIMPLE, queue.sendName(), null);
    }

    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("SharedSimpleQueue travels as a handle");
    }
}

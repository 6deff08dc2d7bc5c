package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A queue held by a {@link Manager}'s server, used through a proxy: Python's {@code manager.Queue(maxsize)}. A
 * {@link BlockingQueue}, with Python's names beside; its iterator walks a copy.
 *
 * @param <E> the elements' type
 */
public interface ManagedQueue<E> extends BlockingQueue<E> {

    /** {@return the bound given at creation, 0 for none} */
    int maxsize();

    /**
     * Removes and returns up to {@code maxElements} elements, at once.
     *
     * @param maxElements the most to take
     * @return them, in order
     */
    List<E> drain(int maxElements);

    @Override
    default int drainTo(Collection<? super E> c) {
        return drainTo(c, Integer.MAX_VALUE);
    }

    @Override
    default int drainTo(Collection<? super E> c, int maxElements) {
        List<E> taken = drain(maxElements);
        c.addAll(taken);
        return taken.size();
    }

    /**
     * Takes the head, waiting as long as it takes (Python's {@code get()}).
     *
     * @return the head
     * @throws InterruptedException if interrupted while waiting
     */
    default E get() throws InterruptedException {
        return take();
    }

    /**
     * Takes the head, waiting at most {@code timeout} (Python's {@code get(timeout=...)}).
     *
     * @param timeout the longest wait
     * @return the head
     * @throws QueueEmptyException  if none came in time
     * @throws InterruptedException if interrupted while waiting
     */
    default E get(Duration timeout) throws InterruptedException {
        E e = poll(WaitCore.nanos(timeout), TimeUnit.NANOSECONDS);
        if (e == null) {
            throw new QueueEmptyException("no element within " + timeout);
        }
        return e;
    }

    /**
     * Takes the head without waiting (Python's {@code get_nowait()}).
     *
     * @return the head
     * @throws QueueEmptyException if the queue is empty
     */
    default E getNowait() {
        E e = poll();
        if (e == null) {
            throw new QueueEmptyException("the queue is empty");
        }
        return e;
    }

    /**
     * Adds an element without waiting (Python's {@code put_nowait()}).
     *
     * @param e the element
     * @throws QueueFullException if the queue is full
     */
    default void putNowait(E e) {
        if (!offer(e)) {
            throw new QueueFullException("the queue is full (maxsize " + maxsize() + ")");
        }
    }

    /** {@return the number of elements (Python's {@code qsize()})} */
    default int qsize() {
        return size();
    }

    /** {@return true if empty (Python's {@code empty()})} */
    default boolean empty() {
        return isEmpty();
    }

    /** {@return true if full (Python's {@code full()})} */
    default boolean full() {
        return remainingCapacity() == 0;
    }
}

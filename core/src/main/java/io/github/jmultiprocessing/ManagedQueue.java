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
 * <p>{@link #shutdown(boolean)} is Python 3.13's {@code Queue.shutdown}, as its manager's queue proxy offers it, with
 * the same effects as {@link SharedQueue#shutdown(boolean)}: from then on every method that adds ({@code put},
 * {@code putNowait}, {@code offer} in all its forms, {@code add}) throws {@link QueueShutDownException}, every method
 * that takes ({@code get}, {@code getNowait}, {@code take}, {@code poll} in both forms) takes what is left and then
 * throws it, and calls waiting in them, from any process, wake and throw it; {@code peek}, {@code size},
 * {@code drainTo}, {@code clear} and the iterator keep working.
 *
 * <pre>{@code
 * try (Manager manager = Multiprocessing.manager()) {
 *     ManagedQueue<String> queue = manager.queue();                  // Python: manager.Queue()
 *     var p = new JvmProcess(() -> queue.put("hello from a child"));
 *     p.start();
 *     System.out.println(queue.get());                              // Python: queue.get()
 *     p.join();
 * }
 * }</pre>
 *
 * @param <E> the elements' type
 */
public interface ManagedQueue<E> extends BlockingQueue<E> {

    /** {@return the bound given at creation, 0 for none} */
    int maxsize();

    /**
     * Shuts the queue down for every process (Python 3.13's {@code shutdown()}): see the class comment.
     * Shutting down again does nothing.
     */
    default void shutdown() {
        shutdown(false);
    }

    /**
     * Shuts the queue down as {@link #shutdown()}; {@code immediate} also drops every element left (Python's
     * {@code shutdown(immediate=True)}), so that gets throw at once, and counts each one dropped as a task done,
     * which may end a {@link ManagedJoinableQueue#join()}.
     *
     * @param immediate true to drop the elements left
     */
    void shutdown(boolean immediate);

    /** {@return true once the queue was shut down, by any process (Python's {@code is_shutdown})} */
    boolean isShutdown();

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
        java.util.Objects.requireNonNull(c, "c");
        if (c == this) {
            throw new IllegalArgumentException("cannot drain a queue into itself (BlockingQueue.drainTo)");
        }
        List<E> taken = drain(maxElements);
        c.addAll(taken);
        return taken.size();
    }

    /**
     * Takes the head, waiting as long as it takes (Python's {@code get()}).
     *
     * @return the head
     * @throws QueueShutDownException if the queue is shut down and empty, also while waiting
     * @throws InterruptedException   if interrupted while waiting
     */
    default E get() throws InterruptedException {
        return take();
    }

    /**
     * Takes the head, waiting at most {@code timeout} (Python's {@code get(timeout=...)}).
     *
     * @param timeout the longest wait
     * @return the head
     * @throws QueueEmptyException    if none came in time
     * @throws QueueShutDownException if the queue is shut down and empty, also while waiting
     * @throws InterruptedException   if interrupted while waiting
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
     * @throws QueueEmptyException    if the queue is empty
     * @throws QueueShutDownException if the queue is shut down and empty
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
     * @throws QueueFullException     if the queue is full
     * @throws QueueShutDownException if the queue is shut down
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

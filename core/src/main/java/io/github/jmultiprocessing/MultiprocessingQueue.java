package io.github.jmultiprocessing;

import java.time.Duration;

/**
 * What Python's three process queues have in common, so that code can take any of them: {@link SharedQueue}
 * ({@code multiprocessing.Queue}), {@link SharedJoinableQueue} ({@code JoinableQueue}) and
 * {@link SharedSimpleQueue} ({@code SimpleQueue}). These are {@code SimpleQueue}'s verbs ({@code put},
 * {@code get}, {@code empty}, {@code close}), with a timed {@code get} and Python 3.13's {@code shutdown}.
 *
 * <pre>{@code
 * static void produce(MultiprocessingQueue<String> out) throws InterruptedException {
 *     out.put("work");
 * }
 * produce(new SharedQueue<>());
 * produce(new SharedSimpleQueue<>());
 * }</pre>
 *
 * <p>Memory consistency effects: actions in a process before it puts an object happen-before actions after that
 * object is taken, in any process.
 *
 * @param <E> the element type
 */
public interface MultiprocessingQueue<E> extends AutoCloseable {

    /**
     * Puts an element, waiting for a place in a bounded queue as long as needed (Python's {@code put(obj)});
     * an unbounded queue never waits.
     *
     * @param e the element, not null (put a sentinel object where Python code puts {@code None})
     * @throws QueueShutDownException   if the queue is shut down, also while waiting
     * @throws IllegalArgumentException if the element cannot be serialized
     * @throws IllegalStateException    if this queue object is closed
     * @throws InterruptedException     if interrupted while waiting
     */
    void put(E e) throws InterruptedException;

    /**
     * Takes the oldest element, waiting as long as needed (Python's {@code get()}).
     *
     * @return the element
     * @throws QueueShutDownException if the queue is shut down and empty, also while waiting
     * @throws IllegalStateException  if this queue object is closed
     * @throws InterruptedException   if interrupted while waiting
     */
    E get() throws InterruptedException;

    /**
     * Takes the oldest element, waiting at most {@code timeout} (Python's {@code get(timeout=...)}).
     *
     * @param timeout the longest wait; zero or negative does not wait
     * @return the element
     * @throws QueueEmptyException    if none came in time
     * @throws QueueShutDownException if the queue is shut down and empty, also while waiting
     * @throws IllegalStateException  if this queue object is closed
     * @throws InterruptedException   if interrupted while waiting
     */
    E get(Duration timeout) throws InterruptedException;

    /** {@return true if the queue is empty now (Python's {@code empty()})} */
    boolean empty();

    /**
     * Shuts the queue down for every process (Python 3.13's {@code shutdown()}): puts throw
     * {@link QueueShutDownException} from now on, gets take what is left and then throw it, and every put and
     * get waiting now, in any process, wakes and throws it. For good: a queue is never opened again.
     *
     * @throws IllegalStateException if this queue object is closed
     */
    default void shutdown() {
        shutdown(false);
    }

    /**
     * Shuts the queue down as {@link #shutdown()}; {@code immediate} also empties it (Python's
     * {@code shutdown(immediate=True)}), so that gets throw at once; a joinable queue counts each element dropped
     * as a task done.
     *
     * @param immediate true to drop the elements left
     * @throws IllegalStateException if this queue object is closed
     */
    void shutdown(boolean immediate);

    /** {@return true once the queue was shut down, by any process (Python's {@code is_shutdown})} */
    boolean isShutdown();

    /**
     * Ends this process's use of this queue object (Python's {@code close()}); elements already put stay for
     * others. Closing twice does nothing.
     */
    @Override
    void close();
}

package io.github.jmultiprocessing;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeoutException;

/**
 * The results of {@link ProcessPool#imap} and {@link ProcessPool#imapUnordered} (Python's
 * {@code multiprocessing.pool.IMapIterator}), and of {@link PoolExecutor#map}: an {@link Iterator} whose
 * {@code hasNext()} and {@code next()} wait for the next result, with a timed {@link #next(Duration)} beside them.
 *
 * <p>{@code next} throws a task's exception (its own type, the worker's trace as a {@link RemoteTraceback} cause)
 * at the task's place, and an exception of the input iterator after the results of the items read before it;
 * the iteration goes on after a task's exception and ends after the input's. Not thread-safe: one consumer.
 *
 * <pre>{@code
 * try (var pool = new ProcessPool(4)) {
 *     IMapIterator<Integer> squares = pool.imap(x -> x * x, List.of(1, 2, 3, 4));
 *     while (squares.hasNext()) {
 *         System.out.println(squares.next(Duration.ofSeconds(10)));   // 1, 4, 9, 16: in order
 *     }
 * }
 * }</pre>
 *
 * @param <R> the results' type
 */
public interface IMapIterator<R> extends Iterator<R> {

    /**
     * Waits at most {@code timeout} for the next result (Python's {@code next(timeout)}); when it is not ready in
     * time, the iteration can go on: a later call returns it.
     *
     * @param timeout the longest wait; zero or negative: do not wait
     * @return the next result
     * @throws TimeoutException                   if it is not ready in time (for {@link PoolExecutor#map}, also
     *                                            when the map's own timeout passed: then the iteration is over)
     * @throws InterruptedException               if interrupted while waiting
     * @throws java.util.NoSuchElementException   if there are no more results
     * @throws RuntimeException                   the task's exception, or the input iterator's
     */
    R next(Duration timeout) throws TimeoutException, InterruptedException;
}

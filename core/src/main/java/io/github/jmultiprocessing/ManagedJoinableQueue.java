package io.github.jmultiprocessing;

import java.time.Duration;

/**
 * A joinable queue held by a {@link Manager}'s server: Python's {@code manager.JoinableQueue(maxsize)}. Every
 * element added counts as unfinished until a consumer calls {@link #taskDone()} for it.
 *
 * <pre>{@code
 * try (Manager manager = Multiprocessing.manager()) {
 *     ManagedJoinableQueue<String> jobs = manager.joinableQueue();   // Python: manager.JoinableQueue()
 *     var worker = new JvmProcess(() -> {
 *         for (String job = jobs.take(); !job.equals("stop"); job = jobs.take()) {
 *             System.out.println("did " + job);
 *             jobs.taskDone();                                       // Python: jobs.task_done()
 *         }
 *     });
 *     worker.start();
 *     jobs.put("a");
 *     jobs.put("b");
 *     jobs.join();                                                   // until both are done
 *     jobs.put("stop");
 *     worker.join();
 * }
 * }</pre>
 *
 * @param <E> the elements' type
 */
public interface ManagedJoinableQueue<E> extends ManagedQueue<E> {

    /**
     * Marks one taken element as done.
     *
     * @throws IllegalStateException if called more times than elements were added
     */
    void taskDone();

    /**
     * Waits until every element added is done.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    void join() throws InterruptedException;

    /**
     * Waits at most {@code timeout} until every element added is done.
     *
     * @param timeout the longest wait
     * @return true if all are done
     * @throws InterruptedException if interrupted while waiting
     */
    boolean join(Duration timeout) throws InterruptedException;
}

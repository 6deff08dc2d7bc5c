/**
 * CPython's {@code multiprocessing/queues.py}: a queue of messages in shared memory for any number of producer and
 * consumer processes, under {@code SharedQueue}, {@code SharedJoinableQueue} and {@code SharedSimpleQueue}.
 *
 * <p>{@link io.github.jmultiprocessing.internal.queue.QueueChannel} is a header segment
 * ({@link io.github.jmultiprocessing.internal.queue.QueueLayout}: the producers' and consumers' locks, the counters
 * behind {@code maxsize}, {@code join} and shutdown, the waiting words, the broken word, the holders) and a chain of
 * rings ({@code internal.ring}): a producer that finds no room goes on in a new ring, and a consumer that drained
 * one unlinks it, so memory goes back as the queue drains. There is no feeder thread: a put returns once its
 * element is in shared memory.
 *
 * <p>A core package: depends on {@code internal.shm}, {@code internal.sync} and {@code internal.ring}; never the
 * public package.
 */
package io.github.jmultiprocessing.internal.queue;

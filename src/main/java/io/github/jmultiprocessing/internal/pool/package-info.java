/**
 * A process pool's machinery (CPython's {@code pool.py}): a service package under the API's {@code ProcessPool}.
 *
 * <p>{@link io.github.jmultiprocessing.internal.pool.PoolFrames} is the wire format of the messages between the
 * pool and each worker (a pipe per worker: a function sent once per call, tasks naming it, results in batches);
 * {@link io.github.jmultiprocessing.internal.pool.PoolWorker} is the loop a worker runs (receive tasks, run them,
 * send results). In the parent, a call is a {@link io.github.jmultiprocessing.internal.pool.Job} of
 * {@link io.github.jmultiprocessing.internal.pool.Task}s (chunks), a streaming one a
 * {@link io.github.jmultiprocessing.internal.pool.StreamJob}; the
 * {@link io.github.jmultiprocessing.internal.pool.Dispatcher} queues the tasks, sends them to the workers (a
 * {@code WorkerLink} each: sender and receiver threads, a
 * {@link io.github.jmultiprocessing.internal.pool.CreditWindow} bounding the tasks in flight by the worker's
 * measured time per task) and supervises them (a worker's end, its replacement, the pool's state). The dispatcher
 * reaches a worker only through a {@link io.github.jmultiprocessing.internal.pool.Link} (the pool adapts a
 * process, a pipe and a started word to it; a test gives fakes), and starts one through a
 * {@link io.github.jmultiprocessing.internal.pool.Dispatcher.Starter}: it never names {@code ProcessPool}.
 *
 * <p>A service package (DESIGN.md section 2): it may use every core package and the public package's public types,
 * never a package-private one, and no cycle of files crosses its boundary.
 */
package io.github.jmultiprocessing.internal.pool;

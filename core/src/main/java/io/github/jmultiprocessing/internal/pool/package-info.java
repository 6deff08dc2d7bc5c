/**
 * A process pool's machinery (CPython's {@code pool.py}): a service package under the API's {@code ProcessPool}.
 *
 * <ul>
 * <li>{@link io.github.jmultiprocessing.internal.pool.Dispatcher}: the pool's state, its queue of tasks, its
 *     workers and their supervision (a worker lost fails only the task it ran and its unstarted tasks run
 *     elsewhere; a replacement that cannot start is retried, then the pool breaks), under one monitor.
 * <li>{@link io.github.jmultiprocessing.internal.pool.WorkerLink}: one worker's sender and receiver threads, its
 *     credits ({@link io.github.jmultiprocessing.internal.pool.CreditWindow}), batches and tasks in flight, over a
 *     {@link io.github.jmultiprocessing.internal.pool.Link} (the pipe and process of the worker, which
 *     {@code ProcessPool} adapts; a test's fake link needs no child JVM).
 * <li>{@link io.github.jmultiprocessing.internal.pool.Calls}: the caller's side of a call (its items cut into
 *     tasks, its future, callbacks on the pool's callback thread, the check that workers can load a function, the
 *     executor view's work finished at exit).
 * <li>{@link io.github.jmultiprocessing.internal.pool.Job}, {@link io.github.jmultiprocessing.internal.pool.Task},
 *     {@link io.github.jmultiprocessing.internal.pool.StreamJob},
 *     {@link io.github.jmultiprocessing.internal.pool.CallFuture}: a call's tasks and the assembly of its
 *     results, in order or as they come.
 * <li>{@link io.github.jmultiprocessing.internal.pool.PoolFrames}: the wire format of the messages between the
 *     pool and a worker (a function sent once per call, tasks naming it, results in batches), and
 *     {@link io.github.jmultiprocessing.internal.pool.PoolWorker}, the worker's loop.
 * </ul>
 *
 * <p>A service package (DESIGN.md section 2): it may use every core package and the public package's public types,
 * never a package-private one, and no cycle of files crosses its boundary.
 */
package io.github.jmultiprocessing.internal.pool;

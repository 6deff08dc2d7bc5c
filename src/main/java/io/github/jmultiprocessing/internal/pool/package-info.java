/**
 * What a process pool's parent and workers exchange (CPython's {@code pool.py}): a service package.
 *
 * <p>{@link io.github.jmultiprocessing.internal.pool.PoolFrames} is the wire format of the messages between the
 * pool and each worker (a pipe per worker: a function sent once per call, tasks naming it, results in batches);
 * {@link io.github.jmultiprocessing.internal.pool.CreditWindow} bounds the tasks in flight to one worker by its
 * measured time per task; {@link io.github.jmultiprocessing.internal.pool.PoolWorker} is the loop a worker runs
 * (receive tasks, run them, send results). The pool itself ({@code ProcessPool}, the API) and its worker loop use
 * them.
 *
 * <p>A service package (DESIGN.md section 2): it may use every core package and the public package's public types,
 * never a package-private one, and no cycle of files crosses its boundary.
 */
package io.github.jmultiprocessing.internal.pool;

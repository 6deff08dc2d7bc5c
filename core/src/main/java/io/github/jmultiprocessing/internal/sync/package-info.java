/**
 * The one waiting core every synchronizer uses, and the lock-word protocols on top of it.
 *
 * <p>A waiter spins briefly, yields, then blocks: on Linux with native access enabled it sleeps in the kernel on
 * a futex word of the shared mapping ({@link io.github.jmultiprocessing.internal.sync.Futex}, the only class
 * here that makes a restricted call); elsewhere it parks with a bounded backoff. Waits are sliced so that a
 * waiter regularly checks whether the process it waits for has died.
 *
 * <p>Depends on {@code internal.shm} only.
 */
package io.github.jmultiprocessing.internal.sync;

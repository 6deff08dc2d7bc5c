package io.github.jmultiprocessing;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A {@link Callable} that can be sent to a worker JVM: what {@link ProcessPool#apply} runs.
 *
 * <pre>{@code
 * int base = 40;
 * SerializableCallable<Integer> task = () -> base + 2;               // captures base: it travels with the lambda
 * try (var pool = new ProcessPool(1)) {
 *     System.out.println(pool.apply(task));                           // 42, computed in a worker JVM
 * }
 * }</pre>
 *
 * @param <V> the result type
 */
@FunctionalInterface
public interface SerializableCallable<V> extends Callable<V>, Serializable {
}

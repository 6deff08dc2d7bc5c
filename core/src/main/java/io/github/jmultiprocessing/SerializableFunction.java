package io.github.jmultiprocessing;

import java.io.Serializable;
import java.util.function.Function;

/**
 * A {@link Function} that can be sent to a worker JVM: what {@link ProcessPool#map} applies. A lambda or method
 * reference of this type is serializable with everything it captures, which must itself be serializable.
 *
 * <pre>{@code
 * SerializableFunction<String, Integer> length = String::length;
 * try (var pool = new ProcessPool(2)) {
 *     System.out.println(pool.map(length, List.of("a", "bb", "ccc"))); // [1, 2, 3]
 * }
 * }</pre>
 *
 * @param <T> the argument type
 * @param <R> the result type
 */
@FunctionalInterface
public interface SerializableFunction<T, R> extends Function<T, R>, Serializable {
}

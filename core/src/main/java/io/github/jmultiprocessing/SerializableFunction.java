package io.github.jmultiprocessing;

import java.io.Serializable;
import java.util.function.Function;

/**
 * A {@link Function} that can be sent to a worker JVM: what {@link ProcessPool#map} applies. A lambda or method
 * reference of this type is serializable with everything it captures, which must itself be serializable.
 *
 * @param <T> the argument type
 * @param <R> the result type
 */
@FunctionalInterface
public interface SerializableFunction<T, R> extends Function<T, R>, Serializable {
}

package io.github.jmultiprocessing;

/**
 * A value held by a {@link Manager}'s server, used through a proxy: Python's {@code manager.Value(typecode, value)}
 * ({@code .value} is {@link #get()} and {@link #set}).
 *
 * <pre>{@code
 * try (Manager manager = Multiprocessing.manager()) {
 *     ManagedValue<String> status = manager.value("idle");           // Python: manager.Value('u', 'idle')
 *     var p = new JvmProcess(() -> status.set("done"));
 *     p.start();
 *     p.join();
 *     System.out.println(status.get());                             // done
 * }
 * }</pre>
 *
 * @param <T> the value's type
 */
public interface ManagedValue<T> {

    /** {@return the value} */
    T get();

    /**
     * Sets the value.
     *
     * @param value the new value
     */
    void set(T value);
}

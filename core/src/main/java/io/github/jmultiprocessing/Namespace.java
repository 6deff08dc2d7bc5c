package io.github.jmultiprocessing;

import java.util.Map;

/**
 * Named attributes held by a {@link Manager}'s server, used through a proxy: Python's {@code manager.Namespace()}
 * ({@code ns.x = 1} is {@code ns.set("x", 1)}, {@code ns.x} is {@code ns.get("x")}).
 *
 * <pre>{@code
 * try (Manager manager = Multiprocessing.manager()) {
 *     Namespace ns = manager.namespace();                            // Python: ns = manager.Namespace()
 *     ns.set("x", 1);                                                // Python: ns.x = 1
 *     var p = new JvmProcess(() -> ns.set("y", (Integer) ns.get("x") + 1));
 *     p.start();
 *     p.join();
 *     System.out.println(ns.get("y"));                               // 2
 * }
 * }</pre>
 */
public interface Namespace {

    /**
     * {@return an attribute's value}
     *
     * @param name the attribute
     * @throws java.util.NoSuchElementException if there is no such attribute (Python's {@code AttributeError})
     */
    Object get(String name);

    /**
     * Sets an attribute.
     *
     * @param name  the attribute
     * @param value its value
     */
    void set(String name, Object value);

    /**
     * Deletes an attribute.
     *
     * @param name the attribute
     * @throws java.util.NoSuchElementException if there is no such attribute
     */
    void delete(String name);

    /** {@return a copy of every attribute} */
    Map<String, Object> attributes();
}

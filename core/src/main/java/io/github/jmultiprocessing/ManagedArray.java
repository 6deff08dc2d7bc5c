package io.github.jmultiprocessing;

import java.util.List;

/**
 * An array of numbers held by a {@link Manager}'s server, used through a proxy: Python's
 * {@code manager.Array(typecode, sequence)}. Its length is fixed; elements have the type code's type.
 *
 * <pre>{@code
 * try (Manager manager = Multiprocessing.manager()) {
 *     ManagedArray array = manager.array('i', List.of(1, 2, 3));    // Python: manager.Array('i', [1, 2, 3])
 *     var p = new JvmProcess(() -> array.set(0, 10));
 *     p.start();
 *     p.join();
 *     System.out.println(array.toList());                           // [10, 2, 3]
 * }
 * }</pre>
 */
public interface ManagedArray {

    /** {@return the number of elements} */
    int length();

    /**
     * {@return an element}
     *
     * @param index its index
     * @throws IndexOutOfBoundsException if out of range
     */
    Object get(int index);

    /**
     * Sets an element.
     *
     * @param index its index
     * @param value a number that fits the type code
     * @throws IndexOutOfBoundsException if out of range
     * @throws IllegalArgumentException  if the value does not fit
     */
    void set(int index, Object value);

    /** {@return a copy of every element, in order} */
    List<Object> toList();
}

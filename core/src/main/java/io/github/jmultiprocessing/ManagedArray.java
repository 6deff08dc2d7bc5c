package io.github.jmultiprocessing;

import java.util.List;

/**
 * An array of numbers held by a {@link Manager}'s server, used through a proxy: Python's
 * {@code manager.Array(typecode, sequence)}. Its length is fixed; elements have the type code's type.
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

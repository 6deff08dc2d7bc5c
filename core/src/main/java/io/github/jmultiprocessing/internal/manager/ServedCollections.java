package io.github.jmultiprocessing.internal.manager;

import io.github.jmultiprocessing.ManagedArray;
import io.github.jmultiprocessing.ManagedValue;
import io.github.jmultiprocessing.Namespace;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The collections a manager's server holds for the standard types of {@code Manager} (Python's {@code SyncManager}
 * serving a {@code dict}, a {@code list}, a {@code Namespace}, a {@code Value} and an {@code Array}). They run in
 * the server, each call on the thread of the calling client's connection; each is synchronized (one call at a time,
 * as the GIL makes Python's), and what would be a view or an iterator of one is a copy, since it travels to the
 * client.
 *
 * <p>Implementation notes. The public {@code Manager} registers these classes (its factories make them in the
 * server); clients never name them: a proxy implements the type's public interface ({@link Map}, {@link List},
 * {@code Namespace}, {@code ManagedValue}, {@code ManagedArray}) and the server resolves each call through that
 * interface ({@link Methods}), so only the interface's name and the method's signature cross the wire. Split from
 * the synchronizers ({@link ServedSynchronizers}) by what they do: these hold data and never block.
 */
public final class ServedCollections {

    private ServedCollections() {
    }

    /**
     * A dict: insertion-ordered, as Python's.
     *
     * @param <K> keys
     * @param <V> values
     */
    public static final class Dict<K, V> extends AbstractMap<K, V> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final LinkedHashMap<K, V> map;

        /**
         * A dict holding a copy of the entries given.
         *
         * @param initial the first entries, or null for none
         */
        public Dict(Map<? extends K, ? extends V> initial) {
            map = initial == null ? new LinkedHashMap<>() : new LinkedHashMap<>(initial);
        }

        @Override
        public synchronized int size() {
            return map.size();
        }

        @Override
        public synchronized boolean isEmpty() {
            return map.isEmpty();
        }

        @Override
        public synchronized boolean containsKey(Object key) {
            return map.containsKey(key);
        }

        @Override
        public synchronized boolean containsValue(Object value) {
            return map.containsValue(value);
        }

        @Override
        public synchronized V get(Object key) {
            return map.get(key);
        }

        @Override
        public synchronized V put(K key, V value) {
            return map.put(key, value);
        }

        @Override
        public synchronized V remove(Object key) {
            return map.remove(key);
        }

        @Override
        public synchronized void putAll(Map<? extends K, ? extends V> m) {
            map.putAll(m);
        }

        @Override
        public synchronized void clear() {
            map.clear();
        }

        @Override
        public synchronized Set<K> keySet() {
            return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(map.keySet())); // a copy: no writes
        }

        @Override
        public synchronized Collection<V> values() {
            return java.util.Collections.unmodifiableList(new ArrayList<>(map.values()));
        }

        @Override
        public synchronized Set<Entry<K, V>> entrySet() {
            Set<Entry<K, V>> copy = new LinkedHashSet<>();
            for (Entry<K, V> entry : map.entrySet()) {
                copy.add(new SimpleImmutableEntry<>(entry));
            }
            return java.util.Collections.unmodifiableSet(copy);
        }

        @Override
        public synchronized void replaceAll(java.util.function.BiFunction<? super K, ? super V, ? extends V> f) {
            map.replaceAll(f);
        }

        @Override
        public synchronized boolean equals(Object o) {
            return map.equals(o);
        }

        @Override
        public synchronized int hashCode() {
            return map.hashCode();
        }

        @Override
        public synchronized String toString() {
            return map.toString();
        }
    }

    /**
     * A list.
     *
     * @param <E> elements
     */
    public static final class ListObject<E> extends AbstractList<E> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final ArrayList<E> list;

        /**
         * A list holding the elements given.
         *
         * @param initial the first elements, or null for none
         */
        public ListObject(Collection<? extends E> initial) {
            list = initial == null ? new ArrayList<>() : new ArrayList<>(initial);
        }

        @Override
        public synchronized E get(int index) {
            return list.get(index);
        }

        @Override
        public synchronized E set(int index, E element) {
            return list.set(index, element);
        }

        @Override
        public synchronized void add(int index, E element) {
            list.add(index, element);
        }

        @Override
        public synchronized boolean add(E element) {
            return list.add(element);
        }

        @Override
        public synchronized E remove(int index) {
            return list.remove(index);
        }

        @Override
        public synchronized boolean remove(Object o) {
            return list.remove(o);
        }

        @Override
        public synchronized int size() {
            return list.size();
        }

        @Override
        public synchronized boolean contains(Object o) {
            return list.contains(o);
        }

        @Override
        public synchronized int indexOf(Object o) {
            return list.indexOf(o);
        }

        @Override
        public synchronized int lastIndexOf(Object o) {
            return list.lastIndexOf(o);
        }

        @Override
        public synchronized boolean addAll(Collection<? extends E> c) {
            return list.addAll(c);
        }

        @Override
        public synchronized boolean addAll(int index, Collection<? extends E> c) {
            return list.addAll(index, c);
        }

        @Override
        public synchronized boolean removeAll(Collection<?> c) {
            return list.removeAll(c);
        }

        @Override
        public synchronized boolean retainAll(Collection<?> c) {
            return list.retainAll(c);
        }

        @Override
        public synchronized boolean removeIf(Predicate<? super E> filter) {
            return list.removeIf(filter);
        }

        @Override
        public synchronized void replaceAll(UnaryOperator<E> operator) {
            list.replaceAll(operator);
        }

        @Override
        public synchronized void sort(Comparator<? super E> c) {
            list.sort(c);
        }

        @Override
        public synchronized void clear() {
            list.clear();
        }

        @Override
        public synchronized Object[] toArray() {
            return list.toArray();
        }

        @Override
        public synchronized <T> T[] toArray(T[] a) {
            return list.toArray(a);
        }

        @Override
        public synchronized List<E> subList(int fromIndex, int toIndex) {
            return java.util.Collections.unmodifiableList(new ArrayList<>(list.subList(fromIndex, toIndex)));
        }

        @Override
        public synchronized boolean equals(Object o) {
            return list.equals(o);
        }

        @Override
        public synchronized int hashCode() {
            return list.hashCode();
        }

        @Override
        public synchronized String toString() {
            return list.toString();
        }
    }

    /** A namespace. */
    public static final class NamespaceObject implements Namespace {
        private final Map<String, Object> attributes = new LinkedHashMap<>();

        /** An empty namespace. */
        public NamespaceObject() {
        }

        @Override
        public synchronized Object get(String name) {
            if (!attributes.containsKey(name)) {
                throw new NoSuchElementException("attribute " + name + " (expected one of " + attributes.keySet()
                        + ")");
            }
            return attributes.get(name);
        }

        @Override
        public synchronized void set(String name, Object value) {
            attributes.put(java.util.Objects.requireNonNull(name, "name"), value);
        }

        @Override
        public synchronized void delete(String name) {
            if (!attributes.containsKey(name)) {
                throw new NoSuchElementException("attribute " + name + " (expected one of " + attributes.keySet()
                        + ")");
            }
            attributes.remove(name);
        }

        @Override
        public synchronized Map<String, Object> attributes() {
            return new LinkedHashMap<>(attributes);
        }

        @Override
        public synchronized String toString() {
            StringBuilder text = new StringBuilder("Namespace(");
            String separator = "";
            for (Map.Entry<String, Object> entry : attributes.entrySet()) {
                text.append(separator).append(entry.getKey()).append('=').append(entry.getValue());
                separator = ", ";
            }
            return text.append(')').toString();
        }
    }

    /** Python's Array: numbers of one type code, in memory of the server's. */
    public static final class ArrayObject implements ManagedArray {
        private final io.github.jmultiprocessing.internal.ctypes.TypeCode type;
        private final java.lang.foreign.MemorySegment memory;
        private final int length;

        /**
         * An array of the values given.
         *
         * @param typecode the type code ({@code 'i'}, {@code 'd'}, ...)
         * @param values   its first values, as many as its length
         * @throws IllegalArgumentException if the type code is unknown or a value does not fit it
         */
        public ArrayObject(char typecode, List<?> values) {
            type = io.github.jmultiprocessing.internal.ctypes.TypeCode.of(typecode);
            length = values.size();
            memory = java.lang.foreign.Arena.ofAuto().allocate((long) Math.max(1, length) * type.size(), 8);
            for (int i = 0; i < length; i++) {
                set(i, values.get(i));
            }
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public synchronized Object get(int index) {
            java.util.Objects.checkIndex(index, length);
            return type.getBoxed(memory, (long) index * type.size());
        }

        @Override
        public synchronized void set(int index, Object value) {
            java.util.Objects.checkIndex(index, length);
            type.setBoxed(memory, (long) index * type.size(), value);
        }

        @Override
        public synchronized List<Object> toList() {
            List<Object> values = new ArrayList<>(length);
            for (int i = 0; i < length; i++) {
                values.add(get(i));
            }
            return values;
        }

        @Override
        public String toString() {
            return "Array('" + type.code() + "', " + toList() + ")";
        }
    }

    /**
     * Python's Value.
     *
     * @param <T> the value's type
     */
    public static final class ValueObject<T> implements ManagedValue<T> {
        private T value; // guarded by this

        /**
         * A value.
         *
         * @param value its first value
         */
        public ValueObject(T value) {
            this.value = value;
        }

        @Override
        public synchronized T get() {
            return value;
        }

        @Override
        public synchronized void set(T value) {
            this.value = value;
        }

        @Override
        public synchronized String toString() {
            return "Value(" + value + ")";
        }
    }
}

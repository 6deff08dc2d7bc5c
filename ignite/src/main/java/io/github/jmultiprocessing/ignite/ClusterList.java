package io.github.jmultiprocessing.ignite;

import io.github.jmultiprocessing.ignite.ObjectOps.Holder;
import io.github.jmultiprocessing.ignite.ObjectOps.ListCall;
import io.github.jmultiprocessing.ignite.ObjectOps.ListOp;
import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.Objects;
import java.util.RandomAccess;
import org.apache.ignite.Ignite;

/**
 * A {@link ClusterManager}'s list: one entry of the objects cache (one backup) holding the elements, each call an
 * entry processor that runs where the entry is, atomically (one round trip; its cost grows with the list's size,
 * which the entry is). Iterators walk a copy and write through ({@code set}, {@code add}, {@code remove} of the
 * list's own), so {@code Collections.reverse}, {@code sort} and {@code shuffle} work, as with the local manager.
 *
 * @param <E> elements
 */
final class ClusterList<E> extends AbstractList<E> implements RandomAccess, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final ClusterRef ref;

    private ClusterList(ClusterRef ref) {
        this.ref = ref;
    }

    /** {@return a new list in the cluster holding {@code initial}'s elements, named {@code name}} */
    static <E> ClusterList<E> create(Ignite ignite, String name, Collection<? extends E> initial) {
        ignite.getOrCreateCache(ClusterRef.objectsCache()).put(name, new ArrayList<Object>(initial));
        return new ClusterList<>(new ClusterRef(ignite, name));
    }

    private Object call(ListCall call, int index, Object arg) {
        return ref.invoke(ref.name, new ListOp(call, index, arg));
    }

    @SuppressWarnings("unchecked")
    private E element(Object holder) {
        return (E) ((Holder) holder).value();
    }

    @Override
    public E get(int index) {
        return element(call(ListCall.GET, index, null));
    }

    @Override
    public E set(int index, E element) {
        return element(call(ListCall.SET, index, element));
    }

    @Override
    public boolean add(E element) {
        return (Boolean) call(ListCall.ADD, 0, element);
    }

    @Override
    public void add(int index, E element) {
        call(ListCall.ADD_AT, index, element);
    }

    @Override
    public boolean addAll(Collection<? extends E> elements) {
        return (Boolean) call(ListCall.ADD_ALL, 0, new ArrayList<Object>(elements));
    }

    @Override
    public boolean addAll(int index, Collection<? extends E> elements) {
        return (Boolean) call(ListCall.ADD_ALL_AT, index, new ArrayList<Object>(elements));
    }

    @Override
    public E remove(int index) {
        return element(call(ListCall.REMOVE_AT, index, null));
    }

    @Override
    public boolean remove(Object element) {
        return (Boolean) call(ListCall.REMOVE, 0, element);
    }

    @Override
    public void clear() {
        call(ListCall.CLEAR, 0, null);
    }

    @Override
    public int size() {
        return (Integer) call(ListCall.SIZE, 0, null);
    }

    @Override
    public int indexOf(Object element) {
        return (Integer) call(ListCall.INDEX_OF, 0, element);
    }

    @Override
    public int lastIndexOf(Object element) {
        return (Integer) call(ListCall.LAST_INDEX_OF, 0, element);
    }

    @Override
    public boolean contains(Object element) {
        return (Boolean) call(ListCall.CONTAINS, 0, element);
    }

    @SuppressWarnings("unchecked")
    private List<E> copy() {
        return (List<E>) call(ListCall.COPY, 0, null);
    }

    @Override
    public Object[] toArray() {
        return copy().toArray();
    }

    @Override
    public <T> T[] toArray(T[] array) {
        return copy().toArray(array);
    }

    @Override
    public Iterator<E> iterator() {
        return listIterator(0);
    }

    @Override
    public ListIterator<E> listIterator(int index) {
        return new CopyIterator(copy(), index);
    }

    @Override
    public List<E> subList(int fromIndex, int toIndex) {
        return new SubList(fromIndex, toIndex - fromIndex);
    }

    @Override
    public String toString() {
        return copy().toString();
    }

    /** The same list (same cluster, same name), as the local manager's proxies compare. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterList<?> other && other.ref.equals(ref);
    }

    @Override
    public int hashCode() {
        return ref.hashCode();
    }

    /** A view of a range of the list, each call one on the list (a copy's range for reading). */
    private final class SubList extends AbstractList<E> implements RandomAccess {
        private final int offset;
        private int size;

        SubList(int offset, int size) {
            Objects.checkFromIndexSize(offset, size, ClusterList.this.size());
            this.offset = offset;
            this.size = size;
        }

        @Override
        public E get(int index) {
            return ClusterList.this.get(offset + Objects.checkIndex(index, size));
        }

        @Override
        public E set(int index, E element) {
            return ClusterList.this.set(offset + Objects.checkIndex(index, size), element);
        }

        @Override
        public void add(int index, E element) {
            ClusterList.this.add(offset + Objects.checkIndex(index, size + 1), element);
            size++;
            modCount++;
        }

        @Override
        public E remove(int index) {
            E removed = ClusterList.this.remove(offset + Objects.checkIndex(index, size));
            size--;
            modCount++;
            return removed;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        @SuppressWarnings("unchecked")
        public ListIterator<E> listIterator(int index) {
            List<E> range = (List<E>) call(ListCall.RANGE, offset, offset + size);
            return new CopyIterator(range, index) {
                @Override
                int base() {
                    return offset;
                }

                @Override
                public void remove() {
                    super.remove();
                    size--;
                }

                @Override
                public void add(E element) {
                    super.add(element);
                    size++;
                }
            };
        }

        @Override
        protected void removeRange(int fromIndex, int toIndex) {
            for (int i = toIndex - 1; i >= fromIndex; i--) {
                remove(i);
            }
        }
    }

    /** An iterator over a copy whose writes go to the list too, at the same index. */
    private class CopyIterator implements ListIterator<E> {
        private final List<E> copy;
        private int cursor;
        private int last = -1;

        CopyIterator(List<E> copy, int index) {
            Objects.checkIndex(index, copy.size() + 1);
            this.copy = new ArrayList<>(copy);
            this.cursor = index;
        }

        int base() {
            return 0;
        }

        @Override
        public boolean hasNext() {
            return cursor < copy.size();
        }

        @Override
        public E next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            last = cursor;
            return copy.get(cursor++);
        }

        @Override
        public boolean hasPrevious() {
            return cursor > 0;
        }

        @Override
        public E previous() {
            if (!hasPrevious()) {
                throw new java.util.NoSuchElementException();
            }
            last = --cursor;
            return copy.get(cursor);
        }

        @Override
        public int nextIndex() {
            return cursor;
        }

        @Override
        public int previousIndex() {
            return cursor - 1;
        }

        @Override
        public void remove() {
            if (last < 0) {
                throw new IllegalStateException("no element to remove (expected next() or previous() first)");
            }
            ClusterList.this.remove(base() + last);
            copy.remove(last);
            cursor = last;
            last = -1;
        }

        @Override
        public void set(E element) {
            if (last < 0) {
                throw new IllegalStateException("no element to set (expected next() or previous() first)");
            }
            ClusterList.this.set(base() + last, element);
            copy.set(last, element);
        }

        @Override
        public void add(E element) {
            ClusterList.this.add(base() + cursor, element);
            copy.add(cursor++, element);
            last = -1;
        }
    }
}

package io.github.jmultiprocessing;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Objects;

/**
 * The {@code subList} of a list proxy: a view of a range of the shared list, as {@code ArrayList}'s is, each
 * {@code get}, {@code set}, {@code add} and {@code remove} one call of the list at the index shifted by the range's
 * start; its iterators read a copy of the range (one call) and write through ({@link ListProxyIterator}). So
 * {@code l.subList(a, b).clear()} removes a range and {@code Collections.rotate} works at any size.
 *
 * <p>Implementation notes: the range's size is kept here, changed by the view's own adds and removes (as
 * {@code ArrayList.SubList} keeps its own); a structural change made meanwhile through the list or by another
 * process is not seen, so the view then covers shifted elements, where {@code ArrayList}'s would throw
 * {@link java.util.ConcurrentModificationException}. {@code clear()} is a call per element. A sub-list of this
 * view is {@link AbstractList}'s, over this one.
 */
final class ListProxySubList extends AbstractList<Object> {

    /** Copies a range of the list (the server's own {@code subList}, one call). */
    interface Ranges {
        /**
         * {@return the elements from {@code from} (inclusive) to {@code to} (exclusive)}
         *
         * @param from the first index
         * @param to   the index after the last
         */
        List<Object> copy(int from, int to);
    }

    private final List<Object> list;
    private final Ranges ranges;
    private final int offset;
    private int size;

    ListProxySubList(List<Object> list, Ranges ranges, int offset, int size) {
        this.list = list;
        this.ranges = ranges;
        this.offset = offset;
        this.size = size;
    }

    @Override
    public Object get(int index) {
        Objects.checkIndex(index, size);
        return list.get(offset + index);
    }

    @Override
    public Object set(int index, Object element) {
        Objects.checkIndex(index, size);
        return list.set(offset + index, element);
    }

    @Override
    public void add(int index, Object element) {
        Objects.checkIndex(index, size + 1);
        list.add(offset + index, element);
        size++;
        modCount++;
    }

    @Override
    public Object remove(int index) {
        Objects.checkIndex(index, size);
        Object removed = list.remove(offset + index);
        size--;
        modCount++;
        return removed;
    }

    @Override
    protected void removeRange(int fromIndex, int toIndex) {
        for (int i = fromIndex; i < toIndex; i++) {
            list.remove(offset + fromIndex);
            size--;
        }
        modCount++;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public ListIterator<Object> listIterator(int index) {
        Objects.checkIndex(index, size + 1);
        // the server's copy comes read-only: set needs one of its own
        return new ListProxyIterator(this, new ArrayList<>(ranges.copy(offset, offset + size)), index);
    }

    @Override
    public java.util.Iterator<Object> iterator() {
        return listIterator(0);
    }
}

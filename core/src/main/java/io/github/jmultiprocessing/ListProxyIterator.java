package io.github.jmultiprocessing;

import java.util.List;
import java.util.ListIterator;
import java.util.NoSuchElementException;

/**
 * The iterator and list iterator of a list proxy (or of its {@link ListProxySubList}): it reads a copy taken when it
 * was made (one call) and writes through, each {@code set}, {@code add} and {@code remove} a call of the list at the
 * iterator's index (as {@code set(i, e)}, {@code add(i, e)}, {@code remove(i)}), its copy changed alike. So
 * {@code Collections.reverse}, {@code shuffle} and the like work on lists of any size. A change made meanwhile by
 * another process is not in the copy: the iterator's writes go to the indexes it knows, as an index loop's would.
 *
 * <p>Implementation notes: {@code cursor} and {@code last} are {@code ArrayList.Itr}'s; every write is made on the
 * list first, then on the copy, so a write the server refuses leaves the copy as the list is.
 */
final class ListProxyIterator implements ListIterator<Object> {

    private final List<Object> list;
    private List<Object> copy; // fixed-size (Arrays.asList of the reply) until this iterator's first add or remove
    private int cursor;
    private int last = -1; // the index of the element last returned, -1 after add or remove

    ListProxyIterator(List<Object> list, List<Object> copy, int cursor) {
        this.list = list;
        this.copy = copy;
        this.cursor = cursor;
    }

    @Override
    public boolean hasNext() {
        return cursor < copy.size();
    }

    @Override
    public Object next() {
        if (cursor >= copy.size()) {
            throw new NoSuchElementException("no element after index " + (cursor - 1));
        }
        last = cursor;
        return copy.get(cursor++);
    }

    @Override
    public boolean hasPrevious() {
        return cursor > 0;
    }

    @Override
    public Object previous() {
        if (cursor <= 0) {
            throw new NoSuchElementException("no element before index 0");
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
        checkLast("remove()");
        list.remove(last);
        resizable().remove(last);
        if (last < cursor) {
            cursor--;
        }
        last = -1;
    }

    @Override
    public void set(Object element) {
        checkLast("set()");
        list.set(last, element);
        copy.set(last, element);
    }

    @Override
    public void add(Object element) {
        list.add(cursor, element);
        resizable().add(cursor, element);
        cursor++;
        last = -1;
    }

    private List<Object> resizable() {
        if (!(copy instanceof java.util.ArrayList)) { // a plain walk never pays for this copy
            copy = new java.util.ArrayList<>(copy);
        }
        return copy;
    }

    private void checkLast(String what) {
        if (last < 0) {
            throw new IllegalStateException(what + " with no element returned since the last add or remove"
                    + " (expected next() or previous() first)");
        }
    }
}

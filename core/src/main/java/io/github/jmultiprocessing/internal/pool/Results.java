package io.github.jmultiprocessing.internal.pool;

import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A call's results in item order: its chunks' result lists end to end, as they came back, with no copy into one
 * array (a million results would make it a humongous object for the collector, and packed numbers would be boxed).
 * A fixed-size list like {@link Arrays#asList}: {@code set} works, adding and removing do not. It travels to other
 * processes as an {@code Arrays.asList} list of its elements.
 */
final class Results extends AbstractList<Object> implements RandomAccess, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final transient List<Object>[] chunks;
    private final transient int chunkSize;
    private final transient int size;

    /**
     * The results of chunks of {@code chunkSize} items each (the last one may be shorter).
     *
     * @param chunks    each chunk's results, in order; a missing or short one reads as nulls
     * @param chunkSize the items of each chunk but the last
     * @param size      the items of the call
     */
    Results(List<Object>[] chunks, int chunkSize, int size) {
        this.chunks = chunks;
        this.chunkSize = chunkSize;
        this.size = size;
    }

    @Override
    public Object get(int index) {
        Objects.checkIndex(index, size);
        List<Object> chunk = chunks[index / chunkSize];
        int at = index % chunkSize;
        return chunk != null && at < chunk.size() ? chunk.get(at) : null;
    }

    @Override
    public Object set(int index, Object element) {
        Objects.checkIndex(index, size);
        int k = index / chunkSize;
        List<Object> chunk = chunks[k];
        int length = Math.min(chunkSize, size - k * chunkSize);
        if (!(chunk instanceof ArrayList<Object>) || chunk.size() != length) { // packed, or short: made settable
            Object[] values = new Object[length];
            for (int i = 0; chunk != null && i < Math.min(length, chunk.size()); i++) {
                values[i] = chunk.get(i);
            }
            chunk = new ArrayList<>(Arrays.asList(values));
            chunks[k] = chunk;
        }
        return chunk.set(index % chunkSize, element);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Object[] toArray() {
        Object[] all = new Object[size];
        for (int i = 0; i < size; i++) {
            all[i] = get(i);
        }
        return all;
    }

    @Serial
    private Object writeReplace() {
        return Arrays.asList(toArray());
    }
}

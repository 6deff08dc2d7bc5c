package io.github.jmultiprocessing.internal.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.AbstractList;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A chunk's packed numbers ({@code Long}s, {@code Integer}s or {@code Double}s back to back in the message that
 * brought them, {@link PoolFrames}), read in place and boxed as they are read: a chunk of a million results keeps 8 MB
 * of values, not a million boxes the collector copies as long as the call's results live. Read-only; {@link Results}
 * unpacks a chunk a caller sets an element of.
 */
final class PackedItems extends AbstractList<Object> implements RandomAccess {

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle DOUBLE = MethodHandles.byteArrayViewVarHandle(double[].class,
            ByteOrder.BIG_ENDIAN);

    /** What the values are: as {@link PoolFrames}' packing bytes. */
    enum Kind { LONGS, INTS, DOUBLES }

    private final byte[] message;
    private final int offset;
    private final int count;
    private final Kind kind;

    /**
     * A view of {@code count} values from {@code offset}, big-endian, checked to fit by the caller.
     *
     * @param message the message, never changed after
     * @param offset  where the first value is
     * @param count   how many there are
     * @param kind    what they are
     */
    PackedItems(byte[] message, int offset, int count, Kind kind) {
        this.message = message;
        this.offset = offset;
        this.count = count;
        this.kind = kind;
    }

    @Override
    public Object get(int index) {
        Objects.checkIndex(index, count);
        return switch (kind) {
            case LONGS -> (Long) (long) LONG.get(message, offset + 8 * index);
            case INTS -> (Integer) (int) INT.get(message, offset + 4 * index);
            case DOUBLES -> (Double) (double) DOUBLE.get(message, offset + 8 * index);
        };
    }

    @Override
    public int size() {
        return count;
    }
}

package io.github.jmultiprocessing;

import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * How a typed queue turns its elements into bytes and back, in place in shared memory: no intermediate byte
 * array, no serialization. A codec travels with the queue to other processes, so it must be serializable (an
 * enum, a record, or a serializable lambda class).
 *
 * <pre>{@code
 * record Point(int x, int y) {}
 * Codec<Point> points = new Codec<>() {
 *     public int size(Point p) { return 8; }
 *     public void write(Point p, MemorySegment dst) {
 *         dst.set(ValueLayout.JAVA_INT_UNALIGNED, 0, p.x());
 *         dst.set(ValueLayout.JAVA_INT_UNALIGNED, 4, p.y());
 *     }
 *     public Point read(MemorySegment src) {
 *         return new Point(src.get(ValueLayout.JAVA_INT_UNALIGNED, 0), src.get(ValueLayout.JAVA_INT_UNALIGNED, 4));
 *     }
 * };
 * var q = new SharedQueue<Point>(0, points);
 * }</pre>
 *
 * <p>{@code write} and {@code read} run while the queue's producers' or consumers' lock is held: keep them short.
 * A put allocates nothing of its own; a get allocates what {@code read} returns.
 *
 * @param <T> the element type
 */
public interface Codec<T> extends Serializable {

    /**
     * {@return the exact number of bytes {@link #write} writes for this value}
     *
     * @param value the value, not null
     */
    int size(T value);

    /**
     * Writes the value.
     *
     * @param value the value, not null
     * @param dst   exactly {@link #size} bytes of shared memory, not aligned
     */
    void write(T value, MemorySegment dst);

    /**
     * Reads a value.
     *
     * @param src exactly the bytes {@link #write} wrote (read-only)
     * @return the value, not null
     * @throws java.io.UncheckedIOException wrapping a {@link java.io.StreamCorruptedException} if {@code src} cannot
     *                                      be a value (the built-in codecs check its size: a corrupt record length
     *                                      gives this, not another value); a queue's get passes it on
     */
    T read(MemorySegment src);

    /** {@return a codec for {@code Long} values: 8 bytes each} */
    @SuppressWarnings("unchecked")
    static Codec<Long> longs() {
        return BuiltinCodec.LONGS;
    }

    /** {@return a codec for {@code Integer} values: 4 bytes each} */
    @SuppressWarnings("unchecked")
    static Codec<Integer> ints() {
        return BuiltinCodec.INTS;
    }

    /** {@return a codec for byte arrays: their bytes, as they are} */
    @SuppressWarnings("unchecked")
    static Codec<byte[]> bytes() {
        return BuiltinCodec.BYTES;
    }
}

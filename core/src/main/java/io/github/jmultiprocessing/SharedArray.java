package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.codec.CompactCodec;
import java.io.IOException;
import io.github.jmultiprocessing.internal.ctypes.Cells;
import io.github.jmultiprocessing.internal.ctypes.TypeCode;
import io.github.jmultiprocessing.internal.shm.HeapBlock;
import io.github.jmultiprocessing.internal.shm.SharedHeap;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A fixed-length array of C-typed elements in shared memory: Python's {@code multiprocessing.Array} and
 * {@code RawArray}.
 *
 * <pre>{@code
 * var numbers = SharedArray.of('d', 0.0, 100.0, 200.0);   // Python: Array('d', [0.0, 100.0, 200.0])
 * var p = new JvmProcess(() -> {
 *     for (int i = 0; i < numbers.length(); i++) {
 *         try (var _ = numbers.getLock().locked()) {
 *             numbers.setDouble(i, numbers.getDouble(i) + 1);
 *         }
 *     }
 * });
 * }</pre>
 *
 * <p>Elements are typed by a Python typecode ({@code b B h H i I l L q Q f d c ?}) or by the Java array the
 * values come in. They are accessed one at a time with typed or boxed accessors, in bulk with
 * {@link #toList()}, {@link #slice(int, int)}, {@link #toDoubleArray()} and friends and the {@code copyFrom}
 * methods, or raw through {@link #segment()}. An index out of range throws {@link IndexOutOfBoundsException};
 * the rules for types and ranges are those of {@link SharedValue}.
 *
 * <p>Locking is as for {@link SharedValue}: an array made by {@code of} holds its own lock for every element
 * access (a bulk operation holds it once for the whole copy), and accesses by a thread that holds the lock
 * already do not re-acquire it; an array made by {@code raw} has no lock; {@link #withLock(SharedLock)} shares
 * a caller's lock. Atomic {@link #getAndAdd(int, long)} and {@link #compareAndSet(int, long, long)} work on
 * integer elements.
 *
 * <p>Its shared memory is given back once every process that has the array has closed its objects of it
 * ({@link #close()}), or they became unreachable, or it ended; never while a process still holds it.
 *
 * <p>Memory consistency effects: as for {@link SharedValue}, per element.
 */
public final class SharedArray implements AutoCloseable, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private transient Cells cells; // closed cells once closed
    private final transient int length;
    private final transient SharedLock lock; // null for a raw array
    private final transient boolean ownsLock; // the lock was made for this array: closed with it
    private final transient SharedHeap.Claim claim;

    private SharedArray(Cells cells, int length, SharedLock lock, boolean ownsLock) {
        this.cells = cells;
        this.length = length;
        this.lock = lock;
        this.ownsLock = ownsLock;
        this.claim = SharedHeap.claim(this, cells.block());
    }

    /**
     * Ends this process's use of this array object, and of the lock {@code of} made for it ({@link #getLock()};
     * a lock given to {@link #withLock} stays open): every later access throws {@link IllegalStateException}
     * (and a {@link #segment()} taken before must not be used any more). The shared memory is given back once no
     * process uses it (each has closed its objects of it, or they became unreachable, or it ended); other objects
     * of the same array, here or in other processes, keep working. Call it when no thread uses the object;
     * closing twice does nothing.
     */
    @Override
    public void close() {
        Cells open = cells;
        if (!open.isClosed()) {
            if (ownsLock) {
                lock.close();
            }
            cells = open.closed();
            claim.close();
        }
    }

    /**
     * A synchronized array of the given values (Python's {@code Array(typecode, [values])}).
     *
     * @param typecode one of {@code b B h H i I l L q Q f d c ?}
     * @param values   the initial elements, each fitting the type
     * @return the array
     * @throws IllegalArgumentException for an unknown typecode or a value that does not fit
     */
    public static SharedArray of(char typecode, Object... values) {
        return create(TypeCode.of(typecode), values.length, values, true);
    }

    /**
     * A synchronized array of the given doubles.
     *
     * @param typecode a numeric typecode; for integer ones every value must be integral
     * @param values   the initial elements
     * @return the array
     */
    public static SharedArray of(char typecode, double[] values) {
        return create(TypeCode.of(typecode), values.length, boxed(values), true);
    }

    /**
     * A synchronized array of the given longs.
     *
     * @param typecode a numeric typecode
     * @param values   the initial elements
     * @return the array
     */
    public static SharedArray of(char typecode, long[] values) {
        return create(TypeCode.of(typecode), values.length, Arrays.stream(values).boxed().toArray(), true);
    }

    /**
     * A synchronized array of the given ints.
     *
     * @param typecode a numeric typecode
     * @param values   the initial elements
     * @return the array
     */
    public static SharedArray of(char typecode, int[] values) {
        return create(TypeCode.of(typecode), values.length, Arrays.stream(values).boxed().toArray(), true);
    }

    /**
     * A synchronized {@code 'd'} array of the given doubles.
     *
     * @param values the initial elements
     * @return the array
     */
    public static SharedArray of(double[] values) {
        return of('d', values);
    }

    /**
     * A synchronized {@code 'q'} array of the given longs.
     *
     * @param values the initial elements
     * @return the array
     */
    public static SharedArray of(long[] values) {
        return of('q', values);
    }

    /**
     * A synchronized {@code 'i'} array of the given ints.
     *
     * @param values the initial elements
     * @return the array
     */
    public static SharedArray of(int[] values) {
        return of('i', values);
    }

    /**
     * A synchronized, zero-filled array (Python's {@code Array(typecode, length)}).
     *
     * @param typecode one of {@code b B h H i I l L q Q f d c ?}
     * @param length   the number of elements, 0 or more
     * @return the array
     * @throws IllegalArgumentException for an unknown typecode or a negative length
     */
    public static SharedArray ofLength(char typecode, int length) {
        return create(TypeCode.of(typecode), length, null, true);
    }

    /**
     * A synchronized, zero-filled array typed by a Java primitive (see {@link SharedValue#of(Class, Object)}).
     *
     * @param type   the primitive type or its wrapper
     * @param length the number of elements, 0 or more
     * @return the array
     */
    public static SharedArray ofLength(Class<?> type, int length) {
        return create(TypeCode.of(type), length, null, true);
    }

    /**
     * An unsynchronized array of the given values (Python's {@code RawArray(typecode, [values])}).
     *
     * @param typecode one of {@code b B h H i I l L q Q f d c ?}
     * @param values   the initial elements
     * @return the array
     */
    public static SharedArray raw(char typecode, Object... values) {
        return create(TypeCode.of(typecode), values.length, values, false);
    }

    /**
     * An unsynchronized, zero-filled array (Python's {@code RawArray(typecode, length)}).
     *
     * @param typecode one of {@code b B h H i I l L q Q f d c ?}
     * @param length   the number of elements, 0 or more
     * @return the array
     */
    public static SharedArray rawOfLength(char typecode, int length) {
        return create(TypeCode.of(typecode), length, null, false);
    }

    private static SharedArray create(TypeCode type, int length, Object[] values, boolean synchronize) {
        if (length < 0) {
            throw new IllegalArgumentException("length=" + length + " (expected >= 0)");
        }
        Object[] checked = values == null ? null : Cells.checkValues(type, values);
        HeapBlock block = SharedHeap.allocate(Cells.arrayBlockSize(type, length), Cells.ARRAY_ALIGNMENT);
        SharedLock lock = synchronize ? new SharedLock() : null;
        Cells cells = new Cells(type, block, lockWord(lock));
        if (checked != null) {
            cells.initialize(checked);
        }
        return new SharedArray(cells, length, lock, synchronize);
    }

    /** {@return where the lock's word lives, asked at each access (a closed lock answers closed memory)} */
    private static Supplier<MemorySegment> lockWord(SharedLock lock) {
        return lock == null ? null : lock::memory;
    }

    /**
     * The same memory, synchronized by the given lock instead (Python's {@code synchronized(obj, lock)}).
     *
     * @param lock the lock every access will hold
     * @return a view of this array under {@code lock}
     */
    public SharedArray withLock(SharedLock lock) {
        Objects.requireNonNull(lock, "lock");
        return new SharedArray(cells.withLockWord(lockWord(lock)), length, lock, false);
    }

    /** {@return the number of elements (Python's {@code len(arr)})} */
    public int length() {
        return length;
    }

    /** {@return the Python typecode} */
    public char typecode() {
        return cells.type().code();
    }

    /**
     * {@return the lock every access holds (Python's {@code get_lock()})}
     * @throws IllegalStateException for a raw array, which has none
     */
    public SharedLock getLock() {
        if (lock == null) {
            throw new IllegalStateException("a raw SharedArray has no lock (expected one made by SharedArray.of)");
        }
        return lock;
    }

    /** {@return true if accesses hold a lock} */
    public boolean isSynchronized() {
        return lock != null;
    }

    /**
     * The elements' bytes, native order, without any locking (Python's {@code get_obj()} / memoryview).
     *
     * @return a segment of {@code length() * element size} bytes
     */
    public MemorySegment segment() {
        return cells.memory().asSlice(0, (long) length * cells.type().size());
    }

    /**
     * {@return the element boxed, as {@link SharedValue#get()}}
     * @param index the element index
     */
    public Object get(int index) {
        return cells.get(offset(index));
    }

    /**
     * Writes an element.
     * @param index the element index
     * @param value a Number in range, a Character for 'c', a Boolean for '?'
     */
    public void set(int index, Object value) {
        cells.set(offset(index), value);
    }

    /**
     * {@return the element of a type whose values fit an int}
     * @param index the element index
     */
    public int getInt(int index) {
        return cells.getInt(offset(index));
    }

    /**
     * Writes an element.
     * @param index the element index
     * @param value the new value of an integer element
     */
    public void setInt(int index, int value) {
        cells.setLong(offset(index), value);
    }

    /**
     * {@return the element of an integer type}
     * @param index the element index
     */
    public long getLong(int index) {
        return cells.getLong(offset(index));
    }

    /**
     * Writes an element.
     * @param index the element index
     * @param value the new value of an integer element
     */
    public void setLong(int index, long value) {
        cells.setLong(offset(index), value);
    }

    /**
     * {@return a numeric element as a double}
     * @param index the element index
     */
    public double getDouble(int index) {
        return cells.getDouble(offset(index));
    }

    /**
     * Writes an element.
     * @param index the element index
     * @param value the new value of a floating-point element
     */
    public void setDouble(int index, double value) {
        cells.setDouble(offset(index), value);
    }

    /**
     * {@return a boolean ('?') element}
     * @param index the element index
     */
    public boolean getBoolean(int index) {
        return cells.getBoolean(offset(index));
    }

    /**
     * Writes an element.
     * @param index the element index
     * @param value the new value of a boolean ('?') element
     */
    public void setBoolean(int index, boolean value) {
        cells.setBoolean(offset(index), value);
    }

    /**
     * {@return a character ('c') element}
     * @param index the element index
     */
    public char getChar(int index) {
        return cells.getChar(offset(index));
    }

    /**
     * Writes an element.
     * @param index the element index
     * @param value the new value of a character ('c') element
     */
    public void setChar(int index, char value) {
        cells.setChar(offset(index), value);
    }

    /**
     * Atomically adds to an integer element, wrapping within the type's width.
     *
     * @param index the element index
     * @param delta the amount
     * @return the previous value
     */
    public long getAndAdd(int index, long delta) {
        return cells.getAndAdd(offset(index), delta);
    }

    /**
     * Atomically adds to an integer element, wrapping within the type's width.
     *
     * @param index the element index
     * @param delta the amount
     * @return the new value
     */
    public long addAndGet(int index, long delta) {
        return cells.addAndGet(offset(index), delta);
    }

    /**
     * Atomically increments an integer element.
     *
     * @param index the element index
     * @return the new value
     */
    public long incrementAndGet(int index) {
        return cells.addAndGet(offset(index), 1);
    }

    /**
     * Atomically sets an integer element to {@code update} if it holds {@code expected}.
     *
     * @param index    the element index
     * @param expected the value expected
     * @param update   the new value
     * @return true if it held {@code expected}
     */
    public boolean compareAndSet(int index, long expected, long update) {
        return cells.compareAndSet(offset(index), expected, update);
    }

    /** {@return all elements boxed, under one hold of the lock (Python's {@code arr[:]})} */
    public List<Object> toList() {
        return slice(0, length);
    }

    /**
     * Copies a range of elements, boxed, under one hold of the lock (Python's {@code arr[from:to]}).
     *
     * @param from first index, inclusive
     * @param to   last index, exclusive
     * @return the elements
     */
    public List<Object> slice(int from, int to) {
        Objects.checkFromToIndex(from, to, length);
        return cells.slice(offsetOf(from), to - from);
    }

    /**
     * Replaces a range of elements, under one hold of the lock (Python's {@code arr[from:from+n] = values}).
     *
     * @param from   first index
     * @param values the new elements, each fitting the type
     */
    public void setSlice(int from, List<?> values) {
        Objects.checkFromIndexSize(from, values.size(), length);
        Object[] checked = Cells.checkValues(cells.type(), values.toArray());
        cells.setSlice(offsetOf(from), checked);
    }

    /** {@return all elements of a numeric array as doubles, under one hold of the lock} */
    public double[] toDoubleArray() {
        double[] copy = new double[length];
        copyTo(0, copy, 0, length);
        return copy;
    }

    /** {@return all elements of an integer array as longs, under one hold of the lock} */
    public long[] toLongArray() {
        long[] copy = new long[length];
        copyTo(0, copy, 0, length);
        return copy;
    }

    /** {@return all elements of an array whose values fit an int, under one hold of the lock} */
    public int[] toIntArray() {
        int[] copy = new int[length];
        copyTo(0, copy, 0, length);
        return copy;
    }

    /**
     * Copies elements of a numeric array into a Java array, under one hold of the lock.
     *
     * @param index    first element
     * @param dst      the destination
     * @param dstIndex first destination index
     * @param count    how many
     */
    public void copyTo(int index, double[] dst, int dstIndex, int count) {
        Objects.checkFromIndexSize(index, count, length);
        Objects.checkFromIndexSize(dstIndex, count, dst.length);
        cells.copyTo(offsetOf(index), dst, dstIndex, count);
    }

    /**
     * Copies elements of an integer array into a Java array, under one hold of the lock.
     *
     * @param index    first element
     * @param dst      the destination
     * @param dstIndex first destination index
     * @param count    how many
     */
    public void copyTo(int index, long[] dst, int dstIndex, int count) {
        Objects.checkFromIndexSize(index, count, length);
        Objects.checkFromIndexSize(dstIndex, count, dst.length);
        cells.copyTo(offsetOf(index), dst, dstIndex, count);
    }

    /**
     * Copies elements of an array whose values fit an int into a Java array, under one hold of the lock.
     *
     * @param index    first element
     * @param dst      the destination
     * @param dstIndex first destination index
     * @param count    how many
     */
    public void copyTo(int index, int[] dst, int dstIndex, int count) {
        Objects.checkFromIndexSize(index, count, length);
        Objects.checkFromIndexSize(dstIndex, count, dst.length);
        cells.copyTo(offsetOf(index), dst, dstIndex, count);
    }

    /**
     * Copies doubles into a floating-point array, under one hold of the lock.
     *
     * @param src      the source
     * @param srcIndex first source index
     * @param index    first element
     * @param count    how many
     */
    public void copyFrom(double[] src, int srcIndex, int index, int count) {
        Objects.checkFromIndexSize(srcIndex, count, src.length);
        Objects.checkFromIndexSize(index, count, length);
        cells.copyFrom(src, srcIndex, offsetOf(index), count);
    }

    /**
     * Copies longs into an integer array, range-checking each, under one hold of the lock.
     *
     * @param src      the source
     * @param srcIndex first source index
     * @param index    first element
     * @param count    how many
     */
    public void copyFrom(long[] src, int srcIndex, int index, int count) {
        Objects.checkFromIndexSize(srcIndex, count, src.length);
        Objects.checkFromIndexSize(index, count, length);
        cells.copyFrom(src, srcIndex, offsetOf(index), count);
    }

    @Override
    public String toString() {
        if (cells.isClosed()) {
            return "SharedArray('" + cells.type().code() + "', " + length + " elements, closed)";
        }
        return "SharedArray('" + cells.type().code() + "', " + (length <= 100 ? slice(0, length) : length + " elements")
                + (lock == null ? ", raw" : "") + ")";
    }

    private long offset(int index) {
        return (long) Objects.checkIndex(index, length) * cells.type().size();
    }

    /** The byte offset of an element whose index the caller has checked. */
    private long offsetOf(int index) {
        return (long) index * cells.type().size();
    }

    private static Object[] boxed(double[] values) {
        return Arrays.stream(values).boxed().toArray();
    }

    /**
     * Sends a handle in place of this object: the segment's name and where in it the object lies, never its bytes;
     * the receiver maps the same memory.
     *
     * @return the handle that travels
     */
    @Serial
    Object writeReplace() {
        return new Handle(cells.type().code(), cells.block().segmentName(), cells.block().offset(), claim.send(), length,
                lock, ownsLock);
    }

    /**
     * Refuses a stream that holds this object itself rather than its handle (a forged or corrupt stream).
     *
     * @param in the stream
     * @throws InvalidObjectException always
     */
    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("SharedArray travels as a handle");
    }

    /** {@return the object a child's compact bootstrap carries, read from its handle's fields ({@link BootstrapForms})} */
    static Object readForm(CompactCodec.Reader in) throws IOException, ClassNotFoundException {
        return new Handle(in).readResolve();
    }

    /** Writes the handle this object travels as ({@code writeReplace}'s), in a child's compact bootstrap. */
    static void writeForm(Object handle, CompactCodec.Writer out) throws IOException {
        ((Handle) handle).writeTo(out);
    }


    /** The serialized form: typecode, where the elements live, how many, and the lock, if any. */
    private static final class Handle implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        private final char typecode;
        private final String segment;
        private final long offset;
        private final long transfer;
        private final int length;
        private final SharedLock lock;
        private final boolean ownsLock;

        Handle(char typecode, String segment, long offset, long transfer, int length, SharedLock lock,
                boolean ownsLock) {
            this.typecode = typecode;
            this.segment = segment;
            this.offset = offset;
            this.transfer = transfer;
            this.length = length;
            this.lock = lock;
            this.ownsLock = ownsLock;
        }

        Handle(CompactCodec.Reader in) throws IOException, ClassNotFoundException {
            this.typecode = in.data().readChar();
            this.segment = in.data().readUTF();
            this.offset = in.data().readLong();
            this.transfer = in.data().readLong();
            this.length = in.data().readInt();
            this.ownsLock = in.data().readBoolean();
            this.lock = BootstrapForms.read(in, SharedLock.class);
        }

        void writeTo(CompactCodec.Writer out) throws IOException {
            out.data().writeChar(typecode);
            out.data().writeUTF(segment);
            out.data().writeLong(offset);
            out.data().writeLong(transfer);
            out.data().writeInt(length);
            out.data().writeBoolean(ownsLock);
            out.writeValue(lock);
        }

        @Serial
        private Object readResolve() {
            TypeCode type = TypeCode.of(typecode);
            HeapBlock block = SharedHeap.attach(segment, offset, Cells.arrayBlockSize(type, length), transfer);
            return new SharedArray(new Cells(type, block, lockWord(lock)), length, lock, ownsLock);
        }
    }
}

package io.github.jmultiprocessing.internal.ctypes;

import io.github.jmultiprocessing.internal.shm.HeapBlock;
import io.github.jmultiprocessing.internal.shm.SharedHeap;
import io.github.jmultiprocessing.internal.sync.LockWord;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Typed cells in a shared-heap block, optionally under a lock: what {@code SharedValue} (one cell) and
 * {@code SharedArray} (many) share, CPython's {@code sharedctypes} objects and their {@code synchronized}
 * wrapper. Each access holds the lock unless the calling thread holds it already; a bulk access holds it once
 * for the whole copy.
 *
 * <p>Implementation notes. The cells are those of the package notes: {@link TypeCode#size()} bytes each, the
 * first at byte offset 0 of the block, the next {@code size} bytes further on. Every method takes byte offsets
 * and trusts them: the owner checks indexes against its length and throws {@link IndexOutOfBoundsException}
 * first. Single reads and writes are atomic on their own ({@link TypeCode}'s acquire and release accesses), so
 * an unsynchronized object is Python's {@code RawValue}/{@code RawArray}. The lock is known here only by its
 * word (a {@code LockLayout} in shared memory, taken and released through {@link LockWord}), and the word is
 * asked of its owner at each access, not captured: a lock closed by its owner answers with the closed memory,
 * so every later access through these cells throws {@link IllegalStateException}, where a captured segment
 * would go on taking a lock word whose block the heap may have given back. An access under the lock sees what
 * the lock's previous holders wrote before releasing it (the lock word's CASes pair release with acquire); a raw
 * access sees the cell's last released write. Closed cells keep their type, block and lock; their memory is
 * {@link SharedHeap#closedMemory()}, so each access throws.
 */
public final class Cells {

    /** Size and alignment of a value's block: one cache line, so values of different processes share none. */
    public static final long VALUE_BLOCK = 64;

    /** Alignment of an array's block. */
    public static final long ARRAY_ALIGNMENT = 64;

    private final TypeCode type;
    private final HeapBlock block;
    private final MemorySegment memory;
    private final Supplier<MemorySegment> lockWord; // null: raw, no lock

    /**
     * Cells over a block of the shared heap.
     *
     * @param type     the cells' type
     * @param block    the block that holds them, at least {@link #VALUE_BLOCK} or {@link #arrayBlockSize} bytes
     * @param lockWord where the lock's word lives, asked at each access (its owner's current memory), or null
     *                 for cells without a lock
     */
    public Cells(TypeCode type, HeapBlock block, Supplier<MemorySegment> lockWord) {
        this(type, block, block.memory(), lockWord);
    }

    private Cells(TypeCode type, HeapBlock block, MemorySegment memory, Supplier<MemorySegment> lockWord) {
        this.type = Objects.requireNonNull(type, "type");
        this.block = Objects.requireNonNull(block, "block");
        this.memory = memory;
        this.lockWord = lockWord;
    }

    /**
     * {@return the size of an array's block: whole 8-byte words around every cell, at least one, so that
     * sub-word cells can be updated through a CAS of their 4-byte word}
     * @param type   the cells' type
     * @param length the number of cells, 0 or more
     */
    public static long arrayBlockSize(TypeCode type, int length) {
        long bytes = (long) length * type.size();
        return Math.max(8, (bytes + 7) & ~7L); // whole 4-byte words around every element, for sub-word atomics
    }

    /**
     * The same cells under another lock (Python's {@code synchronized(obj, lock)}).
     *
     * @param lockWord where the other lock's word lives, asked at each access
     * @return the new view; closed if these cells are closed
     */
    public Cells withLockWord(Supplier<MemorySegment> lockWord) {
        return new Cells(type, block, memory, lockWord);
    }

    /** {@return these cells once closed: every access throws {@link IllegalStateException}} The lock is kept. */
    public Cells closed() {
        return new Cells(type, block, SharedHeap.closedMemory(), lockWord);
    }

    /** {@return true if these are closed cells} */
    public boolean isClosed() {
        return memory == SharedHeap.closedMemory();
    }

    /** {@return true if accesses hold a lock} */
    public boolean isSynchronized() {
        return lockWord != null;
    }

    /** {@return the cells' type} */
    public TypeCode type() {
        return type;
    }

    /** {@return the block that holds the cells} */
    public HeapBlock block() {
        return block;
    }

    /** {@return the cells' memory, without any locking; the closed memory once closed} */
    public MemorySegment memory() {
        return memory;
    }

    /**
     * Reads a cell boxed, as {@link TypeCode#getBoxed} does.
     *
     * @param offset the cell's byte offset
     * @return the value
     */
    public Object get(long offset) {
        MemorySegment held = enter();
        try {
            return type.getBoxed(memory, offset);
        } finally {
            exit(held);
        }
    }

    /**
     * Writes a cell from a boxed value, checking it before taking the lock.
     *
     * @param offset the cell's byte offset
     * @param value  a Number in range, a Character for 'c', a Boolean for '?'
     * @throws IllegalArgumentException if it does not fit the type
     */
    public void set(long offset, Object value) {
        if (type.kind() == TypeCode.Kind.FLOATING) {
            double v = type.toDouble(value);
            MemorySegment held = enter();
            try {
                type.setDouble(memory, offset, v);
            } finally {
                exit(held);
            }
        } else {
            setBits(offset, type.toLong(value));
        }
    }

    /**
     * {@return a cell of a type whose values fit an int}
     * @param offset the cell's byte offset
     * @throws IllegalStateException for other types
     */
    public int getInt(long offset) {
        requireInt();
        return (int) getBits(offset);
    }

    /**
     * {@return a cell of an integer type; for 8-byte unsigned types, its bits}
     * @param offset the cell's byte offset
     * @throws IllegalStateException for other types
     */
    public long getLong(long offset) {
        requireInteger();
        return getBits(offset);
    }

    /**
     * Writes a cell of an integer type.
     *
     * @param offset the cell's byte offset
     * @param value  the new value; for 8-byte unsigned types, its bits
     * @throws IllegalArgumentException if out of the type's range
     * @throws IllegalStateException    for other types
     */
    public void setLong(long offset, long value) {
        requireInteger();
        setBits(offset, type.checkRange(value));
    }

    /**
     * {@return a cell of a numeric type as a double}
     * @param offset the cell's byte offset
     * @throws IllegalStateException for character and boolean types
     */
    public double getDouble(long offset) {
        requireNumeric();
        MemorySegment held = enter();
        try {
            return type.getDouble(memory, offset);
        } finally {
            exit(held);
        }
    }

    /**
     * Writes a cell of a floating-point type.
     *
     * @param offset the cell's byte offset
     * @param value  the new value
     * @throws IllegalStateException for other types
     */
    public void setDouble(long offset, double value) {
        requireFloating();
        MemorySegment held = enter();
        try {
            type.setDouble(memory, offset, value);
        } finally {
            exit(held);
        }
    }

    /**
     * {@return a boolean ('?') cell}
     * @param offset the cell's byte offset
     * @throws IllegalStateException for other types
     */
    public boolean getBoolean(long offset) {
        requireKind(TypeCode.Kind.BOOLEAN, "getBoolean");
        return getBits(offset) != 0;
    }

    /**
     * Writes a boolean ('?') cell.
     *
     * @param offset the cell's byte offset
     * @param value  the new value
     * @throws IllegalStateException for other types
     */
    public void setBoolean(long offset, boolean value) {
        requireKind(TypeCode.Kind.BOOLEAN, "setBoolean");
        setBits(offset, value ? 1 : 0);
    }

    /**
     * {@return a character ('c') cell, 0..255}
     * @param offset the cell's byte offset
     * @throws IllegalStateException for other types
     */
    public char getChar(long offset) {
        requireKind(TypeCode.Kind.CHARACTER, "getChar");
        return (char) getBits(offset);
    }

    /**
     * Writes a character ('c') cell.
     *
     * @param offset the cell's byte offset
     * @param value  the new value, 0..255
     * @throws IllegalArgumentException if above 255
     * @throws IllegalStateException    for other types
     */
    public void setChar(long offset, char value) {
        requireKind(TypeCode.Kind.CHARACTER, "setChar");
        setBits(offset, type.checkRange(value));
    }

    /**
     * Atomically adds to an integer cell, wrapping within the type's width.
     *
     * @param offset the cell's byte offset
     * @param delta  the amount
     * @return the previous value
     * @throws IllegalStateException for non-integer types
     */
    public long getAndAdd(long offset, long delta) {
        requireInteger();
        MemorySegment held = enter();
        try {
            return type.getAndAdd(memory, offset, delta);
        } finally {
            exit(held);
        }
    }

    /**
     * Atomically adds to an integer cell, wrapping within the type's width.
     *
     * @param offset the cell's byte offset
     * @param delta  the amount
     * @return the new value
     * @throws IllegalStateException for non-integer types
     */
    public long addAndGet(long offset, long delta) {
        requireInteger();
        MemorySegment held = enter();
        try {
            long previous = type.getAndAdd(memory, offset, delta);
            return wrap(previous + delta); // what the cell now holds, without reading it again
        } finally {
            exit(held);
        }
    }

    /**
     * Atomically sets an integer cell to {@code update} if it holds {@code expected}.
     *
     * @param offset   the cell's byte offset
     * @param expected the value expected
     * @param update   the new value
     * @return true if it held {@code expected}
     * @throws IllegalArgumentException if {@code update} is out of range
     * @throws IllegalStateException    for non-integer types
     */
    public boolean compareAndSet(long offset, long expected, long update) {
        requireInteger();
        type.checkRange(update);
        if (!type.inRange(expected)) {
            return false; // the cell can never hold it
        }
        MemorySegment held = enter();
        try {
            return type.compareAndSet(memory, offset, expected, update);
        } finally {
            exit(held);
        }
    }

    /**
     * Reads consecutive cells boxed, under one hold of the lock (Python's {@code arr[from:to]}).
     *
     * @param offset the first cell's byte offset
     * @param count  how many cells
     * @return the values, as {@link #get} reads each
     */
    public List<Object> slice(long offset, int count) {
        List<Object> list = new ArrayList<>(count);
        TypeCode type = this.type;
        MemorySegment held = enter();
        try {
            for (int i = 0; i < count; i++) {
                list.add(type.getBoxed(memory, offset + (long) i * type.size()));
            }
        } finally {
            exit(held);
        }
        return list;
    }

    /**
     * Writes consecutive cells, under one hold of the lock (Python's {@code arr[from:from+n] = values}).
     *
     * @param offset  the first cell's byte offset
     * @param checked the values, as {@link #checkValues} returned them
     */
    public void setSlice(long offset, Object[] checked) {
        TypeCode type = this.type;
        MemorySegment held = enter();
        try {
            for (int i = 0; i < checked.length; i++) {
                type.setBoxed(memory, offset + (long) i * type.size(), checked[i]);
            }
        } finally {
            exit(held);
        }
    }

    /**
     * Writes the first cells without taking the lock: for new cells that no other thread or process can see yet.
     *
     * @param checked the values, as {@link #checkValues} returned them
     */
    public void initialize(Object[] checked) {
        for (int i = 0; i < checked.length; i++) {
            type.setBoxed(memory, (long) i * type.size(), checked[i]);
        }
    }

    /**
     * Copies numeric cells into a Java array, under one hold of the lock.
     *
     * @param offset   the first cell's byte offset
     * @param dst      the destination
     * @param dstIndex first destination index
     * @param count    how many
     * @throws IllegalStateException for character and boolean types
     */
    public void copyTo(long offset, double[] dst, int dstIndex, int count) {
        requireNumeric();
        TypeCode type = this.type;
        MemorySegment held = enter();
        try {
            if (type == TypeCode.DOUBLE) {
                MemorySegment.copy(memory, ValueLayout.JAVA_DOUBLE, offset, dst, dstIndex, count);
            } else {
                for (int i = 0; i < count; i++) {
                    dst[dstIndex + i] = type.getDouble(memory, offset + (long) i * type.size());
                }
            }
        } finally {
            exit(held);
        }
    }

    /**
     * Copies integer cells into a Java array, under one hold of the lock.
     *
     * @param offset   the first cell's byte offset
     * @param dst      the destination
     * @param dstIndex first destination index
     * @param count    how many
     * @throws IllegalStateException for non-integer types
     */
    public void copyTo(long offset, long[] dst, int dstIndex, int count) {
        requireInteger();
        TypeCode type = this.type;
        MemorySegment held = enter();
        try {
            if (type.size() == 8) {
                MemorySegment.copy(memory, ValueLayout.JAVA_LONG, offset, dst, dstIndex, count);
            } else {
                for (int i = 0; i < count; i++) {
                    dst[dstIndex + i] = type.getLong(memory, offset + (long) i * type.size());
                }
            }
        } finally {
            exit(held);
        }
    }

    /**
     * Copies cells whose values fit an int into a Java array, under one hold of the lock.
     *
     * @param offset   the first cell's byte offset
     * @param dst      the destination
     * @param dstIndex first destination index
     * @param count    how many
     * @throws IllegalStateException for other types
     */
    public void copyTo(long offset, int[] dst, int dstIndex, int count) {
        requireInt();
        TypeCode type = this.type;
        MemorySegment held = enter();
        try {
            if (type == TypeCode.INT) {
                MemorySegment.copy(memory, ValueLayout.JAVA_INT, offset, dst, dstIndex, count);
            } else {
                for (int i = 0; i < count; i++) {
                    dst[dstIndex + i] = (int) type.getLong(memory, offset + (long) i * type.size());
                }
            }
        } finally {
            exit(held);
        }
    }

    /**
     * Copies doubles into floating-point cells, under one hold of the lock.
     *
     * @param src      the source
     * @param srcIndex first source index
     * @param offset   the first cell's byte offset
     * @param count    how many
     * @throws IllegalStateException for other types
     */
    public void copyFrom(double[] src, int srcIndex, long offset, int count) {
        requireFloating();
        TypeCode type = this.type;
        MemorySegment held = enter();
        try {
            if (type == TypeCode.DOUBLE) {
                MemorySegment.copy(src, srcIndex, memory, ValueLayout.JAVA_DOUBLE, offset, count);
            } else {
                for (int i = 0; i < count; i++) {
                    type.setDouble(memory, offset + (long) i * type.size(), src[srcIndex + i]);
                }
            }
        } finally {
            exit(held);
        }
    }

    /**
     * Copies longs into integer cells, range-checking all of them before the lock is taken and anything written,
     * under one hold of the lock.
     *
     * @param src      the source
     * @param srcIndex first source index
     * @param offset   the first cell's byte offset
     * @param count    how many
     * @throws IllegalArgumentException if a value is out of the type's range
     * @throws IllegalStateException    for non-integer types
     */
    public void copyFrom(long[] src, int srcIndex, long offset, int count) {
        requireInteger();
        TypeCode type = this.type;
        for (int i = 0; i < count; i++) {
            type.checkRange(src[srcIndex + i]);
        }
        MemorySegment held = enter();
        try {
            if (type.size() == 8) {
                MemorySegment.copy(src, srcIndex, memory, ValueLayout.JAVA_LONG, offset, count);
            } else {
                for (int i = 0; i < count; i++) {
                    type.setLong(memory, offset + (long) i * type.size(), src[srcIndex + i]);
                }
            }
        } finally {
            exit(held);
        }
    }

    /**
     * Checks every value before anything is allocated or written; integral doubles are accepted for integer
     * types ({@code SharedArray.of('i', new double[] {1, 2})}).
     *
     * @param type   the cells' type
     * @param values the values, none null
     * @return the values to write
     * @throws NullPointerException     for a null value, naming its index
     * @throws IllegalArgumentException for a value that does not fit the type
     */
    public static Object[] checkValues(TypeCode type, Object[] values) {
        Object[] checked = new Object[values.length];
        for (int i = 0; i < values.length; i++) {
            checked[i] = checkValue(type, Objects.requireNonNull(values[i], "values[" + i + "]"));
        }
        return checked;
    }

    private static Object checkValue(TypeCode type, Object value) {
        if (type.kind() == TypeCode.Kind.FLOATING) {
            type.toDouble(value);
            return value;
        }
        if ((value instanceof Double || value instanceof Float) && type.isInteger()) {
            double d = ((Number) value).doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 0x1p63) {
                value = (long) d;
            }
        }
        type.toLong(value);
        return value;
    }

    private long getBits(long offset) {
        MemorySegment held = enter();
        try {
            return type.getLong(memory, offset);
        } finally {
            exit(held);
        }
    }

    private void setBits(long offset, long bits) {
        MemorySegment held = enter();
        try {
            type.setLong(memory, offset, bits);
        } finally {
            exit(held);
        }
    }

    /**
     * Holds the lock for one access unless this thread holds it already.
     *
     * @return the lock word to release after the access, or null if there is nothing to release
     */
    private MemorySegment enter() {
        Supplier<MemorySegment> lockWord = this.lockWord;
        if (lockWord == null) {
            return null;
        }
        MemorySegment word = lockWord.get();
        if (LockWord.isHeldByCurrentThread(word)) {
            return null;
        }
        LockWord.acquireUninterruptibly(word);
        return word;
    }

    private static void exit(MemorySegment held) {
        if (held != null) {
            LockWord.release(held);
        }
    }

    private void requireInt() {
        if (!type.fitsInt()) {
            throw new IllegalStateException("typecode='" + type.code() + "' has values beyond int (expected "
                    + (type.kind() == TypeCode.Kind.FLOATING ? "getDouble" : "getLong") + ")");
        }
    }

    private void requireNumeric() {
        if (type.kind() == TypeCode.Kind.BOOLEAN || type.kind() == TypeCode.Kind.CHARACTER) {
            throw new IllegalStateException("typecode='" + type.code() + "' is not numeric (expected "
                    + (type.kind() == TypeCode.Kind.BOOLEAN ? "getBoolean" : "getChar") + ")");
        }
    }

    private void requireFloating() {
        if (type.kind() != TypeCode.Kind.FLOATING) {
            throw new IllegalStateException("typecode='" + type.code() + "' holds integers (expected setLong or set)");
        }
    }

    private void requireInteger() {
        if (!type.isInteger()) {
            throw new IllegalStateException("typecode='" + type.code() + "' is not an integer type (expected one of"
                    + " b B h H i I l L q Q)");
        }
    }

    private void requireKind(TypeCode.Kind kind, String method) {
        if (type.kind() != kind) {
            throw new IllegalStateException(method + " on typecode='" + type.code() + "' (expected typecode '"
                    + (kind == TypeCode.Kind.BOOLEAN ? '?' : 'c') + "')");
        }
    }

    /** Truncates a sum to the type's width, as the cell stores it. */
    private long wrap(long value) {
        int bits = type.size() * 8;
        if (bits == 64) {
            return value;
        }
        long masked = value & ((1L << bits) - 1);
        return type.kind() == TypeCode.Kind.SIGNED ? (masked << (64 - bits)) >> (64 - bits) : masked;
    }
}

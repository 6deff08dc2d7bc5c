package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.ctypes.TypeCode;
import io.github.jmultiprocessing.internal.shm.HeapBlock;
import java.lang.foreign.MemorySegment;

/**
 * Typed cells in a shared-heap block, optionally under a lock: the machinery {@link SharedValue} (one cell) and
 * {@link SharedArray} (many) share. Each access holds the lock unless the calling thread already holds it.
 */
final class Cells {

    final TypeCode type;
    final HeapBlock block;
    final MemorySegment memory;
    final SharedLock lock;
    final boolean ownsLock; // the lock was made for these cells: closed with them

    Cells(TypeCode type, HeapBlock block, MemorySegment memory, SharedLock lock, boolean ownsLock) {
        this.type = type;
        this.block = block;
        this.memory = memory;
        this.lock = lock;
        this.ownsLock = ownsLock;
    }

    Cells withLock(SharedLock lock) {
        return new Cells(type, block, memory, lock, false);
    }

    /** {@return these cells once closed: every access throws} Closes the lock made for them. */
    Cells close() {
        if (ownsLock) {
            lock.close();
        }
        return new Cells(type, block, io.github.jmultiprocessing.internal.shm.SharedHeap.closedMemory(), lock, false);
    }

    boolean isClosed() {
        return memory == io.github.jmultiprocessing.internal.shm.SharedHeap.closedMemory();
    }

    SharedLock lock(String owner) {
        if (lock == null) {
            throw new IllegalStateException("a raw " + owner + " has no lock (expected one made by " + owner + ".of)");
        }
        return lock;
    }

    Object get(long offset) {
        boolean acquired = enter();
        try {
            return type.getBoxed(memory, offset);
        } finally {
            exit(acquired);
        }
    }

    void set(long offset, Object value) {
        if (type.kind() == TypeCode.Kind.FLOATING) {
            double v = type.toDouble(value);
            boolean acquired = enter();
            try {
                type.setDouble(memory, offset, v);
            } finally {
                exit(acquired);
            }
        } else {
            setBits(offset, type.toLong(value));
        }
    }

    int getInt(long offset) {
        requireInt();
        return (int) getBits(offset);
    }

    long getLong(long offset) {
        requireInteger();
        return getBits(offset);
    }

    void setLong(long offset, long value) {
        requireInteger();
        setBits(offset, type.checkRange(value));
    }

    double getDouble(long offset) {
        requireNumeric();
        boolean acquired = enter();
        try {
            return type.getDouble(memory, offset);
        } finally {
            exit(acquired);
        }
    }

    void setDouble(long offset, double value) {
        requireFloating();
        boolean acquired = enter();
        try {
            type.setDouble(memory, offset, value);
        } finally {
            exit(acquired);
        }
    }

    boolean getBoolean(long offset) {
        requireKind(TypeCode.Kind.BOOLEAN, "getBoolean");
        return getBits(offset) != 0;
    }

    void setBoolean(long offset, boolean value) {
        requireKind(TypeCode.Kind.BOOLEAN, "setBoolean");
        setBits(offset, value ? 1 : 0);
    }

    char getChar(long offset) {
        requireKind(TypeCode.Kind.CHARACTER, "getChar");
        return (char) getBits(offset);
    }

    void setChar(long offset, char value) {
        requireKind(TypeCode.Kind.CHARACTER, "setChar");
        setBits(offset, type.checkRange(value));
    }

    long getAndAdd(long offset, long delta) {
        requireInteger();
        boolean acquired = enter();
        try {
            return type.getAndAdd(memory, offset, delta);
        } finally {
            exit(acquired);
        }
    }

    long addAndGet(long offset, long delta) {
        requireInteger();
        boolean acquired = enter();
        try {
            long previous = type.getAndAdd(memory, offset, delta);
            return wrap(previous + delta); // what the cell now holds, without reading it again
        } finally {
            exit(acquired);
        }
    }

    boolean compareAndSet(long offset, long expected, long update) {
        requireInteger();
        type.checkRange(update);
        if (!type.inRange(expected)) {
            return false; // the cell can never hold it
        }
        boolean acquired = enter();
        try {
            return type.compareAndSet(memory, offset, expected, update);
        } finally {
            exit(acquired);
        }
    }

    long getBits(long offset) {
        boolean acquired = enter();
        try {
            return type.getLong(memory, offset);
        } finally {
            exit(acquired);
        }
    }

    void setBits(long offset, long bits) {
        boolean acquired = enter();
        try {
            type.setLong(memory, offset, bits);
        } finally {
            exit(acquired);
        }
    }

    /** Holds the lock for one access unless this thread holds it already; returns whether to release it. */
    boolean enter() {
        SharedLock lock = this.lock;
        if (lock == null || lock.isHeldByCurrentThread()) {
            return false;
        }
        lock.acquire();
        return true;
    }

    void exit(boolean acquired) {
        if (acquired) {
            lock.release();
        }
    }

    void requireInt() {
        if (!type.fitsInt()) {
            throw new IllegalStateException("typecode='" + type.code() + "' has values beyond int (expected "
                    + (type.kind() == TypeCode.Kind.FLOATING ? "getDouble" : "getLong") + ")");
        }
    }

    void requireNumeric() {
        if (type.kind() == TypeCode.Kind.BOOLEAN || type.kind() == TypeCode.Kind.CHARACTER) {
            throw new IllegalStateException("typecode='" + type.code() + "' is not numeric (expected "
                    + (type.kind() == TypeCode.Kind.BOOLEAN ? "getBoolean" : "getChar") + ")");
        }
    }

    void requireFloating() {
        if (type.kind() != TypeCode.Kind.FLOATING) {
            throw new IllegalStateException("typecode='" + type.code() + "' holds integers (expected setLong or set)");
        }
    }

    /**
     * Checks that a value fits the type before anything is written; integral doubles are accepted for integer
     * types ({@code SharedArray.of('i', new double[] {1, 2})}).
     *
     * @return the value to write
     */
    static Object checkValue(TypeCode type, Object value) {
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

    void requireInteger() {
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

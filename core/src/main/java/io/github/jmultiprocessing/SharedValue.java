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
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One C-typed value in shared memory: Python's {@code multiprocessing.Value} and {@code RawValue}.
 *
 * <pre>{@code
 * var counter = SharedValue.of('i', 0);             // Python: Value('i', 0)
 * var p = new JvmProcess(() -> counter.incrementAndGet());
 * p.start(); p.join();
 * try (var _ = counter.getLock().locked()) {     // Python: with counter.get_lock():
 *     counter.setInt(counter.getInt() * 2);
 * }
 * }</pre>
 *
 * <p>The type is a Python typecode ({@code b B h H i I l L q Q f d c ?}) or a Java primitive type. Values are
 * read and written with typed accessors ({@link #getInt()}, {@link #getLong()}, {@link #getDouble()}, ...) or
 * boxed ({@link #get()}, {@link #set(Object)}); a write outside the type's range throws
 * {@link IllegalArgumentException} (Python's ctypes would wrap silently), an accessor that does not suit the
 * type throws {@link IllegalStateException}.
 *
 * <p>A value made by {@code of} is synchronized, like Python's default {@code lock=True}: every access holds the
 * value's own {@link SharedLock} (exposed by {@link #getLock()}), and an access by a thread that already holds
 * that lock proceeds without re-acquiring it, so {@code get} and {@code set} inside a {@code locked()} block
 * behave as under Python's {@code RLock}-based wrapper. A value made by {@code raw} has no lock
 * ({@code RawValue}): single reads and writes are still atomic, read-modify-write sequences are not.
 * {@link #withLock(SharedLock)} shares a caller's lock, like Python's {@code Value(..., lock=my_lock)}.
 *
 * <p>Beyond Python, integer values offer atomic {@link #getAndAdd(long)}, {@link #incrementAndGet()} and
 * {@link #compareAndSet(long, long)}: lock-free on a raw value, under the lock on a synchronized one. Arithmetic
 * wraps within the type's width, like Java's.
 *
 * <p>A value captured by a {@link JvmProcess} target travels as a handle and the child attaches to the same
 * memory. The memory is given back once every process that has the value has closed its objects of it
 * ({@link #close()}), or they became unreachable, or it ended; never while a process still holds it.
 *
 * <p>Memory consistency effects: a write happens-before every read, in any process, that sees it; under the
 * lock, as {@link SharedLock} says.
 */
public final class SharedValue implements AutoCloseable, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private transient Cells cells; // closed cells once closed
    private final transient SharedLock lock; // null for a raw value
    private final transient boolean ownsLock; // the lock was made for this value: closed with it
    private final transient SharedHeap.Claim claim;

    private SharedValue(Cells cells, SharedLock lock, boolean ownsLock) {
        this.cells = cells;
        this.lock = lock;
        this.ownsLock = ownsLock;
        this.claim = SharedHeap.claim(this, cells.block());
    }

    /**
     * A synchronized value (Python's {@code Value(typecode, initial)}).
     *
     * @param typecode one of {@code b B h H i I l L q Q f d c ?}
     * @param initial  the initial value: a Number in range, a Character for {@code 'c'}, a Boolean for {@code '?'}
     * @return the value
     * @throws IllegalArgumentException for an unknown typecode or a value that does not fit
     */
    public static SharedValue of(char typecode, Object initial) {
        return create(TypeCode.of(typecode), Objects.requireNonNull(initial, "initial"), true);
    }

    /**
     * A synchronized value, zero-initialized.
     *
     * @param typecode one of {@code b B h H i I l L q Q f d c ?}
     * @return the value
     * @throws IllegalArgumentException for an unknown typecode
     */
    public static SharedValue of(char typecode) {
        return create(TypeCode.of(typecode), null, true);
    }

    /**
     * A synchronized value typed by a Java primitive: byte 'b', short 'h', int 'i', long 'q', float 'f',
     * double 'd', boolean '?'.
     *
     * @param type    the primitive type or its wrapper
     * @param initial the initial value
     * @return the value
     * @throws IllegalArgumentException for another type or a value that does not fit
     */
    public static SharedValue of(Class<?> type, Object initial) {
        return create(TypeCode.of(type), Objects.requireNonNull(initial, "initial"), true);
    }

    /**
     * An unsynchronized value (Python's {@code RawValue(typecode, initial)}).
     *
     * @param typecode one of {@code b B h H i I l L q Q f d c ?}
     * @param initial  the initial value
     * @return the value
     * @throws IllegalArgumentException for an unknown typecode or a value that does not fit
     */
    public static SharedValue raw(char typecode, Object initial) {
        return create(TypeCode.of(typecode), Objects.requireNonNull(initial, "initial"), false);
    }

    /**
     * An unsynchronized value, zero-initialized.
     *
     * @param typecode one of {@code b B h H i I l L q Q f d c ?}
     * @return the value
     * @throws IllegalArgumentException for an unknown typecode
     */
    public static SharedValue raw(char typecode) {
        return create(TypeCode.of(typecode), null, false);
    }

    private static SharedValue create(TypeCode type, Object initial, boolean synchronize) {
        if (initial != null) { // check before allocating anything
            if (type.kind() == TypeCode.Kind.FLOATING) {
                type.toDouble(initial);
            } else {
                type.toLong(initial);
            }
        }
        HeapBlock block = SharedHeap.allocate(Cells.VALUE_BLOCK, Cells.VALUE_BLOCK);
        SharedLock lock = synchronize ? new SharedLock() : null;
        Cells cells = new Cells(type, block, lockWord(lock));
        if (initial != null) {
            type.setBoxed(cells.memory(), 0, initial);
        }
        return new SharedValue(cells, lock, synchronize);
    }

    /** {@return where the lock's word lives, asked at each access (a closed lock answers closed memory)} */
    private static Supplier<MemorySegment> lockWord(SharedLock lock) {
        return lock == null ? null : lock::memory;
    }

    /**
     * The same memory, synchronized by the given lock instead (Python's {@code synchronized(obj, lock)}).
     *
     * @param lock the lock every access will hold
     * @return a view of this value under {@code lock}
     */
    public SharedValue withLock(SharedLock lock) {
        Objects.requireNonNull(lock, "lock");
        return new SharedValue(cells.withLockWord(lockWord(lock)), lock, false);
    }

    /** {@return the Python typecode} */
    public char typecode() {
        return cells.type().code();
    }

    /**
     * {@return the lock every access holds (Python's {@code get_lock()})}
     * @throws IllegalStateException for a raw value, which has none
     */
    public SharedLock getLock() {
        if (lock == null) {
            throw new IllegalStateException("a raw SharedValue has no lock (expected one made by SharedValue.of)");
        }
        return lock;
    }

    /** {@return true if accesses hold a lock} */
    public boolean isSynchronized() {
        return lock != null;
    }

    /**
     * Reads the value boxed (Python's {@code .value}): Integer for types that fit an int, Long for wider
     * integers, BigInteger for an unsigned 8-byte value above {@code Long.MAX_VALUE}, Float, Double, Character
     * ('c') or Boolean ('?').
     *
     * @return the value
     */
    public Object get() {
        return cells.get(0);
    }

    /**
     * Writes the value.
     *
     * @param value a Number in range, a Character for 'c', a Boolean for '?'
     * @throws IllegalArgumentException if it does not fit the type
     */
    public void set(Object value) {
        cells.set(0, value);
    }

    /**
     * {@return the value of a type whose values fit an int ({@code b B h H i c ?})}
     * @throws IllegalStateException for other types
     */
    public int getInt() {
        return cells.getInt(0);
    }

    /**
     * Writes the value.
     * @param value the new value of an integer type
     * @throws IllegalArgumentException if out of the type's range
     * @throws IllegalStateException    for other types
     */
    public void setInt(int value) {
        cells.setLong(0, value);
    }

    /**
     * {@return the value of an integer type; for 8-byte unsigned types, its bits}
     * @throws IllegalStateException for other types
     */
    public long getLong() {
        return cells.getLong(0);
    }

    /**
     * Writes the value.
     * @param value the new value of an integer type; for 8-byte unsigned types, its bits
     * @throws IllegalArgumentException if out of the type's range
     * @throws IllegalStateException    for other types
     */
    public void setLong(long value) {
        cells.setLong(0, value);
    }

    /**
     * {@return the value of a numeric type as a double}
     * @throws IllegalStateException for character and boolean types
     */
    public double getDouble() {
        return cells.getDouble(0);
    }

    /**
     * Writes the value.
     * @param value the new value of a floating-point type
     * @throws IllegalStateException for other types
     */
    public void setDouble(double value) {
        cells.setDouble(0, value);
    }

    /**
     * {@return the value of a boolean ('?') value}
     * @throws IllegalStateException for other types
     */
    public boolean getBoolean() {
        return cells.getBoolean(0);
    }

    /**
     * Writes the value.
     * @param value the new value of a boolean ('?') value
     * @throws IllegalStateException for other types
     */
    public void setBoolean(boolean value) {
        cells.setBoolean(0, value);
    }

    /**
     * {@return the value of a character ('c') value, 0..255}
     * @throws IllegalStateException for other types
     */
    public char getChar() {
        return cells.getChar(0);
    }

    /**
     * Writes the value.
     * @param value the new value of a character ('c') value
     * @throws IllegalArgumentException if above 255
     * @throws IllegalStateException    for other types
     */
    public void setChar(char value) {
        cells.setChar(0, value);
    }

    /**
     * Atomically adds to an integer value, wrapping within the type's width.
     *
     * @param delta the amount
     * @return the previous value
     * @throws IllegalStateException for non-integer types
     */
    public long getAndAdd(long delta) {
        return cells.getAndAdd(0, delta);
    }

    /**
     * Atomically adds to an integer value, wrapping within the type's width.
     *
     * @param delta the amount
     * @return the new value
     * @throws IllegalStateException for non-integer types
     */
    public long addAndGet(long delta) {
        return cells.addAndGet(0, delta);
    }

    /**
     * Atomically increments an integer value.
     *
     * @return the new value
     * @throws IllegalStateException for non-integer types
     */
    public long incrementAndGet() {
        return cells.addAndGet(0, 1);
    }

    /**
     * Atomically sets an integer value to {@code update} if it holds {@code expected}.
     *
     * @param expected the value expected
     * @param update   the new value
     * @return true if it held {@code expected}
     * @throws IllegalArgumentException if {@code update} is out of range
     * @throws IllegalStateException    for non-integer types
     */
    public boolean compareAndSet(long expected, long update) {
        return cells.compareAndSet(0, expected, update);
    }

    /**
     * Ends this process's use of this value object, and of the lock {@code of} made for it ({@link #getLock()};
     * a lock given to {@link #withLock} stays open): every later access throws {@link IllegalStateException}.
     * The shared memory is given back once no process uses it (each has closed its objects of it, or they became
     * unreachable, or it ended); other objects of the same value, here or in other processes, keep working. Call
     * it when no thread uses the object; closing twice does nothing.
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

    /** {@return where the value lives (for tests)} */
    io.github.jmultiprocessing.internal.shm.HeapBlock block() {
        return cells.block();
    }

    @Override
    public String toString() {
        if (cells.isClosed()) {
            return "SharedValue('" + cells.type().code() + "', closed)";
        }
        return "SharedValue('" + cells.type().code() + "', " + cells.type().getBoxed(cells.memory(), 0)
                + (lock == null ? ", raw" : "") + ")";
    }

    /**
     * Sends a handle in place of this object: the segment's name and where in it the object lies, never its bytes;
     * the receiver maps the same memory.
     *
     * @return the handle that travels
     */
    @Serial
    Object writeReplace() {
        return new Handle(cells.type().code(), cells.block().segmentName(), cells.block().offset(), claim.send(), lock,
                ownsLock);
    }

    /**
     * Refuses a stream that holds this object itself rather than its handle (a forged or corrupt stream).
     *
     * @param in the stream
     * @throws InvalidObjectException always
     */
    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("SharedValue travels as a handle");
    }

    /** {@return the object a child's compact bootstrap carries, read from its handle's fields ({@link BootstrapForms})} */
    static Object readForm(CompactCodec.Reader in) throws IOException, ClassNotFoundException {
        return new Handle(in).readResolve();
    }

    /** Writes the handle this object travels as ({@code writeReplace}'s), in a child's compact bootstrap. */
    static void writeForm(Object handle, CompactCodec.Writer out) throws IOException {
        ((Handle) handle).writeTo(out);
    }

    /** The serialized form: typecode, where the cell lives, and the lock (itself a handle), if any. */
    private static final class Handle implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        private final char typecode;
        private final String segment;
        private final long offset;
        private final long transfer;
        private final SharedLock lock;
        private final boolean ownsLock;

        Handle(char typecode, String segment, long offset, long transfer, SharedLock lock, boolean ownsLock) {
            this.typecode = typecode;
            this.segment = segment;
            this.offset = offset;
            this.transfer = transfer;
            this.lock = lock;
            this.ownsLock = ownsLock;
        }

        Handle(CompactCodec.Reader in) throws IOException, ClassNotFoundException {
            this.typecode = in.data().readChar();
            this.segment = in.data().readUTF();
            this.offset = in.data().readLong();
            this.transfer = in.data().readLong();
            this.ownsLock = in.data().readBoolean();
            this.lock = BootstrapForms.read(in, SharedLock.class);
        }

        void writeTo(CompactCodec.Writer out) throws IOException {
            out.data().writeChar(typecode);
            out.data().writeUTF(segment);
            out.data().writeLong(offset);
            out.data().writeLong(transfer);
            out.data().writeBoolean(ownsLock);
            out.writeValue(lock);
        }

        @Serial
        private Object readResolve() {
            HeapBlock block = SharedHeap.attach(segment, offset, Cells.VALUE_BLOCK, transfer);
            return new SharedValue(new Cells(TypeCode.of(typecode), block, lockWord(lock)), lock, ownsLock);
        }
    }
}

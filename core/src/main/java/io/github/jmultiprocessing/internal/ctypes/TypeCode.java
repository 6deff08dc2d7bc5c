package io.github.jmultiprocessing.internal.ctypes;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;

/**
 * The C types of Python's {@code array}/{@code ctypes} typecodes, as cells in shared memory: size, value range,
 * and how to read, write and atomically update one.
 *
 * <p>Sizes are those of CPython on 64-bit Linux and macOS ({@code 'l'} and {@code 'L'} are 8 bytes), in native
 * byte order, so a Python process reading the same bytes sees the same values. Reads use acquire and writes
 * release semantics; read-modify-write operations are atomic. One- and two-byte cells are updated atomically
 * through a compare-and-set of the aligned 4-byte word that contains them (the JDK's segment var handles have
 * no sub-word atomics), so such cells must lie in blocks whose size is a multiple of 4 from a 4-aligned base.
 */
public enum TypeCode {
    /** {@code signed char} as a number. */
    BYTE('b', 1, Kind.SIGNED),
    /** {@code unsigned char}. */
    UNSIGNED_BYTE('B', 1, Kind.UNSIGNED),
    /** {@code short}. */
    SHORT('h', 2, Kind.SIGNED),
    /** {@code unsigned short}. */
    UNSIGNED_SHORT('H', 2, Kind.UNSIGNED),
    /** {@code int}. */
    INT('i', 4, Kind.SIGNED),
    /** {@code unsigned int}. */
    UNSIGNED_INT('I', 4, Kind.UNSIGNED),
    /** {@code long} (8 bytes on 64-bit Unix). */
    LONG('l', 8, Kind.SIGNED),
    /** {@code unsigned long}. */
    UNSIGNED_LONG('L', 8, Kind.UNSIGNED),
    /** {@code long long}. */
    LONG_LONG('q', 8, Kind.SIGNED),
    /** {@code unsigned long long}. */
    UNSIGNED_LONG_LONG('Q', 8, Kind.UNSIGNED),
    /** {@code float}. */
    FLOAT('f', 4, Kind.FLOATING),
    /** {@code double}. */
    DOUBLE('d', 8, Kind.FLOATING),
    /** {@code char}: one byte, 0..255, as a Java {@code char}. */
    CHAR('c', 1, Kind.CHARACTER),
    /** {@code _Bool}. */
    BOOL('?', 1, Kind.BOOLEAN);

    /** What a typecode's values are. */
    public enum Kind {
        /** Two's complement integers. */
        SIGNED,
        /** Unsigned integers; 8-byte ones are kept as the bits of a Java {@code long}. */
        UNSIGNED,
        /** IEEE 754 floating point. */
        FLOATING,
        /** A one-byte character. */
        CHARACTER,
        /** A boolean, 0 or 1. */
        BOOLEAN
    }

    private static final VarHandle BYTE_VH = JAVA_BYTE.varHandle();
    private static final VarHandle SHORT_VH = JAVA_SHORT.varHandle();
    private static final VarHandle INT_VH = JAVA_INT.varHandle();
    private static final VarHandle LONG_VH = JAVA_LONG.varHandle();
    private static final VarHandle FLOAT_VH = JAVA_FLOAT.varHandle();
    private static final VarHandle DOUBLE_VH = JAVA_DOUBLE.varHandle();
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    private final char code;
    private final int size;
    private final Kind kind;

    TypeCode(char code, int size, Kind kind) {
        this.code = code;
        this.size = size;
        this.kind = kind;
    }

    /**
     * Looks up a Python typecode.
     *
     * @param code one of {@code b B h H i I l L q Q f d c ?}
     * @return its type
     * @throws IllegalArgumentException for any other character
     */
    public static TypeCode of(char code) {
        for (TypeCode type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        throw new IllegalArgumentException("typecode='" + code + "' (expected one of b B h H i I l L q Q f d c ?)");
    }

    /**
     * The typecode for a Java primitive type or its box: byte 'b', short 'h', int 'i', long 'q', float 'f',
     * double 'd', boolean '?'.
     *
     * @param type a primitive type or its wrapper
     * @return its typecode
     * @throws IllegalArgumentException for other types
     */
    public static TypeCode of(Class<?> type) {
        if (type == byte.class || type == Byte.class) {
            return BYTE;
        } else if (type == short.class || type == Short.class) {
            return SHORT;
        } else if (type == int.class || type == Integer.class) {
            return INT;
        } else if (type == long.class || type == Long.class) {
            return LONG_LONG;
        } else if (type == float.class || type == Float.class) {
            return FLOAT;
        } else if (type == double.class || type == Double.class) {
            return DOUBLE;
        } else if (type == boolean.class || type == Boolean.class) {
            return BOOL;
        }
        throw new IllegalArgumentException("type=" + type
                + " (expected byte, short, int, long, float, double or boolean, or a typecode)");
    }

    /** {@return the Python typecode character} */
    public char code() {
        return code;
    }

    /** {@return the cell size in bytes} */
    public int size() {
        return size;
    }

    /** {@return what the values are} */
    public Kind kind() {
        return kind;
    }

    /** {@return true for the integer typecodes (signed or unsigned)} */
    public boolean isInteger() {
        return kind == Kind.SIGNED || kind == Kind.UNSIGNED;
    }

    /** {@return true if every value fits a Java {@code int}} */
    public boolean fitsInt() {
        return kind != Kind.FLOATING && (size < 4 || (size == 4 && kind == Kind.SIGNED));
    }

    /** {@return the least value, as a long (0 for unsigned, boolean and char)} */
    public long min() {
        return kind == Kind.SIGNED ? -(1L << (size * 8 - 1)) : 0;
    }

    /** {@return the greatest value as a long; -1 stands for 2^64-1 of the 8-byte unsigned types} */
    public long max() {
        return switch (kind) {
            case SIGNED -> (1L << (size * 8 - 1)) - 1;
            case UNSIGNED -> size == 8 ? -1L : (1L << (size * 8)) - 1;
            case CHARACTER -> 255;
            case BOOLEAN -> 1;
            case FLOATING -> throw new IllegalStateException("typecode='" + code + "' is floating point");
        };
    }

    /**
     * {@return true if the long is a value of this integer-like type (every long is, for 8-byte unsigned types)}
     * @param value the value
     */
    public boolean inRange(long value) {
        return kind == Kind.FLOATING || (kind == Kind.UNSIGNED && size == 8) || (value >= min() && value <= max());
    }

    /**
     * Checks that a Java long is a value of this integer-like type (for 8-byte unsigned types every long is a
     * valid bit pattern).
     *
     * @param value the value
     * @return the value
     * @throws IllegalArgumentException if out of range
     */
    public long checkRange(long value) {
        if (kind == Kind.FLOATING) {
            return value;
        }
        if (!inRange(value)) {
            throw new IllegalArgumentException("value=" + value + " (expected " + min() + ".." + max()
                    + " for typecode '" + code + "')");
        }
        return value;
    }

    /**
     * Reads an integer-like cell (acquire).
     *
     * @param memory the memory
     * @param offset the cell offset
     * @return the value: sign-extended, zero-extended for unsigned (the bits, for 8-byte unsigned)
     */
    public long getLong(MemorySegment memory, long offset) {
        return switch (size) {
            case 1 -> kind == Kind.SIGNED ? (byte) BYTE_VH.getAcquire(memory, offset)
                    : Byte.toUnsignedLong((byte) BYTE_VH.getAcquire(memory, offset));
            case 2 -> kind == Kind.SIGNED ? (short) SHORT_VH.getAcquire(memory, offset)
                    : Short.toUnsignedLong((short) SHORT_VH.getAcquire(memory, offset));
            case 4 -> kind == Kind.FLOATING ? (long) (float) FLOAT_VH.getAcquire(memory, offset)
                    : kind == Kind.SIGNED ? (int) INT_VH.getAcquire(memory, offset)
                    : Integer.toUnsignedLong((int) INT_VH.getAcquire(memory, offset));
            default -> kind == Kind.FLOATING ? (long) (double) DOUBLE_VH.getAcquire(memory, offset)
                    : (long) LONG_VH.getAcquire(memory, offset);
        };
    }

    /**
     * Writes an integer-like cell (release), keeping the low {@link #size()} bytes of the value.
     *
     * @param memory the memory
     * @param offset the cell offset
     * @param value  the value, already range-checked
     */
    public void setLong(MemorySegment memory, long offset, long value) {
        switch (size) {
            case 1 -> BYTE_VH.setRelease(memory, offset, (byte) value);
            case 2 -> SHORT_VH.setRelease(memory, offset, (short) value);
            case 4 -> {
                if (kind == Kind.FLOATING) {
                    FLOAT_VH.setRelease(memory, offset, (float) value);
                } else {
                    INT_VH.setRelease(memory, offset, (int) value);
                }
            }
            default -> {
                if (kind == Kind.FLOATING) {
                    DOUBLE_VH.setRelease(memory, offset, (double) value);
                } else {
                    LONG_VH.setRelease(memory, offset, value);
                }
            }
        }
    }

    /**
     * Reads any numeric cell as a double (acquire); 8-byte unsigned values above 2^63 read as their unsigned value.
     *
     * @param memory the memory
     * @param offset the cell offset
     * @return the value
     */
    public double getDouble(MemorySegment memory, long offset) {
        if (kind == Kind.FLOATING) {
            return size == 4 ? (float) FLOAT_VH.getAcquire(memory, offset) : (double) DOUBLE_VH.getAcquire(memory, offset);
        }
        long bits = getLong(memory, offset);
        if (kind == Kind.UNSIGNED && size == 8 && bits < 0) {
            return (double) ((bits >>> 1) | (bits & 1)) * 2.0; // round once: keep the low bit as a sticky bit
        }
        return bits;
    }

    /**
     * Writes a floating-point cell (release).
     *
     * @param memory the memory
     * @param offset the cell offset
     * @param value  the value
     */
    public void setDouble(MemorySegment memory, long offset, double value) {
        if (size == 4) {
            FLOAT_VH.setRelease(memory, offset, (float) value);
        } else {
            DOUBLE_VH.setRelease(memory, offset, value);
        }
    }

    /**
     * Atomically adds to an integer cell, wrapping within the type's width like Java arithmetic.
     *
     * @param memory the memory
     * @param offset the cell offset
     * @param delta  the amount
     * @return the previous value, as {@link #getLong} reads it
     */
    public long getAndAdd(MemorySegment memory, long offset, long delta) {
        return switch (size) {
            case 4 -> extend((int) INT_VH.getAndAdd(memory, offset, (int) delta));
            case 8 -> (long) LONG_VH.getAndAdd(memory, offset, delta);
            default -> {
                for (;;) {
                    long old = getLong(memory, offset);
                    if (compareAndSet(memory, offset, old, old + delta)) {
                        yield old;
                    }
                }
            }
        };
    }

    /**
     * Atomically sets an integer-like cell to {@code update} if it holds {@code expected}.
     *
     * @param memory   the memory
     * @param offset   the cell offset
     * @param expected the value expected, as {@link #getLong} reads it
     * @param update   the new value (only the low {@link #size()} bytes are kept)
     * @return true if the cell held {@code expected} and now holds {@code update}
     */
    public boolean compareAndSet(MemorySegment memory, long offset, long expected, long update) {
        switch (size) {
            case 4:
                return INT_VH.compareAndSet(memory, offset, (int) expected, (int) update);
            case 8:
                return LONG_VH.compareAndSet(memory, offset, expected, update);
            default:
                break;
        }
        // Sub-word cell: CAS the aligned 4-byte word that contains it (see the class notes).
        long wordOffset = offset & ~3L;
        int byteInWord = (int) (offset - wordOffset);
        int shift = 8 * (LITTLE_ENDIAN ? byteInWord : 4 - byteInWord - size);
        int mask = (size == 1 ? 0xFF : 0xFFFF) << shift;
        for (;;) {
            int word = (int) INT_VH.getVolatile(memory, wordOffset);
            long current = extend((word & mask) >>> shift);
            if (current != extend((int) expected)) {
                return false;
            }
            int next = (word & ~mask) | (((int) update << shift) & mask);
            if (INT_VH.compareAndSet(memory, wordOffset, word, next)) {
                return true;
            }
        }
    }

    /**
     * Reads a cell as a Java object: Integer for types that fit an int, Long for wider integers (BigInteger for
     * 8-byte unsigned values above {@code Long.MAX_VALUE}), Float, Double, Character or Boolean.
     *
     * @param memory the memory
     * @param offset the cell offset
     * @return the boxed value
     */
    public Object getBoxed(MemorySegment memory, long offset) {
        return switch (kind) {
            case FLOATING -> size == 4 ? (Object) (float) getDouble(memory, offset) : (Object) getDouble(memory, offset);
            case BOOLEAN -> getLong(memory, offset) != 0;
            case CHARACTER -> (char) getLong(memory, offset);
            default -> {
                long value = getLong(memory, offset);
                if (fitsInt()) {
                    yield (int) value;
                }
                if (kind == Kind.UNSIGNED && size == 8 && value < 0) {
                    yield new BigInteger(Long.toUnsignedString(value));
                }
                yield value;
            }
        };
    }

    /**
     * Writes a Java object to a cell, checking its type and range.
     *
     * @param memory the memory
     * @param offset the cell offset
     * @param value  a Number, Character or Boolean fitting this type
     * @throws IllegalArgumentException if it does not fit
     */
    public void setBoxed(MemorySegment memory, long offset, Object value) {
        if (kind == Kind.FLOATING) {
            setDouble(memory, offset, toDouble(value));
        } else {
            setLong(memory, offset, toLong(value));
        }
    }

    /**
     * Converts a Java object to a value of this floating-point (or any numeric) type.
     *
     * @param value a Number
     * @return it as a double
     */
    public double toDouble(Object value) {
        if (value instanceof Number number) {
            return number.doubleValue();
        }
        throw new IllegalArgumentException("value=" + value + " of " + typeName(value) + " (expected a Number for typecode '"
                + code + "')");
    }

    /**
     * Converts a Java object to a checked value of this integer-like type.
     *
     * @param value a Number (integral, in range), Character (for 'c') or Boolean (for '?')
     * @return the value as {@link #setLong} takes it
     * @throws IllegalArgumentException if it does not fit
     */
    public long toLong(Object value) {
        if (kind == Kind.BOOLEAN && value instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (kind == Kind.CHARACTER && value instanceof Character c) {
            return checkRange(c);
        }
        if (value instanceof BigInteger big) {
            if (kind == Kind.UNSIGNED && size == 8) {
                if (big.signum() < 0 || big.compareTo(TWO_TO_64) >= 0) {
                    throw new IllegalArgumentException("value=" + big + " (expected 0..18446744073709551615 for typecode '"
                            + code + "')");
                }
                return big.longValue();
            }
            if (big.bitLength() > 63) {
                throw new IllegalArgumentException("value=" + big + " (expected " + min() + ".." + max()
                        + " for typecode '" + code + "')");
            }
            return checkRange(big.longValue());
        }
        if (value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long) {
            long v = ((Number) value).longValue();
            if (kind == Kind.UNSIGNED && size == 8 && v < 0) {
                throw new IllegalArgumentException("value=" + v + " (expected 0..18446744073709551615 for typecode '"
                        + code + "')");
            }
            return checkRange(v);
        }
        throw new IllegalArgumentException("value=" + value + " of " + typeName(value) + " (expected "
                + switch (kind) {
                    case BOOLEAN -> "a Boolean";
                    case CHARACTER -> "a Character 0..255";
                    default -> "an integral Number";
                } + " for typecode '" + code + "')");
    }

    /** {@return the Java layout of one cell} */
    public ValueLayout layout() {
        return switch (this) {
            case BYTE, UNSIGNED_BYTE, CHAR, BOOL -> JAVA_BYTE;
            case SHORT, UNSIGNED_SHORT -> JAVA_SHORT;
            case INT, UNSIGNED_INT -> JAVA_INT;
            case FLOAT -> JAVA_FLOAT;
            case DOUBLE -> JAVA_DOUBLE;
            default -> JAVA_LONG;
        };
    }

    private long extend(int raw) {
        return switch (size) {
            case 1 -> kind == Kind.SIGNED ? (byte) raw : raw & 0xFFL;
            case 2 -> kind == Kind.SIGNED ? (short) raw : raw & 0xFFFFL;
            default -> kind == Kind.SIGNED ? raw : Integer.toUnsignedLong(raw);
        };
    }

    private static String typeName(Object value) {
        return value == null ? "null" : value.getClass().getSimpleName();
    }
}

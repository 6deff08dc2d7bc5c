package io.github.jmultiprocessing.internal.shm;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The bytes of CPython's {@code multiprocessing.shared_memory.ShareableList}, so that a list written here is read
 * by Python and the other way round (CPython 3.8 to 3.13 share this format: {@code Lib/multiprocessing/
 * shared_memory.py}). Every number is in the machine's byte order (Python's {@code struct} native mode).
 *
 * <pre>
 *   0                 8                               (n+2)*8                      formats            codes
 *   +-----------------+-------------------------------+-------- ... -------------+------------------+-------+
 *   | n (long)        | allocated offsets, n+1 longs  | data area: item i at      | n x 8-byte format| n x 1 |
 *   |                 | [0, o1, ..., on] (from the    | data + offsets[i], taking | strings, NUL     | byte  |
 *   |                 | data area's start)            | offsets[i+1]-offsets[i]   | padded ("q",...) | codes |
 *   +-----------------+-------------------------------+-------- ... -------------+------------------+-------+
 *   formats = (n+2)*8 + offsets[n];  codes = formats + 8n;  size = codes + n (no padding after)
 *
 *   item formats (struct codes) and back-transform codes:
 *   int   "q"         8-byte signed integer                      code 0
 *   float "d"         8-byte IEEE double                         code 0
 *   bool  "xxxxxxx?"  7 zero bytes, then 0 or 1                  code 0
 *   None  "xxxxxx?x"  8 zero bytes                               code 3
 *   str   "&lt;N&gt;s"      N bytes of UTF-8, NUL padded                 code 1   N = the slot's allotment
 *   bytes "&lt;N&gt;s"      N bytes, NUL padded                          code 2
 * </pre>
 *
 * <p>A number, a bool or None takes an 8-byte slot; a str or bytes a slot of {@code 8 * (length / 8 + 1)} bytes
 * (a multiple of 8 with room for at least one NUL), at most 9,999,992 bytes so that its format fits 8 characters.
 * A slot keeps its size for good: a later value of another kind must fit it (a number always does; a string
 * needs its encoded length at most the allotment), and a string slot keeps its {@code "<N>s"} format. Trailing
 * NUL bytes of a str or bytes are stripped when it is read, as CPython does.
 *
 * <p>Implementation notes. The regions are a {@link StructLayout} built for the list's length and data size,
 * the region offsets derived from it ({@link #verify} for a list attached, {@link #forValues} for one being
 * made). One difference from CPython, on purpose: CPython sizes a str's slot by its length in code points, so a
 * str with characters outside ASCII can be silently truncated when the list is made (and then fail to decode);
 * here the slot is sized by the encoded length. Both sides read either layout, since slots are described by the
 * offsets. Accesses are plain: CPython's list has no lock and no ordering, and a reader concurrent with a writer
 * of the same item may see a mix (format of one value, bytes of another); callers that need more use a lock.
 */
public final class ShareableListLayout {

    /** Format of an integer item (struct {@code q}). */
    public static final String FORMAT_INT = "q";
    /** Format of a float item (struct {@code d}). */
    public static final String FORMAT_FLOAT = "d";
    /** Format of a bool item: the value in the slot's last byte. */
    public static final String FORMAT_BOOL = "xxxxxxx?";
    /** Format of a None item. */
    public static final String FORMAT_NONE = "xxxxxx?x";

    /** Back-transform code of an int, float or bool. */
    public static final byte CODE_VALUE = 0;
    /** Back-transform code of a str. */
    public static final byte CODE_STR = 1;
    /** Back-transform code of a bytes. */
    public static final byte CODE_BYTES = 2;
    /** Back-transform code of None. */
    public static final byte CODE_NONE = 3;

    /** Bytes of a number's slot, and the unit of every slot. */
    static final int ALIGNMENT = 8;
    /** Bytes of each item's format string. */
    static final int FORMAT_BYTES = 8;
    /** The longest string a list can be made with: its slot {@code "9999992s"} has an 8-character format. */
    public static final int MAX_STRING_BYTES = 9_999_991;

    private final int length;
    private final long[] offsets; // n + 1 allocated offsets, from the data area's start
    private final long dataStart;
    private final long formatsStart;
    private final long codesStart;
    private final long byteSize;

    private ShareableListLayout(long[] offsets) {
        this.length = offsets.length - 1;
        this.offsets = offsets;
        StructLayout layout = layout(length, offsets[length]);
        this.dataStart = layout.byteOffset(groupElement("data"));
        this.formatsStart = layout.byteOffset(groupElement("formats"));
        this.codesStart = layout.byteOffset(groupElement("codes"));
        this.byteSize = layout.byteSize();
    }

    /**
     * {@return the regions of a list of {@code n} items whose data area takes {@code dataBytes}}
     *
     * @param n         the number of items
     * @param dataBytes bytes of the data area (the last allocated offset)
     */
    static StructLayout layout(int n, long dataBytes) {
        return MemoryLayout.structLayout(
                JAVA_LONG_UNALIGNED.withName("length"),
                MemoryLayout.sequenceLayout(n + 1L, JAVA_LONG_UNALIGNED).withName("offsets"),
                MemoryLayout.sequenceLayout(dataBytes, JAVA_BYTE).withName("data"),
                MemoryLayout.sequenceLayout(n, MemoryLayout.sequenceLayout(FORMAT_BYTES, JAVA_BYTE))
                        .withName("formats"),
                MemoryLayout.sequenceLayout(n, JAVA_BYTE).withName("codes"));
    }

    /**
     * Plans a new list: each item's slot, as CPython would (but a str's slot sized by its UTF-8 length).
     *
     * @param values the items: {@code Long}, {@code Integer}, {@code Short}, {@code Byte}, {@code Double},
     *               {@code Float}, {@code Boolean}, {@code String}, {@code byte[]} or null
     * @return the layout; {@link #byteSize()} is the segment size to create
     * @throws ClassCastException       for an item of another type (CPython: {@code KeyError})
     * @throws IllegalArgumentException for a string or byte array longer than {@value #MAX_STRING_BYTES} bytes
     */
    public static ShareableListLayout forValues(List<?> values) {
        long[] offsets = new long[values.size() + 1];
        for (int i = 0; i < values.size(); i++) {
            Object value = values.get(i);
            long slot = ALIGNMENT;
            byte[] text = encodedOrNull(value, i);
            if (text != null) {
                if (text.length > MAX_STRING_BYTES) {
                    throw new IllegalArgumentException("item " + i + " of " + text.length + " bytes (expected at most "
                            + MAX_STRING_BYTES + ": its format \"<size>s\" must fit 8 characters)");
                }
                slot = (long) ALIGNMENT * (text.length / ALIGNMENT + 1);
            }
            offsets[i + 1] = offsets[i] + slot;
        }
        return new ShareableListLayout(offsets);
    }

    /**
     * Reads the layout of an existing list and checks that it fits the segment.
     *
     * @param name    the segment's name, for messages
     * @param segment the whole segment
     * @return the layout
     * @throws IllegalArgumentException if the segment does not hold a list
     */
    public static ShareableListLayout verify(String name, MemorySegment segment) {
        long size = segment.byteSize();
        if (size < 2L * ALIGNMENT) {
            throw notAList(name, "size=" + size + " (expected at least 16 bytes: a length and one offset)");
        }
        long n = segment.get(JAVA_LONG_UNALIGNED, 0);
        if (n < 0 || n > (size - 2L * ALIGNMENT) / (2L * ALIGNMENT + 1)) {
            throw notAList(name, "length=" + n + " (expected 0 to " + (size - 16) / 17 + " for " + size + " bytes)");
        }
        long[] offsets = new long[(int) n + 1];
        for (int i = 0; i <= n; i++) {
            offsets[i] = segment.get(JAVA_LONG_UNALIGNED, (long) ALIGNMENT * (1 + i));
            if (i == 0 ? offsets[0] != 0 : offsets[i] < offsets[i - 1] + ALIGNMENT) {
                throw notAList(name, "offsets[" + i + "]=" + offsets[i] + " (expected " + (i == 0 ? "0"
                        : "at least " + (offsets[i - 1] + ALIGNMENT)) + ")");
            }
            if (offsets[i] > size) {
                throw notAList(name, "offsets[" + i + "]=" + offsets[i] + " (expected at most " + size + ")");
            }
        }
        ShareableListLayout layout = new ShareableListLayout(offsets);
        if (layout.byteSize > size) {
            throw notAList(name, "size=" + size + " (expected at least " + layout.byteSize + " for " + n
                    + " items and " + offsets[(int) n] + " data bytes)");
        }
        return layout;
    }

    private static IllegalArgumentException notAList(String name, String what) {
        return new IllegalArgumentException("segment " + name + " does not hold a ShareableList: " + what);
    }

    /** {@return the number of items} */
    public int length() {
        return length;
    }

    /** {@return the bytes the list takes (the segment may be larger)} */
    public long byteSize() {
        return byteSize;
    }

    /**
     * Writes a whole new list: length, offsets, items, formats, codes.
     *
     * @param segment the new segment, at least {@link #byteSize()} bytes
     * @param values  the items this layout was planned for
     */
    public void writeAll(MemorySegment segment, List<?> values) {
        segment.set(JAVA_LONG_UNALIGNED, 0, length);
        for (int i = 0; i <= length; i++) {
            segment.set(JAVA_LONG_UNALIGNED, (long) ALIGNMENT * (1 + i), offsets[i]);
        }
        for (int i = 0; i < length; i++) {
            write(segment, i, values.get(i));
        }
    }

    /**
     * {@return the struct format of an item (CPython's {@code _get_packing_format})}
     *
     * @param segment the list's segment
     * @param index   the item, 0 to length - 1
     */
    public String format(MemorySegment segment, int index) {
        long at = formatsStart + (long) FORMAT_BYTES * index;
        int end = 0;
        while (end < FORMAT_BYTES && segment.get(JAVA_BYTE, at + end) != 0) {
            end++;
        }
        byte[] bytes = segment.asSlice(at, end).toArray(JAVA_BYTE);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /**
     * Reads an item, as CPython's {@code __getitem__} does.
     *
     * @param segment the list's segment
     * @param index   the item, 0 to length - 1
     * @return a {@code Long}, {@code Double}, {@code Boolean}, {@code String}, {@code byte[]} (a copy) or null
     * @throws IllegalStateException if the item's format or code is none that CPython writes, or a str's bytes
     *                               are not UTF-8
     */
    public Object read(MemorySegment segment, int index) {
        byte code = segment.get(JAVA_BYTE, codesStart + index);
        String format = format(segment, index);
        long at = dataStart + offsets[index];
        if (code == CODE_NONE) {
            return null;
        }
        if (code == CODE_VALUE) {
            switch (format) {
                case FORMAT_INT -> {
                    return segment.get(JAVA_LONG_UNALIGNED, at);
                }
                case FORMAT_FLOAT -> {
                    return segment.get(JAVA_DOUBLE_UNALIGNED, at);
                }
                case FORMAT_BOOL -> {
                    return segment.get(JAVA_BYTE, at + ALIGNMENT - 1) != 0;
                }
                default -> {
                    // a "<N>s" item with code 0: CPython returns its bytes untouched
                }
            }
        }
        int count = stringCount(format);
        if (count < 0 || count > offsets[index + 1] - offsets[index] || code < CODE_VALUE || code > CODE_BYTES) {
            throw new IllegalStateException("item " + index + " format=\"" + format + "\" code=" + code
                    + " (expected one CPython's ShareableList writes, within its slot of "
                    + (offsets[index + 1] - offsets[index]) + " bytes)");
        }
        byte[] bytes = segment.asSlice(at, count).toArray(JAVA_BYTE);
        if (code == CODE_VALUE) {
            return bytes;
        }
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] == 0) { // CPython: value.rstrip(b'\x00')
            end--;
        }
        if (code == CODE_BYTES) {
            return Arrays.copyOf(bytes, end);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, end))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("item " + index + " is a str whose bytes are not UTF-8 (expected"
                    + " UTF-8, as CPython writes)", e);
        }
    }

    /** {@return N of a format {@code "<N>s"}, or -1 for another format} */
    private static int stringCount(String format) {
        if (format.length() < 2 || format.charAt(format.length() - 1) != 's') {
            return -1;
        }
        int count = 0;
        for (int i = 0; i < format.length() - 1; i++) {
            char c = format.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            count = count * 10 + (c - '0');
        }
        return count;
    }

    /**
     * Writes an item, as CPython's {@code __setitem__} does: its format and code, then its bytes.
     *
     * @param segment the list's segment
     * @param index   the item, 0 to length - 1
     * @param value   a {@code Long}, {@code Integer}, {@code Short}, {@code Byte}, {@code Double}, {@code Float},
     *                {@code Boolean}, {@code String}, {@code byte[]} or null
     * @throws ClassCastException       for a value of another type (CPython: {@code KeyError})
     * @throws IllegalArgumentException for a string or byte array longer than the item's slot (CPython's
     *                                  {@code ValueError: bytes/str item exceeds available storage}), or a str
     *                                  or bytes for a slot larger than its 8-byte format can name (only in a list
     *                                  attached from crafted bytes: CPython never makes one)
     */
    public void write(MemorySegment segment, int index, Object value) {
        long slot = offsets[index + 1] - offsets[index];
        long at = dataStart + offsets[index];
        byte[] text = encodedOrNull(value, index);
        if (text != null) {
            if (text.length > slot) {
                throw new IllegalArgumentException("bytes/str item exceeds available storage: item " + index + " of "
                        + text.length + " bytes (expected at most " + slot + ", its slot's size)");
            }
            String format = slot + "s";
            if (format.length() > FORMAT_BYTES) { // a slot no list made by CPython or here has (attached bytes)
                throw new IllegalArgumentException("item " + index + " has a slot of " + slot + " bytes (expected at"
                        + " most 9999992 for a str or bytes: its format \"<slot>s\" must fit " + FORMAT_BYTES
                        + " bytes, else it would overwrite the next item's)");
            }
            // CPython keeps a str slot's format, which is always "<slot>s"; any other item gets that format too.
            setFormat(segment, index, format, value instanceof String ? CODE_STR : CODE_BYTES);
            MemorySegment.copy(text, 0, segment, JAVA_BYTE, at, text.length);
            segment.asSlice(at + text.length, slot - text.length).fill((byte) 0);
            return;
        }
        switch (value) {
            case null -> {
                setFormat(segment, index, FORMAT_NONE, CODE_NONE);
                segment.set(JAVA_LONG_UNALIGNED, at, 0L);
            }
            case Boolean b -> {
                setFormat(segment, index, FORMAT_BOOL, CODE_VALUE);
                segment.set(JAVA_LONG_UNALIGNED, at, 0L);
                segment.set(JAVA_BYTE, at + ALIGNMENT - 1, (byte) (b ? 1 : 0));
            }
            case Double d -> {
                setFormat(segment, index, FORMAT_FLOAT, CODE_VALUE);
                segment.set(JAVA_DOUBLE_UNALIGNED, at, d);
            }
            case Float f -> {
                setFormat(segment, index, FORMAT_FLOAT, CODE_VALUE);
                segment.set(JAVA_DOUBLE_UNALIGNED, at, f.doubleValue());
            }
            case Long l -> {
                setFormat(segment, index, FORMAT_INT, CODE_VALUE);
                segment.set(JAVA_LONG_UNALIGNED, at, l);
            }
            case Integer i -> {
                setFormat(segment, index, FORMAT_INT, CODE_VALUE);
                segment.set(JAVA_LONG_UNALIGNED, at, i.longValue());
            }
            case Short s -> {
                setFormat(segment, index, FORMAT_INT, CODE_VALUE);
                segment.set(JAVA_LONG_UNALIGNED, at, s.longValue());
            }
            case Byte b -> {
                setFormat(segment, index, FORMAT_INT, CODE_VALUE);
                segment.set(JAVA_LONG_UNALIGNED, at, b.longValue());
            }
            default -> throw wrongType(value, index);
        }
    }

    private void setFormat(MemorySegment segment, int index, String format, byte code) {
        long at = formatsStart + (long) FORMAT_BYTES * index;
        segment.asSlice(at, FORMAT_BYTES).fill((byte) 0);
        byte[] ascii = format.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(ascii, 0, segment, JAVA_BYTE, at, ascii.length);
        segment.set(JAVA_BYTE, codesStart + index, code);
    }

    /**
     * {@return the form a value is stored and compared in: {@code Long} for every integer type, {@code Double}
     * for {@code Float}, the value itself otherwise}
     *
     * @param value any value
     */
    public static Object stored(Object value) {
        return switch (value) {
            case Integer i -> i.longValue();
            case Short s -> s.longValue();
            case Byte b -> b.longValue();
            case Float f -> f.doubleValue();
            case null, default -> value;
        };
    }

    /** {@return the bytes of a str (UTF-8) or bytes value, or null for another type} */
    private static byte[] encodedOrNull(Object value, int index) {
        if (value instanceof byte[] bytes) {
            return bytes;
        }
        if (value instanceof String text) {
            try {
                ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(text));
                return Arrays.copyOf(encoded.array(), encoded.limit());
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("item " + index + " is a String with a lone surrogate (expected"
                        + " text that UTF-8 can encode)", e);
            }
        }
        if (value == null || value instanceof Boolean || value instanceof Long || value instanceof Integer
                || value instanceof Short || value instanceof Byte || value instanceof Double
                || value instanceof Float) {
            return null;
        }
        throw wrongType(value, index);
    }

    private static ClassCastException wrongType(Object value, int index) {
        return new ClassCastException("item " + index + " of type " + value.getClass().getName() + " (expected"
                + " Long, Integer, Short, Byte, Double, Float, Boolean, String, byte[] or null: CPython's int,"
                + " float, bool, str, bytes and None)");
    }
}

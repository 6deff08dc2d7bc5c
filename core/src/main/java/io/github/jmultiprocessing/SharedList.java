package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.shm.ShareableListLayout;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A fixed-length list of numbers, booleans, strings, byte strings and nulls in one {@link SharedMemory}: Python's
 * {@code multiprocessing.shared_memory.ShareableList}, in CPython's byte layout, so a Python process attaches it
 * by name ({@code ShareableList(name=...)}) and both sides read each other's writes.
 *
 * <pre>{@code
 * try (SharedList list = SharedList.of(1, 2.5, true, "text", new byte[] {1, 2}, null)) { // ShareableList([...])
 *     list.set(3, "other");                                 // sl[3] = 'other'
 *     var p = new JvmProcess(() -> list.set(0, 42L));         // travels by name, attached in the child
 *     p.start(); p.join();
 *     System.out.println(list.get(0) + " " + list.format()); // 42 qdxxxxxxx?8s8sxxxxxx?x
 *     list.shm().unlink();                                  // sl.shm.unlink()
 * }
 * }</pre>
 *
 * <p>Items map to Python's types: {@code Long} (also given as {@code Integer}, {@code Short} or {@code Byte}) to
 * {@code int}, {@code Double} (also {@code Float}) to {@code float}, {@code Boolean} to {@code bool}, {@code String}
 * to {@code str} (UTF-8), {@code byte[]} to {@code bytes}, null to {@code None}. {@link #get} returns
 * {@code Long}, {@code Double}, {@code Boolean}, {@code String}, a fresh {@code byte[]} or null. Each item has a
 * slot of fixed size, chosen when the list is made: 8 bytes for a number, boolean or null, and for a string
 * {@code 8 * (bytes / 8 + 1)}; a later string must fit the slot ({@link IllegalArgumentException} otherwise, as
 * Python's {@code ValueError}). Trailing NUL bytes of a string or byte string are dropped when read, as in Python.
 *
 * <p>It is a {@link List} of fixed size, as {@link Arrays#asList}: {@link #set} works, {@code add} and
 * {@code remove} throw {@link UnsupportedOperationException}. A value of another type is refused with
 * {@link ClassCastException} (Python raises {@code KeyError}). {@link #indexOf}, {@link #contains},
 * {@link #count} and {@link #index} compare a value in the form it is stored ({@code Integer} 1 matches the
 * item {@code Long} 1) and byte arrays by content; {@code equals} and {@code hashCode} are {@link AbstractList}'s,
 * on the items {@link #get} returns (byte arrays by identity).
 *
 * <p>A list sent to a child process (captured by its target) travels by name and is attached there.
 * {@link #close()} closes this handle's {@link SharedMemory}; unlink it through {@link #shm()}, or make the list
 * with a {@link SharedMemoryManager}, which unlinks it at shutdown. A list made here is tracked as
 * {@link SharedMemory#create(long)}'s segments are: unlinked when this JVM exits if nobody did before.
 *
 * <p>Memory consistency effects: none. As in Python, reads and writes of items are plain and not atomic: a
 * reader concurrent with a writer of the same item may see a mix of the two values. Guard items written by
 * several processes with a {@link SharedLock}, whose release and acquire order the accesses between processes.
 */
public final class SharedList extends AbstractList<Object> implements RandomAccess, AutoCloseable, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final transient SharedMemory shm;
    private final transient ShareableListLayout layout;

    private SharedList(SharedMemory shm, ShareableListLayout layout) {
        this.shm = shm;
        this.layout = layout;
    }

    /**
     * Makes a list of the given items in a new segment with a fresh name (Python's {@code ShareableList([...])}).
     *
     * @param values the items (each a {@code Long}, {@code Integer}, {@code Short}, {@code Byte}, {@code Double},
     *               {@code Float}, {@code Boolean}, {@code String}, {@code byte[]} or null)
     * @return the new list
     * @throws ClassCastException           for an item of another type
     * @throws IllegalArgumentException     for a string of more than 9,999,991 bytes in UTF-8
     * @throws java.io.UncheckedIOException if the segment directory has no room for it
     */
    public static SharedList of(Object... values) {
        return create(Arrays.asList(values));
    }

    /**
     * Makes a list of the given items in a new segment with a fresh name (Python's
     * {@code ShareableList(sequence)}).
     *
     * @param values the items, see {@link #of}
     * @return the new list
     * @throws ClassCastException           for an item of another type
     * @throws IllegalArgumentException     for a string of more than 9,999,991 bytes in UTF-8
     * @throws java.io.UncheckedIOException if the segment directory has no room for it
     */
    public static SharedList create(Collection<?> values) {
        List<Object> items = new ArrayList<>(values);
        ShareableListLayout layout = ShareableListLayout.forValues(items);
        return fill(SharedMemory.create(layout.byteSize()), layout, items);
    }

    /**
     * Makes a list of the given items in a new segment of the given name (Python's
     * {@code ShareableList(sequence, name=name)}).
     *
     * @param name   the segment's name: no {@code /}, no {@code ..}, at most 255 characters
     * @param values the items, see {@link #of}
     * @return the new list
     * @throws ClassCastException           for an item of another type
     * @throws IllegalArgumentException     for a bad name, or a string of more than 9,999,991 bytes in UTF-8
     * @throws java.io.UncheckedIOException wrapping {@link java.nio.file.FileAlreadyExistsException} if the name
     *                                      is taken; otherwise if the segment directory has no room for it
     */
    public static SharedList create(String name, Collection<?> values) {
        List<Object> items = new ArrayList<>(values);
        ShareableListLayout layout = ShareableListLayout.forValues(items);
        return fill(SharedMemory.create(name, layout.byteSize()), layout, items);
    }

    /**
     * Attaches to a list by its segment's name, whoever made it (Python's {@code ShareableList(name=name)}).
     *
     * @param name the segment's name
     * @return the list
     * @throws IllegalArgumentException     for a bad name, or a segment that does not hold a list
     * @throws java.io.UncheckedIOException wrapping {@link java.nio.file.NoSuchFileException} if there is none
     */
    public static SharedList attach(String name) {
        SharedMemory shm = SharedMemory.attach(name);
        try {
            return new SharedList(shm, ShareableListLayout.verify(name, shm.segment()));
        } catch (RuntimeException e) {
            shm.close();
            throw e;
        }
    }

    /**
     * Writes a new list into a segment made for it.
     *
     * @param shm    a new segment of at least {@code layout.byteSize()} bytes
     * @param layout the plan of the list
     * @param items  the items it was planned for
     * @return the list
     */
    static SharedList fill(SharedMemory shm, ShareableListLayout layout, List<Object> items) {
        try {
            layout.writeAll(shm.segment(), items);
            return new SharedList(shm, layout);
        } catch (RuntimeException e) {
            shm.close();
            throw e;
        }
    }

    /**
     * {@return item {@code index} (Python's {@code sl[index]})}: a {@code Long}, {@code Double}, {@code Boolean},
     * {@code String}, a fresh {@code byte[]} or null.
     *
     * @param index from 0 to {@code size() - 1}
     * @throws IndexOutOfBoundsException for another index (a negative index does not count from the end)
     * @throws IllegalStateException     after {@link #close()}, or if the item's bytes are none that CPython writes
     */
    @Override
    public Object get(int index) {
        Objects.checkIndex(index, layout.length());
        return layout.read(shm.segment(), index);
    }

    /**
     * Replaces item {@code index} (Python's {@code sl[index] = value}).
     *
     * @param index from 0 to {@code size() - 1}
     * @param value a {@code Long}, {@code Integer}, {@code Short}, {@code Byte}, {@code Double}, {@code Float},
     *              {@code Boolean}, {@code String}, {@code byte[]} or null
     * @return the item it replaced
     * @throws IndexOutOfBoundsException for another index
     * @throws ClassCastException        for a value of another type (Python: {@code KeyError})
     * @throws IllegalArgumentException  for a string or byte array longer than the item's slot (Python:
     *                                   {@code ValueError: bytes/str item exceeds available storage})
     * @throws IllegalStateException     after {@link #close()}
     */
    @Override
    public Object set(int index, Object value) {
        Objects.checkIndex(index, layout.length());
        Object previous = layout.read(shm.segment(), index);
        layout.write(shm.segment(), index, value);
        return previous;
    }

    /** {@return the number of items (Python's {@code len(sl)}), fixed when the list was made} */
    @Override
    public int size() {
        return layout.length();
    }

    /**
     * {@return how many items equal {@code value} (Python's {@code sl.count(value)})}, compared as stored:
     * integers as {@code Long}, {@code Float} as {@code Double}, byte arrays by content
     *
     * @param value the value looked for
     * @throws IllegalStateException after {@link #close()}
     */
    public int count(Object value) {
        Object wanted = ShareableListLayout.stored(value);
        int count = 0;
        for (int i = 0; i < layout.length(); i++) {
            if (same(wanted, get(i))) {
                count++;
            }
        }
        return count;
    }

    /**
     * {@return the index of the first item equal to {@code value} (Python's {@code sl.index(value)})}, compared as
     * {@link #count} does
     *
     * @param value the value looked for
     * @throws IllegalArgumentException if no item equals it (Python's {@code ValueError})
     * @throws IllegalStateException    after {@link #close()}
     */
    public int index(Object value) {
        int index = indexOf(value);
        if (index < 0) {
            throw new IllegalArgumentException("value=" + text(value) + " (expected a value in this list: "
                    + this + ")");
        }
        return index;
    }

    /**
     * {@return the index of the first item equal to {@code value}, or -1}, compared as {@link #count} does
     *
     * @param value the value looked for
     */
    @Override
    public int indexOf(Object value) {
        Object wanted = ShareableListLayout.stored(value);
        for (int i = 0; i < layout.length(); i++) {
            if (same(wanted, get(i))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * {@return the index of the last item equal to {@code value}, or -1}, compared as {@link #count} does
     *
     * @param value the value looked for
     */
    @Override
    public int lastIndexOf(Object value) {
        Object wanted = ShareableListLayout.stored(value);
        for (int i = layout.length() - 1; i >= 0; i--) {
            if (same(wanted, get(i))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * {@return true if an item equals {@code value}}, compared as {@link #count} does
     *
     * @param value the value looked for
     */
    @Override
    public boolean contains(Object value) {
        return indexOf(value) >= 0;
    }

    private static boolean same(Object wanted, Object item) {
        if (wanted instanceof byte[] a && item instanceof byte[] b) {
            return Arrays.equals(a, b);
        }
        return Objects.equals(wanted, item);
    }

    /**
     * {@return the struct format of every item, concatenated (Python's {@code sl.format})}, such as
     * {@code "qdxxxxxxx?8s"} for {@code [1, 2.5, true, "a"]}
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public String format() {
        StringBuilder format = new StringBuilder();
        for (int i = 0; i < layout.length(); i++) {
            format.append(layout.format(shm.segment(), i));
        }
        return format.toString();
    }

    /** {@return the name of its segment (Python's {@code sl.shm.name})} */
    public String name() {
        return shm.name();
    }

    /** {@return the segment that holds it (Python's {@code sl.shm}): unlink it there} */
    public SharedMemory shm() {
        return shm;
    }

    /** Closes its {@link SharedMemory} handle (Python's {@code sl.shm.close()}); the segment stays. Idempotent. */
    @Override
    public void close() {
        shm.close();
    }

    /**
     * {@return the list as Python prints it: {@code SharedList([1, 2.5, 'a', b'\x01', None], name='...')}}, or
     * {@code SharedList(name='...', closed)} after {@link #close()}
     */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("SharedList(");
        try {
            out.append('[');
            for (int i = 0; i < layout.length(); i++) {
                out.append(i == 0 ? "" : ", ").append(text(get(i)));
            }
            out.append("], ");
        } catch (IllegalStateException e) { // closed, or an item that does not read
            out.setLength("SharedList(".length());
        }
        return out.append("name='").append(shm.name()).append("')").toString();
    }

    /** {@return a value as Python's {@code repr} writes it} */
    private static String text(Object value) {
        return switch (value) {
            case null -> "None";
            case Boolean b -> b ? "True" : "False";
            case String s -> "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
            case byte[] bytes -> {
                StringBuilder b = new StringBuilder("b'");
                for (byte x : bytes) {
                    int c = x & 0xff;
                    if (c == '\\' || c == '\'') {
                        b.append('\\').append((char) c);
                    } else if (c >= 0x20 && c < 0x7f) {
                        b.append((char) c);
                    } else {
                        b.append(String.format("\\x%02x", c));
                    }
                }
                yield b.append('\'').toString();
            }
            default -> String.valueOf(value);
        };
    }

    /**
     * Sends a handle in place of this object: the segment's name and where in it the object lies, never its bytes;
     * the receiver maps the same memory.
     *
     * @return the handle that travels
     */
    @Serial
    private Object writeReplace() {
        return new Handle(shm.name());
    }

    /**
     * Refuses a stream that holds this object itself rather than its handle (a forged or corrupt stream).
     *
     * @param in the stream
     * @throws InvalidObjectException always
     */
    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("SharedList travels as a handle");
    }

    /** The serialized form: the segment's name, attached on arrival (Python's {@code __reduce__}). */
    private static final class Handle implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        private final String name;

        Handle(String name) {
            this.name = name;
        }

        @Serial
        private Object readResolve() {
            return SharedList.attach(name);
        }
    }
}

package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.codec.CompactCodec;
import java.io.IOException;
import io.github.jmultiprocessing.internal.shm.MappedSegment;
import io.github.jmultiprocessing.internal.shm.SegmentTable;
import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;

/**
 * A named block of shared memory: Python's {@code multiprocessing.shared_memory.SharedMemory}.
 *
 * <pre>{@code
 * try (var shm = SharedMemory.create(1 << 20)) {          // Python: SharedMemory(create=True, size=...)
 *     shm.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 42);
 *     var p = new JvmProcess(() -> {
 *         try (var mine = SharedMemory.attach(shm.name())) { // Python: SharedMemory(name=...)
 *             System.out.println(mine.segment().get(ValueLayout.JAVA_BYTE, 0));
 *         }
 *     });
 *     p.start(); p.join();
 *     shm.unlink();
 * }
 * }</pre>
 *
 * <p>The bytes are raw from offset 0, exactly as Python sees them: on Linux the segment is the file
 * {@code /dev/shm/<name>}, so a Python process can attach to a segment created here by name, and the other way
 * round. Elsewhere segments are files in {@code java.io.tmpdir}; the system property
 * {@code jmultiprocessing.shm.dir} names another directory. A segment is created exclusively with mode 0600:
 * a name in use is an error, never a silent share. A JVM maps each segment once, however often it attaches.
 *
 * <p>Unlike Python's, a segment created here is not sparse: all its pages are allocated at creation, so a
 * directory without room fails {@link #create} with an {@link java.io.UncheckedIOException} naming the directory,
 * its free space, the size and that property, rather than a later write with a {@code SIGBUS}
 * ({@code InternalError}). It takes its whole size in memory from the start. A segment attached here that Python
 * created is sparse as Python made it: in a full directory a first write to one of its pages can still fault.
 *
 * <p>{@link #close()} unmaps this handle (Python's {@code close()}); {@link #unlink()} removes the name, after
 * which processes that have the segment mapped keep using it and new attaches fail (Python's {@code unlink()}).
 * A segment this JVM created with tracking on (the default, as Python's {@code track=True}) is unlinked when this
 * JVM exits if nobody unlinked it before, and if the JVM is killed, the next JVM that uses the library unlinks
 * it. A {@code SharedMemory} sent to a child process (captured by its target) travels by name and is attached
 * there.
 *
 * <p>Memory consistency effects: none beyond those of the accesses made through {@link #segment()}; use
 * ordered accesses ({@code VarHandle} acquire/release) or a {@link SharedLock} to publish data across processes.
 */
public final class SharedMemory implements AutoCloseable, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final transient String name;
    private final transient MappedSegment mapped;
    private transient volatile boolean closed;

    private SharedMemory(MappedSegment mapped) {
        this.name = mapped.name();
        this.mapped = mapped;
    }

    /**
     * Creates a segment with a fresh random name, tracked.
     *
     * @param size bytes, greater than zero
     * @return the new, zero-filled segment
     * @throws IllegalArgumentException if {@code size <= 0}
     * @throws java.io.UncheckedIOException if the segment directory has no room for it or cannot be written
     */
    public static SharedMemory create(long size) {
        for (int attempt = 0; ; attempt++) {
            try {
                return create(ShmDirectory.randomName("jmp_"), size, true);
            } catch (java.io.UncheckedIOException e) {
                if (!(e.getCause() instanceof java.nio.file.FileAlreadyExistsException) || attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /**
     * Creates a segment with the given name, tracked.
     *
     * @param name the name: no {@code /}, no {@code ..}, at most 255 characters
     * @param size bytes, greater than zero
     * @return the new, zero-filled segment
     * @throws IllegalArgumentException           for a bad name or size
     * @throws java.io.UncheckedIOException wrapping {@link java.nio.file.FileAlreadyExistsException} if the name is taken;
     *                                      otherwise if the segment directory has no room for it or cannot be written
     */
    public static SharedMemory create(String name, long size) {
        return create(name, size, true);
    }

    /**
     * Creates a segment with the given name.
     *
     * @param name  the name: no {@code /}, no {@code ..}, at most 255 characters
     * @param size  bytes, greater than zero
     * @param track true to unlink it when this JVM exits (or after it is killed), as Python's {@code track=True};
     *              false to leave it until someone calls {@link #unlink()}
     * @return the new, zero-filled segment
     * @throws IllegalArgumentException           for a bad name or size
     * @throws java.io.UncheckedIOException wrapping {@link java.nio.file.FileAlreadyExistsException} if the name is taken;
     *                                      otherwise if the segment directory has no room for it or cannot be written
     */
    public static SharedMemory create(String name, long size, boolean track) {
        if (size <= 0) {
            throw new IllegalArgumentException("size=" + size + " (expected > 0)");
        }
        return new SharedMemory(SegmentTable.create(ShmDirectory.checkName(name), size, track));
    }

    /**
     * Attaches to an existing segment, whoever created it (a Java or a Python process).
     *
     * @param name the segment's name
     * @return a handle to it; its size is the segment's
     * @throws IllegalArgumentException           for a bad name
     * @throws java.io.UncheckedIOException wrapping {@link java.nio.file.NoSuchFileException} if there is none
     */
    public static SharedMemory attach(String name) {
        return new SharedMemory(SegmentTable.attach(name));
    }

    /** {@return the segment's name (Python's {@code name})} */
    public String name() {
        return name;
    }

    /** {@return its size in bytes (Python's {@code size})} */
    public long size() {
        return mapped.segment().byteSize();
    }

    /**
     * The bytes (Python's {@code buf}); valid until {@link #close()}.
     *
     * @return the whole segment
     * @throws IllegalStateException after {@link #close()}
     */
    public MemorySegment segment() {
        if (closed) {
            throw new IllegalStateException("SharedMemory " + name + " is closed (expected segment() before close())");
        }
        return mapped.segment();
    }

    /** Unmaps this handle's view; the segment itself stays until unlinked. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            SegmentTable.release(mapped);
        }
    }

    /**
     * Removes the segment's name (Python's {@code unlink()}); mappings stay valid until closed.
     *
     * @throws java.io.UncheckedIOException wrapping {@link java.nio.file.NoSuchFileException} if already unlinked
     */
    public void unlink() {
        SegmentTable.unlink(name);
    }

    @Override
    public String toString() {
        return "SharedMemory(name='" + name + "', size=" + mapped.segment().byteSize() + (closed ? ", closed" : "") + ")";
    }

    /**
     * Sends a handle in place of this object: the segment's name and where in it the object lies, never its bytes;
     * the receiver maps the same memory.
     *
     * @return the handle that travels
     */
    @Serial
    Object writeReplace() {
        return new Handle(name);
    }

    /**
     * Refuses a stream that holds this object itself rather than its handle (a forged or corrupt stream).
     *
     * @param in the stream
     * @throws InvalidObjectException always
     */
    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("SharedMemory travels as a handle");
    }

    /** {@return the object a child's compact bootstrap carries, read from its handle's fields ({@link BootstrapForms})} */
    static Object readForm(CompactCodec.Reader in) throws IOException, ClassNotFoundException {
        return new Handle(in).readResolve();
    }

    /** Writes the handle this object travels as ({@code writeReplace}'s), in a child's compact bootstrap. */
    static void writeForm(Object handle, CompactCodec.Writer out) throws IOException {
        ((Handle) handle).writeTo(out);
    }


    /** The serialized form: the name, attached on arrival. */
    private static final class Handle implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        private final String name;

        Handle(String name) {
            this.name = name;
        }

        Handle(CompactCodec.Reader in) throws IOException {
            this.name = in.data().readUTF();
        }

        void writeTo(CompactCodec.Writer out) throws IOException {
            out.data().writeUTF(name);
        }

        @Serial
        private Object readResolve() {
            return SharedMemory.attach(name);
        }
    }
}

package io.github.jmultiprocessing.internal.shm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * One mapping of one named segment: the single owner of the {@link Arena} the file is mapped into.
 *
 * <p>Obtain instances from {@link SegmentTable}, which maps each name once per JVM and counts users; views
 * carved from {@link #segment()} must not be used after the table has unmapped it.
 */
public final class MappedSegment {

    private static final FileAttribute<?> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final String name;
    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;
    private final String fileKey; // device and inode of the file mapped, null if the platform has none
    int references; // guarded by SegmentTable's lock

    private MappedSegment(String name, Path path, Arena arena, MemorySegment segment) {
        this.name = name;
        this.path = path;
        this.arena = arena;
        this.segment = segment;
        this.fileKey = SegmentLedger.fileKey(path);
    }

    /** {@return true if the name still leads to the file this mapping was made from} */
    boolean isStillLinked() {
        String current = SegmentLedger.fileKey(path);
        return current != null && (fileKey == null || fileKey.equals(current));
    }

    /**
     * Creates the file exclusively (mode 0600), backs every page of it ({@link SegmentBacking}) and maps it;
     * nothing is left behind on failure.
     *
     * @param name a valid segment name
     * @param size bytes, greater than zero
     * @return the new mapping, zero-filled, every page allocated: writes to it cannot fault for want of room
     * @throws UncheckedIOException wrapping {@link FileAlreadyExistsException} if the name is taken; otherwise,
     *                              if the directory has no room for {@code size} bytes or cannot be written, one
     *                              naming the directory, its free space, the size and {@link ShmDirectory}'s
     *                              property
     */
    static MappedSegment create(String name, long size) {
        return uninterruptibly(name, size, true);
    }

    private static MappedSegment create0(String name, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size=" + size + " (expected > 0)");
        }
        Path path = ShmDirectory.pathOf(name);
        boolean created = false;
        try (FileChannel channel = openNew(path)) {
            created = true;
            // Every page allocated now: a full directory fails here, not with a SIGBUS at a later first write.
            SegmentBacking.back(channel, path, size);
            Arena arena = Arena.ofShared();
            try {
                MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
                return new MappedSegment(name, path, arena, segment);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        } catch (FileAlreadyExistsException e) {
            throw new UncheckedIOException("shared memory segment already exists: " + path
                    + " (expected a new name; attach to share an existing one)", e);
        } catch (IOException e) {
            if (created) {
                deleteQuietly(path);
            }
            throw ShmDirectory.cannotCreate("shared memory segment " + name, size, e);
        } catch (RuntimeException | Error e) {
            if (created) {
                deleteQuietly(path);
            }
            throw e;
        }
    }

    /**
     * Maps an existing segment at its current file size.
     *
     * @param name a valid segment name
     * @return the mapping
     * @throws UncheckedIOException wrapping {@link NoSuchFileException} if there is no such segment
     */
    static MappedSegment open(String name) {
        return uninterruptibly(name, 0, false);
    }

    private static MappedSegment open0(String name) {
        Path path = ShmDirectory.pathOf(name);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            if (size == 0) {
                throw new IllegalArgumentException("segment " + name + " size=0 (expected a non-empty segment at "
                        + path + ")");
            }
            Arena arena = Arena.ofShared();
            try {
                return new MappedSegment(name, path, arena, channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena));
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("no shared memory segment named " + ShmDirectory.quote(name) + " (expected "
                    + path + " to exist)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot attach shared memory segment " + path + ": " + e, e);
        }
    }

    /**
     * {@return what {@code mapping} makes, with the caller's interrupt status set aside meanwhile and restored after}
     * A {@link FileChannel} closes itself when its thread is interrupted ({@link ClosedByInterruptException}), but
     * making or attaching a segment is no wait that an interrupt should end: without this, every object created or
     * attached on an interrupted thread would fail with an error about the file. An interrupt that comes while the
     * channel is open closes it; the work is then done again. No lambda: a child attaching its first segment would
     * spin the lambda's class (5-9 ms in a cold JVM), which its AOT cache holds only if training attached one.
     */
    private static MappedSegment uninterruptibly(String name, long size, boolean create) {
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    return create ? create0(name, size) : open0(name);
                } catch (UncheckedIOException e) {
                    if (!(e.getCause() instanceof ClosedByInterruptException) || attempt == 100) {
                        throw e;
                    }
                    interrupted |= Thread.interrupted();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@return the segment name} */
    public String name() {
        return name;
    }

    /** {@return the backing file} */
    public Path path() {
        return path;
    }

    /** {@return the whole mapping} */
    public MemorySegment segment() {
        return segment;
    }

    void unmap() {
        arena.close();
    }

    static boolean deleteQuietly(Path path) {
        try {
            return Files.deleteIfExists(path);
        } catch (IOException e) {
            return false;
        }
    }

    private static FileChannel openNew(Path path) throws IOException {
        Set<StandardOpenOption> options = EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            return FileChannel.open(path, options, OWNER_ONLY);
        } catch (UnsupportedOperationException e) { // no POSIX permissions on this file system
            return FileChannel.open(path, options);
        }
    }
}

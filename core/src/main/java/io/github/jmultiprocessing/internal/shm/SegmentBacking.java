package io.github.jmultiprocessing.internal.shm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * Backs a new segment file: allocates every page of it before it is mapped, so that a directory without room
 * fails the creation with an {@link IOException} instead of a {@code SIGBUS} (Java's
 * {@code InternalError: a fault occurred in an unsafe memory access operation}) at the first write to a page
 * the file system cannot supply.
 *
 * <p>Implementation notes. tmpfs (and most file systems) give a file mapped beyond its end pages only when they
 * are first touched: a sparse file. Two ways to allocate them up front, same result: on Linux with native access
 * enabled for the library's module, {@code posix_fallocate(fd, 0, size)} through an FFM downcall (on tmpfs the
 * kernel allocates the pages in one call, and gives them back if it runs out part way); elsewhere, or if that call
 * is unavailable, zeros written through the {@link FileChannel} over the whole size (tmpfs allocates a page on
 * write and fails the write with "No space left on device"). The downcall opens the file a second time by path
 * (FFM cannot see the channel's descriptor); the file was just created exclusively, mode 0600, by this process.
 * This class and {@code internal.sync.Futex} are the library's only restricted FFM calls.
 */
@SuppressWarnings("restricted") // posix_fallocate, only where native access is enabled, by design
final class SegmentBacking {

    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000; // 02000000 on every Linux architecture Futex knows
    private static final int EINTR = 4;
    private static final int ENOSPC = 28;
    private static final int EFBIG = 27;
    private static final int ZEROS_SIZE = 64 * 1024;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ZEROS_SIZE).asReadOnlyBuffer();

    private static final MethodHandle OPEN; // int open(const char *path, int flags, ...)
    private static final MethodHandle POSIX_FALLOCATE; // int posix_fallocate(int fd, off_t offset, off_t len)
    private static final MethodHandle CLOSE; // int close(int fd)

    /** True if pages are allocated with {@code posix_fallocate}; false if zeros are written. */
    static final boolean NATIVE;

    static {
        MethodHandle open = null;
        MethodHandle fallocate = null;
        MethodHandle close = null;
        boolean linux = System.getProperty("os.name", "").toLowerCase().contains("linux");
        if (linux && ADDRESS.byteSize() == 8 && SegmentBacking.class.getModule().isNativeAccessEnabled()) {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                MemorySegment openSymbol = libc.find("open").orElse(null);
                MemorySegment fallocateSymbol = libc.find("posix_fallocate").orElse(null);
                MemorySegment closeSymbol = libc.find("close").orElse(null);
                if (openSymbol != null && fallocateSymbol != null && closeSymbol != null) {
                    // open is variadic: the mode is passed (unused without O_CREAT) as its one variadic int
                    open = linker.downcallHandle(openSymbol,
                            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                            Linker.Option.firstVariadicArg(2));
                    fallocate = linker.downcallHandle(fallocateSymbol,
                            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
                    close = linker.downcallHandle(closeSymbol, FunctionDescriptor.of(JAVA_INT, JAVA_INT));
                }
            } catch (RuntimeException | LinkageError e) {
                open = null;
            }
        }
        boolean available = open != null && fallocate != null && close != null;
        OPEN = available ? open : null;
        POSIX_FALLOCATE = available ? fallocate : null;
        CLOSE = available ? close : null;
        NATIVE = available;
    }

    private SegmentBacking() {
    }

    /**
     * Allocates bytes {@code 0..size} of a new, empty file, which then has that size.
     *
     * @param channel the file, open for writing, size 0
     * @param path    its path
     * @param size    bytes, greater than zero
     * @throws IOException if the file system has no room (a {@link FileSystemException} whose reason is "No space
     *                     left on device") or cannot write the file
     */
    static void back(FileChannel channel, Path path, long size) throws IOException {
        if (!NATIVE || !fallocate(path, size)) {
            writeZeros(channel, size);
        }
    }

    /** {@return true if the pages were allocated, false if this call is not possible here (write zeros then)} */
    private static boolean fallocate(Path path, long size) throws IOException {
        int error;
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(arena.allocateFrom(path.toString()), O_RDWR | O_CLOEXEC, 0);
            if (fd < 0) {
                return false;
            }
            try {
                do {
                    error = (int) POSIX_FALLOCATE.invokeExact(fd, 0L, size);
                } while (error == EINTR);
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("a downcall threw a checked exception", e);
        }
        return switch (error) {
            case 0 -> true;
            case ENOSPC -> throw new FileSystemException(path.toString(), null, "No space left on device");
            case EFBIG -> throw new FileSystemException(path.toString(), null, "File too large");
            default -> false; // not supported here (EOPNOTSUPP, ENODEV, ...): write zeros, which reports its own error
        };
    }

    private static void writeZeros(FileChannel channel, long size) throws IOException {
        ByteBuffer zeros = ZEROS.duplicate(); // a position of its own: the shared buffer is never moved
        long position = 0;
        while (position < size) {
            zeros.clear().limit((int) Math.min(ZEROS_SIZE, size - position));
            position += channel.write(zeros, position); // a short write goes on from where it stopped
        }
    }
}

package io.github.jmultiprocessing.internal.shm;

import io.github.jmultiprocessing.internal.config.Configuration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where segments live and what they may be called.
 *
 * <p>Segments are files in {@code /dev/shm} on Linux (the directory POSIX {@code shm_open} uses, so Python's
 * {@code shared_memory} sees the same names), elsewhere in {@code java.io.tmpdir}. The system property
 * {@code jmultiprocessing.shm.dir} overrides the choice; child JVMs inherit it. A directory where a segment cannot be
 * created (no room, read-only, missing) is reported by {@link #cannotCreate}, naming that property.
 */
public final class ShmDirectory {

    /** Longest name accepted: the usual {@code NAME_MAX}. */
    public static final int MAX_NAME_LENGTH = 255;

    private static final String CONFIGURED = Configuration.SHM_DIR.value(); // read once: segments stay where they are
    private static final Path DIRECTORY = chooseDirectory(CONFIGURED);

    private ShmDirectory() {
    }

    /** {@return the directory segment files are created in} */
    public static Path directory() {
        return DIRECTORY;
    }

    /**
     * Resolves a validated segment name to its file.
     *
     * @param name the segment name
     * @return the file backing the segment
     * @throws IllegalArgumentException if the name is not a valid segment name
     */
    public static Path pathOf(String name) {
        return DIRECTORY.resolve(checkName(name));
    }

    /**
     * Checks a segment name: non-empty, at most {@value #MAX_NAME_LENGTH} characters, no {@code /}, no
     * {@code ..}, no control characters, not {@code .}.
     *
     * @param name the name to check
     * @return the name
     * @throws IllegalArgumentException naming the problem
     */
    public static String checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("name=" + quote(name) + " (expected a non-empty segment name)");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("name length=" + name.length() + " (expected at most "
                    + MAX_NAME_LENGTH + " characters)");
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
            throw new IllegalArgumentException("name=" + quote(name) + " (expected no '/' or '\\')");
        }
        if (name.contains("..") || name.equals(".")) {
            throw new IllegalArgumentException("name=" + quote(name) + " (expected no '..' and not '.')");
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw new IllegalArgumentException("name=" + quote(name) + " (expected no control characters)");
            }
        }
        return name;
    }

    /**
     * Makes a fresh random name with the given prefix, like Python's {@code psm_} names.
     *
     * @param prefix the prefix, such as {@code "jmp_"}
     * @return prefix followed by 16 hex digits
     */
    public static String randomName(String prefix) {
        return prefix + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    /**
     * The exception for a segment, or the record kept beside the segments, that could not be created or written
     * in the directory: it names the directory, its free space, the size asked for and
     * {@code jmultiprocessing.shm.dir}, the one setting that moves segments elsewhere.
     *
     * @param what  what could not be created, such as {@code "shared memory segment jmp-heap-1-..."}
     * @param size  the bytes asked for, or 0 if the failure is not about a size (the ledger line of a creation)
     * @param cause the file system's error
     * @return the exception to throw
     */
    static UncheckedIOException cannotCreate(String what, long size, IOException cause) {
        long free = freeSpace();
        String reason = cause instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                : cause.getClass() == IOException.class ? cause.getMessage()
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        StringBuilder message = new StringBuilder("cannot create ").append(what).append(" in ").append(DIRECTORY)
                .append(": ").append(reason).append(" (");
        if (size > 0) {
            message.append("size=").append(size).append(" bytes asked for, ");
        }
        message.append("free=").append(free < 0 ? "unknown" : free + " bytes").append(" in ").append(DIRECTORY)
                .append("; expected a writable directory with room for it: free space there, or set the system"
                        + " property ").append(Configuration.SHM_DIR.property()).append(" to another directory, -D")
                .append(Configuration.SHM_DIR.property()).append("=<dir>)");
        return new UncheckedIOException(message.toString(), cause);
    }

    /** {@return the bytes free for this user in the directory, or -1 if unknown} */
    static long freeSpace() {
        try {
            return Files.getFileStore(DIRECTORY).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static String quote(String s) {
        return s == null ? "null" : '"' + s + '"';
    }

    /** {@return true if the directory was chosen by {@code jmultiprocessing.shm.dir}} (when this class was loaded) */
    public static boolean configured() {
        return CONFIGURED != null && !CONFIGURED.isBlank();
    }

    private static Path chooseDirectory(String configured) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        Path devShm = Path.of("/dev/shm");
        if (Files.isDirectory(devShm) && Files.isWritable(devShm)) {
            return devShm;
        }
        return Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
    }
}

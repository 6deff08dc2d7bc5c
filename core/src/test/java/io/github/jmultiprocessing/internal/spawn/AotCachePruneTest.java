package io.github.jmultiprocessing.internal.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.config.Configuration;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AotCachePruneTest {

    private static final long MIB = 1 << 20;

    @Test
    void shouldDeleteTheLeastRecentlyUsedCachesUntilAllFitTheByteCap(@TempDir Path dir) throws Exception {
        for (int i = 0; i < 12; i++) { // 12 x 10 MiB, used at times 1..12
            sized(dir.resolve("child-25-old" + i + ".aot"), 10 * MIB, i + 1);
        }
        Path other = Files.createFile(dir.resolve("child-25-old0.aot.failed"));
        Path built = sized(dir.resolve("child-25-new.aot"), 15 * MIB, 0); // kept even if its clock says otherwise
        AotCache.pruneToFit(built, 60 * MIB);
        Set<String> left = names(dir);
        assertTrue(left.contains(built.getFileName().toString()), "the cache just built stays: " + left);
        assertTrue(left.contains(other.getFileName().toString()), "other files are not touched: " + left);
        for (int i = 8; i < 12; i++) { // 15 + 4 x 10 = 55 MiB <= 60 MiB; a fifth would make 65
            assertTrue(left.contains("child-25-old" + i + ".aot"), "a recently used cache stays: " + i + " " + left);
        }
        assertEquals(6, left.size(), "4 old caches, the new one and the other file: " + left);
    }

    @Test
    void shouldCapTheDirectoryAtTheDocumentedDefault() {
        String saved = Configuration.AOT_MAX_BYTES.value();
        try {
            System.clearProperty(Configuration.AOT_MAX_BYTES.property());
            assertEquals(256 * MIB, AotCache.maxBytes());
            System.setProperty(Configuration.AOT_MAX_BYTES.property(), "64m");
            assertEquals(64 * MIB, AotCache.maxBytes());
            System.setProperty(Configuration.AOT_MAX_BYTES.property(), "1000");
            assertEquals(1000, AotCache.maxBytes());
            System.setProperty(Configuration.AOT_MAX_BYTES.property(), "-1");
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, AotCache::maxBytes);
            assertTrue(bad.getMessage().startsWith("jmultiprocessing.aot.maxBytes=-1 (expected"), bad.getMessage());
        } finally {
            if (saved == null) {
                System.clearProperty(Configuration.AOT_MAX_BYTES.property());
            } else {
                System.setProperty(Configuration.AOT_MAX_BYTES.property(), saved);
            }
        }
    }

    private static Path sized(Path file, long size, long usedAt) throws Exception {
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(size); // sparse: counts its length, takes no disk
        }
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_000_000L * usedAt));
        return file;
    }

    private static Set<String> names(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).collect(Collectors.toSet());
        }
    }
}

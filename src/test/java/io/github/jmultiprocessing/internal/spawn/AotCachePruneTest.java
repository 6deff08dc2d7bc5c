package io.github.jmultiprocessing.internal.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AotCachePruneTest {

    @Test
    void shouldKeepTheNewestCachesOnly(@TempDir Path dir) throws Exception {
        for (int i = 0; i < 12; i++) {
            Path cache = Files.createFile(dir.resolve("child-25-old" + i + ".aot"));
            Files.setLastModifiedTime(cache, FileTime.fromMillis(1_000_000L * (i + 1)));
        }
        Path other = Files.createFile(dir.resolve("child-25-old0.aot.failed"));
        Path built = Files.createFile(dir.resolve("child-25-new.aot"));
        Files.setLastModifiedTime(built, FileTime.fromMillis(1)); // even if its clock says otherwise
        AotCache.pruneOldest(built);
        Set<String> left;
        try (var files = Files.list(dir)) {
            left = files.map(f -> f.getFileName().toString()).collect(Collectors.toSet());
        }
        assertTrue(left.contains(built.getFileName().toString()), "the cache just built stays");
        assertTrue(left.contains(other.getFileName().toString()), "other files are not touched");
        for (int i = 12 - (AotCache.KEEP - 1); i < 12; i++) {
            assertTrue(left.contains("child-25-old" + i + ".aot"), "a recent cache stays: " + i);
        }
        assertEquals(AotCache.KEEP + 1, left.size(), "KEEP caches and the other file: " + left);
    }
}

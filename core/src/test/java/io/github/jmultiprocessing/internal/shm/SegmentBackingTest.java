package io.github.jmultiprocessing.internal.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.config.Configuration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class SegmentBackingTest {

    @Test
    @EnabledOnOs(OS.LINUX)
    void shouldAllocateEveryPageWhenASegmentIsCreated() throws Exception {
        long size = 1 << 20;
        String name = ShmDirectory.randomName("jmp_test_backed_");
        MappedSegment mapped = SegmentTable.create(name, size, true);
        try {
            // stat's %b counts the blocks the file system allocated: 0 for a sparse file nobody touched yet
            Process stat = new ProcessBuilder("stat", "-c", "%b %B", mapped.path().toString())
                    .redirectErrorStream(true).start();
            String[] blocks = new String(stat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip()
                    .split(" ");
            assertTrue(stat.waitFor(10, TimeUnit.SECONDS));
            assertEquals(2, blocks.length, String.join(" ", blocks));
            long allocated = Long.parseLong(blocks[0]) * Long.parseLong(blocks[1]);
            assertTrue(allocated >= size, "allocated=" + allocated + " bytes (expected >= " + size
                    + " right after creation, native=" + SegmentBacking.NATIVE + ")");
            assertEquals(size, mapped.segment().byteSize());
            assertEquals(0, mapped.segment().get(java.lang.foreign.ValueLayout.JAVA_LONG, size - 8));
        } finally {
            SegmentTable.release(mapped);
            SegmentTable.unlink(name);
        }
    }

    @Test
    void shouldNameDirectoryFreeSpaceSizeAndPropertyWhenCreationFails() {
        UncheckedIOException full = ShmDirectory.cannotCreate("shared memory segment jmp_x", 4096,
                new FileSystemException("/some/jmp_x", null, "No space left on device"));
        String message = full.getMessage();
        assertTrue(message.startsWith("cannot create shared memory segment jmp_x in " + ShmDirectory.directory()
                + ": No space left on device (size=4096 bytes asked for, free="), message);
        assertTrue(message.contains(Configuration.SHM_DIR.property()), message);
        assertTrue(full.getCause() instanceof FileSystemException);

        String denied = ShmDirectory.cannotCreate("shared memory", 0, new AccessDeniedException("/some/file"))
                .getMessage();
        assertTrue(denied.contains("AccessDeniedException: /some/file (free="), denied);
        assertTrue(!denied.contains("size="), denied);
        assertTrue(ShmDirectory.cannotCreate("x", 1, new IOException("No space left on device")).getMessage()
                .contains(": No space left on device (size=1 bytes"));
    }
}

package io.github.jmultiprocessing;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

class SharedMemoryTest {

    @Test
    void shouldShareBytesBetweenCreatorAndAttacher() {
        try (SharedMemory created = SharedMemory.create(4096)) {
            try (SharedMemory attached = SharedMemory.attach(created.name())) {
                created.segment().set(JAVA_INT, 100, 42);
                assertEquals(42, attached.segment().get(JAVA_INT, 100));
                assertEquals(4096, attached.size());
                assertEquals(created.name(), attached.name());
                // mapped once per JVM: both handles see the same mapping
                assertEquals(created.segment().address(), attached.segment().address());
            }
            created.unlink();
        }
    }

    @Test
    void shouldCreateExclusivelyWithOwnerOnlyMode() throws Exception {
        String name = ShmDirectory.randomName("jmp_test_");
        try (SharedMemory shm = SharedMemory.create(name, 10)) {
            Path path = ShmDirectory.pathOf(name);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
            assertEquals(10, shm.size());
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> SharedMemory.create(name, 10));
            assertInstanceOf(FileAlreadyExistsException.class, e.getCause());
            assertTrue(e.getMessage().contains(name), e.getMessage());
            shm.unlink();
            assertFalse(Files.exists(path));
        }
    }

    @Test
    void shouldRejectBadSizesAndNamesLeavingNoFile() {
        String name = ShmDirectory.randomName("jmp_test_");
        assertThrows(IllegalArgumentException.class, () -> SharedMemory.create(name, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SharedMemory.create(name, -1));
        assertTrue(e.getMessage().contains("size=-1"), e.getMessage());
        assertFalse(Files.exists(ShmDirectory.pathOf(name)));
        assertThrows(IllegalArgumentException.class, () -> SharedMemory.create("../etc/passwd", 10));
        assertThrows(IllegalArgumentException.class, () -> SharedMemory.attach("a/b"));
    }

    @Test
    void shouldFailToAttachMissingOrUnlinkedSegments() {
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> SharedMemory.attach("jmp_no_such_x"));
        assertInstanceOf(NoSuchFileException.class, e.getCause());
        assertTrue(e.getMessage().contains("jmp_no_such_x"), e.getMessage());
        SharedMemory shm = SharedMemory.create(64);
        shm.unlink();
        assertThrows(UncheckedIOException.class, () -> SharedMemory.attach(shm.name()));
        assertThrows(UncheckedIOException.class, shm::unlink);
        shm.segment().set(JAVA_INT, 0, 7); // still mapped after unlink, as in Python
        assertEquals(7, shm.segment().get(JAVA_INT, 0));
        shm.close();
    }

    @Test
    void shouldRefuseSegmentAfterCloseAndCloseIdempotently() {
        SharedMemory shm = SharedMemory.create(64);
        shm.close();
        shm.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, shm::segment);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        shm.unlink();
    }

    @Test
    void shouldAllowANewSegmentUnderAnUnlinkedName() {
        String name = ShmDirectory.randomName("jmp_test_");
        try (SharedMemory first = SharedMemory.create(name, 64)) {
            first.segment().set(JAVA_INT, 0, 1);
            first.unlink();
            try (SharedMemory second = SharedMemory.create(name, 128)) {
                assertEquals(0, second.segment().get(JAVA_INT, 0));
                assertEquals(1, first.segment().get(JAVA_INT, 0));
                try (SharedMemory attached = SharedMemory.attach(name)) {
                    assertEquals(128, attached.size());
                }
                second.unlink();
            }
        }
    }
}

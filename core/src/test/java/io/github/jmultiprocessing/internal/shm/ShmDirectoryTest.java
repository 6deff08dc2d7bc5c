package io.github.jmultiprocessing.internal.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShmDirectoryTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "/x", "..", "a..b", ".", "tab\there", "back\\slash"})
    void shouldRejectBadNamesWithTheReason(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShmDirectory.checkName(name));
        assertTrue(e.getMessage().contains("expected"), e.getMessage());
    }

    @Test
    void shouldRejectNullAndOverlongNames() {
        assertThrows(IllegalArgumentException.class, () -> ShmDirectory.checkName(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ShmDirectory.checkName("x".repeat(256)));
        assertTrue(e.getMessage().contains("256"), e.getMessage());
        assertEquals("y".repeat(255), ShmDirectory.checkName("y".repeat(255)));
    }

    @Test
    void shouldMakeValidDistinctRandomNames() {
        String a = ShmDirectory.randomName("jmp_");
        String b = ShmDirectory.randomName("jmp_");
        assertTrue(a.startsWith("jmp_") && a.length() == 20, a);
        assertEquals(a, ShmDirectory.checkName(a));
        assertTrue(!a.equals(b));
    }

    @Test
    void shouldUseDevShmOnLinux() {
        if (System.getProperty("os.name").toLowerCase().contains("linux")) {
            assertEquals("/dev/shm", ShmDirectory.directory().toString());
        }
    }
}

package io.github.jmultiprocessing.internal.spawn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The library's classes a training run loads, read from the directory this test's classes come from. */
class WarmupTest {

    @Test
    void shouldListTheLibrarysOwnClassesOnly() {
        List<String> classes = Warmup.libraryClasses();
        assertTrue(classes.contains("io.github.jmultiprocessing.SerializableRunnable"), classes.toString());
        assertTrue(classes.contains("io.github.jmultiprocessing.internal.manager.ManagerServer"), classes.toString());
        assertTrue(classes.contains("io.github.jmultiprocessing.internal.ring.EndHolders$Alive"), classes.toString());
        assertFalse(classes.stream().anyMatch(name -> name.endsWith("package-info") || name.endsWith("module-info")
                || name.startsWith("io.github.jmultiprocessing.testing.")), classes.toString());
        for (String name : classes) { // every name loads: a training run would otherwise skip it quietly
            assertTrue(loads(name), name);
        }
    }

    private static boolean loads(String name) {
        try {
            Class.forName(name, false, WarmupTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}

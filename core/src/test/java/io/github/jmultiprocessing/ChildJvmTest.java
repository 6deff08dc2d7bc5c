package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChildJvmTest {

    @Test
    void shouldGiveEveryOptionAsOneArgumentInOrder() {
        ChildJvm jvm = ChildJvm.defaults().withInitialHeap("64m").withMaxHeap("1g").withOptions("-Da=b c", "-ea")
                .withProperty("k", "v w").withProperty("z", "1").withProperty("k", "again");
        assertEquals(List.of("-Xms64m", "-Xmx1g", "-Da=b c", "-ea", "-Dz=1", "-Dk=again"), jvm.jvmOptions());
        assertEquals(Map.of("k", "again", "z", "1"), jvm.properties());
        assertEquals(jvm, ChildJvm.defaults().withInitialHeap("64m").withMaxHeap("1g").withOptions("-Da=b c", "-ea")
                .withProperty("z", "1").withProperty("k", "again"));
        assertNotEquals(jvm, ChildJvm.defaults());
        assertTrue(jvm.toString().contains("maxHeap=1g"), jvm.toString());
    }

    @Test
    void shouldRefuseWhatIsNotAJvmOption() {
        ChildJvm jvm = ChildJvm.defaults();
        assertThrows(IllegalArgumentException.class, () -> jvm.withMaxHeap("256 MB"));
        assertThrows(IllegalArgumentException.class, () -> jvm.withInitialHeap("-1m"));
        assertThrows(IllegalArgumentException.class, () -> jvm.withOptions("Xmx1g"));
        assertThrows(IllegalArgumentException.class, () -> jvm.withOptions("-Xss1m -Xmx1g", ""));
        IllegalArgumentException classPath = assertThrows(IllegalArgumentException.class,
                () -> jvm.withOptions("-cp"));
        assertTrue(classPath.getMessage().contains("withClassPath"), classPath.getMessage());
        assertThrows(IllegalArgumentException.class, () -> jvm.withOptions("--class-path=/x"));
        assertThrows(IllegalArgumentException.class, () -> jvm.withProperty("a=b", "c"));
        assertThrows(NullPointerException.class, () -> jvm.withExecutable(null));
    }

    @Test
    void shouldKeepClassPathEntriesAbsolute() {
        ChildJvm jvm = ChildJvm.defaults().withClassPath(Path.of("lib/extra.jar"));
        assertEquals(List.of(Path.of("lib/extra.jar").toAbsolutePath()), jvm.classPath());
    }
}

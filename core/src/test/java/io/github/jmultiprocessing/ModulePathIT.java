package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's named module on the module path: children start with the same module path and run its lambdas. */
class ModulePathIT {

    @Test
    void shouldRunChildrenOfAModularApplication(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("src/demo.user");
        Files.createDirectories(src.resolve("demo"));
        copy("modular-user/demo.user/module-info.java.txt", src.resolve("module-info.java"));
        copy("modular-user/demo.user/demo/Main.java.txt", src.resolve("demo/Main.java"));
        Path library = Path.of("target/classes").toAbsolutePath();
        Path bin = Path.of(System.getProperty("java.home"), "bin");
        Path out = dir.resolve("out");
        run(List.of(bin.resolve("javac").toString(), "-d", out.toString(), "--module-path", library.toString(),
                "--module-source-path", dir.resolve("src").toString(), "-m", "demo.user"));
        String output = run(List.of(bin.resolve("java").toString(), "--enable-native-access=io.github.jmultiprocessing",
                "--module-path", library + java.io.File.pathSeparator + out, "-m", "demo.user/demo.Main"));
        assertTrue(output.contains("module mode: 2000 exit OptionalInt[0] OptionalInt[0] named=true"), output);
    }

    private static void copy(String resource, Path target) throws IOException {
        try (InputStream in = ModulePathIT.class.getClassLoader().getResourceAsStream(resource)) {
            Files.copy(in, target);
        }
    }

    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "still running: " + command);
        assertEquals(0, process.exitValue(), command + "\n" + output);
        return output;
    }
}

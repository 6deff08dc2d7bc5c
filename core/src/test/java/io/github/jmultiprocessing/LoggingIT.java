package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.JavaMain;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The library logs through {@link System.Logger}, so a user's logging reaches it: a program JVM of its own with
 * SLF4J's System.Logger bridge and its simple binding on the class path (as a user's project has them) prints the
 * library's lines in SLF4J's format: a child's start and end at DEBUG, a pool worker lost at WARNING.
 */
class LoggingIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    /** Starts a child, then loses a pool worker to a task that exits its JVM. */
    public static final class LoggingMain {
        public static void main(String[] args) throws Exception {
            JvmProcess child = new JvmProcess(() -> { }, "quiet-child");
            child.start();
            child.join();
            try (ProcessPool pool = new ProcessPool(1)) {
                try {
                    pool.apply(() -> {
                        System.exit(3);
                        return 0;
                    });
                } catch (WorkerLostException e) {
                    System.out.println("task lost");
                }
                System.out.println("then " + pool.apply(() -> 7));
            }
        }
    }

    @Test
    void shouldLogThroughTheUsersSlf4jBinding() throws Exception {
        String repository = System.getProperty("jmp.test.repository");
        String version = System.getProperty("jmp.test.slf4j");
        Assumptions.assumeTrue(repository != null && version != null, "run by Maven (failsafe), which sets both");
        List<String> classPath = new ArrayList<>(List.of(Path.of("target/classes").toAbsolutePath().toString(),
                Path.of("target/test-classes").toAbsolutePath().toString()));
        for (String artifact : List.of("slf4j-api", "slf4j-jdk-platform-logging", "slf4j-simple")) {
            Path jar = Path.of(repository, "org", "slf4j", artifact, version, artifact + "-" + version + ".jar");
            assertTrue(Files.isRegularFile(jar), jar + " (a test dependency)");
            classPath.add(jar.toString());
        }
        try (JavaMain main = JavaMain.start(String.join(File.pathSeparator, classPath),
                List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=debug"), LoggingMain.class)) {
            assertEquals(0, main.waitFor(WAIT), main.output());
            String output = main.output();
            for (String expected : List.of(
                    "DEBUG io.github.jmultiprocessing.JvmProcess - started quiet-child (pid \\d+, start method spawn)",
                    "DEBUG io.github.jmultiprocessing.JvmProcess - quiet-child \\(pid \\d+\\) ended with exit code 0",
                    "WARN io.github.jmultiprocessing.ProcessPool - \\S+: worker ProcessPoolWorker-1 \\(pid \\d+\\) ended"
                            + " unexpectedly with exit code 3; a replacement starts",
                    "task lost", "then 7")) {
                assertTrue(Pattern.compile(expected.replace("(pid \\d+, start", "\\(pid \\d+, start")
                        .replace("spawn)", "spawn\\)")).matcher(output).find(), expected + " in:\n" + output);
            }
        }
    }
}

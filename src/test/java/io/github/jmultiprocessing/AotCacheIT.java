package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.JavaMain;
import io.github.jmultiprocessing.testing.Poll;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Children of an application on a jar class path get an AOT cache, built once in the background (JDK 24+). */
class AotCacheIT {

    private static final Duration WAIT = Duration.ofSeconds(120);

    /** Starts one child that reports whether it runs with an AOT cache. */
    public static final class UserMain {
        public static void main(String[] args) throws Exception {
            SharedValue cached = SharedValue.raw('i');
            JvmProcess child = new JvmProcess(() -> cached.setInt(usesCache() ? 1 : 0));
            child.start();
            child.join();
            System.out.println("exit " + child.exitCode().orElseThrow() + " cached " + cached.getInt());
        }
    }

    static boolean usesCache() {
        return ProcessHandle.current().info().arguments().map(List::of).orElse(List.of()).stream()
                .anyMatch(a -> a.startsWith("-XX:AOTCache="));
    }

    @Test
    void shouldBuildACacheOnceAndNeverFailOnABadOne(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 24, "AOT caches need JDK 24+");
        String classPath = jar(dir, "library.jar", Path.of("target/classes")) + File.pathSeparator
                + jar(dir, "app.jar", Path.of("target/test-classes"));
        Path cacheDir = dir.resolve("cache");
        List<String> options = List.of("-Djmultiprocessing.cache.dir=" + cacheDir);

        assertEquals("exit 0 cached 0", run(classPath, options), "the first child has no cache yet");
        Poll.until("the cache to be built", WAIT, () -> cacheFile(cacheDir) != null && !locked(cacheDir));
        assertEquals("exit 0 cached 1", run(classPath, options), "later children use it");

        Files.write(cacheFile(cacheDir), new byte[] {1, 2, 3}); // a damaged or foreign cache
        assertEquals("exit 0 cached 1", run(classPath, options), "a bad cache must not break a start");

        // class data sharing options in the environment would contradict the cache: children start without it
        String withShareOption = run(classPath, options, java.util.Map.of("JAVA_TOOL_OPTIONS", "-Xshare:on"));
        assertTrue(withShareOption.endsWith("exit 0 cached 0"), withShareOption);
    }

    private static String run(String classPath, List<String> options) throws Exception {
        return run(classPath, options, java.util.Map.of());
    }

    private static String run(String classPath, List<String> options, java.util.Map<String, String> environment)
            throws Exception {
        try (JavaMain main = JavaMain.start(classPath, options, environment, UserMain.class)) {
            assertEquals(0, main.waitFor(WAIT), main.output());
            String output = main.output().strip();
            assertFalse(output.contains("[warning]") || output.contains("[error]"), "noise: " + output);
            return output;
        }
    }

    private static Path cacheFile(Path cacheDir) {
        try (Stream<Path> files = Files.list(cacheDir)) {
            return files.filter(p -> p.toString().endsWith(".aot")).findFirst().orElse(null);
        } catch (Exception e) {
            return null;
        }
    }

    private static boolean locked(Path cacheDir) {
        try (Stream<Path> files = Files.list(cacheDir)) {
            return files.anyMatch(p -> p.toString().endsWith(".lock"));
        } catch (Exception e) {
            return true;
        }
    }

    private static String jar(Path dir, String name, Path classes) throws Exception {
        Path jar = dir.resolve(name);
        Process tool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jar").toString(), "cf",
                jar.toString(), "-C", classes.toString(), ".").redirectErrorStream(true).start();
        String output = new String(tool.getInputStream().readAllBytes());
        assertTrue(tool.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, tool.exitValue(), output);
        return jar.toString();
    }
}

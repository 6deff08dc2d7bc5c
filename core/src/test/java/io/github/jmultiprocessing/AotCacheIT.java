package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.JavaMain;
import io.github.jmultiprocessing.testing.Poll;
import java.io.File;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Children of an application on a jar class path get an AOT cache (JDK 24+), built once: inside the program's
 * process tree and abandoned if the program ends first, or, opted in, by a builder that finishes after it. The
 * caches of the directory stay under their byte cap. Each program here is a JVM of its own with its own cache
 * directory, so that the processes and files it leaves behind can be told from everyone else's.
 */
class AotCacheIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;
    private String classPath;
    private Path cacheDir;

    /** Starts one child that reports whether it runs with an AOT cache. */
    public static final class UserMain {
        public static void main(String[] args) throws Exception {
            SharedValue cached = SharedValue.raw('i');
            System.out.println("exit " + startChild(cached) + " cached " + cached.getInt());
        }
    }

    /**
     * Starts two children (so that a build begins), then: {@code exit} returns once a build step runs;
     * {@code hold} says so and waits to be killed; {@code cached} waits for the cache and starts a third child,
     * which reports whether it runs with it.
     */
    public static final class BuildingMain {
        public static void main(String[] args) throws Exception {
            SharedValue cached = SharedValue.raw('i');
            startChild(cached);
            startChild(cached);
            switch (args[0]) {
                case "exit" -> {
                    awaitBuildStep();
                    System.out.println("building");
                }
                case "hold" -> {
                    awaitBuildStep();
                    System.out.println("building");
                    Thread.sleep(WAIT.toMillis()); // until the test kills this JVM
                }
                case "cached" -> {
                    Path cacheDir = Path.of(System.getProperty("jmultiprocessing.cache.dir"));
                    Poll.until("the cache", WAIT, () -> cacheFile(cacheDir) != null);
                    System.out.println("exit " + startChild(cached) + " cached " + cached.getInt());
                }
                case "classes" -> { // a third child logs where its classes come from
                    Path cacheDir = Path.of(System.getProperty("jmultiprocessing.cache.dir"));
                    Poll.until("the cache", WAIT, () -> cacheFile(cacheDir) != null);
                    JvmProcess child = new JvmProcess(() -> cached.setInt(usesCache() ? 1 : 0));
                    child.setChildJvm(ChildJvm.defaults().withOptions("-Xlog:class+load=info:file="
                            + cacheDir.resolveSibling("classes.log")));
                    child.start();
                    child.join();
                    System.out.println("exit " + child.exitCode().orElseThrow() + " cached " + cached.getInt());
                }
                default -> throw new IllegalArgumentException(args[0]);
            }
        }

        private static void awaitBuildStep() throws InterruptedException {
            Poll.until("a JVM of a build step", WAIT, () -> ProcessHandle.current().descendants()
                    .anyMatch(p -> p.info().arguments().map(List::of).orElse(List.of()).stream()
                            .anyMatch(a -> a.startsWith("-XX:AOTMode="))));
        }
    }

    /**
     * Runs a pool task and a child before the cache is built, then, with the cache, a child that uses library
     * classes no bootstrap names (a queue) and a socket, and a pool worker that runs the task again; every JVM logs
     * its classes and class initializations to {@code classes-<pid>.log} beside the cache folder.
     */
    public static final class LibraryMain {
        public static void main(String[] args) throws Exception {
            Path cacheDir = Path.of(System.getProperty("jmultiprocessing.cache.dir"));
            SharedValue cached = SharedValue.raw('i');
            try (ProcessPool pool = new ProcessPool(1)) {
                pool.apply(AotCacheTasks.task()); // before the build begins: the task's class is noted for it
            }
            startChild(cached);
            startChild(cached);
            Poll.until("the cache", WAIT, () -> cacheFile(cacheDir) != null);
            Multiprocessing.setChildJvm(ChildJvm.defaults().withOptions("-Xlog:class+load=info,class+init=info:file="
                    + cacheDir.resolveSibling("classes-%p.log")));
            JvmProcess child = new JvmProcess(() -> {
                cached.setInt(usesCache() ? 1 : 0);
                SharedQueue<String> queue = new SharedQueue<>();
                queue.put("library classes no bootstrap names");
                queue.close();
                ServerSocketChannel.open(StandardProtocolFamily.UNIX).close(); // a child's first socket
            });
            child.start();
            child.join();
            try (ProcessPool pool = new ProcessPool(1)) {
                System.out.println("task " + pool.apply(AotCacheTasks.task()));
            }
            System.out.println("exit " + child.exitCode().orElseThrow() + " cached " + cached.getInt());
        }
    }

    /** Starts a child that says where its resource and its class come from, and whether it runs with a cache. */
    public static final class DirectoryMain {
        public static void main(String[] args) throws Exception {
            JvmProcess child = new JvmProcess(() -> System.out.println("resource "
                    + DirectoryMain.class.getResource("/greeting.txt") + " class from "
                    + DirectoryMain.class.getProtectionDomain().getCodeSource().getLocation().getPath()
                    .replaceAll(".*/", "") + " cached " + usesCache()));
            child.start();
            child.join();
            System.out.println("exit " + child.exitCode().orElseThrow());
        }
    }

    /** Starts a child that sets the value to 1 if it runs with an AOT cache, else 0; {@return its exit code} */
    static int startChild(SharedValue cached) throws InterruptedException {
        JvmProcess child = new JvmProcess(() -> cached.setInt(usesCache() ? 1 : 0));
        child.start();
        child.join();
        return child.exitCode().orElseThrow();
    }

    static boolean usesCache() {
        return ProcessHandle.current().info().arguments().map(List::of).orElse(List.of()).stream()
                .anyMatch(a -> a.startsWith("-XX:AOTCache="));
    }

    @BeforeEach
    void jars() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 24, "AOT caches need JDK 24+");
        classPath = jar("library.jar", Path.of("target/classes")) + File.pathSeparator
                + jar("app.jar", Path.of("target/test-classes"));
        cacheDir = dir.resolve("cache");
    }

    @AfterEach
    void killLeftovers() throws Exception {
        for (ProcessHandle left : libraryProcesses()) { // only on failure: they name this test's own folder
            left.destroyForcibly();
            left.onExit().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldBuildACacheOnceAndNeverFailOnABadOne() throws Exception {
        List<String> options = List.of("-Djmultiprocessing.cache.dir=" + cacheDir);
        assertEquals("exit 0 cached 1", run(options, BuildingMain.class, "cached"),
                "a program that runs long enough builds the cache, and its later children use it");
        assertEquals("exit 0 cached 1", run(options, UserMain.class), "later programs use it");

        Files.write(cacheFile(cacheDir), new byte[] {1, 2, 3}); // a damaged or foreign cache
        assertEquals("exit 0 cached 1", run(options, UserMain.class), "a bad cache must not break a start");

        // class data sharing options in the environment would contradict the cache: children start without it
        String withShareOption = run(options, Map.of("JAVA_TOOL_OPTIONS", "-Xshare:on"), UserMain.class);
        assertTrue(withShareOption.endsWith("exit 0 cached 0"), withShareOption);
    }

    @Test
    void shouldHoldTheProgramsTargetClassInTheCache() throws Exception {
        assertEquals("exit 0 cached 1", run(List.of("-Djmultiprocessing.cache.dir=" + cacheDir), BuildingMain.class,
                "classes"), "a logging option does not cost a child its cache");
        String log = Files.readString(dir.resolve("classes.log"));
        // the class that made the target lambda, in app.jar: trained on since an earlier child loaded it, so a
        // child need not open the jar to read its bootstrap
        assertTrue(log.contains(AotCacheIT.class.getName() + " source: shared objects file"),
                log.lines().filter(l -> l.contains(AotCacheIT.class.getName())).toList().toString());
    }

    @Test
    void shouldLetChildrenRunFromTheCacheWithoutOpeningTheJars() throws Exception {
        assertEquals("task 42\nexit 0 cached 1", run(List.of("-Djmultiprocessing.cache.dir=" + cacheDir),
                LibraryMain.class));
        List<Path> logs = files(dir).stream().filter(p -> p.getFileName().toString().startsWith("classes-")).toList();
        assertTrue(logs.size() >= 2, "the child's and the pool worker's logs (and any other child's): " + logs);
        StringBuilder all = new StringBuilder();
        for (Path log : logs) {
            all.append(Files.readString(log));
        }
        // the library's classes are all in the cache (its training loads them), not only those of bootstraps
        List<String> fromJar = all.toString().lines().filter(l -> l.contains(" source: file:")
                && l.contains("library.jar")).toList();
        assertEquals(List.of(), fromJar, "library classes read from its jar");
        // the pool noted its task's class: the worker loads it from the cache, not from app.jar
        assertTrue(all.toString().contains(AotCacheTasks.class.getName() + " source: shared objects file"),
                all.toString().lines().filter(l -> l.contains(AotCacheTasks.class.getName())).toList().toString());
        // a child's first socket does not look for selector providers on the class path (which opens every jar)
        String childLog = null;
        for (Path log : logs) {
            String text = Files.readString(log);
            if (text.contains("Initializing 'java/nio/channels/spi/SelectorProvider")) {
                childLog = text;
            }
        }
        assertTrue(childLog != null, "no log of the child that opened a socket");
        assertFalse(childLog.contains("Initializing 'java/util/ServiceLoader$LazyClassPathLookupIterator'"),
                childLog.lines().filter(l -> l.contains("Initializing") && (l.contains("ServiceLoader")
                        || l.contains("SelectorProvider"))).toList().toString());
    }

    @Test
    void shouldGiveTheChildrenOfAProgramOnDirectoriesACacheFromJarsOfThem() throws Exception {
        Path resources = Files.createDirectories(dir.resolve("resources"));
        Files.writeString(resources.resolve("greeting.txt"), "hello");
        classPath = String.join(File.pathSeparator, Path.of("target/classes").toAbsolutePath().toString(),
                Path.of("target/test-classes").toAbsolutePath().toString(), resources.toString());
        List<String> options = List.of("-Djmultiprocessing.cache.dir=" + cacheDir);
        assertEquals("exit 0 cached 1", run(options, BuildingMain.class, "cached"),
                "a program run from directories (as Maven and IDEs run it) builds a cache for its children");
        String said = run(options, DirectoryMain.class);
        assertTrue(said.matches("(?s)resource file:" + java.util.regex.Pattern.quote(resources.toString())
                + "/greeting.txt class from classes-[0-9a-f]+\\.jar cached true\nexit 0"), said);
        assertEquals(2, names(cacheDir, ".jar").size(), "a jar per directory with classes: "
                + names(cacheDir, ".jar"));

        List<String> off = List.of("-Djmultiprocessing.cache.dir=" + cacheDir, "-Djmultiprocessing.aot.directories=false");
        assertEquals("exit 0 cached 0", run(off, UserMain.class), "turned off: the directories as they are");
    }

    @Test
    void shouldLeaveNoProcessAndNoBuildFileWhenTheProgramEndsDuringABuild() throws Exception {
        assertEquals("building", run(List.of("-Djmultiprocessing.cache.dir=" + cacheDir), BuildingMain.class,
                "exit"));
        // right after the exit, not after a grace period: a builder left running finishes in about a second
        assertEquals(List.of(), commandLines(libraryProcesses()), "processes of the library outlived the program");
        assertEquals(List.of(), buildFiles(), "the abandoned build left files");
        assertEquals(List.of(), names(cacheDir, ".failed"), "an abandoned build is not a failed one");
    }

    @Test
    void shouldTakeItsBuildAlongWhenKilledAndLetTheNextRunBuild() throws Exception {
        List<String> options = List.of("-Djmultiprocessing.cache.dir=" + cacheDir);
        try (JavaMain main = JavaMain.start(classPath, options, BuildingMain.class, "hold")) {
            Poll.until("a build under way", WAIT, () -> main.output().contains("building"));
            main.process().destroyForcibly(); // SIGKILL: no exit hook runs
            assertTrue(main.process().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        Poll.until("the build's JVMs to end with their program", WAIT, () -> libraryProcesses().isEmpty());
        assertEquals(null, cacheFile(cacheDir), "a build went on after its program was killed");

        // the lock of the killed program names a dead process: the next program builds at once
        assertEquals("exit 0 cached 1", run(options, BuildingMain.class, "cached"));
        assertEquals(List.of(), buildFiles(), "leftovers of the killed build are deleted");
    }

    @Test
    void shouldBuildAfterTheProgramEndsOnlyWhenOptedIn() throws Exception {
        List<String> options = List.of("-Djmultiprocessing.cache.dir=" + cacheDir);
        assertEquals("exit 0 cached 0", run(options, UserMain.class));
        assertEquals(List.of(), commandLines(libraryProcesses()), "processes of the library outlived the program");

        List<String> detached = List.of("-Djmultiprocessing.cache.dir=" + cacheDir,
                "-Djmultiprocessing.aot.detached=true");
        assertEquals("exit 0 cached 0", run(detached, UserMain.class), "the first child has no cache yet");
        Poll.until("the detached builder to finish", WAIT, () -> cacheFile(cacheDir) != null && buildFiles().isEmpty());
        Poll.until("the detached builder to exit", WAIT, () -> libraryProcesses().isEmpty());
        assertEquals("exit 0 cached 1", run(options, UserMain.class), "later children use it");
    }

    @Test
    void shouldKeepTheCachesOfTheDirectoryUnderTheirByteCap() throws Exception {
        Files.createDirectories(cacheDir);
        List<Path> old = new ArrayList<>();
        for (int i = 0; i < 5; i++) { // 5 x 10 MiB of other class paths' caches, sparse, used long ago
            Path cache = cacheDir.resolve("child-" + Runtime.version().feature() + "-old" + i + ".aot");
            try (RandomAccessFile file = new RandomAccessFile(cache.toFile(), "rw")) {
                file.setLength(10 * MIB);
            }
            Files.setLastModifiedTime(cache, FileTime.fromMillis(1_000_000_000L * (i + 1)));
            old.add(cache);
        }
        long cap = 48 * MIB;
        assertEquals("exit 0 cached 1", run(List.of("-Djmultiprocessing.cache.dir=" + cacheDir,
                "-Djmultiprocessing.aot.maxBytes=48m"), BuildingMain.class, "cached"));

        List<Path> caches = files(cacheDir).stream().filter(p -> p.toString().endsWith(".aot")).toList();
        long total = caches.stream().mapToLong(AotCacheIT::size).sum();
        assertTrue(total <= cap, "caches take " + total + " bytes (expected <= " + cap + "): " + caches);
        List<Path> kept = old.stream().filter(Files::exists).toList();
        assertEquals(caches.size() - 1, kept.size(), "the new cache and old ones: " + caches);
        assertTrue(kept.size() < old.size(), "an old cache is deleted: " + caches);
        assertEquals(old.subList(old.size() - kept.size(), old.size()), kept, "the least recently used go first");
    }

    private String run(List<String> options, Class<?> main, String... args) throws Exception {
        return run(options, Map.of(), main, args);
    }

    private String run(List<String> options, Map<String, String> environment, Class<?> mainClass, String... args)
            throws Exception {
        try (JavaMain main = JavaMain.start(classPath, options, environment, mainClass, args)) {
            assertEquals(0, main.waitFor(WAIT), main.output());
            // a program that finds segments of an earlier one killed here reaps them and says so (INFO, on the
            // JDK's default console handler): not what these tests look at
            String output = main.output().replaceAll("(?m)^\\S.* io\\.github\\.jmultiprocessing\\.internal\\.shm"
                    + "\\.SegmentLedger reap\\R^INFO: reaped the segments of a process that is gone.*\\R?", "").strip();
            assertFalse(output.contains("[warning]") || output.contains("[error]"), "noise: " + output);
            return output;
        }
    }

    /** {@return the processes whose command line names this test's folder: the library's, started by its programs} */
    private List<ProcessHandle> libraryProcesses() {
        String folder = dir.toString();
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses().filter(p -> p.pid() != self && p.isAlive()
                && p.info().commandLine().map(c -> c.contains(folder)).orElse(false)).toList();
    }

    private static List<String> commandLines(List<ProcessHandle> processes) {
        return processes.stream().map(p -> p.pid() + ": " + p.info().commandLine().orElse("?")).toList();
    }

    /** {@return the locks and temporary files of builds in the cache folder} */
    private List<String> buildFiles() {
        List<String> left = new ArrayList<>(names(cacheDir, ".lock"));
        left.addAll(names(cacheDir, ".tmp"));
        left.addAll(names(cacheDir, ".conf"));
        return left;
    }

    private static List<String> names(Path folder, String suffix) {
        return files(folder).stream().map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).toList();
    }

    private static List<Path> files(Path folder) {
        try (Stream<Path> listing = Files.list(folder)) {
            return listing.sorted(Comparator.naturalOrder()).toList();
        } catch (java.nio.file.NoSuchFileException e) {
            return List.of();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path cacheFile(Path folder) {
        return files(folder).stream().filter(p -> p.toString().endsWith(".aot") && !p.getFileName().toString()
                .contains("-old")).findFirst().orElse(null);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String jar(String name, Path classes) throws Exception {
        Path jar = dir.resolve(name);
        Process tool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jar").toString(), "cf",
                jar.toString(), "-C", classes.toString(), ".").redirectErrorStream(true).start();
        String output = new String(tool.getInputStream().readAllBytes());
        assertTrue(tool.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, tool.exitValue(), output);
        return jar.toString();
    }
}

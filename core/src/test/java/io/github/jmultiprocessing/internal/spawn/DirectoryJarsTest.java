package io.github.jmultiprocessing.internal.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.config.Configuration;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jars of class path directories, so children of programs run from directories get an AOT cache. */
class DirectoryJarsTest {

    @TempDir
    Path dir;

    @AfterEach
    void clearProperties() {
        System.clearProperty(Configuration.CACHE_DIR.property());
        System.clearProperty(Configuration.AOT_DIRECTORIES.property());
    }

    private Path classes(String name, String... files) throws Exception {
        Path root = dir.resolve(name);
        for (String file : files) {
            Path path = root.resolve(file);
            Files.createDirectories(path.getParent());
            Files.writeString(path, "content of " + file);
        }
        Files.createDirectories(root);
        return root;
    }

    @Test
    void shouldJarADirectorysClassFilesOnlyAndKeepTheJarUntilAClassChanges() throws Exception {
        Path root = classes("classes", "a/A.class", "a/A$1.class", "B.class", "a/config.properties");
        Path jars = dir.resolve("jars");
        Path jar = DirectoryJars.jarOf(root, jars);
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            List<String> names = zip.stream().map(e -> e.getName()).sorted().toList();
            assertEquals(List.of("B.class", "a/A$1.class", "a/A.class"), names, "class files, no resources");
            assertEquals("content of a/A.class", new String(zip.getInputStream(zip.getEntry("a/A.class"))
                    .readAllBytes()));
        }
        FileTime made = Files.getLastModifiedTime(jar);
        assertEquals(jar, DirectoryJars.jarOf(root, jars), "the same classes: the same jar");
        assertEquals(made, Files.getLastModifiedTime(jar), "not made again (a cache checks its time)");

        Files.writeString(root.resolve("a/config.properties"), "changed");
        assertEquals(jar, DirectoryJars.jarOf(root, jars), "a resource is not in the jar");
        Files.writeString(root.resolve("a/A.class"), "recompiled, longer");
        Path changed = DirectoryJars.jarOf(root, jars);
        assertNotEquals(jar, changed, "a changed class makes a new jar");
        try (ZipFile zip = new ZipFile(changed.toFile())) {
            assertEquals("recompiled, longer", new String(zip.getInputStream(zip.getEntry("a/A.class"))
                    .readAllBytes()));
        }
        assertEquals(List.of(), Files.list(jars).filter(p -> p.toString().endsWith(".tmp")).toList());
        assertEquals(Files.getLastModifiedTime(root.resolve("a/A.class")).toMillis(),
                Files.getLastModifiedTime(changed).toMillis(), "the jar's time: its newest class's, as any JVM makes it");
    }

    @Test
    void shouldMakeOneGoodJarWhenThreadsAskAtOnceAndFollowALinkedDirectory() throws Exception {
        Path root = classes("real", "p/A.class", "p/B.class", "C.class");
        Path link = Files.createSymbolicLink(dir.resolve("link"), root);
        Path jars = dir.resolve("jars");
        List<Thread> threads = new ArrayList<>();
        List<Path> made = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < 8; i++) {
            Path asked = i % 2 == 0 ? root : link;
            threads.add(Thread.ofPlatform().start(() -> made.add(DirectoryJars.jarOf(asked, jars))));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(1, new java.util.HashSet<>(made).size(), "one jar, for the link too: " + made);
        try (ZipFile zip = new ZipFile(made.get(0).toFile())) {
            assertEquals(3, zip.size());
        }
        assertEquals(List.of(), Files.list(jars).filter(p -> p.toString().endsWith(".tmp")).toList());
    }

    @Test
    void shouldPutEachDirectorysJarInItsPlaceAndTheDirectoriesAtTheEnd() throws Exception {
        Assumptions.assumeTrue(AotCache.enabled(), "AOT caches need JDK 24+");
        System.setProperty(Configuration.CACHE_DIR.property(), dir.resolve("cache").toString());
        Path first = classes("first", "p/First.class");
        Path resources = classes("resources", "greeting.txt");
        Path lib = Files.writeString(dir.resolve("lib.jar"), "not read");
        Path second = classes("second", "Second.class");
        List<String> jvm = List.of("java", "-Xss1m", "-cp", String.join(File.pathSeparator, first.toString(),
                resources.toString(), lib.toString(), second.toString()));

        List<String> command = DirectoryJars.withJars(jvm);
        assertEquals(jvm, command, "no jar yet: made off the start path, this start goes as it is");
        Path firstJar = DirectoryJars.jarOf(first, AotCache.directory()); // as the jar thread makes them
        Path secondJar = DirectoryJars.jarOf(second, AotCache.directory());
        Thread.sleep(DirectoryJars.RELIST_MILLIS + 100); // the next start lists the directories again
        command = DirectoryJars.withJars(jvm);
        List<String> classPath = List.of(command.get(3).split(File.pathSeparator));
        assertEquals(6, classPath.size(), classPath.toString());
        assertEquals(firstJar.toString(), classPath.get(0));
        assertEquals(lib.toString(), classPath.get(1), "a directory with no classes has no jar");
        assertEquals(secondJar.toString(), classPath.get(2));
        assertEquals(List.of(first.toString(), resources.toString(), second.toString()), classPath.subList(3, 6),
                "the directories at the end, in their order");
        assertEquals(classPath.subList(0, 3), DirectoryJars.cachedPart(classPath), "the cache's class path");
        assertEquals(jvm.subList(0, 3), command.subList(0, 3));

        System.setProperty(Configuration.AOT_DIRECTORIES.property(), "false");
        assertSame(jvm, DirectoryJars.withJars(jvm), "turned off: as it was");
    }

    @Test
    void shouldLeaveADirectoryWithTooManyClassesAsItIs() throws Exception {
        Path root = dir.resolve("many");
        Files.createDirectories(root);
        for (int i = 0; i <= DirectoryJars.MAX_FILES; i++) {
            Files.createFile(root.resolve("C" + i + ".class"));
        }
        assertNull(DirectoryJars.jarOf(root, dir.resolve("jars")));
        assertSame(DirectoryJars.NO_CLASSES, DirectoryJars.jarOf(classes("none", "readme.txt"), dir.resolve("jars")));
    }

    @Test
    void shouldPruneJarsUnusedForDaysAndAllButTheMostRecent() throws Exception {
        Path jars = dir.resolve("jars");
        Files.createDirectories(jars);
        long now = System.currentTimeMillis();
        List<Path> recent = new ArrayList<>();
        for (int i = 0; i < DirectoryJars.KEEP_JARS + 3; i++) {
            Path jar = Files.writeString(jars.resolve("classes-recent" + i + ".jar"), "x");
            FileTime time = FileTime.fromMillis(now - TimeUnit.MINUTES.toMillis(i));
            Files.getFileAttributeView(jar, java.nio.file.attribute.BasicFileAttributeView.class)
                    .setTimes(time, time, null);
            recent.add(jar);
        }
        Path old = Files.writeString(jars.resolve("classes-old.jar"), "x");
        FileTime longAgo = FileTime.fromMillis(now - TimeUnit.DAYS.toMillis(DirectoryJars.KEEP_DAYS + 1));
        Files.getFileAttributeView(old, java.nio.file.attribute.BasicFileAttributeView.class)
                .setTimes(longAgo, longAgo, null);
        Path deadWriter = Files.writeString(jars.resolve("classes-x.jar." + Integer.MAX_VALUE + ".tmp"), "x");
        Path cache = Files.writeString(jars.resolve("child-25-abc.aot"), "x");

        DirectoryJars.prune(jars);
        assertFalse(Files.exists(old), "unused for days");
        assertFalse(Files.exists(deadWriter), "a temporary of a writer that is gone");
        assertTrue(Files.exists(cache), "caches are not its business");
        for (int i = 0; i < recent.size(); i++) {
            assertEquals(i < DirectoryJars.KEEP_JARS, Files.exists(recent.get(i)), "jar " + i);
        }
    }
}

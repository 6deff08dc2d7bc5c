package io.github.jmultiprocessing.internal.spawn;

import io.github.jmultiprocessing.internal.config.Configuration;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Jars of the class files of a child's class path directories, so that the children of a program run from
 * directories (a Maven build, an IDE, a test runner) get an AOT cache too: the JVM builds and uses caches only for
 * class paths of jars ({@link AotCache}).
 *
 * <p>A child's class path becomes: each directory's jar in the directory's place (none for a directory without
 * class files), and after all the entries the directories themselves. Classes come from the jars, as they would from the directories at the same places;
 * resources that are not classes, and classes added to a directory since its jar was made, come from the
 * directories at the end (their URLs stay {@code file:} URLs; only a resource found in a directory and in a later
 * jar now comes from the jar). A class's code source in the child is its directory's jar. The AOT cache is built
 * for the jars alone (the JVM refuses non-empty directories in a cache's class path, and takes a class path that
 * extends the cache's).
 *
 * <p>Staleness: at a child start, the directory's class files are listed again (name, size, modification time),
 * unless that was done in the last {@value #RELIST_MILLIS} ms: the jar's name is a hash of that list and of the
 * directory's path, so a changed class makes a new jar (and a new cache); a directory with more than
 * {@value #MAX_FILES} class files or {@value #MAX_MIB} MiB of them stays as it is (no cache). Listing 700 class
 * files took 5-10 ms (33 ms the first time in a JVM) on a 2-CPU VM. Jars live beside the caches,
 * in {@link AotCache#directory()}; those unused for {@value #KEEP_DAYS} days (a JVM marks a jar's access time the
 * first time it uses it), and all but the {@value #KEEP_JARS} most recently used, are deleted as caches are pruned
 * (a child whose jar was deleted finds its classes in the directory at the end).
 * {@code jmultiprocessing.aot.directories=false} leaves directories as they are.
 */
final class DirectoryJars {

    static final int MAX_FILES = 10_000;
    /** A directory listed this recently is not listed again: a pool's workers starting together list it once. */
    static final long RELIST_MILLIS = 2_000;
    static final int MAX_MIB = 128;
    static final int KEEP_DAYS = 7;
    static final int KEEP_JARS = 64;
    private static final String PREFIX = "classes-";

    private DirectoryJars() {
    }

    /**
     * {@return a child's JVM command with its class path's directories as jars (the directories at the end), or
     * the command as it is if caches are off, the property says no, or no directory qualifies}
     *
     * @param jvm the java binary, flags and class path of the child, without the main class
     */
    static List<String> withJars(List<String> jvm) {
        int at = jvm.indexOf("-cp");
        if (at < 0 || at + 1 >= jvm.size() || Configuration.AOT_DIRECTORIES.isOff()
                || !AotCache.enabled()) {
            return jvm;
        }
        List<String> entries = List.of(jvm.get(at + 1).split(File.pathSeparator));
        List<String> classPath = new ArrayList<>();
        List<String> directories = new ArrayList<>();
        boolean anyJar = false;
        for (String entry : entries) {
            Path jar = Files.isDirectory(Path.of(entry)) ? recentJarOf(Path.of(entry), AotCache.directory()) : null;
            if (jar == null) {
                classPath.add(entry); // a jar, or a directory that does not qualify: the child gets no cache
            } else {
                if (jar != NO_CLASSES) {
                    classPath.add(jar.toString());
                    anyJar = true;
                }
                directories.add(entry); // resources and classes added since
            }
        }
        if (!anyJar) {
            return jvm; // nothing for a cache: the class path as it was
        }
        classPath.addAll(directories);
        List<String> command = new ArrayList<>(jvm);
        command.set(at + 1, String.join(File.pathSeparator, classPath));
        return command;
    }

    /** {@return the class path entries a cache is built for: those before the directories at the end} */
    static List<String> cachedPart(List<String> entries) {
        int end = entries.size();
        while (end > 0 && Files.isDirectory(Path.of(entries.get(end - 1)))) {
            end--;
        }
        return entries.subList(0, end);
    }

    /** What {@link #jarOf} says of a directory with no class files (resources only): it goes to the end. */
    static final Path NO_CLASSES = Path.of("no-classes");

    private record Listed(Path jar, long nanos) {
    }

    private static final java.util.concurrent.ConcurrentHashMap<Path, Listed> LISTED =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * {@return the directory's jar if it exists for its class files as they are now (listed again at most every
     * {@value #RELIST_MILLIS} ms), {@link #NO_CLASSES}, or null: a directory that does not qualify, or whose jar is
     * not made yet (it is then made on a thread of its own, off the child's start: this start goes without)}
     */
    private static Path recentJarOf(Path directory, Path jars) {
        Listed listed = LISTED.get(directory);
        long now = System.nanoTime();
        if (listed != null && now - listed.nanos() < TimeUnit.MILLISECONDS.toNanos(RELIST_MILLIS)
                && (listed.jar() == NO_CLASSES
                        || listed.jar().getParent().equals(jars) && Files.isRegularFile(listed.jar()))) {
            return listed.jar();
        }
        Listing listing = list(directory, jars);
        Path jar = listing == null ? null : listing.classes().isEmpty() ? NO_CLASSES
                : Files.isRegularFile(listing.jar()) ? listing.jar() : null;
        if (jar != null) {
            if (jar != NO_CLASSES) {
                markUsed(jar);
            }
            LISTED.put(directory, new Listed(jar, now));
        } else {
            LISTED.remove(directory);
            if (listing != null && MAKING.add(listing.jar())) {
                Maker.THREAD.execute(() -> {
                    try {
                        if (write(listing)) {
                            MADE.add(listing.jar().toString());
                        }
                    } finally {
                        MAKING.remove(listing.jar());
                    }
                });
            }
        }
        return jar;
    }

    /** Jars this JVM made off a start that then went without them. */
    private static final java.util.Set<String> MADE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * {@return true if a class path holds a jar this JVM made while a child started without it}: that start counts
     * as the command's first, so its cache is built from the first start with the jar ({@link AotCache}).
     *
     * @param entries the class path entries
     */
    static boolean startedWithout(List<String> entries) {
        for (String entry : entries) {
            if (MADE.contains(entry)) {
                return true;
            }
        }
        return false;
    }

    /** Jars being made by this JVM. */
    private static final java.util.Set<Path> MAKING = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The thread that makes jars, created on first use. */
    private static final class Maker {
        static final java.util.concurrent.ExecutorService THREAD =
                java.util.concurrent.Executors.newSingleThreadExecutor(
                        io.github.jmultiprocessing.internal.shm.LibraryThreads.factory("aot-jars"));
    }

    /** A directory's class files now, and the jar they make. */
    private record Listing(Path root, TreeMap<String, BasicFileAttributes> classes, Path jar) {
    }

    /** {@return the directory's class files and their jar's path, or null if it does not qualify} */
    private static Listing list(Path directory, Path jars) {
        try {
            Path root = directory.toRealPath(); // a symbolic link: its target's files, and its target's jar
            TreeMap<String, BasicFileAttributes> classes = classFiles(root);
            if (classes == null) {
                return null;
            }
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(root.toString().getBytes(StandardCharsets.UTF_8));
            for (var file : classes.entrySet()) {
                digest.update((byte) 0);
                digest.update(file.getKey().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update((file.getValue().size() + "@"
                        + file.getValue().lastModifiedTime().to(TimeUnit.NANOSECONDS)).getBytes(StandardCharsets.UTF_8));
            }
            return new Listing(root, classes,
                    jars.resolve(PREFIX + HexFormat.of().formatHex(digest.digest(), 0, 12) + ".jar"));
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            return null; // the directory stays as it is: its children start without a cache
        }
    }

    /**
     * {@return the jar of a directory's class files as they are now, made here if it does not exist yet;
     * {@link #NO_CLASSES} if it has none; null if it has too many, or cannot be read, or the jar cannot be written}
     *
     * @param directory the class path directory
     * @param jars      where jars are kept
     */
    static Path jarOf(Path directory, Path jars) {
        Listing listing = list(directory, jars);
        if (listing == null) {
            return null;
        }
        if (listing.classes().isEmpty()) {
            return NO_CLASSES;
        }
        return Files.isRegularFile(listing.jar()) || write(listing) ? listing.jar() : null;
    }

    /**
     * Writes a listing's jar: its entries stored (not compressed: quicker to write, and a child reads few of them),
     * in name order, each with its file's time, and the jar's own time the newest of them, so that two JVMs that
     * make the same jar make the same bytes and the same time (an AOT cache checks a jar's size and time: one
     * replacing the other's leaves the caches built on it valid).
     *
     * @return true if it is in place
     */
    private static boolean write(Listing listing) {
        Path jar = listing.jar();
        Path temporary = jar.resolveSibling(jar.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Thread.currentThread().threadId() + "." + System.nanoTime() + ".tmp");
        try {
            Files.createDirectories(jar.getParent());
            FileTime newest = FileTime.fromMillis(0);
            try (OutputStream file = Files.newOutputStream(temporary, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE);
                    ZipOutputStream zip = new ZipOutputStream(new java.io.BufferedOutputStream(file, 1 << 16))) {
                for (var entry : listing.classes().entrySet()) {
                    byte[] bytes = Files.readAllBytes(listing.root().resolve(entry.getKey()));
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(bytes);
                    ZipEntry zipEntry = new ZipEntry(entry.getKey());
                    zipEntry.setMethod(ZipEntry.STORED);
                    zipEntry.setSize(bytes.length);
                    zipEntry.setCompressedSize(bytes.length);
                    zipEntry.setCrc(crc.getValue());
                    FileTime time = entry.getValue().lastModifiedTime();
                    zipEntry.setLastModifiedTime(time);
                    newest = time.compareTo(newest) > 0 ? time : newest;
                    zip.putNextEntry(zipEntry);
                    zip.write(bytes);
                    zip.closeEntry();
                }
            }
            Files.setLastModifiedTime(temporary, FileTime.fromMillis(newest.toMillis()));
            Files.move(temporary, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException | RuntimeException e) {
            return false; // the directory stays as it is: its children start without a cache
        } finally {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException e) {
                // pruned later: its writer's pid is in its name
            }
        }
    }

    /** {@return the directory's class files by relative name ('/'-separated), or null if too many or too big} */
    private static TreeMap<String, BasicFileAttributes> classFiles(Path root) throws IOException {
        TreeMap<String, BasicFileAttributes> classes = new TreeMap<>();
        long[] bytes = {0};
        boolean[] tooMany = {false};
        SimpleFileVisitor<Path> visitor = new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                String name = root.relativize(file).toString().replace(File.separatorChar, '/');
                if (attributes.isRegularFile() && name.endsWith(".class")) {
                    classes.put(name, attributes);
                    bytes[0] += attributes.size();
                    if (classes.size() > MAX_FILES || bytes[0] > (long) MAX_MIB << 20) {
                        tooMany[0] = true;
                        return FileVisitResult.TERMINATE;
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // an unreadable file: the child reads it from the directory, or not
            }
        };
        // links followed (a linked package folder's classes are the directory's); a loop is a failed visit, skipped
        Files.walkFileTree(root, java.util.EnumSet.of(java.nio.file.FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                visitor);
        return tooMany[0] ? null : classes;
    }

    /**
     * Deletes jars unused for {@value #KEEP_DAYS} days and all but the {@value #KEEP_JARS} most recent, and
     * temporary files of writers that are gone.
     *
     * @param jars where jars are kept
     */
    static void prune(Path jars) {
        prune(jars, List.of());
    }

    /**
     * {@link #prune(Path)}, keeping the jars of a cache just built whatever their age or number.
     *
     * @param jars where jars are kept
     * @param protect the class path entries of the cache just built
     */
    static void prune(Path jars, List<String> protect) {
        try (var listing = Files.list(jars)) {
            List<Path> all = listing.filter(f -> f.getFileName().toString().startsWith(PREFIX)).toList();
            long oldest = System.currentTimeMillis() - TimeUnit.DAYS.toMillis(KEEP_DAYS);
            List<Path> kept = new ArrayList<>();
            for (Path file : all) {
                String name = file.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    String pid = name.substring(name.indexOf(".jar.") + ".jar.".length()).split("\\.")[0];
                    if (!AotCache.alive(Long.parseLong(pid))) {
                        Files.deleteIfExists(file);
                    }
                } else if (name.endsWith(".jar") && !protect.contains(file.toString())) {
                    if (lastUsed(file).toMillis() < oldest) {
                        Files.deleteIfExists(file);
                    } else {
                        kept.add(file);
                    }
                }
            }
            kept.sort(Comparator.comparing(DirectoryJars::lastUsed).reversed());
            for (Path file : kept.subList(Math.min(KEEP_JARS, kept.size()), kept.size())) {
                Files.deleteIfExists(file);
            }
        } catch (IOException | RuntimeException e) {
            // housekeeping: never a reason to fail
        }
    }

    private static final java.util.Set<Path> USED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Sets a jar's access time, once per JVM (not its modification time: a cache checks that). */
    private static void markUsed(Path jar) {
        if (USED.add(jar)) {
            try {
                Files.getFileAttributeView(jar, java.nio.file.attribute.BasicFileAttributeView.class)
                        .setTimes(null, FileTime.fromMillis(System.currentTimeMillis()), null);
            } catch (IOException | RuntimeException e) {
                // not marked: pruned a little sooner
            }
        }
    }

    /** A jar's last use: its access time as marked, or its making. */
    private static FileTime lastUsed(Path jar) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(jar, BasicFileAttributes.class);
            FileTime accessed = attributes.lastAccessTime();
            return accessed.compareTo(attributes.lastModifiedTime()) > 0 ? accessed : attributes.lastModifiedTime();
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}

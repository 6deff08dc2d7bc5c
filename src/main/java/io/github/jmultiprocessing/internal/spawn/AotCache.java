package io.github.jmultiprocessing.internal.spawn;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Ahead-of-time caches (JDK 24+, JEP 483 and 515) that make child JVMs start faster: classes of the JDK and the
 * library already loaded and linked, the lambda and serialization machinery resolved.
 *
 * <p>Implementation notes. A cache is specific to one JVM, one set of flags and one class path; its file name is
 * a hash of all three (and of each jar's size and modification time), in {@value #DIR_PROPERTY} (default
 * {@code $XDG_CACHE_HOME/jmultiprocessing}, else {@code ~/.cache/jmultiprocessing}). The first child command
 * with no cache yet starts without one and starts a builder JVM ({@link ChildMain} {@code --build-aot}, output
 * discarded, independent of this JVM's life so that short programs get a cache too), which runs a training
 * child ({@code --train}: the standby warm-up) with {@code -XX:AOTMode=record}, then {@code -XX:AOTMode=create}
 * into a temporary file that is moved into place atomically; a lock file keeps two JVMs from building the same
 * cache. Later children run with {@code -XX:AOTCache}; the JVM checks the cache and runs
 * without it if it does not match, so a stale or foreign file never breaks a start (and its complaints are
 * silenced). Only class paths made of jar files qualify (the JVM refuses directories), and no module path.
 * {@value #ENABLED_PROPERTY}{@code =false} turns caches off.
 */
final class AotCache {

    /** System property: the folder caches are kept in. */
    static final String DIR_PROPERTY = "jmultiprocessing.cache.dir";

    /** System property: {@code false} turns AOT caches off. */
    static final String ENABLED_PROPERTY = "jmultiprocessing.aot";

    private static final long STALE_LOCK_MILLIS = TimeUnit.MINUTES.toMillis(10);
    private static final long RETRY_AFTER_FAILURE_MILLIS = TimeUnit.HOURS.toMillis(1);
    /** Caches kept in the directory: each build of an application's jars makes a new one (~15 MB). */
    static final int KEEP = 8;
    private static final List<String> ENVIRONMENT_OPTIONS = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS",
            "_JAVA_OPTIONS");
    private static final Set<String> SCHEDULED = ConcurrentHashMap.newKeySet(); // caches this JVM asked for

    private AotCache() {
    }

    /**
     * {@return the options a child started with this JVM command gets: the cache if it exists, else none (and
     * the cache is built in the background)}
     *
     * @param jvm the java binary, flags and class path of the child, without the main class
     */
    static List<String> options(List<String> jvm) {
        Path cache = cacheFor(jvm);
        if (cache == null) {
            return List.of();
        }
        if (Files.isRegularFile(cache)) {
            List<String> options = new ArrayList<>();
            options.add("-XX:AOTCache=" + cache);
            options.addAll(quiet());
            return options;
        }
        if (SCHEDULED.add(cache.toString()) && !Files.exists(lockOf(cache)) && !recentlyFailed(cache)) {
            List<String> builder = new ArrayList<>();
            if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
                builder.add("/usr/bin/setsid"); // its own session: a Ctrl-C of the parent does not kill it midway
            }
            builder.add(jvm.getFirst()); // the same java binary
            builder.add("-cp");
            builder.add(System.getProperty("java.class.path"));
            builder.add(ChildMain.class.getName());
            builder.add(ChildMain.BUILD_AOT);
            builder.add(cache.toString());
            builder.add(Integer.toString(jvm.size()));
            builder.addAll(jvm);
            builder.addAll(ForkServer.bootstrapClasses());
            try {
                new ProcessBuilder(builder).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException e) {
                // no cache: children start as before
            }
        }
        return List.of();
    }

    /**
     * The builder's work: trains and creates the cache; any failure leaves no cache.
     *
     * @param args the cache path, the number of JVM command elements, those elements, then classes to prepare
     */
    static void build(List<String> args) {
        Path cache = Path.of(args.get(0));
        int size = Integer.parseInt(args.get(1));
        build(args.subList(2, 2 + size), cache, args.subList(2 + size, args.size()));
    }

    private static Path lockOf(Path cache) {
        return cache.resolveSibling(cache.getFileName() + ".lock");
    }

    private static Path failedOf(Path cache) {
        return cache.resolveSibling(cache.getFileName() + ".failed");
    }

    private static boolean recentlyFailed(Path cache) {
        try {
            return System.currentTimeMillis() - Files.getLastModifiedTime(failedOf(cache)).toMillis()
                    < RETRY_AFTER_FAILURE_MILLIS;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@return where the cache of this command lives, or null if it cannot have one} @param jvm the command */
    static Path cacheFor(List<String> jvm) {
        if (Runtime.version().feature() < 24 || "false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY))
                || ChildLauncher.class.getModule().isNamed()
                || !System.getProperty("jdk.module.path", "").isEmpty()) {
            return null;
        }
        for (String option : jvm) {
            if (archiveOption(option)) {
                return null; // the user manages class data sharing for children
            }
        }
        for (String variable : ENVIRONMENT_OPTIONS) {
            String value = System.getenv(variable);
            if (value != null && archiveOption(value)) {
                return null; // would contradict -XX:AOTCache and make every child fail to start
            }
        }
        String classPath = System.getProperty("java.class.path", "");
        if (classPath.isEmpty()) {
            return null;
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(Runtime.version().toString().getBytes(StandardCharsets.UTF_8));
            for (String part : jvm) {
                digest.update(part.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            for (String variable : ENVIRONMENT_OPTIONS) {
                digest.update(String.valueOf(System.getenv(variable)).getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            for (String entry : classPath.split(File.pathSeparator)) {
                Path jar = Path.of(entry);
                if (!entry.endsWith(".jar") || !Files.isRegularFile(jar)) {
                    return null; // the JVM refuses caches for class paths with directories
                }
                digest.update((Files.size(jar) + "@" + Files.getLastModifiedTime(jar).toMillis())
                        .getBytes(StandardCharsets.UTF_8));
            }
            String key = HexFormat.of().formatHex(digest.digest(), 0, 12);
            return directory().resolve("child-" + Runtime.version().feature() + "-" + key + ".aot");
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            return null;
        }
    }

    /** {@return true if the text holds a JVM option about class data sharing or AOT caches} @param text options */
    private static boolean archiveOption(String text) {
        return text.contains("-Xshare") || text.contains("SharedArchiveFile") || text.contains("SharedClassListFile")
                || text.contains("DumpLoadedClassList") || text.contains("-XX:AOT")
                || text.contains("ArchiveClassesAtExit");
    }

    /** The options that keep the JVM quiet about a cache it cannot use (the {@code aot} tag is JDK 25+). */
    private static List<String> quiet() {
        return Runtime.version().feature() >= 25 ? List.of("-Xlog:aot=off", "-Xlog:cds=off") : List.of("-Xlog:cds=off");
    }

    static Path directory() {
        String configured = System.getProperty(DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("jmultiprocessing");
    }

    /** Trains and creates the cache; any failure leaves no cache, and children simply start without one. */
    private static void build(List<String> jvm, Path cache, List<String> classes) {
        Path lock = lockOf(cache);
        Path config = cache.resolveSibling(cache.getFileName() + "." + ProcessHandle.current().pid() + ".conf");
        Path temporary = cache.resolveSibling(cache.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.createDirectories(cache.getParent());
            if (!takeLock(lock)) {
                return; // another JVM builds it
            }
            deleteLeftovers(cache);
            boolean built = false;
            try {
                List<String> train = new ArrayList<>(jvm);
                train.add("-XX:AOTMode=record");
                train.add("-XX:AOTConfiguration=" + config);
                train.addAll(quiet());
                train.addAll(ChildLauncher.mainArguments());
                train.add(ChildMain.TRAIN);
                train.addAll(classes);
                List<String> create = new ArrayList<>(jvm);
                create.add("-XX:AOTMode=create");
                create.add("-XX:AOTConfiguration=" + config);
                create.add("-XX:AOTCache=" + temporary);
                create.addAll(quiet());
                if (run(train) && run(create) && Files.isRegularFile(temporary)) {
                    Files.move(temporary, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    built = true;
                    pruneOldest(cache);
                }
            } finally {
                if (!built) {
                    Files.deleteIfExists(failedOf(cache));
                    Files.createFile(failedOf(cache)); // no retry for an hour
                }
                Files.deleteIfExists(config);
                Files.deleteIfExists(temporary);
                Files.deleteIfExists(lock);
            }
        } catch (IOException | RuntimeException e) {
            // no cache: children start as before
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Keeps the {@value #KEEP} most recently built caches and deletes the others: without this, every rebuild of
     * an application's jars left another cache behind for good. A child already started keeps its mapping; a later
     * start for a deleted cache builds it again.
     */
    static void pruneOldest(Path built) {
        try (var files = Files.list(built.getParent())) {
            List<Path> caches = files.filter(f -> {
                String name = f.getFileName().toString();
                return name.startsWith("child-") && name.endsWith(".aot") && !f.equals(built);
            }).sorted(java.util.Comparator.comparing((Path f) -> {
                try {
                    return Files.getLastModifiedTime(f);
                } catch (IOException e) {
                    return java.nio.file.attribute.FileTime.fromMillis(0);
                }
            }).reversed()).toList();
            for (Path old : caches.subList(Math.min(caches.size(), KEEP - 1), caches.size())) {
                Files.deleteIfExists(old);
            }
        } catch (IOException | RuntimeException e) {
            // pruning is housekeeping: never a reason to fail
        }
    }

    /** Deletes temporary files of builders that were killed (their pid is in the name). */
    private static void deleteLeftovers(Path cache) {
        String prefix = cache.getFileName() + ".";
        try (var files = Files.list(cache.getParent())) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (!name.startsWith(prefix) || !(name.endsWith(".conf") || name.endsWith(".tmp"))) {
                    continue;
                }
                String pid = name.substring(prefix.length(), name.lastIndexOf('.'));
                try {
                    if (!ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false)) {
                        Files.deleteIfExists(file);
                    }
                } catch (NumberFormatException | IOException e) {
                    // not ours
                }
            }
        } catch (IOException | RuntimeException e) {
            // nothing to clean
        }
    }

    private static boolean takeLock(Path lock) throws IOException {
        try {
            Files.createFile(lock);
            return true;
        } catch (FileAlreadyExistsException e) {
            if (System.currentTimeMillis() - Files.getLastModifiedTime(lock).toMillis() > STALE_LOCK_MILLIS) {
                Files.deleteIfExists(lock); // left by a JVM that died while building; the next start retries
            }
            return false;
        }
    }

    private static boolean run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            return false;
        }
        return process.exitValue() == 0;
    }
}

package io.github.jmultiprocessing.internal.spawn;

import io.github.jmultiprocessing.internal.config.Configuration;
import io.github.jmultiprocessing.internal.shm.LibraryThreads;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Ahead-of-time caches (JDK 24+, JEP 483 and 515) that make child JVMs start faster: classes of the JDK and the
 * library already loaded and linked, the lambda and serialization machinery resolved.
 *
 * <p>Where and how big. A cache is specific to one JVM, one set of flags and one class path; its file name is a
 * hash of all three (and of each jar's size and modification time), in {@code jmultiprocessing.cache.dir} (default
 * {@code $XDG_CACHE_HOME/jmultiprocessing}, else {@code ~/.cache/jmultiprocessing}). One takes ~17 MB for the
 * library and a small application (JDK 25). The caches of a directory take at most
 * {@code jmultiprocessing.aot.maxBytes} bytes together (default {@value #DEFAULT_MAX_BYTES}, 256 MiB; suffixes
 * {@code k}, {@code m}, {@code g}; 0 turns
 * caches off): after each build the least recently used ones are deleted until they fit (a JVM marks a cache used
 * by setting its modification time the first time it starts a child with it), and a cache that alone would not fit
 * is not kept. While a cache is being built its temporary file takes one cache's size more. Only class paths made
 * of jar files qualify (the JVM refuses directories), and no module path. {@code jmultiprocessing.aot=false}
 * turns caches off.
 *
 * <p>Who builds, and for how long. By default a cache is built inside this JVM's process tree, while the program
 * runs: from the second child this JVM starts with a command that has no cache yet (a program that starts a single
 * child rarely gains from one; a pool or a loop does), a daemon thread runs a training child ({@link ChildMain}
 * {@code --train}: the standby warm-up) with {@code -XX:AOTMode=record}, then a JVM with
 * {@code -XX:AOTMode=create} into a temporary file that is moved into place atomically (~1.5 s in all, idle
 * 2-core machine). If the program ends first, an exit hook kills the JVM of the step under way, waits until it is
 * gone and deletes the build's lock and temporary files; that costs the exit the time the kernel takes to end a
 * JVM (2-10 ms measured; the wait is capped at {@value #KILLED_STEP_WAIT_MILLIS} ms), and the next run starts the
 * build again. So no process of the library outlives the program. {@code jmultiprocessing.aot.detached=true} opts in to
 * the other way: the first child command with no cache starts a builder JVM in a session of its own
 * ({@code setsid}, {@code --build-aot}, output discarded) that finishes after the program has ended, so that short
 * programs get a cache too.
 *
 * <p>Implementation notes. Build steps run under {@code setpriv --pdeathsig KILL} where it exists and knows the
 * option, so a JVM that is killed outright (no exit hook) takes its step with it. A lock file beside the cache,
 * holding the builder's pid, keeps two JVMs from building the same cache; a lock whose process is gone, or older
 * than {@value #STALE_LOCK_MINUTES} minutes, is stale and taken over (two JVMs that both find it stale may build the
 * same cache at once, each into its own temporary file: wasted work, not a broken cache). Temporary files carry the
 * builder's pid; those of dead builders are deleted by the next build. A failed build leaves a marker that stops
 * retries for an hour; an abandoned one does not. All of a build's file creation and deletion, and the start of each
 * step, happen under one monitor with the exit hook, so that once the hook has run nothing of the build is created
 * again. Later children run with {@code -XX:AOTCache}; the JVM checks the cache and runs without it if it does not
 * match, so a stale or foreign file never breaks a start (and its complaints are silenced).
 */
final class AotCache {

    /** A JFR recording's option: a child's, not its cache build's (nor a part of the cache's key). */
    static final String RECORDING = "-XX:StartFlightRecording";

    /** The default of {@code jmultiprocessing.aot.maxBytes}: 256 MiB, ~15 caches of a small application. */
    static final long DEFAULT_MAX_BYTES = 268_435_456L;

    /** The child start (per command, in this JVM) at which a build inside the program's process tree begins. */
    static final int BUILD_AT_START = 2;

    private static final int STALE_LOCK_MINUTES = 10;
    private static final long STALE_LOCK_MILLIS = TimeUnit.MINUTES.toMillis(STALE_LOCK_MINUTES);
    private static final long RETRY_AFTER_FAILURE_MILLIS = TimeUnit.HOURS.toMillis(1);
    /** The longest the exit hook waits for a killed step to be gone before deleting its files. */
    private static final long KILLED_STEP_WAIT_MILLIS = 500;
    private static final List<String> ENVIRONMENT_OPTIONS = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS",
            "_JAVA_OPTIONS");
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    private static final ConcurrentHashMap<String, Integer> STARTS = new ConcurrentHashMap<>(); // per cache
    private static final Set<String> USED = ConcurrentHashMap.newKeySet(); // caches this JVM marked as used

    /** Guards the state below, shared by build threads and the exit hook. */
    private static final Object BUILDS = new Object();
    private static boolean exiting; // guarded by BUILDS: no build step starts and no build file is created
    private static final List<Process> STEPS = new ArrayList<>(); // guarded by BUILDS: JVMs of steps under way
    private static final List<Path> FILES = new ArrayList<>(); // guarded by BUILDS: locks and temporaries held
    private static boolean hooked; // guarded by BUILDS
    private static volatile List<String> deathSignal; // null until tried: see deathSignal()

    private AotCache() {
    }

    /**
     * {@return the options a child started with this JVM command gets: the cache if it exists, else none (and
     * the cache may be built in the background)}
     *
     * @param jvm the java binary, flags and class path of the child, without the main class
     * @throws IllegalArgumentException if {@code jmultiprocessing.aot.maxBytes} is not a size
     */
    static List<String> options(List<String> jvm) {
        Path cache = cacheFor(jvm);
        if (cache == null) {
            return List.of();
        }
        if (Files.isRegularFile(cache)) {
            markUsed(cache);
            List<String> options = new ArrayList<>();
            options.add("-XX:AOTCache=" + cache);
            options.addAll(quiet());
            return options;
        }
        boolean detached = Configuration.AOT_DETACHED.isOn();
        int start = STARTS.merge(cache.toString(), 1, Integer::sum);
        // a start that went without its directory jars (DirectoryJars: made meanwhile) was this command's first
        int buildAt = detached ? 1 : DirectoryJars.startedWithout(List.of(classPathOf(jvm).split(File.pathSeparator)))
                ? BUILD_AT_START - 1 : BUILD_AT_START;
        if (start == buildAt && !locked(lockOf(cache)) && !recentlyFailed(cache)) {
            if (detached) {
                startDetachedBuilder(jvm, cache);
            } else {
                buildInBackground(jvm, cache, trainingClasses());
            }
        }
        return List.of();
    }

    /** The program's classes children loaded to read their bootstraps, most recent last; guarded by itself. */
    private static final java.util.LinkedHashSet<String> SENT = new java.util.LinkedHashSet<>();
    private static final int SENT_KEPT = 200;

    /**
     * Notes classes of the program that a child loads to read its bootstrap (a target's capturing class, say): a
     * cache built from now on holds them, loaded but not initialized.
     *
     * @param classNames binary class names
     */
    static void noteSent(java.util.Collection<String> classNames) {
        synchronized (SENT) {
            for (String name : classNames) {
                SENT.remove(name);
                SENT.add(name);
            }
            while (SENT.size() > SENT_KEPT) {
                SENT.removeFirst();
            }
        }
    }

    /** {@return the classes a training run prepares: the library's bootstrap classes, then the program's} */
    private static List<String> trainingClasses() {
        List<String> classes = new ArrayList<>(ForkServer.bootstrapClasses());
        synchronized (SENT) {
            if (!SENT.isEmpty()) {
                classes.add(Warmup.LOAD);
                classes.addAll(SENT);
            }
        }
        return classes;
    }

    /**
     * The work of a detached builder JVM: trains and creates the cache; any failure leaves no cache.
     *
     * @param args the cache path, the number of JVM command elements, those elements, then classes to prepare
     */
    static void build(List<String> args) {
        Path cache = Path.of(args.get(0));
        int size = Integer.parseInt(args.get(1));
        build(args.subList(2, 2 + size), cache, args.subList(2 + size, args.size()));
    }

    /** {@return the byte cap of the cache directory, from {@code jmultiprocessing.aot.maxBytes}} */
    static long maxBytes() {
        String value = Configuration.AOT_MAX_BYTES.value();
        if (value == null || value.isBlank()) {
            return DEFAULT_MAX_BYTES;
        }
        String text = value.strip().toLowerCase(Locale.ROOT);
        int shift = switch (text.charAt(text.length() - 1)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        try {
            long number = Long.parseLong(shift == 0 ? text : text.substring(0, text.length() - 1));
            if (number >= 0 && number <= Long.MAX_VALUE >> shift) {
                return number << shift;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(Configuration.AOT_MAX_BYTES.property() + "=" + value
                + " (expected a number of bytes >= 0, optionally with a suffix k, m or g)");
    }

    /** {@return where the cache of this command lives, or null if it cannot have one} @param jvm the command */
    static Path cacheFor(List<String> jvm) {
        if (!enabled()) {
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
        if (!jvm.getFirst().equals(Path.of(System.getProperty("java.home"), "bin", "java").toString())) {
            return null; // another java (ChildJvm.withExecutable): this JVM's version says nothing of its caches
        }
        String classPath = classPathOf(jvm);
        if (classPath.isEmpty()) {
            return null;
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(Runtime.version().toString().getBytes(StandardCharsets.UTF_8));
            for (String part : jvm) {
                if (part.startsWith("-D" + Configuration.PREFIX) || part.startsWith("-Xlog")
                        || part.startsWith(RECORDING)) {
                    // the library's configuration (how caches are built, where segments live, the options that
                    // are on the command line themselves...), logging, a recording: one cache serves them all
                    continue;
                }
                digest.update(part.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            for (String variable : ENVIRONMENT_OPTIONS) {
                digest.update(String.valueOf(System.getenv(variable)).getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            // the directories at the end (DirectoryJars) are not in the cache's class path: the child's extends it
            List<String> cached = DirectoryJars.cachedPart(List.of(classPath.split(File.pathSeparator)));
            if (cached.isEmpty()) {
                return null; // only directories: nothing a cache could be built for
            }
            for (String entry : cached) {
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

    /**
     * {@return true if children may have caches at all}: JDK 24+, caches not turned off, no module path
     *
     * @throws IllegalArgumentException if {@code jmultiprocessing.aot.maxBytes} is not a size
     */
    static boolean enabled() {
        return Runtime.version().feature() >= 24 && !Configuration.AOT.isOff()
                && maxBytes() != 0 && !ChildLauncher.class.getModule().isNamed()
                && System.getProperty("jdk.module.path", "").isEmpty();
    }

    /** {@return the class path of a child command ({@code -cp}), or "" if it has none} @param jvm the command */
    static String classPathOf(List<String> jvm) {
        int at = jvm.indexOf("-cp");
        return at >= 0 && at + 1 < jvm.size() ? jvm.get(at + 1) : "";
    }

    static Path directory() {
        String configured = Configuration.CACHE_DIR.value();
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("jmultiprocessing");
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

    /** Sets the cache's modification time, once per JVM: the byte cap deletes the least recently used first. */
    private static void markUsed(Path cache) {
        if (USED.add(cache.toString())) {
            try {
                Files.setLastModifiedTime(cache, FileTime.fromMillis(System.currentTimeMillis()));
            } catch (IOException | RuntimeException e) {
                // a cache in a folder this user cannot write still serves; it is just not marked
            }
        }
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

    /** Starts a builder JVM in its own session, left running when this JVM exits (the opt-in). */
    private static void startDetachedBuilder(List<String> jvm, Path cache) {
        List<String> builder = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            builder.add(SETSID.toString()); // its own session: a Ctrl-C of the parent does not kill it midway
        }
        builder.add(jvm.getFirst()); // the same java binary
        builder.add(Configuration.AOT_MAX_BYTES.option(Long.toString(maxBytes())));
        builder.add("-cp");
        builder.add(classPathOf(jvm)); // the child's: it holds the library, also under a build tool's class loader
        builder.add(ChildMain.class.getName());
        builder.add(ChildMain.BUILD_AOT);
        builder.add(cache.toString());
        builder.add(Integer.toString(jvm.size()));
        builder.addAll(jvm);
        builder.addAll(trainingClasses());
        try {
            new ProcessBuilder(builder).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            // no cache: children start as before
        }
    }

    /** Builds the cache on a daemon thread of this JVM; the exit hook abandons it if the program ends first. */
    private static void buildInBackground(List<String> jvm, Path cache, List<String> classes) {
        List<String> command = List.copyOf(jvm);
        List<String> prepare = List.copyOf(classes);
        Background.THREAD.execute(() -> build(command, cache, prepare));
    }

    /** The thread of in-program builds, created on first use. */
    private static final class Background {
        static final ExecutorService THREAD = Executors.newSingleThreadExecutor(
                LibraryThreads.factory("aot-build")); // daemon: never keeps the program alive
    }

    /** Trains and creates the cache; any failure leaves no cache, and children simply start without one. */
    private static void build(List<String> jvm, Path cache, List<String> classes) {
        long pid = ProcessHandle.current().pid();
        Path lock = lockOf(cache);
        Path config = cache.resolveSibling(cache.getFileName() + "." + pid + ".conf");
        Path temporary = cache.resolveSibling(cache.getFileName() + "." + pid + ".tmp");
        try {
            Files.createDirectories(cache.getParent());
            deleteLeftovers(cache.getParent());
            if (!begin(lock, List.of(config, temporary))) {
                return; // another JVM builds it, or this one is exiting
            }
        } catch (IOException | RuntimeException e) {
            return; // no cache: children start as before
        }
        boolean made = false;
        try {
            List<String> dump = new ArrayList<>(jvm); // the class path without its directories at the end
            dump.removeIf(part -> part.startsWith(RECORDING)); // a child's recording is not the build's to write
            int at = dump.indexOf("-cp");
            dump.set(at + 1, String.join(File.pathSeparator,
                    DirectoryJars.cachedPart(List.of(dump.get(at + 1).split(File.pathSeparator)))));
            List<String> train = new ArrayList<>(dump);
            train.add("-XX:AOTMode=record");
            train.add("-XX:AOTConfiguration=" + config);
            train.addAll(quiet());
            train.addAll(ChildLauncher.mainArguments());
            train.add(ChildMain.TRAIN);
            train.addAll(classes);
            List<String> create = new ArrayList<>(dump);
            create.add("-XX:AOTMode=create");
            create.add("-XX:AOTConfiguration=" + config);
            create.add("-XX:AOTCache=" + temporary);
            create.addAll(quiet());
            made = run(train) && run(create) && Files.isRegularFile(temporary)
                    && Files.size(temporary) <= maxBytes(); // one that alone exceeds the cap is not kept
        } catch (IOException | RuntimeException e) {
            // no cache: children start as before
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (finish(cache, lock, config, temporary, made)) {
                pruneToFit(cache, maxBytes());
                DirectoryJars.prune(cache.getParent(), List.of(classPathOf(jvm).split(File.pathSeparator)));
            }
        }
    }

    /**
     * Takes the cache's lock and registers the build's files with the exit hook, unless this JVM is exiting.
     *
     * @return true if this JVM now builds the cache
     */
    private static boolean begin(Path lock, List<Path> temporaries) throws IOException {
        synchronized (BUILDS) {
            if (exiting || !hook()) {
                return false;
            }
            if (!takeLock(lock)) {
                return false;
            }
            FILES.addAll(temporaries);
            FILES.add(lock); // last: the hook deletes the temporaries before the lock
            return true;
        }
    }

    /**
     * Ends a build: moves a built cache into place, marks a failure (not an abandon at exit), deletes the build's
     * files and the lock unless the exit hook did; under the monitor, so the hook sees a build under way or ended.
     *
     * @return true if the cache is in place
     */
    private static boolean finish(Path cache, Path lock, Path config, Path temporary, boolean built) {
        synchronized (BUILDS) {
            boolean placed = false;
            try {
                if (built) {
                    Files.move(temporary, cache, StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                    markUsed(cache);
                    placed = true;
                } else if (!exiting) {
                    Files.deleteIfExists(failedOf(cache));
                    Files.createFile(failedOf(cache)); // no retry for an hour
                }
            } catch (IOException | RuntimeException e) {
                // no cache, or no marker: the next start retries
            }
            for (Path file : List.of(config, temporary, lock)) {
                if (FILES.remove(file)) { // else the exit hook deleted it, and the lock may be another JVM's now
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException | RuntimeException e) {
                        // the next build deletes leftovers of a dead pid
                    }
                }
            }
            return placed;
        }
    }

    /** Registers the exit hook once; false if the JVM is already shutting down. */
    private static boolean hook() {
        if (!hooked) {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(AotCache::abandon, "jmultiprocessing-aot-exit"));
            } catch (IllegalStateException e) {
                return false;
            }
            hooked = true;
        }
        return true;
    }

    /**
     * The exit hook: no build step starts from now on; the JVMs of the steps under way are killed and their files
     * deleted. Costs the exit the time the kernel takes to end a JVM (2-10 ms measured).
     */
    private static void abandon() {
        List<Process> killed;
        synchronized (BUILDS) {
            exiting = true;
            killed = List.copyOf(STEPS);
        }
        for (Process step : killed) {
            step.destroyForcibly();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILLED_STEP_WAIT_MILLIS);
        try {
            for (Process step : killed) {
                // once it is gone it writes nothing more: its files can be deleted for good
                step.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (BUILDS) {
            for (Path file : FILES) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException | RuntimeException e) {
                    // the next build deletes leftovers of a dead pid
                }
            }
            FILES.clear();
        }
    }

    /**
     * Deletes the least recently used caches other than the one just built until all fit in {@code maxBytes}:
     * without this, every rebuild of an application's jars left another cache behind for good. A child already
     * started keeps its mapping; a later start for a deleted cache builds it again.
     *
     * @param built    the cache just built, kept
     * @param maxBytes the cap
     */
    static void pruneToFit(Path built, long maxBytes) {
        try (var listing = Files.list(built.getParent())) {
            List<Path> caches = listing.filter(f -> {
                String name = f.getFileName().toString();
                return name.startsWith("child-") && name.endsWith(".aot") && !f.equals(built);
            }).sorted(Comparator.comparing(AotCache::lastUsed).reversed()).toList();
            long total = size(built);
            for (Path cache : caches) {
                long size = size(cache);
                if (total + size <= maxBytes) {
                    total += size;
                } else {
                    Files.deleteIfExists(cache);
                }
            }
        } catch (IOException | RuntimeException e) {
            // pruning is housekeeping: never a reason to fail
        }
    }

    private static FileTime lastUsed(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /** Deletes temporary files and locks of builders that are gone (their pid is in the name or the lock). */
    private static void deleteLeftovers(Path directory) {
        try (var listing = Files.list(directory)) {
            for (Path file : listing.toList()) {
                String name = file.getFileName().toString();
                int aot = name.indexOf(".aot.");
                if (!name.startsWith("child-") || aot < 0) {
                    continue;
                }
                try {
                    if (name.endsWith(".lock")) {
                        if (staleLock(file)) {
                            Files.deleteIfExists(file);
                        }
                    } else if (name.endsWith(".conf") || name.endsWith(".tmp")) {
                        String pid = name.substring(aot + ".aot.".length(), name.lastIndexOf('.'));
                        if (!alive(Long.parseLong(pid))) {
                            Files.deleteIfExists(file);
                        }
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
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                Files.createFile(lock);
                Files.writeString(lock, Long.toString(ProcessHandle.current().pid()));
                return true;
            } catch (FileAlreadyExistsException e) {
                if (!staleLock(lock)) {
                    return false;
                }
                Files.deleteIfExists(lock); // left by a JVM that died while building: take over
            }
        }
        return false;
    }

    /** {@return true if some JVM holds the lock now} */
    private static boolean locked(Path lock) {
        return Files.exists(lock) && !staleLock(lock);
    }

    /**
     * {@return true if the lock's builder is gone: its pid names no live process, or the lock is older than any
     * build (a reused pid)}; a lock just created and not yet written is not stale
     */
    private static boolean staleLock(Path lock) {
        try {
            if (System.currentTimeMillis() - Files.getLastModifiedTime(lock).toMillis() > STALE_LOCK_MILLIS) {
                return true;
            }
            String pid = Files.readString(lock).strip();
            return !pid.isEmpty() && !alive(Long.parseLong(pid));
        } catch (IOException | NumberFormatException e) {
            return false; // gone, or not ours to judge: the age alone decides, next time
        }
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Runs one step of a build; false if it failed, took over two minutes, or this JVM is exiting. */
    private static boolean run(List<String> command) throws IOException, InterruptedException {
        List<String> wrapped = new ArrayList<>(deathSignal());
        wrapped.addAll(command);
        return runGuarded(wrapped, TimeUnit.MINUTES.toMillis(2));
    }

    /**
     * {@return the prefix that makes a step die with the thread that starts it ({@code setpriv --pdeathsig KILL}),
     * or none where setpriv is missing or too old for the option (util-linux before 2.33)}; tried once per JVM
     */
    private static List<String> deathSignal() throws IOException, InterruptedException {
        List<String> prefix = deathSignal;
        if (prefix == null) {
            List<String> setpriv = List.of(SETPRIV.toString(), "--pdeathsig", "KILL");
            List<String> probe = new ArrayList<>(setpriv);
            probe.add("true");
            prefix = Files.isExecutable(SETPRIV) && runGuarded(probe, TimeUnit.SECONDS.toMillis(10)) ? setpriv
                    : List.of();
            deathSignal = prefix; // racing builders of one JVM find the same answer
        }
        return prefix;
    }

    /** Runs a command, output discarded, as a step the exit hook kills; false if it failed or timed out. */
    private static boolean runGuarded(List<String> command, long timeoutMillis)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process;
        synchronized (BUILDS) {
            if (exiting) {
                return false;
            }
            process = builder.start();
            STEPS.add(process);
        }
        try {
            if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(KILLED_STEP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                return false;
            }
            return process.exitValue() == 0;
        } finally {
            synchronized (BUILDS) {
                STEPS.remove(process);
            }
        }
    }
}

package io.github.jmultiprocessing.internal.spawn;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.github.jmultiprocessing.internal.ctypes.TypeCode;
import io.github.jmultiprocessing.internal.shm.SharedHeap;
import io.github.jmultiprocessing.internal.sync.LockLayout;
import io.github.jmultiprocessing.internal.sync.LockWord;
import io.github.jmultiprocessing.internal.sync.Futex;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * What a {@code forkserver} standby does while it waits for work, and what an AOT cache training run records:
 * everything a child pays for before its target runs (deserializing a lambda, the first FFM accesses, the futex
 * linker, the library's classes, a rehearsal of a whole child start) and the classes the user asked to preload
 * (Python's {@code set_forkserver_preload}).
 */
final class Warmup {

    /** In a list of classes to prepare, the mark after which classes are only loaded ({@link #load}). */
    static final String LOAD = "--load";

    private Warmup() {
    }

    /**
     * Warms up, stopping early once a bootstrap is waiting on stdin (work came before the standby was ready:
     * finishing the warm-up first would only delay it).
     *
     * @param stdin   the standby's stdin
     * @param preload the classes to preload: the library's bootstrap classes, then the user's
     */
    static void prepare(InputStream stdin, List<String> preload) {
        List<Runnable> steps = new ArrayList<>();
        steps.add(Warmup::lambdas);
        steps.add(Warmup::foreignMemory);
        steps.add(Warmup::lockPaths);
        steps.add(() -> init(SharedHeap.class.getName()));
        steps.add(Futex::prepare);
        boolean load = false;
        for (String name : preload) {
            if (name.equals(LOAD)) {
                load = true; // the program's own classes from here on: loaded, never initialized
            } else if (load) {
                steps.add(() -> load(name));
            } else {
                steps.add(() -> init(name));
            }
        }
        int libraryAt = steps.size(); // listed only when reached: listing opens the library's jar
        steps.add(() -> { });
        steps.add(ForkServer::rehearse); // registered when the bootstrap classes initialized
        for (int i = 0; i < steps.size(); i++) {
            try {
                if (stdin.available() > 0) {
                    return;
                }
            } catch (IOException e) {
                return;
            }
            if (i == libraryAt) { // then each class is a step: a bootstrap that comes meanwhile is not kept waiting
                steps.addAll(i + 1, libraryClasses().stream().map(name -> (Runnable) () -> load(name)).toList());
            }
            steps.get(i).run();
        }
    }

    private static void lambdas() {
        try {
            Runnable lambda = (Runnable & Serializable) () -> { };
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(lambda);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                ((Runnable) in.readObject()).run();
            }
        } catch (IOException | ClassNotFoundException e) {
            // a warm-up only: the real bootstrap reports real problems
        }
    }

    /**
     * Runs the lock and cell paths a child's hot loops use, so that they are compiled (in a standby) before user
     * code needs them. In an AOT cache training run they are profiled too, but children leave those profiles unused
     * ({@code ChildLauncher}: replayed, they cost every child its start-up compilations and memory).
     */
    private static void lockPaths() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment lock = arena.allocate(LockLayout.SIZE, LockLayout.ALIGNMENT);
            MemorySegment cells = arena.allocate(64, 64);
            for (int i = 0; i < 20_000; i++) {
                LockWord.acquireUninterruptibly(lock);
                TypeCode.INT.setLong(cells, 0, TypeCode.INT.getLong(cells, 0) + 1);
                TypeCode.DOUBLE.setDouble(cells, 8, TypeCode.DOUBLE.getDouble(cells, 8) + 1);
                TypeCode.LONG_LONG.getAndAdd(cells, 16, 1);
                LockWord.isHeldByCurrentThread(lock);
                LockWord.release(lock);
            }
        }
    }

    private static void foreignMemory() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(128, 128);
            JAVA_LONG.varHandle().compareAndSet(memory, 0L, 0L, 1L);
            JAVA_INT.varHandle().getAndAdd(memory, 8L, 1);
            JAVA_INT.varHandle().setRelease(memory, 12L, 1);
        }
    }

    /**
     * Loads a class without initializing it (no code of the program runs): an AOT cache then holds it, and a child
     * that needs it does not open the jar it is in (opening a large jar costs a cold JVM ~10 ms).
     */
    private static void load(String className) {
        try {
            Class.forName(className, false, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            // gone or not loadable here: the child loads it as before
        }
    }

    /**
     * {@return the binary names of the library's own classes: its root package and {@code internal}'s, from the
     * jar or directory this class came from} Loaded in a training run, they are in the AOT cache, so that a child
     * that needs one (a manager's server, a queue's handle, a proxy) does not open that jar: a cold JVM spends
     * 10-40 ms on opening a large one (a fat jar's central directory). Empty if the location cannot be read.
     */
    static List<String> libraryClasses() {
        String root = Warmup.class.getPackageName().substring(0,
                Warmup.class.getPackageName().indexOf(".internal.")).replace('.', '/') + "/";
        List<String> names = new ArrayList<>();
        try {
            Path location = Path.of(Warmup.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(location)) {
                try (Stream<Path> files = Files.walk(location.resolve(root))) {
                    files.map(file -> location.relativize(file).toString().replace(java.io.File.separatorChar, '/'))
                            .forEach(entry -> addLibraryClass(root, entry, names));
                }
            } else {
                try (JarFile jar = new JarFile(location.toFile())) {
                    jar.stream().forEach(entry -> addLibraryClass(root, entry.getName(), names));
                }
            }
        } catch (IOException | RuntimeException | URISyntaxException e) {
            return List.of(); // a warm-up only: children load what they need as before
        }
        return names;
    }

    private static void addLibraryClass(String root, String entry, List<String> names) {
        if (!entry.startsWith(root) || !entry.endsWith(".class") || entry.endsWith("-info.class")) {
            return;
        }
        String rest = entry.substring(root.length());
        if (rest.indexOf('/') < 0 || rest.startsWith("internal/")) { // not another module's, nor a benchmark's
            names.add(entry.substring(0, entry.length() - ".class".length()).replace('/', '.'));
        }
    }

    /** Loads and initializes a class, and builds its serialization descriptor if it has one. */
    private static void init(String className) {
        try {
            Class<?> type = Class.forName(className, true, ClassLoader.getSystemClassLoader());
            if (Serializable.class.isAssignableFrom(type)) {
                ObjectStreamClass.lookup(type);
            }
        } catch (ClassNotFoundException | LinkageError e) {
            System.getLogger(Warmup.class.getName()).log(System.Logger.Level.WARNING,
                    "forkserver standby: cannot preload " + className + ": " + e);
        }
    }
}

package io.github.jmultiprocessing.internal.spawn;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where classes come from, so that a child JVM can load them: the class path of a child is built from the
 * parent's {@code java.class.path} and from the files behind the class loaders that actually loaded the library
 * and the user's classes (a build tool's class realm under {@code mvn exec:java}, an application's own
 * {@link URLClassLoader} for plugins), and a class that no file on that path holds is found in the parent,
 * before a child is started to fail.
 *
 * <p>Implementation notes. A class a child can load is one of the JDK's (boot or platform loader), one of the
 * application class loader (the parent's own class path and module path, which children get as they are), or one
 * whose code source is a directory or a jar file on the child's class path. A class with no code source (jshell's
 * snippets, classes defined from bytes), one compiled in memory from a {@code .java} file (the source-file mode
 * {@code java Main.java}) or one from a URL a class path cannot name (a jar nested in a jar) cannot be loaded by a
 * child JVM. Each class's location is worked out once ({@link ClassValue}).
 */
public final class ClassLocations {

    /** A class's location: the class path entry that holds it, or why no child can load it. */
    private record Location(String entry, String problem) {
    }

    private static final Location SYSTEM = new Location(null, null);

    private static final ClassValue<Location> LOCATIONS = new ClassValue<>() {
        @Override
        protected Location computeValue(Class<?> type) {
            return locate(type);
        }
    };

    private ClassLocations() {
    }

    /**
     * {@return the class loader of the nearest caller outside this library}: the code that makes a pool or a
     * manager, whose classes its child JVMs must load; null if every frame is the library's.
     */
    public static ClassLoader callerLoader() {
        String library = ClassLocations.class.getPackageName().replace(".internal.spawn", "");
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                .map(StackWalker.StackFrame::getDeclaringClass)
                .filter(type -> !type.getPackageName().equals(library)
                        && !type.getPackageName().startsWith(library + ".internal"))
                .findFirst().map(Class::getClassLoader).orElse(null));
    }

    /**
     * {@return the class path of a child that must load what these loaders load}: the parent's
     * {@code java.class.path} first, then the file entries of each {@link URLClassLoader} of the loaders' chains
     * (outermost parent first, as class loading delegates), then the given entries; each entry once.
     *
     * @param loaders the class loaders whose classes the child needs (nulls are ignored)
     * @param extra   more entries, last
     */
    public static List<String> classPath(Collection<ClassLoader> loaders, Collection<String> extra) {
        Map<String, String> entries = new LinkedHashMap<>(); // absolute normalized form -> as given
        String own = System.getProperty("java.class.path", "");
        if (!own.isEmpty()) {
            for (String entry : own.split(File.pathSeparator)) {
                add(entries, entry);
            }
        }
        ClassLoader system = ClassLoader.getSystemClassLoader();
        for (ClassLoader loader : loaders) {
            List<ClassLoader> chain = new ArrayList<>();
            for (ClassLoader l = loader; l != null && l != system && l != ClassLoader.getPlatformClassLoader();
                    l = l.getParent()) {
                chain.addFirst(l);
            }
            for (ClassLoader l : chain) {
                if (l instanceof URLClassLoader urls) {
                    for (URL url : urls.getURLs()) {
                        String path = fileOf(url);
                        if (path != null && usable(Path.of(path))) {
                            add(entries, path);
                        }
                    }
                }
            }
        }
        for (String entry : extra) {
            add(entries, entry);
        }
        return List.copyOf(entries.values());
    }

    /**
     * The class path entry a child needs for this class, if it needs one beyond its loaders' entries: the code
     * source of a class whose loader is not a {@link URLClassLoader} (and not the JDK's or the application's).
     *
     * @param type the class
     * @return the entry, or null if none is needed or none can be had ({@link #problem} says)
     */
    public static String entryOf(Class<?> type) {
        return LOCATIONS.get(type).entry();
    }

    /**
     * {@return why a child JVM with this class path cannot load the class, or null if it can}
     *
     * @param type      the class
     * @param classPath the child's class path entries, as {@link #classPath} made them
     */
    public static String problem(Class<?> type, Collection<String> classPath) {
        Location location = LOCATIONS.get(type);
        if (location.problem() != null) {
            // A copy on the child's class path (ChildJvm.withClassPath, as the message advises) is what it loads.
            return holds(classPath, type) ? null : location.problem();
        }
        if (location.entry() == null || contains(classPath, location.entry())) {
            return null;
        }
        return "class " + type.getName() + " comes from " + location.entry() + ", which is not on the child JVM's"
                + " class path (it was made for class loaders that do not see this class); add it with"
                + " ChildJvm.withClassPath, or create the pool or manager from code whose class loader loads it";
    }

    /** {@return true if a directory or jar of the class path has the class file of this class (or its host's)} */
    private static boolean holds(Collection<String> classPath, Class<?> type) {
        while (type.isArray()) {
            type = type.getComponentType();
        }
        String name = type.isHidden() ? type.getName().replaceFirst("\\$\\$Lambda.*|/.*", "") : type.getName();
        String file = name.replace('.', '/') + ".class";
        for (String entry : classPath) {
            Path path = Path.of(entry);
            try {
                if (Files.isDirectory(path) ? Files.isRegularFile(path.resolve(file))
                        : usable(path) && hasEntry(path, file)) {
                    return true;
                }
            } catch (java.io.IOException | RuntimeException e) {
                // not a readable jar: it holds nothing
            }
        }
        return false;
    }

    private static boolean hasEntry(Path jar, String file) throws java.io.IOException {
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
            return zip.getEntry(file) != null;
        }
    }

    private static boolean contains(Collection<String> classPath, String entry) {
        String wanted = normalize(entry);
        for (String e : classPath) {
            if (normalize(e).equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    private static Location locate(Class<?> type) {
        while (type.isArray()) {
            type = type.getComponentType();
        }
        ClassLoader loader = type.getClassLoader();
        if (type.isPrimitive() || loader == null || loader == ClassLoader.getPlatformClassLoader()
                || loader == ClassLoader.getSystemClassLoader()) {
            return SYSTEM; // the JDK's, or on the parent's own class path or module path, which children get
        }
        CodeSource source = type.getProtectionDomain().getCodeSource();
        URL url = source == null ? null : source.getLocation();
        String name = type.isHidden() ? type.getName().replaceFirst("\\$\\$Lambda.*|/.*", "") : type.getName();
        if (url == null) {
            return new Location(null, "class " + name + " exists only in this JVM's memory: its class loader ("
                    + loader.getClass().getName() + ") defined it with no file behind it, as jshell does for its"
                    + " snippets, so a child JVM cannot load it; put the code in a class compiled to a directory or"
                    + " a jar on the class path (or use the 'thread' start method, which runs in this JVM)");
        }
        String path = fileOf(url);
        if (path != null && path.endsWith(".java") && Files.isRegularFile(Path.of(path))) {
            return new Location(null, "class " + name + " was compiled in memory from " + path + " (java's"
                    + " source-file mode), so a child JVM cannot load it; compile it (javac) and run it from the"
                    + " class path or a jar (or use the 'thread' start method, which runs in this JVM)");
        }
        if (path == null || !usable(Path.of(path))) {
            return new Location(null, "class " + name + " comes from " + url + ", which a child JVM's class path"
                    + " cannot name (expected a directory or a jar file); put it on the class path, or add a copy"
                    + " with ChildJvm.withClassPath");
        }
        return new Location(path, null);
    }

    /** {@return true for an existing directory or jar (zip) file} */
    private static boolean usable(Path path) {
        if (Files.isDirectory(path)) {
            return true;
        }
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase();
        return Files.isRegularFile(path) && (name.endsWith(".jar") || name.endsWith(".zip"));
    }

    private static String fileOf(URL url) {
        if (!"file".equals(url.getProtocol())) {
            return null;
        }
        try {
            return Path.of(url.toURI()).toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    private static void add(Map<String, String> entries, String entry) {
        if (!entry.isEmpty()) {
            entries.putIfAbsent(normalize(entry), entry);
        }
    }

    private static String normalize(String entry) {
        try {
            return Path.of(entry).toAbsolutePath().normalize().toString();
        } catch (RuntimeException e) {
            return entry;
        }
    }
}

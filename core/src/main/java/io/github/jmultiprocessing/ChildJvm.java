package io.github.jmultiprocessing;

import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How child JVMs are started: the {@code java} to run (Python's {@code set_executable}), the heap, JVM options,
 * system properties and class path entries beyond what every child gets. Immutable; each {@code with} method
 * returns a new value. Set it on a {@link Context} ({@link Context#withJvm}), which its processes, pools and
 * managers use, on one process ({@link JvmProcess#setChildJvm}), or for every child that sets nothing
 * ({@link Multiprocessing#setChildJvm}).
 *
 * <pre>{@code
 * ChildJvm small = ChildJvm.defaults().withMaxHeap("256m").withProperty("app.mode", "worker")
 *         .withOptions("-XX:+UseSerialGC");
 * try (var pool = new ProcessPool(4, null, 0, Multiprocessing.getContext("spawn").withJvm(small))) { ... }
 * }</pre>
 *
 * <p>What every child gets, before these settings: this JVM's {@code java} (unless {@link #withExecutable}), the
 * flags the library needs, and from this JVM's own command line its heap sizes ({@code -Xmx}, {@code -Xms},
 * {@code -Xss}), system properties ({@code -D}), {@code --add-opens}/{@code --add-exports}/{@code --add-reads},
 * {@code --enable-preview} and assertion switches (as a Python child inherits the interpreter's flags); then the
 * options of the system property {@code jmultiprocessing.child.jvmOptions}; then these settings, so that they win
 * (the JVM takes the last of repeated options). The class path is this JVM's, plus the files behind the class
 * loaders of the library and of the code that starts the child, plus {@link #withClassPath} entries.
 *
 * <p>A setting that stops a JVM from booting (an unknown option, an executable that is not a {@code java} of
 * Java 22 or newer) fails the first start that uses it, in this JVM, with the JVM's own message: it is checked
 * once by running {@code java <options> -version}.
 */
public final class ChildJvm implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private static final ChildJvm DEFAULTS = new ChildJvm(null, null, null, List.of(), Map.of(), List.of());

    /** The {@code java} binary, or null for the parent's. */
    private final String executable;
    /** {@code -Xmx}, or null for the inherited one. */
    private final String maxHeap;
    /** {@code -Xms}, or null for the inherited one. */
    private final String initialHeap;
    /** JVM options, one argument each. */
    private final List<String> options;
    /** System properties, {@code -D} each. */
    private final Map<String, String> properties;
    /** Class path entries the child gets besides those it inherits. */
    private final List<String> classPath;

    private ChildJvm(String executable, String maxHeap, String initialHeap, List<String> options,
            Map<String, String> properties, List<String> classPath) {
        this.executable = executable;
        this.maxHeap = maxHeap;
        this.initialHeap = initialHeap;
        this.options = List.copyOf(options);
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        this.classPath = List.copyOf(classPath);
    }

    /** {@return the settings of a child that sets nothing of its own: what every child gets} */
    public static ChildJvm defaults() {
        return DEFAULTS;
    }

    /**
     * {@return these settings with another {@code java} executable (Python's {@code set_executable})}
     *
     * @param java the {@code java} binary of a JDK or JRE 22 or newer
     */
    public ChildJvm withExecutable(Path java) {
        Objects.requireNonNull(java, "java");
        return new ChildJvm(java.toAbsolutePath().toString(), maxHeap, initialHeap, options, properties, classPath);
    }

    /**
     * {@return these settings with a maximum heap ({@code -Xmx})}
     *
     * @param size a size as {@code -Xmx} takes it: digits and an optional unit k, m, g or t ({@code "512m"})
     * @throws IllegalArgumentException if the size is not of that form
     */
    public ChildJvm withMaxHeap(String size) {
        return new ChildJvm(executable, checkSize("maxHeap", size), initialHeap, options, properties, classPath);
    }

    /**
     * {@return these settings with an initial heap ({@code -Xms})}
     *
     * @param size a size as {@code -Xms} takes it: digits and an optional unit k, m, g or t ({@code "64m"})
     * @throws IllegalArgumentException if the size is not of that form
     */
    public ChildJvm withInitialHeap(String size) {
        return new ChildJvm(executable, maxHeap, checkSize("initialHeap", size), options, properties, classPath);
    }

    /**
     * {@return these settings with more JVM options, after the ones set before} Each string is one command-line
     * argument, passed as it is (no splitting on spaces).
     *
     * @param more JVM options, each starting with {@code -}
     * @throws IllegalArgumentException for a string that is not an option, or a class path, module path or main
     *                                  class option (the library sets those; use {@link #withClassPath})
     */
    public ChildJvm withOptions(String... more) {
        return withOptions(List.of(more));
    }

    /**
     * {@return these settings with more JVM options, after the ones set before}
     *
     * @param more JVM options, each one command-line argument starting with {@code -}
     * @throws IllegalArgumentException for a string that is not an option, or a class path, module path or main
     *                                  class option
     */
    public ChildJvm withOptions(List<String> more) {
        List<String> all = new ArrayList<>(options);
        for (String option : more) {
            Objects.requireNonNull(option, "option");
            if (!option.startsWith("-") || option.isBlank()) {
                throw new IllegalArgumentException("option=\"" + option + "\" (expected a JVM option starting with"
                        + " '-', one per string)");
            }
            String name = option.contains("=") ? option.substring(0, option.indexOf('=')) : option;
            if (List.of("-cp", "-classpath", "--class-path", "-p", "--module-path", "-jar", "-m", "--module")
                    .contains(name)) {
                throw new IllegalArgumentException("option=\"" + option + "\" (expected no class path, module path"
                        + " or main class option: the library sets those; add entries with withClassPath)");
            }
            all.add(option);
        }
        return new ChildJvm(executable, maxHeap, initialHeap, all, properties, classPath);
    }

    /**
     * {@return these settings with a system property ({@code -Dkey=value}) set in the child}
     *
     * @param key   the property name
     * @param value its value
     * @throws IllegalArgumentException if the key is empty or holds {@code =}
     */
    public ChildJvm withProperty(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (key.isEmpty() || key.contains("=")) {
            throw new IllegalArgumentException("key=\"" + key + "\" (expected a non-empty property name without"
                    + " '=')");
        }
        Map<String, String> all = new LinkedHashMap<>(properties);
        all.remove(key); // re-set: moves to the end
        all.put(key, value);
        return new ChildJvm(executable, maxHeap, initialHeap, options, all, classPath);
    }

    /**
     * {@return these settings with more class path entries, after those the library finds}
     *
     * @param entries directories or jar files
     */
    public ChildJvm withClassPath(Path... entries) {
        List<String> all = new ArrayList<>(classPath);
        for (Path entry : entries) {
            all.add(Objects.requireNonNull(entry, "entry").toAbsolutePath().toString());
        }
        return new ChildJvm(executable, maxHeap, initialHeap, options, properties, all);
    }

    /** {@return the {@code java} executable, if set; else children run this JVM's own} */
    public Optional<Path> executable() {
        return Optional.ofNullable(executable).map(Path::of);
    }

    /** {@return the maximum heap, if set} */
    public Optional<String> maxHeap() {
        return Optional.ofNullable(maxHeap);
    }

    /** {@return the initial heap, if set} */
    public Optional<String> initialHeap() {
        return Optional.ofNullable(initialHeap);
    }

    /** {@return the JVM options set here, in order} */
    public List<String> options() {
        return options;
    }

    /** {@return the system properties set here, in order} */
    public Map<String, String> properties() {
        return properties;
    }

    /** {@return the class path entries added here} */
    public List<Path> classPath() {
        return classPath.stream().map(Path::of).toList();
    }

    /** {@return every JVM option these settings give a child: heap, options, then properties} */
    List<String> jvmOptions() {
        List<String> all = new ArrayList<>();
        if (initialHeap != null) {
            all.add("-Xms" + initialHeap);
        }
        if (maxHeap != null) {
            all.add("-Xmx" + maxHeap);
        }
        all.addAll(options);
        properties.forEach((key, value) -> all.add("-D" + key + "=" + value));
        return all;
    }

    /** {@return the executable as a string, or null} */
    String executableName() {
        return executable;
    }

    /** {@return the class path entries as strings} */
    List<String> classPathEntries() {
        return classPath;
    }

    private static String checkSize(String what, String size) {
        Objects.requireNonNull(size, what);
        if (!isSize(size)) {
            throw new IllegalArgumentException(what + "=\"" + size + "\" (expected digits and an optional unit k, m,"
                    + " g or t, as in \"512m\")");
        }
        return size;
    }

    /** {@return true for digits (not starting with 0) and an optional unit k, m, g or t} No regex: every child JVM loads this class. */
    private static boolean isSize(String size) {
        int digits = size.isEmpty() ? 0 : "kKmMgGtT".indexOf(size.charAt(size.length() - 1)) >= 0
                ? size.length() - 1 : size.length();
        if (digits == 0 || size.charAt(0) == '0') {
            return false;
        }
        for (int i = 0; i < digits; i++) {
            if (size.charAt(i) < '0' || size.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ChildJvm that && Objects.equals(executable, that.executable)
                && Objects.equals(maxHeap, that.maxHeap) && Objects.equals(initialHeap, that.initialHeap)
                && options.equals(that.options) && properties.equals(that.properties)
                && classPath.equals(that.classPath);
    }

    @Override
    public int hashCode() {
        return Objects.hash(executable, maxHeap, initialHeap, options, properties, classPath);
    }

    @Override
    public String toString() {
        return "ChildJvm[executable=" + (executable == null ? "this JVM's" : executable)
                + (maxHeap == null ? "" : ", maxHeap=" + maxHeap)
                + (initialHeap == null ? "" : ", initialHeap=" + initialHeap)
                + (options.isEmpty() ? "" : ", options=" + options)
                + (properties.isEmpty() ? "" : ", properties=" + properties)
                + (classPath.isEmpty() ? "" : ", classPath=" + classPath) + "]";
    }
}

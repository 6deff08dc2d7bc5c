package io.github.jmultiprocessing.internal.spawn;

import java.util.List;
import java.util.Objects;

/**
 * How one child JVM is started, beyond what every child gets: the {@code java} to run, the user's JVM options
 * (each one argument, in order; later ones win), and the whole class path.
 *
 * @param java      the {@code java} executable, or null for this JVM's own
 * @param options   JVM options, each one command-line argument
 * @param classPath the class path entries, in order
 */
public record LaunchSpec(String java, List<String> options, List<String> classPath) {

    /** Copies the lists. */
    public LaunchSpec {
        options = List.copyOf(options);
        classPath = List.copyOf(classPath);
    }

    /**
     * {@return the spec of a child with no settings of its own} Its class path is what the given loaders need.
     *
     * @param loaders the class loaders whose classes the child needs
     */
    public static LaunchSpec forLoaders(java.util.Collection<ClassLoader> loaders) {
        return new LaunchSpec(null, List.of(), ClassLocations.classPath(loaders, List.of()));
    }

    /** {@return this spec with one more class path entry} @param entry the entry */
    public LaunchSpec withEntry(String entry) {
        Objects.requireNonNull(entry, "entry");
        List<String> more = new java.util.ArrayList<>(classPath);
        more.add(entry);
        return new LaunchSpec(java, options, more);
    }
}

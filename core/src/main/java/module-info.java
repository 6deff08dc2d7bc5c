/**
 * jmultiprocessing: Python's {@code multiprocessing} for the JVM. Child JVMs share memory through
 * {@code java.lang.foreign} mappings of named segments.
 *
 * <p>Only {@code io.github.jmultiprocessing} is exported; the machinery lives in
 * {@code io.github.jmultiprocessing.internal.*}.
 */
module io.github.jmultiprocessing {
    requires jdk.jfr;

    exports io.github.jmultiprocessing;
    exports io.github.jmultiprocessing.internal.events to jdk.jfr; // JFR reads the library's events
}

package io.github.jmultiprocessing.bench.harness;

/** The empty-JVM floor of {@link StartHarness}: a main that does nothing, started as a child JVM would be. */
public final class Hello {

    private Hello() {
    }

    /**
     * Does nothing.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        // the JVM's own start and exit are what is measured
    }
}

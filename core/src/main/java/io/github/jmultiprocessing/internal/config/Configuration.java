package io.github.jmultiprocessing.internal.config;

/**
 * Every system property the library reads ({@code jmultiprocessing.*}), and the one place that reads them: the
 * rest of the library asks a constant here, never {@link System#getProperty} with a name of its own. Each is read
 * when it is used (set with {@code -D}, or with {@code System.setProperty} before the use), except
 * {@link #SHM_DIR} and {@link #FUTEX}, read once by the first use of shared memory or of a wait. A child JVM is given
 * every one set in its parent when it starts, those two as its parent uses them (the launcher's
 * {@code propertyOptions}). README's Configuration table and the
 * public package's overview list the same names, defaults and meanings ({@code ConfigurationTableTest} compares
 * them). The fault suite's test-only hooks ({@code jmultiprocessing.test.*}) are not configuration and are read
 * where they act.
 */
public enum Configuration {

    /** Where segment files are created; default {@code /dev/shm} on Linux, else {@code java.io.tmpdir}. */
    SHM_DIR("jmultiprocessing.shm.dir"),

    /** {@code false}: waiting threads back off in pure Java instead of sleeping on a futex; default on. */
    FUTEX("jmultiprocessing.futex"),

    /** Extra JVM options for every child, split on whitespace; default none. */
    CHILD_JVM_OPTIONS("jmultiprocessing.child.jvmOptions"),

    /** {@code false}: no ahead-of-time caches for child JVMs; default on (JDK 24+). */
    AOT("jmultiprocessing.aot"),

    /** The most the AOT caches may take together ({@code k}, {@code m}, {@code g}); default {@code 256m}. */
    AOT_MAX_BYTES("jmultiprocessing.aot.maxBytes"),

    /** {@code false}: class path directories stay directories in children's class paths; default on. */
    AOT_DIRECTORIES("jmultiprocessing.aot.directories"),

    /** {@code true}: the first child start builds the AOT cache in a JVM of its own; default off. */
    AOT_DETACHED("jmultiprocessing.aot.detached"),

    /** Where the caches are kept; default {@code $XDG_CACHE_HOME/jmultiprocessing}, else under {@code ~/.cache}. */
    CACHE_DIR("jmultiprocessing.cache.dir"),

    /** How many warm standby JVMs the forkserver keeps (1 to 64); default the CPUs, at least 1, at most 4. */
    FORKSERVER_STANDBYS("jmultiprocessing.forkserver.standbys"),

    /** {@code false}: a manager's local clients keep their connections on the socket; default on. */
    MANAGER_PIPES("jmultiprocessing.manager.pipes"),

    /** {@code true}: queues and pipes created from then on carry a CRC32C per message; default off. */
    CHECKSUM("jmultiprocessing.checksum");

    /** What every property's name begins with. */
    public static final String PREFIX = "jmultiprocessing.";

    private final String property;

    Configuration(String property) {
        this.property = property;
    }

    /** {@return the system property's name} */
    public String property() {
        return property;
    }

    /** {@return the property's value now, or null if it is not set} */
    public String value() {
        return System.getProperty(property);
    }

    /**
     * {@return the property's value now, or {@code ifUnset} if it is not set}
     *
     * @param ifUnset what an unset property reads as
     */
    public String value(String ifUnset) {
        return System.getProperty(property, ifUnset);
    }

    /** {@return true if the property is set to {@code false} (any case): a switch that is on by default, off} */
    public boolean isOff() {
        return "false".equalsIgnoreCase(value());
    }

    /** {@return true if the property is set to {@code true} (any case): a switch that is off by default, on} */
    public boolean isOn() {
        return "true".equalsIgnoreCase(value());
    }

    /**
     * {@return the command-line option that sets this property}
     *
     * @param value the value
     */
    public String option(String value) {
        return "-D" + property + "=" + value;
    }
}

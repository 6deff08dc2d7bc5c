package io.github.jmultiprocessing.ignite;

import java.util.List;

/**
 * The JVM flags every JVM that runs an Ignite 2 node or client needs on JDK 17 and later: Ignite reaches into the
 * JDK's internals, and without them it fails at start with {@code InaccessibleObjectException}. The node JVMs of a
 * {@link LocalCluster} get them; a program that joins a cluster passes them on its own command line (README).
 *
 * <pre>{@code
 * // print them, one per line, for a launch script:
 * //   java -cp jmultiprocessing-ignite.jar:... io.github.jmultiprocessing.ignite.IgniteJvm
 * List<String> missing = IgniteJvm.missingHere();   // those this JVM was started without
 * if (!missing.isEmpty()) {
 *     System.err.println("start this JVM with " + String.join(" ", missing));
 * }
 * }</pre>
 */
public final class IgniteJvm {

    /** The {@code --add-opens} flags, one string each. */
    public static final List<String> ADD_OPENS = List.of(
            "--add-opens=java.base/jdk.internal.access=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens=java.base/sun.net.util=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.fs=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
            "--add-opens=java.management/com.sun.jmx.mbeanserver=ALL-UNNAMED",
            "--add-opens=jdk.internal.jvmstat/sun.jvmstat.monitor=ALL-UNNAMED",
            "--add-opens=java.base/sun.reflect.generics.reflectiveObjects=ALL-UNNAMED",
            "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.math=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.security.cert=ALL-UNNAMED",
            "--add-opens=java.sql/java.sql=ALL-UNNAMED",
            "--add-opens=java.management/sun.management=ALL-UNNAMED");

    private IgniteJvm() {
    }

    /**
     * Prints {@link #flags()}, one flag a line: a {@code java} argument file. {@code java -cp <this jar>
     * io.github.jmultiprocessing.ignite.IgniteJvm > ignite.args}, then {@code java @ignite.args -cp ... Main}.
     *
     * @param args none
     */
    public static void main(String[] args) {
        flags().forEach(System.out::println);
    }

    /**
     * {@return the flags a node or client JVM of this JDK gets}: {@link #ADD_OPENS}, and on JDK 23 and later
     * {@code --sun-misc-unsafe-memory-access=allow}, which keeps Ignite's use of {@code sun.misc.Unsafe} from being
     * warned about on every start (JEP 471; JDK 22 does not know the flag)
     */
    public static List<String> flags() {
        if (Runtime.version().feature() < 23) {
            return ADD_OPENS;
        }
        List<String> flags = new java.util.ArrayList<>(ADD_OPENS);
        flags.add("--sun-misc-unsafe-memory-access=allow");
        return List.copyOf(flags);
    }

    /** {@return what to tell a user whose JVM lacks {@code missing}: how many, the first, and how to add them all} */
    static String advice(List<String> missing) {
        return "this JVM lacks " + missing.size() + " of the " + ADD_OPENS.size() + " flags Ignite 2 needs on JDK 17+"
                + " (first: " + missing.get(0) + "); start it with all of them, e.g. from an argument file: java -cp"
                + " <the jmultiprocessing-ignite jar> io.github.jmultiprocessing.ignite.IgniteJvm > ignite.args, then"
                + " java @ignite.args ... (the list: IgniteJvm.ADD_OPENS)";
    }

    /**
     * {@return the flags of {@link #ADD_OPENS} this JVM was started without} Checked before a client starts here,
     * so that a missing flag is named instead of failing deep inside Ignite.
     */
    public static List<String> missingHere() {
        List<String> arguments = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
        return ADD_OPENS.stream().filter(flag -> !arguments.contains(flag)
                && !arguments.contains(flag.replace("--add-opens=", "--add-opens "))).toList();
    }
}

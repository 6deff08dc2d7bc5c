package io.github.jmultiprocessing.internal.spawn;

import io.github.jmultiprocessing.internal.shm.SegmentLedger;
import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import io.github.jmultiprocessing.internal.sync.Futex;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts child JVMs ({@code spawn}): the running JVM's own {@code java}, the same class path and module path,
 * the flags the library needs, stdout and stderr inherited, and the {@link BootstrapFrame} on stdin.
 */
public final class ChildLauncher {

    /** System property with extra JVM options for children, split on whitespace. */
    public static final String CHILD_OPTIONS_PROPERTY = "jmultiprocessing.child.jvmOptions";

    private static final List<String> PROPAGATED_PROPERTIES = List.of(ShmDirectory.DIRECTORY_PROPERTY,
            Futex.PROPERTY, CHILD_OPTIONS_PROPERTY, AotCache.DIR_PROPERTY, AotCache.ENABLED_PROPERTY,
            AotCache.DETACHED_PROPERTY, AotCache.MAX_BYTES_PROPERTY);

    private ChildLauncher() {
    }

    /**
     * A started child: the OS process and the parent's end of its stdin, kept open while it runs.
     *
     * @param process   the child
     * @param bootstrap the pipe to its stdin
     */
    public record Launched(Process process, OutputStream bootstrap) {
    }

    /**
     * Starts a child and sends it its bootstrap.
     *
     * @param frame what the child runs
     * @return the child
     * @throws UncheckedIOException if the JVM cannot be started
     */
    public static Launched launch(BootstrapFrame frame) {
        Launched launched = start(List.of());
        handOver(launched, frame);
        return launched;
    }

    /**
     * Starts a child JVM that waits for its bootstrap: a {@code forkserver} standby.
     *
     * @param preload classes the standby loads and initializes while it waits
     * @return the waiting child
     */
    public static Launched startStandby(List<String> preload) {
        List<String> args = new ArrayList<>();
        args.add(ChildMain.STANDBY);
        args.addAll(preload);
        return start(args);
    }

    /**
     * Sends a child its bootstrap; a child that died before reading it reports why through its exit code.
     *
     * @param launched the child
     * @param frame    what it runs
     */
    public static void handOver(Launched launched, BootstrapFrame frame) {
        try {
            frame.writeTo(launched.bootstrap());
        } catch (IOException e) {
            // The child died before reading its bootstrap; its exit code tells why, so start() still succeeds.
        }
    }

    private static Launched start(List<String> args) {
        List<String> command = new ArrayList<>(command());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start child JVM " + command.getFirst() + ": " + e, e);
        }
        SegmentLedger.recordChild(process.pid()); // this JVM's segments outlive it while the child runs
        return new Launched(process, process.getOutputStream());
    }

    /**
     * The command line a child starts with now: read at every start, so system properties set since (the
     * propagated ones and {@value #CHILD_OPTIONS_PROPERTY}) apply to later children. Where an AOT cache for
     * exactly this JVM, these flags and this class path exists, the child uses it ({@link AotCache}).
     *
     * @return the command
     */
    public static List<String> command() {
        List<String> jvm = jvmCommand();
        List<String> command = new ArrayList<>(jvm);
        command.addAll(AotCache.options(jvm));
        command.addAll(mainArguments());
        return List.copyOf(command);
    }

    /** The java binary, the library's flags, the propagated properties, the user's options, the paths. */
    static List<String> jvmCommand() {
        List<String> command = new ArrayList<>();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        command.add(Files.isExecutable(java) ? java.toString()
                : ProcessHandle.current().info().command().orElse("java"));
        Module module = ChildLauncher.class.getModule();
        if (module.isNativeAccessEnabled()) {
            command.add("--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED"));
        }
        int feature = Runtime.version().feature();
        if (feature >= 21 && feature <= 25) {
            // Map the JDK's CDS archive at its own base address instead of a random one: relocating it dirties
            // ~7 MB of private memory in every child (JDK 21+ randomize by default). Diagnostic flag, so only on
            // the JDK versions it was measured on.
            command.add("-XX:+UnlockDiagnosticVMOptions");
            command.add("-XX:ArchiveRelocationMode=0");
        }
        for (String property : PROPAGATED_PROPERTIES) {
            String value = System.getProperty(property);
            if (value != null) {
                command.add("-D" + property + "=" + value);
            }
        }
        String options = System.getProperty(CHILD_OPTIONS_PROPERTY, "").strip();
        if (!options.isEmpty()) {
            command.addAll(List.of(options.split("\\s+")));
        }
        String classPath = System.getProperty("java.class.path", "");
        if (!classPath.isEmpty()) {
            command.add("-cp");
            command.add(classPath);
        }
        String modulePath = System.getProperty("jdk.module.path", "");
        if (module.isNamed() || !modulePath.isEmpty()) {
            command.add("-p");
            command.add(modulePath);
            command.add("--add-modules");
            command.add("ALL-MODULE-PATH");
        }
        return command;
    }

    /** The main class (or module and main class) of a child. */
    static List<String> mainArguments() {
        Module module = ChildLauncher.class.getModule();
        return module.isNamed() ? List.of("-m", module.getName() + "/" + ChildMain.class.getName())
                : List.of(ChildMain.class.getName());
    }
}

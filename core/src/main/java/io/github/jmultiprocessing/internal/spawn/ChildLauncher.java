package io.github.jmultiprocessing.internal.spawn;

import io.github.jmultiprocessing.internal.config.Configuration;
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
 * Starts child JVMs ({@code spawn}): the running JVM's own {@code java} (or the one a {@link LaunchSpec} names),
 * the class path and module path the child needs, the flags the library needs, the options this JVM's command
 * line passes on ({@link JvmArguments}), the user's options, stdout and stderr relayed ({@link StreamRelay}), and the
 * {@link BootstrapFrame} on stdin.
 */
public final class ChildLauncher {

    /** How often a child gives freed native memory back (the JVM frees its compilers' pooled arenas every 5 s). */
    private static final int TRIM_INTERVAL_MILLIS = 5_000;


    /** Lowest Java feature version the library's classes run on. */
    private static final int MINIMUM_FEATURE = 22;

    /** Option lists already checked by {@link #verify}: a JVM started with them boots. */
    private static final java.util.Set<List<String>> VERIFIED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private ChildLauncher() {
    }

    /**
     * A started child: the OS process, the parent's end of its stdin, kept open while it runs, and the relays of
     * its stdout and stderr.
     *
     * @param process   the child
     * @param bootstrap the pipe to its stdin
     * @param output    what it writes to stdout
     * @param errors    what it writes to stderr
     * @param spec      how it was started
     */
    public record Launched(Process process, OutputStream bootstrap, StreamRelay output, StreamRelay errors,
            LaunchSpec spec) {

        /** Waits, once the child has ended, until what it wrote to stdout and stderr has been relayed. */
        public void awaitRelayed() {
            output.awaitDrained();
            errors.awaitDrained();
        }
    }

    /**
     * Starts a child and sends it its bootstrap.
     *
     * @param frame what the child runs
     * @param spec  how it is started
     * @return the child
     * @throws UncheckedIOException if the JVM cannot be started
     */
    public static Launched launch(BootstrapFrame frame, LaunchSpec spec) {
        Launched launched = start(List.of(), spec);
        handOver(launched, frame);
        return launched;
    }

    /**
     * Notes the program's classes a child loads to read its bootstrap (or a pool worker to read its tasks), so that
     * the AOT cache children start with, when it is built, holds them (loaded, not initialized).
     *
     * @param classes the classes; the JDK's are left out
     */
    public static void noteBootstrapClasses(java.util.Collection<Class<?>> classes) {
        List<String> names = new ArrayList<>();
        for (Class<?> type : classes) {
            ClassLoader loader = type.getClassLoader();
            if (!type.isHidden() && loader != null && loader != ClassLoader.getPlatformClassLoader()) {
                names.add(type.getName());
            }
        }
        if (!names.isEmpty()) {
            AotCache.noteSent(names);
        }
    }

    /**
     * Starts a child JVM that waits for its bootstrap: a {@code forkserver} standby.
     *
     * @param preload classes the standby loads and initializes while it waits
     * @param spec    how it is started
     * @return the waiting child
     */
    public static Launched startStandby(List<String> preload, LaunchSpec spec) {
        List<String> args = new ArrayList<>();
        args.add(ChildMain.STANDBY);
        args.addAll(preload);
        return start(args, spec);
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

    /**
     * Checks, once per option list, that a JVM started with the spec's {@code java} and options boots and is new
     * enough (it runs {@code java <options> -version}), so that a bad option or a wrong JDK fails here, in the
     * parent, with the JVM's own message, and not in every child. A spec with no options and this JVM's
     * {@code java} needs no check.
     *
     * @param spec the spec
     * @throws IllegalArgumentException with the JVM's message, if it does not boot or is older than Java 22
     */
    public static void verify(LaunchSpec spec) {
        String global = Configuration.CHILD_JVM_OPTIONS.value("").strip();
        if (spec.java() == null && spec.options().isEmpty() && global.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>(jvmCommand(spec));
        int cp = command.indexOf("-cp");
        if (cp >= 0) {
            command.subList(cp, cp + 2).clear(); // the class path does not decide whether a JVM boots
        }
        command.removeIf(part -> part.startsWith(AotCache.RECORDING)); // -version would write the child's file
        if (VERIFIED.contains(command)) {
            return;
        }
        command.add("-version");
        String output;
        int status;
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalArgumentException("cannot start a child JVM: " + String.join(" ", command)
                        + " did not finish within 60 s");
            }
            status = process.exitValue();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot start a child JVM with java=" + command.getFirst() + ": " + e
                    + " (expected an executable java of Java " + MINIMUM_FEATURE + " or newer)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the child JVM's options", e);
        }
        String options = String.join(" ", command.subList(1, command.size() - 1));
        if (status != 0) {
            throw new IllegalArgumentException("a child JVM cannot start with java=" + command.getFirst()
                    + " and options [" + options + "]: it exited with status " + status + " saying:\n"
                    + output.strip());
        }
        java.util.regex.Matcher version = java.util.regex.Pattern.compile("version \"(\\d+)").matcher(output);
        if (spec.java() != null && version.find() && Integer.parseInt(version.group(1)) < MINIMUM_FEATURE) {
            throw new IllegalArgumentException("java=" + command.getFirst() + " is Java " + version.group(1)
                    + " (expected Java " + MINIMUM_FEATURE + " or newer: the library's classes need it); it says:\n"
                    + output.strip());
        }
        command.removeLast();
        VERIFIED.add(List.copyOf(command));
    }

    private static Launched start(List<String> args, LaunchSpec spec) {
        List<String> command = new ArrayList<>(command(spec));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.PIPE);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start child JVM " + command.getFirst() + ": " + e, e);
        }
        SegmentLedger.recordChild(process.pid()); // this JVM's segments outlive it while the child runs
        StreamRelay output = StreamRelay.start(process.getInputStream(), process.pid(), false);
        StreamRelay errors = StreamRelay.start(process.getErrorStream(), process.pid(), true);
        return new Launched(process, process.getOutputStream(), output, errors, spec);
    }

    /**
     * The command line a child starts with now: read at every start, so system properties set since (the
     * propagated ones and {@code jmultiprocessing.child.jvmOptions}) apply to later children. Where an AOT cache for
     * exactly this JVM, these flags and this class path exists, the child uses it ({@link AotCache}).
     *
     * @param spec how the child is started
     * @return the command
     */
    public static List<String> command(LaunchSpec spec) {
        List<String> jvm = spec.java() == null ? DirectoryJars.withJars(jvmCommand(spec)) : jvmCommand(spec);
        List<String> command = new ArrayList<>(jvm);
        command.addAll(AotCache.options(jvm));
        command.addAll(mainArguments());
        return List.copyOf(command);
    }

    /**
     * The java binary, the library's flags, the inherited options, the propagated properties, the user's
     * options (the global property's, then the spec's: later ones win), the paths.
     */
    /**
     * {@return the configuration a child is given, as {@code -D} options}: each {@link Configuration} property set
     * in this JVM now, with the value it has now; except the two this JVM read once, which a child gets as this JVM
     * uses them: the segment directory (the child must find this JVM's segments there) and the futex switch (every
     * process of a tree waits the same way: a futex waiter would sleep out its whole slice after a wake-up from a
     * JVM that cannot make the call, and a child would repeat this JVM's warning)
     */
    static List<String> propertyOptions() {
        List<String> options = new ArrayList<>();
        for (Configuration setting : Configuration.values()) {
            String value = switch (setting) {
                case SHM_DIR -> setting.value() != null || ShmDirectory.configured()
                        ? ShmDirectory.directory().toString() : null;
                case FUTEX -> Futex.AVAILABLE ? null : "false";
                default -> setting.value();
            };
            if (value != null) {
                options.add(setting.option(value));
            }
        }
        return options;
    }

    static List<String> jvmCommand(LaunchSpec spec) {
        List<String> command = new ArrayList<>();
        if (spec.java() != null) {
            command.add(spec.java());
        } else {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            command.add(Files.isExecutable(java) ? java.toString()
                    : ProcessHandle.current().info().command().orElse("java"));
        }
        Module module = ChildLauncher.class.getModule();
        if (module.isNativeAccessEnabled()) {
            command.add("--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED"));
        }
        int feature = Runtime.version().feature();
        if (spec.java() == null && feature >= 21 && feature <= 25) {
            // Map the JDK's CDS archive at its own base address instead of a random one: relocating it dirties
            // ~7 MB of private memory in every child (JDK 21+ randomize by default). Diagnostic flag, so only on
            // the JDK versions it was measured on.
            command.add("-XX:+UnlockDiagnosticVMOptions");
            command.add("-XX:ArchiveRelocationMode=0");
            if (feature == 25) {
                // Leave the AOT cache's method profiles unused (JEP 515): replayed, they had every child compile
                // what the training run made hot (the lock paths among them) right at its start, used or not:
                // ~5.5 MB more private memory in an idle child (19.3 vs 13.7 MB), ~10 ms more per spawn on 2
                // CPUs, for a fresh locked counter ~15% faster. Diagnostic flag, so only on the version measured.
                command.add("-XX:-AOTReplayTraining");
            }
        }
        if (spec.java() == null && feature >= 22) {
            // Give freed native memory back to the OS every few seconds: a child's start compiles its hot code,
            // and the compilers' freed arenas (~5 MB) otherwise stay in the C heap for as long as the child idles
            // (a pool worker between tasks: ~19 MB private instead of ~14). Product flag since JDK 22.
            command.add("-XX:TrimNativeHeapInterval=" + TRIM_INTERVAL_MILLIS);
        }
        List<String> inherited = JvmArguments.inherited();
        command.addAll(inherited);
        for (String option : propertyOptions()) {
            if (!inherited.contains(option)) { // as set now, unless the command line said so
                command.add(option);
            }
        }
        String selector = spec.java() == null ? JdkSelectorProvider.NAME : null;
        if (selector != null) {
            command.add("-D" + JdkSelectorProvider.PROPERTY + "=" + selector);
        }
        String options = Configuration.CHILD_JVM_OPTIONS.value("").strip();
        if (!options.isEmpty()) {
            command.addAll(List.of(options.split("\\s+")));
        }
        command.addAll(spec.options());
        if (!spec.classPath().isEmpty()) {
            command.add("-cp");
            command.add(String.join(java.io.File.pathSeparator, spec.classPath()));
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

    /**
     * The JDK's own selector provider, named to a child (same JDK) when this JVM uses it and nobody chose one: a
     * child's first socket (a manager's server, a proxy, a {@code Listener}) otherwise looks for providers on the
     * class path, which opens every jar on it (10-40 ms for a large one) in a child whose classes all come from its
     * AOT cache. A provider on the class path, or the property set, and children look as before.
     */
    private static final class JdkSelectorProvider {
        static final String PROPERTY = "java.nio.channels.spi.SelectorProvider";
        static final String NAME = name();

        private static String name() {
            if (System.getProperty(PROPERTY) != null) {
                return null; // the user's choice, inherited as the user made it
            }
            Class<?> type = java.nio.channels.spi.SelectorProvider.provider().getClass();
            return type.getModule() == Object.class.getModule() ? type.getName() : null;
        }
    }

    /** The main class (or module and main class) of a child. */
    static List<String> mainArguments() {
        Module module = ChildLauncher.class.getModule();
        return module.isNamed() ? List.of("-m", module.getName() + "/" + ChildMain.class.getName())
                : List.of(ChildMain.class.getName());
    }
}

package io.github.jmultiprocessing.internal.spawn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The options of this JVM's own command line that its children inherit, as a Python child inherits the
 * interpreter's flags ({@code -O}, {@code -W}, {@code -X}): the heap sizes ({@code -Xmx}, {@code -Xms},
 * {@code -Xss}, and the {@code -XX:MaxRAMPercentage} family containers use), the system properties
 * ({@code -Dkey=value}), the module system's openings
 * ({@code --add-opens}, {@code --add-exports}, {@code --add-reads}), {@code --enable-preview},
 * {@code --sun-misc-unsafe-memory-access} (libraries such as Ignite need it quiet) and the assertion switches. Not inherited: agents and debuggers ({@code -agentlib}, {@code -javaagent}: a second debugger on the same
 * port would fail), the JDK's management agent ({@code -Dcom.sun.management.*}: a child given the parent's JMX port
 * cannot boot), {@code -XX} tuning, logging, and the class path and module path (children get their own).
 *
 * <p>Implementation notes. The command line is read from the OS ({@link ProcessHandle.Info#arguments()}, on Linux
 * {@code /proc/self/cmdline}), up to the main class, {@code -jar}, {@code -m} or the source file; {@code @argfiles}
 * are expanded. Options from {@code JDK_JAVA_OPTIONS} and {@code JAVA_TOOL_OPTIONS} are not on it, and need not
 * be: children inherit the environment.
 */
public final class JvmArguments {

    /** Options whose value is the next argument. */
    private static final Set<String> WITH_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p", "--module-path",
            "--upgrade-module-path", "--add-modules", "--limit-modules", "--add-opens", "--add-exports",
            "--add-reads", "--patch-module", "--enable-native-access", "--source", "--describe-module", "-d",
            "--illegal-native-access");
    private static final Set<String> INHERITED_WITH_VALUE = Set.of("--add-opens", "--add-exports", "--add-reads");

    /** The heap sizes containers give as flags: inherited like {@code -Xmx}. */
    private static final List<String> HEAP_FLAGS = List.of("-XX:MaxRAMPercentage=", "-XX:InitialRAMPercentage=",
            "-XX:MinRAMPercentage=", "-XX:MaxHeapSize=", "-XX:InitialHeapSize=", "-XX:MaxRAM=");

    private static volatile List<String> inherited;

    private JvmArguments() {
    }

    /** {@return the options of this JVM's command line that children inherit, in order} */
    public static List<String> inherited() {
        List<String> options = inherited;
        if (options == null) {
            options = inheritedFrom(ProcessHandle.current().info().arguments().map(List::of).orElse(List.of()));
            inherited = options;
        }
        return options;
    }

    /**
     * {@return the inherited options of a command line}
     *
     * @param arguments the arguments after the {@code java} binary
     */
    static List<String> inheritedFrom(List<String> arguments) {
        List<String> expanded = new ArrayList<>(arguments);
        List<String> options = new ArrayList<>();
        boolean argumentFiles = true;
        int fromFile = 0; // arguments before this index came from an argument file: no @file in them is expanded
        for (int i = 0; i < expanded.size(); i++) {
            String argument = expanded.get(i);
            if (argumentFiles && i >= fromFile && argument.startsWith("@") && !argument.startsWith("@@")) {
                // expanded in place, as the launcher does, and only up to the main class: after it, "@x" is the
                // program's own argument, never read
                List<String> contents = readArgumentFile(Path.of(argument.substring(1)));
                expanded.remove(i);
                expanded.addAll(i, contents);
                fromFile = i + contents.size();
                i--;
                continue;
            }
            if (argument.equals("--disable-@files")) {
                argumentFiles = false;
                continue;
            }
            if (!argument.startsWith("-") || argument.equals("-jar") || argument.equals("-m")
                    || argument.equals("--module") || argument.startsWith("--module=")) {
                break; // the main class, jar, module or source file: what follows is the program's
            }
            if (WITH_VALUE.contains(argument)) {
                if (INHERITED_WITH_VALUE.contains(argument) && i + 1 < expanded.size()) {
                    options.add(argument + "=" + expanded.get(i + 1));
                }
                i++;
                continue;
            }
            if (isInherited(argument)) {
                options.add(argument);
            }
        }
        return List.copyOf(options);
    }

    private static boolean isInherited(String option) {
        return option.startsWith("-Xmx") || option.startsWith("-Xms") || option.startsWith("-Xss")
                || HEAP_FLAGS.stream().anyMatch(option::startsWith)
                || (option.startsWith("-D") && option.length() > 2 && !option.startsWith("-Djava.class.path=")
                        && !option.startsWith("-Djdk.module.") && !option.startsWith("-Dcom.sun.management."))
                || option.startsWith("--add-opens=") || option.startsWith("--add-exports=")
                || option.startsWith("--add-reads=") || option.equals("--enable-preview")
                || option.startsWith("--sun-misc-unsafe-memory-access=")
                || option.equals("-ea") || option.equals("-da") || option.equals("-esa") || option.equals("-dsa")
                || option.startsWith("-ea:") || option.startsWith("-da:")
                || option.startsWith("-enableassertions") || option.startsWith("-disableassertions")
                || option.equals("-enablesystemassertions") || option.equals("-disablesystemassertions");
    }

    /** Reads an {@code @argfile} as the launcher does: whitespace-separated, quotes group, {@code #} comments. */
    static List<String> readArgumentFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return List.of(); // gone since the JVM started: nothing to inherit from it
        }
        List<String> arguments = new ArrayList<>();
        StringBuilder current = null;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && i + 1 < text.length()) {
                    current.append(text.charAt(++i));
                } else {
                    current.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                current = current == null ? new StringBuilder() : current;
            } else if (c == '#' && current == null) {
                while (i + 1 < text.length() && text.charAt(i + 1) != '\n') {
                    i++;
                }
            } else if (Character.isWhitespace(c)) {
                if (current != null) {
                    arguments.add(current.toString());
                    current = null;
                }
            } else {
                current = current == null ? new StringBuilder() : current;
                current.append(c);
            }
        }
        if (current != null) {
            arguments.add(current.toString());
        }
        return arguments;
    }
}

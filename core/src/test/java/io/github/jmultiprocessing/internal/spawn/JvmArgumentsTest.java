package io.github.jmultiprocessing.internal.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JvmArgumentsTest {

    @Test
    void shouldInheritHeapPropertiesOpeningsAndAssertionsUpToTheMainClass() {
        List<String> inherited = JvmArguments.inheritedFrom(List.of("-Xmx256m", "-cp", "a.jar:b", "-Dapp=x y",
                "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-XX:+UseSerialGC", "-agentlib:jdwp=x",
                "-javaagent:a.jar", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "-ea", "--enable-preview",
                "-Djava.class.path=z", "-Dcom.sun.management.jmxremote.port=9010", "-Xss2m",
                "--sun-misc-unsafe-memory-access=allow", "demo.Main", "-Xmx1g", "-Dprogram=arg"));
        assertEquals(List.of("-Xmx256m", "-Dapp=x y", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "-ea", "--enable-preview", "-Xss2m",
                "--sun-misc-unsafe-memory-access=allow"), inherited);
    }

    @Test
    void shouldLeaveTheJdksManagementAgentSettingsToTheParent() {
        assertEquals(List.of("-Dapp=1"), JvmArguments.inheritedFrom(List.of("-Dcom.sun.management.jmxremote.port=9010",
                "-Dcom.sun.management.jmxremote", "-Dapp=1", "Main")));
    }

    @Test
    void shouldInheritTheHeapFlagsContainersUse() {
        assertEquals(List.of("-XX:MaxRAMPercentage=75.0", "-XX:InitialRAMPercentage=10"),
                JvmArguments.inheritedFrom(List.of("-XX:MaxRAMPercentage=75.0", "-XX:+UseZGC",
                        "-XX:InitialRAMPercentage=10", "Main")));
    }

    @Test
    void shouldStopAtAJarOrModule() {
        assertEquals(List.of("-Xms1g"), JvmArguments.inheritedFrom(List.of("-Xms1g", "-jar", "app.jar", "-Dx=y")));
        assertEquals(List.of("-Da=1"), JvmArguments.inheritedFrom(List.of("-Da=1", "-m", "m/m.Main", "-Db=2")));
        assertEquals(List.of("-Da=1"), JvmArguments.inheritedFrom(List.of("-Da=1", "--module=m/m.Main", "-Db=2")));
    }

    @Test
    void shouldNotReadTheProgramsOwnArgumentsAsArgumentFiles(@TempDir Path dir) throws Exception {
        // After the main class, "@name" is the program's argument (the launcher expands no more), and so is every
        // "@name" after --disable-@files: such a file is not read (a FIFO or @/dev/stdin there would block, or
        // take the program's input). A writer to a FIFO gets through only if something opened it for reading.
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        List<List<String>> commandLines = List.of(List.of("-Da=1", "Main", "@" + fifo),
                List.of("--disable-@files", "-Da=1", "@" + fifo, "Main"));
        for (List<String> commandLine : commandLines) {
            Thread writer = Thread.ofPlatform().daemon().start(() -> {
                try {
                    Files.writeString(fifo, "-Dfrom.fifo=1\n");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertEquals(List.of("-Da=1"), JvmArguments.inheritedFrom(commandLine));
            boolean read = writer.join(java.time.Duration.ofMillis(200));
            if (!read) {
                Files.readAllBytes(fifo); // lets the writer go
                writer.join();
            }
            assertEquals(false, read, "the argument file of " + commandLine + " was read");
        }
    }

    @Test
    void shouldExpandArgumentFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("args");
        Files.writeString(file, "# a comment\n-Xmx64m \"-Dquoted=a b\"\n  -cp x.jar\n'-Dsingle=c d'\n");
        assertEquals(List.of("-Xmx64m", "-Dquoted=a b", "-Dsingle=c d", "-Dafter=1"),
                JvmArguments.inheritedFrom(List.of("@" + file, "-Dafter=1", "Main")));
    }
}

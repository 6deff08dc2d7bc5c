package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.jmultiprocessing.examples.InheritedSettings;
import io.github.jmultiprocessing.testing.Children;
import io.github.jmultiprocessing.testing.JavaMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How child JVMs are started: what they inherit from the parent's command line, and {@link ChildJvm} settings. */
class ChildJvmIT {

    private static final long MIB = 1024 * 1024;

    @Test
    void shouldInheritTheHeapAndSystemPropertiesOfTheParentsCommandLine() throws Exception {
        try (JavaMain main = JavaMain.start(System.getProperty("java.class.path"),
                List.of("-Xmx200m", "-Dapp.flag=hello world"), InheritedSettings.class)) {
            assertEquals(0, main.waitFor(Duration.ofSeconds(60)), main.output());
            String output = main.output();
            assertTrue(output.contains("flag=hello world "), output);
            long max = Long.parseLong(output.substring(output.indexOf("max=") + 4).split(" ")[0]);
            assertTrue(max <= 200 * MIB, "child's max heap " + max + " (expected the parent's -Xmx200m)");
        }
    }

    @Test
    void shouldNotInheritTheParentsJmxAgentSettings() throws Exception {
        // A program run with a remote JMX port (as servers are): a child that inherited the port could not boot
        // ("Port already in use"); the management agent's properties are the JDK's own, not the program's.
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (JavaMain main = JavaMain.start(System.getProperty("java.class.path"),
                List.of("-Dcom.sun.management.jmxremote.port=" + port,
                        "-Dcom.sun.management.jmxremote.authenticate=false",
                        "-Dcom.sun.management.jmxremote.ssl=false", "-Dapp.flag=kept"), InheritedSettings.class)) {
            assertEquals(0, main.waitFor(Duration.ofSeconds(60)), main.output());
            String output = main.output();
            assertTrue(output.contains("exit code 0") && output.contains("flag=kept "), output);
        }
    }

    @Test
    void shouldStartProcessesPoolsAndManagersWithTheContextsSettings() throws Exception {
        ChildJvm jvm = ChildJvm.defaults().withMaxHeap("96m").withProperty("jmp.test.a", "x  y")
                .withOptions("-Djmp.test.b=p q");
        Context context = Multiprocessing.getContext("spawn").withJvm(jvm);
        SharedQueue<String> report = new SharedQueue<>();
        try (Children children = new Children()) {
            JvmProcess child = children.add(context.process(() -> {
                try {
                    report.put(Runtime.getRuntime().maxMemory() + "|" + System.getProperty("jmp.test.a") + "|"
                            + System.getProperty("jmp.test.b"));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            assertEquals(jvm, child.getChildJvm());
            child.start();
            String[] got = report.get(Duration.ofSeconds(60)).split("\\|");
            assertTrue(Long.parseLong(got[0]) <= 96 * MIB, "max heap " + got[0]);
            assertEquals("x  y", got[1]); // one argument each: never split on spaces
            assertEquals("p q", got[2]);
            assertEquals(0, Children.joinWithin(child, Duration.ofSeconds(30)));
        }
        try (ProcessPool pool = new ProcessPool(1, null, 0, context)) {
            assertEquals("x  y", pool.apply(() -> System.getProperty("jmp.test.a")));
        }
        try (Manager manager = context.manager()) {
            manager.dict().put("k", 1);
            assertEquals(1, manager.dict(java.util.Map.of("k", 1)).get("k"));
        }
    }

    @Test
    void shouldFailInTheParentWithTheJvmsOwnMessageForABadOption() {
        Context context = Multiprocessing.getContext("spawn").withJvm(ChildJvm.defaults()
                .withOptions("-XX:+NoSuchFlagOfJmpTests"));
        JvmProcess process = context.process(() -> { });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, process::start);
        assertTrue(e.getMessage().contains("Unrecognized VM option 'NoSuchFlagOfJmpTests'"), e.getMessage());
        IllegalArgumentException pool = assertThrows(IllegalArgumentException.class,
                () -> new ProcessPool(1, null, 0, context));
        assertTrue(pool.getMessage().contains("NoSuchFlagOfJmpTests"), pool.getMessage());
    }

    @Test
    void shouldRefuseAJavaOlderThan22AndRunAnotherOneSetAsExecutable() throws Exception {
        Path java17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
        assumeTrue(Files.isExecutable(java17), "no Java 17 at " + java17);
        JvmProcess old = new JvmProcess(() -> { });
        old.setChildJvm(ChildJvm.defaults().withExecutable(java17));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, old::start);
        assertTrue(e.getMessage().contains("is Java 17 (expected Java 22 or newer"), e.getMessage());

        Path same = Path.of(System.getProperty("java.home"), "bin", "java");
        ChildJvm before = Multiprocessing.getChildJvm();
        Multiprocessing.setExecutable(same);
        try (Children children = new Children()) {
            JvmProcess child = children.start(() -> { });
            assertEquals(0, Children.joinWithin(child, Duration.ofSeconds(30)));
            assertEquals(same.toAbsolutePath(), child.getChildJvm().executable().orElseThrow());
        } finally {
            Multiprocessing.setChildJvm(before);
        }
    }
}

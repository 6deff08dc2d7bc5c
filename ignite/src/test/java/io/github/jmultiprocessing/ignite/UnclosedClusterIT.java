package io.github.jmultiprocessing.ignite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A program that returns from main without closing its cluster or pool still exits, and its nodes with it. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class UnclosedClusterIT {

    /** The program: a cluster and a pool, used, never closed. */
    public static final class Program {
        public static void main(String[] args) throws Exception {
            LocalCluster cluster = LocalCluster.start(2);
            ClusterPool pool = new ClusterPool(cluster.ignite());
            System.out.println("result " + pool.apply(() -> 6 * 7));
            System.out.println("nodes " + cluster.nodes().stream().map(node -> Long.toString(node.pid()))
                    .reduce((a, b) -> a + " " + b).orElse(""));
        }
    }

    @Test
    void shouldExitWhenMainReturnsWithoutClosing() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(IgniteJvm.flags());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Program.class.getName());
        Process program = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> output = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(program.getInputStream(),
                StandardCharsets.UTF_8))) {
            out.lines().forEach(output::add);
        }
        boolean exited = program.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            program.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertTrue(exited, "the program did not exit within 60 s of its main returning: " + output);
        assertEquals(0, program.exitValue(), "exit code; output " + output);
        assertTrue(output.contains("result 42"), "output " + output);
        String nodes = output.stream().filter(line -> line.startsWith("nodes ")).findFirst().orElseThrow();
        for (String pid : nodes.substring("nodes ".length()).split(" ")) {
            ProcessHandle node = ProcessHandle.of(Long.parseLong(pid)).orElse(null);
            if (node != null) {
                node.onExit().get(30, TimeUnit.SECONDS); // a node stops once its parent's pipe closes
            }
        }
    }
}

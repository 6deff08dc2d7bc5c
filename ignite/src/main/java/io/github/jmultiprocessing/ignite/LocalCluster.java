package io.github.jmultiprocessing.ignite;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;

/**
 * A cluster of Ignite server nodes on this machine, each in a JVM of its own started from this one (the same
 * {@code java}, class path and Ignite flags), with this JVM joined as a client: the default for development, so that
 * a first program needs no setup. Closing it stops the client and every node and deletes the cluster's work
 * directory; a node also stops by itself when this JVM dies (its standard input ends).
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.start(2);
 *      ClusterPool pool = new ClusterPool(cluster.ignite())) {
 *     List<Long> cubes = pool.map(x -> x * x * x, List.of(1L, 2L, 3L));
 * }
 * }</pre>
 */
public final class LocalCluster implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final String name;
    private final Path workDirectory;
    private final List<Process> nodes;
    private final Ignite client;
    private volatile boolean closed;

    private LocalCluster(String name, Path workDirectory, List<Process> nodes, Ignite client) {
        this.name = name;
        this.workDirectory = workDirectory;
        this.nodes = nodes;
        this.client = client;
    }

    /**
     * Starts {@code nodes} server node JVMs and joins this JVM to them as a client.
     *
     * @param nodes the number of server nodes, at least 1
     * @return the cluster, its nodes joined
     * @throws IllegalArgumentException if nodes is not within 1 to 19
     * @throws IllegalStateException    if this JVM lacks a flag of {@link IgniteJvm#ADD_OPENS} (named in the message)
     * @throws UncheckedIOException     if a node cannot be started or does not join in time (the others are stopped)
     */
    public static LocalCluster start(int nodes) {
        if (nodes < 1 || nodes > NodeConfig.MAX_NODES) {
            throw new IllegalArgumentException("nodes=" + nodes + " (expected 1 to " + NodeConfig.MAX_NODES + ")");
        }
        List<String> missing = IgniteJvm.missingHere();
        if (!missing.isEmpty()) {
            throw new IllegalStateException(IgniteJvm.advice(missing));
        }
        String name = "jmp-" + UUID.randomUUID().toString().substring(0, 8);
        int portBase = 20_000 + NodeConfig.PORTS * ThreadLocalRandom.current().nextInt(1_000);
        List<Process> started = new ArrayList<>();
        Path work = null;
        Ignite client = null;
        try {
            work = Files.createTempDirectory(name);
            List<CompletableFuture<Void>> ready = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                Process node = startNode(name, portBase, work, "node" + i);
                started.add(node);
                ready.add(watch(node, "node" + i));
            }
            CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new))
                    .get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            client = Ignition.start(NodeConfig.of(name, portBase, work, true, "client"));
            // Another local cluster that drew the same ports would have merged with this one: refuse it.
            List<Object> strangers = client.cluster().forServers().nodes().stream().map(node -> node.consistentId())
                    .filter(id -> !String.valueOf(id).startsWith(name + "-")).toList();
            if (!strangers.isEmpty() || client.cluster().forServers().nodes().size() != nodes) {
                throw new IllegalStateException("the cluster " + name + " has server nodes " + client.cluster()
                        .forServers().nodes().stream().map(node -> node.consistentId()).toList() + " (expected its "
                        + nodes + " own: another local cluster may share its ports; try again)");
            }
            LocalCluster cluster = new LocalCluster(name, work, List.copyOf(started), client);
            cluster.closeAfterMain();
            return cluster;
        } catch (Exception e) {
            if (client != null) {
                try {
                    client.close();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
            }
            stop(started);
            deleteQuietly(work);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new UncheckedIOException(new IOException("local Ignite cluster of " + nodes
                    + " node(s) did not start: " + e, e));
        }
    }

    /**
     * Closes the cluster once the program's {@code main} has returned and only the client's own threads keep the
     * JVM alive: Ignite's threads are not daemon threads, so a program that returns from {@code main} without closing
     * its cluster would otherwise never exit (the JVM then runs {@code DestroyJavaVM}, waiting for them). A daemon
     * thread looks every 200 ms; any other live non-daemon thread (the program's own) keeps the cluster open.
     */
    private void closeAfterMain() {
        String mine = "%" + client.name() + "%"; // Ignite names its threads "...%instance%"
        Thread watcher = new Thread(() -> {
            while (!closed) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
                boolean mainReturned = false;
                boolean others = false;
                for (Thread thread : Thread.getAllStackTraces().keySet()) {
                    if (thread.getName().equals("DestroyJavaVM")) {
                        mainReturned = true;
                    } else if (!thread.isDaemon() && thread.isAlive() && !thread.getName().contains(mine)) {
                        others = true;
                    }
                }
                if (mainReturned && !others) {
                    close();
                    return;
                }
            }
        }, "jmultiprocessing-ignite " + name + " exit watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static Process startNode(String cluster, int portBase, Path work, String node) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow(
                () -> new IOException("the java command of this JVM is unknown")));
        command.addAll(IgniteJvm.flags());
        command.add("-DIGNITE_NO_ASCII=true");
        command.add("-DIGNITE_UPDATE_NOTIFIER=false");
        command.add("-DIGNITE_PERFORMANCE_SUGGESTIONS_DISABLED=true");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(NodeMain.class.getName());
        command.add(cluster);
        command.add(Integer.toString(portBase));
        command.add(work.toString());
        command.add(node);
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /**
     * Reads a node's output on a daemon thread of its own, relaying it, for as long as the node runs: {@return
     * completed once the node has joined, failed if it exits first}
     */
    private static CompletableFuture<Void> watch(Process node, String name) {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.equals(NodeMain.READY)) {
                        ready.complete(null);
                    } else {
                        System.out.println(line);
                    }
                }
            } catch (IOException e) {
                // the node is gone
            }
            ready.completeExceptionally(new IllegalStateException(name + " exited before it joined"));
        }, "jmultiprocessing-ignite " + name + " output");
        reader.setDaemon(true);
        reader.start();
        return ready;
    }

    /** {@return this JVM's client node, through which pools and managers reach the cluster} */
    public Ignite ignite() {
        return client;
    }

    /** {@return the cluster's name: the prefix of its nodes' instance names} */
    public String name() {
        return name;
    }

    /** {@return the node JVMs, in the order they were started (for tests: a node to kill)} */
    public List<ProcessHandle> nodes() {
        return nodes.stream().map(Process::toHandle).toList();
    }

    /** Stops the client and every node (each within 10 s, then killed) and deletes the work directory. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            client.close();
        } catch (RuntimeException e) {
            // the nodes are stopped below in any case
        } finally {
            stop(nodes);
            deleteQuietly(workDirectory);
        }
    }

    /** Ends the nodes' standard input (they stop), and kills those still running after 10 s; waits for them. */
    private static void stop(List<Process> nodes) {
        for (Process node : nodes) {
            try {
                node.getOutputStream().close();
            } catch (IOException e) {
                // already gone
            }
        }
        boolean interrupted = false;
        for (Process node : nodes) {
            try {
                if (!node.waitFor(10, TimeUnit.SECONDS)) {
                    node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                node.destroyForcibly();
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path directory) {
        if (directory == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // left for the OS's temporary directory cleaning
        }
    }
}

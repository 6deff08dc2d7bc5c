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
import java.util.function.UnaryOperator;
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
public final class LocalCluster implements Cluster {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /**
     * Ports of a cluster: discovery at base .. base + 19 (its server nodes), communication at base + 120 .. base +
     * 239 (every node: its servers, this JVM's client and the clients of child processes that use a manager's
     * proxies, up to about 100 at once).
     */
    private static final int PORTS = 240;
    /** Most server nodes of a cluster: each takes a discovery port and a communication port, the client one too. */
    static final int MAX_NODES = 19;
    /** How long a silent node is taken for dead (Ignite's default is 10 s). */
    static final Duration FAILURE_DETECTION = Duration.ofSeconds(3);

    private final String name;
    private final ClusterConfig config;
    private final Path workDirectory;
    private final List<Process> nodes;
    private final Ignite client;
    private volatile boolean closed;

    private LocalCluster(String name, ClusterConfig config, Path workDirectory, List<Process> nodes, Ignite client) {
        this.name = name;
        this.config = config;
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
        return start(nodes, UnaryOperator.identity());
    }

    /**
     * Starts a cluster as {@link #start(int)} does, every node of it (and this JVM's client) talking TLS with
     * certificates on both sides ({@link ClusterConfig#withTls}): a node or client without a certificate the trust
     * store holds cannot join it.
     *
     * @param nodes              the number of server nodes, at least 1
     * @param keyStore           the nodes' key and certificate (PKCS12, or JKS if its name ends with .jks)
     * @param keyStorePassword   its password
     * @param trustStore         the certificates the nodes accept
     * @param trustStorePassword its password
     * @return the cluster, its nodes joined
     * @throws IllegalArgumentException if nodes is not within 1 to 19
     * @throws UncheckedIOException     if a node cannot be started or does not join in time
     */
    public static LocalCluster startWithTls(int nodes, Path keyStore, char[] keyStorePassword, Path trustStore,
            char[] trustStorePassword) {
        return start(nodes, config -> config.withTls(keyStore, keyStorePassword, trustStore, trustStorePassword));
    }

    private static LocalCluster start(int nodes, UnaryOperator<ClusterConfig> settings) {
        if (nodes < 1 || nodes > MAX_NODES) {
            throw new IllegalArgumentException("nodes=" + nodes + " (expected 1 to " + MAX_NODES + ")");
        }
        List<String> missing = IgniteJvm.missingHere();
        if (!missing.isEmpty()) {
            throw new IllegalStateException(IgniteJvm.advice(missing));
        }
        String name = "jmp-" + UUID.randomUUID().toString().substring(0, 8);
        int portBase = 20_000 + PORTS * ThreadLocalRandom.current().nextInt((65_000 - 20_000) / PORTS);
        ClusterConfig config = settings.apply(ClusterConfig.of("127.0.0.1:" + portBase + ".." + (portBase + 19))
                .withLocalAddress("127.0.0.1").withPorts(portBase, portBase + PORTS / 2, PORTS / 2)
                .withFailureDetection(FAILURE_DETECTION)).withName(name);
        List<Process> started = new ArrayList<>();
        Path work = null;
        Ignite client = null;
        try {
            work = Files.createTempDirectory(name);
            List<CompletableFuture<Void>> ready = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                Process node = startNode(config, work, "node" + i);
                started.add(node);
                ready.add(watch(node, "node" + i));
            }
            CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new))
                    .get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            client = Ignition.start(config.node(true, "client", work));
            // Another local cluster that drew the same ports would have merged with this one: refuse it.
            List<Object> strangers = client.cluster().forServers().nodes().stream().map(node -> node.consistentId())
                    .filter(id -> !String.valueOf(id).startsWith(name + "-")).toList();
            if (!strangers.isEmpty() || client.cluster().forServers().nodes().size() != nodes) {
                throw new IllegalStateException("the cluster " + name + " has server nodes " + client.cluster()
                        .forServers().nodes().stream().map(node -> node.consistentId()).toList() + " (expected its "
                        + nodes + " own: another local cluster may share its ports; try again)");
            }
            LocalCluster cluster = new LocalCluster(name, config, work, List.copyOf(started), client);
            ClusterClient.register(client, config);
            ExitWatcher.closeAfterMain(client.name(), cluster::close, () -> cluster.closed);
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

    private static Process startNode(ClusterConfig config, Path work, String node) throws IOException {
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
        command.add(work.toString());
        command.add(node);
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put(NodeMain.CONFIG_VARIABLE, NodeMain.encode(config)); // not on the command line
        return builder.start();
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
    @Override
    public Ignite ignite() {
        return client;
    }

    /** {@return how its nodes are configured (loopback, its own ports, TLS if started with it)} */
    @Override
    public ClusterConfig config() {
        return config;
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
        ClusterClient.unregister(client);
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

    static void deleteQuietly(Path directory) {
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

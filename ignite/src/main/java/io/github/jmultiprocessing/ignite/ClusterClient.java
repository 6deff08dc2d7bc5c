package io.github.jmultiprocessing.ignite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteState;
import org.apache.ignite.Ignition;

/**
 * A client node of this JVM in a cluster ({@link Cluster#connect}), and the registry through which a
 * {@link ClusterManager}'s proxy finds its cluster wherever it is read: a node of this JVM that is in that cluster,
 * or else a client joined once with the config the proxy carries (kept until the program's {@code main} returns).
 */
final class ClusterClient implements Cluster {

    private static final AtomicInteger CLIENTS = new AtomicInteger();
    /** How the nodes this library started in this JVM were configured, by instance name. */
    private static final ConcurrentHashMap<String, ClusterConfig> CONFIGS = new ConcurrentHashMap<>();
    /** The clients proxies joined, by cluster id. */
    private static final ConcurrentHashMap<UUID, Ignite> JOINED = new ConcurrentHashMap<>();

    private final Ignite ignite;
    private final ClusterConfig config;
    private final Path workDirectory;
    private volatile boolean closed;

    private ClusterClient(Ignite ignite, ClusterConfig config, Path workDirectory) {
        this.ignite = ignite;
        this.config = config;
        this.workDirectory = workDirectory;
    }

    static ClusterClient connect(ClusterConfig config) {
        List<String> missing = IgniteJvm.missingHere();
        if (!missing.isEmpty()) {
            throw new IllegalStateException(IgniteJvm.advice(missing));
        }
        Path work;
        try {
            work = Files.createTempDirectory("jmp-client");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String node = "client-" + ProcessHandle.current().pid() + "-" + CLIENTS.incrementAndGet();
        Ignite ignite;
        try {
            ignite = Ignition.start(config.node(true, node, work));
        } catch (RuntimeException e) {
            LocalCluster.deleteQuietly(work);
            throw e;
        }
        ClusterClient client = new ClusterClient(ignite, config, work);
        register(ignite, config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LocalCluster.deleteQuietly(work),
                "jmultiprocessing-ignite client work directory")); // a child that ends by System.exit or a throw
        ExitWatcher.closeAfterMain(ignite.name(), client::close, () -> client.closed);
        return client;
    }

    /** Records how a node of this JVM was configured, so that proxies made through it can join from elsewhere. */
    static void register(Ignite ignite, ClusterConfig config) {
        CONFIGS.put(ignite.name(), config);
    }

    /** Forgets a node that is closing. */
    static void unregister(Ignite ignite) {
        CONFIGS.remove(ignite.name());
        JOINED.values().remove(ignite);
    }

    /** {@return how a node of this JVM was configured, or null if this library did not start it} */
    static ClusterConfig configOf(Ignite ignite) {
        return CONFIGS.get(ignite.name());
    }

    /**
     * {@return a started node of this JVM in the cluster of this id}: one already here, or a client joined with the
     * config
     *
     * @param id     the cluster's id ({@code ignite.cluster().id()})
     * @param config how to join it, or null if unknown
     * @throws IllegalStateException if no node here is in it and it cannot be joined
     */
    static Ignite forCluster(UUID id, ClusterConfig config) {
        Ignite known = JOINED.get(id);
        if (known != null && Ignition.state(known.name()) == IgniteState.STARTED) {
            return known;
        }
        for (Ignite ignite : Ignition.allGrids()) {
            try {
                if (id.equals(ignite.cluster().id())) {
                    return ignite;
                }
            } catch (RuntimeException e) {
                // stopping: not this one
            }
        }
        if (config == null) {
            throw new IllegalStateException("no node of the Ignite cluster " + id + " runs in this JVM, and the"
                    + " proxy cannot join it: its manager was made over an Ignite node this library did not start"
                    + " (expected a manager over LocalCluster.ignite() or Cluster.connect(config).ignite())");
        }
        synchronized (JOINED) {
            known = JOINED.get(id);
            if (known != null && Ignition.state(known.name()) == IgniteState.STARTED) {
                return known;
            }
            ClusterClient client = connect(config);
            if (!id.equals(client.ignite.cluster().id())) {
                client.close();
                throw new IllegalStateException("the cluster at " + config + " is no longer the cluster " + id
                        + " the proxy's objects are in");
            }
            JOINED.put(id, client.ignite);
            return client.ignite;
        }
    }

    @Override
    public Ignite ignite() {
        return ignite;
    }

    @Override
    public ClusterConfig config() {
        return config;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        unregister(ignite);
        try {
            ignite.close();
        } finally {
            LocalCluster.deleteQuietly(workDirectory);
        }
    }

    @Override
    public String toString() {
        return "Cluster[client " + ignite.name() + ", " + config + "]";
    }
}

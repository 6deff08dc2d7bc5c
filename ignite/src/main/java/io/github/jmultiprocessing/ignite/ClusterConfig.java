package io.github.jmultiprocessing.ignite;

import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.ignite.configuration.AtomicConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.logger.NullLogger;
import org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder;
import org.apache.ignite.ssl.SslContextFactory;

/**
 * How a node finds and joins an Ignite cluster: the discovery addresses of its server nodes, the ports this node
 * listens on, and TLS. {@link Cluster#connect(ClusterConfig)} joins this JVM to an existing cluster with it;
 * {@link LocalCluster} makes one for the cluster it starts. Immutable; the {@code with} methods return a changed copy.
 *
 * <pre>{@code
 * ClusterConfig config = ClusterConfig.of("10.0.0.1:47500..47509", "10.0.0.2:47500..47509")
 *         .withTls(Path.of("node.p12"), keyStorePassword, Path.of("trust.p12"), trustStorePassword);
 * try (Cluster cluster = Cluster.connect(config);
 *      Pool pool = new ClusterPool(cluster.ignite())) { ... }
 * }</pre>
 *
 * <p>With TLS, every connection of discovery and communication is TLS with certificates on both sides: a node or
 * client whose certificate the others' trust store does not hold cannot join (Ignite's {@link SslContextFactory}).
 * A config is serializable, so that the proxies of a {@link ClusterManager} can join the cluster from a child
 * process: it carries the key stores' paths and passwords, and so does each proxy (they travel to this program's
 * children and to the cluster's nodes; do not write them anywhere else).
 */
public final class ClusterConfig implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Ignite's own default ports. */
    private static final int DISCOVERY_PORT = 47500;
    private static final int COMMUNICATION_PORT = 47100;
    private static final int PORT_RANGE = 20;

    /** The cluster's name. */
    private final String name;
    /** Discovery addresses ({@code host:port} or {@code host:port..port}). */
    private final List<String> addresses;
    /** The address this node listens on, or null for Ignite's choice. */
    private final String localAddress;
    /** This node's first discovery port. */
    private final int discoveryPort;
    /** This node's first communication port. */
    private final int communicationPort;
    /** How many ports from the first ones this node may try. */
    private final int portRange;
    /** Ignite's failure detection timeout. */
    private final long failureDetectionMillis;
    /** How long joining may take. */
    private final long joinMillis;
    /** Key and trust stores, or null for no TLS. */
    private final Tls tls;

    /**
     * The key store that identifies a node and the trust store of the certificates it accepts (PKCS12 or JKS). A
     * class, not a record: proxies carry it through Ignite's marshaller, which cannot set a record's fields.
     */
    private static final class Tls implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        private final String keyStore;
        private final char[] keyStorePassword;
        private final String trustStore;
        private final char[] trustStorePassword;

        Tls(String keyStore, char[] keyStorePassword, String trustStore, char[] trustStorePassword) {
            this.keyStore = keyStore;
            this.keyStorePassword = keyStorePassword;
            this.trustStore = trustStore;
            this.trustStorePassword = trustStorePassword;
        }

        String keyStore() {
            return keyStore;
        }

        char[] keyStorePassword() {
            return keyStorePassword;
        }

        String trustStore() {
            return trustStore;
        }

        char[] trustStorePassword() {
            return trustStorePassword;
        }
    }

    private ClusterConfig(String name, List<String> addresses, String localAddress, int discoveryPort,
            int communicationPort, int portRange, long failureDetectionMillis, long joinMillis, Tls tls) {
        this.name = name;
        this.addresses = addresses;
        this.localAddress = localAddress;
        this.discoveryPort = discoveryPort;
        this.communicationPort = communicationPort;
        this.portRange = portRange;
        this.failureDetectionMillis = failureDetectionMillis;
        this.joinMillis = joinMillis;
        this.tls = tls;
    }

    /**
     * {@return a config that finds the cluster at these discovery addresses}, with Ignite's default ports (discovery
     * 47500, communication 47100, 20 each), failure detection 10 s, a client's join timeout 60 s and no TLS.
     *
     * @param addresses the discovery addresses of server nodes: {@code host}, {@code host:port} or
     *                  {@code host:port1..port2}
     * @throws IllegalArgumentException if none is given or one is blank
     */
    public static ClusterConfig of(String... addresses) {
        List<String> list = List.of(addresses);
        if (list.isEmpty() || list.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("addresses=" + list + " (expected one or more discovery addresses,"
                    + " such as \"10.0.0.1:47500..47509\")");
        }
        return new ClusterConfig("jmp", list, null, DISCOVERY_PORT, COMMUNICATION_PORT, PORT_RANGE, 10_000, 60_000,
                null);
    }

    /**
     * {@return a copy whose nodes listen on this address only} (Ignite's default is every interface).
     *
     * @param address a local host name or IP address
     */
    public ClusterConfig withLocalAddress(String address) {
        return new ClusterConfig(name, addresses, Objects.requireNonNull(address, "address"), discoveryPort,
                communicationPort, portRange, failureDetectionMillis, joinMillis, tls);
    }

    /**
     * {@return a copy whose nodes listen on these ports}: discovery from {@code discoveryPort}, communication from
     * {@code communicationPort}, each taking the first free port of the next {@code range}.
     *
     * @param discoveryPort     the first discovery port
     * @param communicationPort the first communication port
     * @param range             how many ports each may try
     * @throws IllegalArgumentException if a port or the range is out of bounds
     */
    public ClusterConfig withPorts(int discoveryPort, int communicationPort, int range) {
        if (discoveryPort < 1 || communicationPort < 1 || range < 1 || discoveryPort + range > 65_536
                || communicationPort + range > 65_536) {
            throw new IllegalArgumentException("discoveryPort=" + discoveryPort + ", communicationPort="
                    + communicationPort + ", range=" + range + " (expected ports of 1 to 65535)");
        }
        return new ClusterConfig(name, addresses, localAddress, discoveryPort, communicationPort, range,
                failureDetectionMillis, joinMillis, tls);
    }

    /**
     * {@return a copy that takes a node for dead once it was silent this long} (Ignite's failure detection timeout):
     * also how long a failover-safe lock or semaphore of a killed node stays taken, at most, before it is released.
     *
     * @param timeout at least 100 ms
     */
    public ClusterConfig withFailureDetection(Duration timeout) {
        if (timeout.toMillis() < 100) {
            throw new IllegalArgumentException("timeout=" + timeout + " (expected at least 100 ms)");
        }
        return new ClusterConfig(name, addresses, localAddress, discoveryPort, communicationPort, portRange,
                timeout.toMillis(), joinMillis, tls);
    }

    /**
     * {@return a copy whose nodes talk TLS, each side showing a certificate the other must trust}: a node or client
     * whose key store holds no certificate that the cluster's trust stores hold is refused.
     *
     * @param keyStore           this node's key and certificate (PKCS12 or JKS file)
     * @param keyStorePassword   its password
     * @param trustStore         the certificates this node accepts from others
     * @param trustStorePassword its password
     */
    public ClusterConfig withTls(Path keyStore, char[] keyStorePassword, Path trustStore, char[] trustStorePassword) {
        return new ClusterConfig(name, addresses, localAddress, discoveryPort, communicationPort, portRange,
                failureDetectionMillis, joinMillis, new Tls(keyStore.toAbsolutePath().toString(),
                        keyStorePassword.clone(), trustStore.toAbsolutePath().toString(), trustStorePassword.clone()));
    }

    /**
     * {@return a copy whose client nodes give up joining after this long} (none answered, or every answer refused
     * this node: TLS, a foreign cluster).
     *
     * @param timeout at least 1 s
     */
    public ClusterConfig withJoinTimeout(Duration timeout) {
        if (timeout.toMillis() < 1_000) {
            throw new IllegalArgumentException("timeout=" + timeout + " (expected at least 1 s)");
        }
        return new ClusterConfig(name, addresses, localAddress, discoveryPort, communicationPort, portRange,
                failureDetectionMillis, timeout.toMillis(), tls);
    }

    /** {@return a copy without TLS} */
    ClusterConfig withoutTls() {
        return new ClusterConfig(name, addresses, localAddress, discoveryPort, communicationPort, portRange,
                failureDetectionMillis, joinMillis, null);
    }

    /** {@return a copy whose nodes' instance names start with {@code name + "-"}} */
    ClusterConfig withName(String name) {
        return new ClusterConfig(name, addresses, localAddress, discoveryPort, communicationPort, portRange,
                failureDetectionMillis, joinMillis, tls);
    }

    /** {@return the prefix of the instance names of the nodes this config starts} */
    String name() {
        return name;
    }

    /** {@return the failure detection timeout} */
    public Duration failureDetection() {
        return Duration.ofMillis(failureDetectionMillis);
    }

    /** {@return true if the nodes talk TLS} */
    public boolean tls() {
        return tls != null;
    }

    /**
     * {@return the configuration of a node}
     *
     * @param client        true for a client node (holds no data, runs no jobs)
     * @param node          the node's name within the cluster (its instance name is the config's name, "-", it)
     * @param workDirectory Ignite's work directory, or null for Ignite's default
     */
    IgniteConfiguration node(boolean client, String node, Path workDirectory) {
        TcpDiscoveryVmIpFinder finder = new TcpDiscoveryVmIpFinder();
        finder.setAddresses(addresses);
        TcpDiscoverySpi discovery = new TcpDiscoverySpi();
        TcpCommunicationSpi communication = new TcpCommunicationSpi();
        if (localAddress != null) {
            discovery.setLocalAddress(localAddress);
            communication.setLocalAddress(localAddress);
        }
        discovery.setLocalPort(discoveryPort);
        discovery.setLocalPortRange(portRange);
        discovery.setIpFinder(finder);
        communication.setLocalPort(communicationPort);
        communication.setLocalPortRange(portRange);
        IgniteConfiguration configuration = new IgniteConfiguration();
        configuration.setIgniteInstanceName(name + "-" + node);
        configuration.setConsistentId(name + "-" + node);
        configuration.setClientMode(client);
        configuration.setDiscoverySpi(discovery);
        configuration.setCommunicationSpi(communication);
        configuration.setPeerClassLoadingEnabled(true);
        if (workDirectory != null) {
            configuration.setWorkDirectory(workDirectory.toAbsolutePath().toString());
        }
        configuration.setFailureDetectionTimeout(failureDetectionMillis);
        configuration.setClientFailureDetectionTimeout(failureDetectionMillis);
        configuration.setMetricsLogFrequency(0);
        configuration.setClientConnectorConfiguration(null); // no thin-client port (Ignite opens 10800 everywhere)
        configuration.setAtomicConfiguration(new AtomicConfiguration().setBackups(1));
        if (client) {
            discovery.setJoinTimeout(joinMillis); // a client that finds no node fails instead of waiting for good
        }
        if (tls != null) {
            SslContextFactory factory = new SslContextFactory();
            factory.setKeyStoreFilePath(tls.keyStore());
            factory.setKeyStorePassword(tls.keyStorePassword().clone());
            factory.setTrustStoreFilePath(tls.trustStore());
            factory.setTrustStorePassword(tls.trustStorePassword().clone());
            factory.setKeyStoreType(type(tls.keyStore()));
            factory.setTrustStoreType(type(tls.trustStore()));
            configuration.setSslContextFactory(factory);
        }
        configuration.setGridLogger(new NullLogger());
        return configuration;
    }

    private static String type(String store) {
        return store.endsWith(".jks") ? "JKS" : "PKCS12";
    }

    @Override
    public String toString() {
        return "ClusterConfig[addresses=" + addresses + ", localAddress=" + localAddress + ", ports=" + discoveryPort
                + "/" + communicationPort + "+" + portRange + ", failureDetection=" + failureDetectionMillis + " ms"
                + (tls == null ? "" : ", tls, keyStore=" + tls.keyStore() + ", trustStore=" + tls.trustStore()) + "]";
    }
}

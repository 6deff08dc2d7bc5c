package io.github.jmultiprocessing.ignite;

import java.nio.file.Path;
import java.util.List;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.logger.NullLogger;
import org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder;

/**
 * The configuration of a node of a {@link LocalCluster}, server or client: discovery and communication on loopback
 * in a port range of the cluster's own (so that clusters of several programs or test runs never meet), peer class
 * loading on, a work directory of the cluster's own, Ignite's own log off.
 */
final class NodeConfig {

    /** Ports of a cluster: discovery at base .. base + 19, communication at base + 20 .. base + 39. */
    static final int PORTS = 40;

    /** Most server nodes of a cluster: each takes a discovery port and a communication port, the client one too. */
    static final int MAX_NODES = 19;

    /** How long a client waits to join its cluster. */
    static final long JOIN_MILLIS = 60_000;

    /** How long a silent node is taken for dead (Ignite's default is 10 s). */
    static final long FAILURE_DETECTION_MILLIS = 3_000;

    private NodeConfig() {
    }

    static IgniteConfiguration of(String cluster, int portBase, Path workDirectory, boolean client, String name) {
        TcpDiscoveryVmIpFinder finder = new TcpDiscoveryVmIpFinder();
        finder.setAddresses(List.of("127.0.0.1:" + portBase + ".." + (portBase + 19)));
        TcpDiscoverySpi discovery = new TcpDiscoverySpi();
        discovery.setLocalAddress("127.0.0.1");
        discovery.setLocalPort(portBase);
        discovery.setLocalPortRange(20);
        discovery.setIpFinder(finder);
        TcpCommunicationSpi communication = new TcpCommunicationSpi();
        communication.setLocalAddress("127.0.0.1");
        communication.setLocalPort(portBase + 20);
        communication.setLocalPortRange(20);
        IgniteConfiguration configuration = new IgniteConfiguration();
        configuration.setIgniteInstanceName(cluster + "-" + name);
        configuration.setConsistentId(cluster + "-" + name);
        configuration.setClientMode(client);
        configuration.setDiscoverySpi(discovery);
        configuration.setCommunicationSpi(communication);
        configuration.setPeerClassLoadingEnabled(true);
        configuration.setWorkDirectory(workDirectory.toAbsolutePath().toString());
        configuration.setFailureDetectionTimeout(FAILURE_DETECTION_MILLIS);
        configuration.setClientFailureDetectionTimeout(FAILURE_DETECTION_MILLIS);
        configuration.setMetricsLogFrequency(0);
        configuration.setClientConnectorConfiguration(null); // no thin-client port (Ignite opens 10800 on every interface)
        if (client) {
            discovery.setJoinTimeout(JOIN_MILLIS); // a client that finds no node fails instead of waiting for good
        }
        configuration.setGridLogger(new NullLogger());
        return configuration;
    }
}

package io.github.jmultiprocessing.ignite;

import org.apache.ignite.Ignite;

/**
 * This JVM's membership in an Ignite cluster, as a client node: {@link #ignite()} is what {@link ClusterPool} and
 * {@link ClusterManager} take. Either a cluster this JVM started ({@link LocalCluster#start(int)}, for development)
 * or an existing one it joined ({@link #connect(ClusterConfig)}). Closing it leaves the cluster; a
 * {@link LocalCluster} also stops its nodes.
 *
 * <pre>{@code
 * ClusterConfig config = ClusterConfig.of("10.0.0.1:47500..47509", "10.0.0.2:47500..47509");
 * try (Cluster cluster = Cluster.connect(config);
 *      ClusterPool pool = new ClusterPool(cluster.ignite())) {
 *     System.out.println(pool.map(x -> x * x, List.of(1, 2, 3)));     // [1, 4, 9], computed on the nodes
 * }
 * }</pre>
 */
public interface Cluster extends AutoCloseable {

    /**
     * Joins this JVM to an existing cluster as a client node, waiting up to 60 s for a server node to answer.
     *
     * @param config where the cluster is, and TLS
     * @return the membership; close it to leave (it is also closed once the program's {@code main} has returned and
     *         only Ignite's threads are left, so that a program that forgets still exits)
     * @throws IllegalStateException if this JVM lacks a flag of {@link IgniteJvm#ADD_OPENS} (named in the message)
     * @throws org.apache.ignite.IgniteException if the cluster cannot be joined (none answers, or TLS refuses this
     *         node)
     */
    static Cluster connect(ClusterConfig config) {
        return ClusterClient.connect(config);
    }

    /** {@return this JVM's client node of the cluster} */
    Ignite ignite();

    /** {@return how the cluster is joined: what a child process uses to join it too} */
    ClusterConfig config();

    /** Leaves the cluster (a {@link LocalCluster} also stops its nodes). Closing again does nothing. */
    @Override
    void close();
}

/**
 * The cluster backend: jmultiprocessing's pool and manager on an Apache Ignite 2 cluster, so that a program outgrows
 * one machine by changing the line that makes its pool or its manager. {@link
 * io.github.jmultiprocessing.ignite.ClusterPool} implements {@link io.github.jmultiprocessing.Pool}, as
 * {@link io.github.jmultiprocessing.ProcessPool} does; {@link io.github.jmultiprocessing.ignite.ClusterManager}
 * returns the local manager's proxy interfaces ({@code Map}, {@code List}, {@code ManagedQueue}, {@code ManagedLock},
 * ...), their objects kept in the cluster. {@link io.github.jmultiprocessing.ignite.LocalCluster} starts node JVMs on
 * this machine for development; {@link io.github.jmultiprocessing.ignite.Cluster#connect} joins an existing cluster,
 * configured by {@link io.github.jmultiprocessing.ignite.ClusterConfig} (addresses, ports, timeouts, TLS).
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.start(2);                  // two node JVMs on this machine
 *      Pool pool = new ClusterPool(cluster.ignite());                 // was: new ProcessPool(2)
 *      ClusterManager manager = new ClusterManager(cluster.ignite())) {
 *     System.out.println(pool.map(x -> x * x * x, List.of(1, 2, 3))); // [1, 8, 27]
 *     Map<String, Integer> d = manager.dict();                        // a Map, as the local manager's
 *     JvmProcess p = new JvmProcess(() -> d.put("from a child", 1));  // the child joins the cluster to use it
 *     p.start();
 *     p.join();
 * }
 * }</pre>
 *
 * <p>Every JVM that runs an Ignite node or client needs {@link io.github.jmultiprocessing.ignite.IgniteJvm}'s flags.
 */
package io.github.jmultiprocessing.ignite;

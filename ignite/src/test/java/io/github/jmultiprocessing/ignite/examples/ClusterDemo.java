package io.github.jmultiprocessing.ignite.examples;

import io.github.jmultiprocessing.ignite.LocalCluster;

/**
 * The demo's pool and manager programs on a local Ignite cluster of two node JVMs:
 * {@code mvn -q -pl ignite -am test-compile exec:exec@cluster-demo}.
 */
public final class ClusterDemo {

    private ClusterDemo() {
    }

    /**
     * Starts the cluster, runs both programs, stops the cluster.
     *
     * @param args none
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        try (LocalCluster cluster = LocalCluster.start(2)) {
            System.out.println("== Pool on a local Ignite cluster of 2 node JVMs: cube over range(10)");
            ClusterPoolCubes.run(cluster);
            System.out.println("== Manager on the cluster: a child JVM changes a dict and a list");
            ClusterManagerDictList.run(cluster);
        }
    }
}

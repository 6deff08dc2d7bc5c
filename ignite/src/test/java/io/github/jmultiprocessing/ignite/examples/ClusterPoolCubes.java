package io.github.jmultiprocessing.ignite.examples;

import io.github.jmultiprocessing.Pool;
import io.github.jmultiprocessing.ignite.ClusterPool;
import io.github.jmultiprocessing.ignite.LocalCluster;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The demo's pool program ({@code io.github.jmultiprocessing.examples.PoolCubes}) on a cluster: the same lines but
 * the one that makes the pool. Run it with {@code mvn -q -pl ignite -am test-compile exec:exec@cluster-demo}.
 */
public final class ClusterPoolCubes {

    private ClusterPoolCubes() {
    }

    static int cube(int number) {
        return number * number * number;
    }

    /**
     * Runs the program on the cluster and prints the cubes.
     *
     * @param cluster the cluster
     * @return the cubes
     * @throws InterruptedException if interrupted
     */
    public static List<Integer> run(LocalCluster cluster) throws InterruptedException {
        List<Integer> numbers = IntStream.range(0, 10).boxed().toList();
        Pool p = new ClusterPool(cluster.ignite()); // was: Pool p = new ProcessPool();
        List<Integer> result = p.map(ClusterPoolCubes::cube, numbers);
        p.shutdown(); // Python: p.close()
        p.join();
        System.out.println(result);
        return result;
    }

    /**
     * Starts a local cluster of two node JVMs, runs the program, stops the cluster.
     *
     * @param args none
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        System.out.println("== Pool on a local Ignite cluster of 2 node JVMs: cube over range(10)");
        try (LocalCluster cluster = LocalCluster.start(2)) {
            run(cluster);
        }
    }
}

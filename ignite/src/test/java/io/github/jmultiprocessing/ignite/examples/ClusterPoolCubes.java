package io.github.jmultiprocessing.ignite.examples;

import io.github.jmultiprocessing.Pool;
import io.github.jmultiprocessing.ignite.ClusterPool;
import io.github.jmultiprocessing.ignite.LocalCluster;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The demo's pool program ({@code io.github.jmultiprocessing.examples.PoolCubes}) on a cluster: the same lines but
 * the one that makes the pool. {@link ClusterDemo} runs it.
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
}

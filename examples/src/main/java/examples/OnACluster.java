package examples;

import io.github.jmultiprocessing.Pool;
import io.github.jmultiprocessing.ignite.ClusterPool;
import io.github.jmultiprocessing.ignite.LocalCluster;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Tour 6, the same pool on a cluster: {@code ClusterPool} implements {@code Pool}, as {@code ProcessPool} does.
 * {@code LocalCluster} starts two Apache Ignite node JVMs on this machine; {@code Cluster.connect(config)} joins
 * a real cluster instead. On JDK 23+ Ignite 2.18 itself warns about {@code sun.misc.Unsafe} (four lines on stderr;
 * {@code --sun-misc-unsafe-memory-access=allow} silences them; the node JVMs get it).
 */
public class OnACluster {

    static List<Integer> cubes(Pool pool) throws InterruptedException {  // works with either pool
        return pool.map(x -> x * x * x, IntStream.range(0, 10).boxed().toList());
    }

    public static void main(String[] args) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(2);
             Pool pool = new ClusterPool(cluster.ignite())) {             // was: new ProcessPool(2)
            System.out.println("cluster map " + cubes(pool));         // [0, 1, 8, 27, ..., 729]
            String where = pool.apply(() -> "a node, pid " + ProcessHandle.current().pid());
            System.out.println("apply ran on " + where);
        }
    }
}

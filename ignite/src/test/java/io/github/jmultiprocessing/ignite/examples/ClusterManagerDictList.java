package io.github.jmultiprocessing.ignite.examples;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.ignite.ClusterManager;
import io.github.jmultiprocessing.ignite.LocalCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The demo's manager program ({@code io.github.jmultiprocessing.examples.ManagerDictList}) on a cluster: the same
 * lines but the one that makes the manager. The dict and the list are held by the cluster's nodes; the child JVM
 * joins the cluster when it first uses them.
 */
public final class ClusterManagerDictList {

    private ClusterManagerDictList() {
    }

    static void f(Map<Object, Object> d, List<Integer> l) {
        d.put(1, "1");
        d.put("2", 2);
        d.put(0.25, null);
        Collections.reverse(l);
    }

    /** The dict and the list as the parent sees them after the child's changes. */
    public record Result(Map<Object, Object> d, List<Integer> l) {
    }

    /**
     * Runs the program on the cluster and prints the dict and the list.
     *
     * @param cluster the cluster
     * @return what was printed, as copies
     * @throws InterruptedException if interrupted
     */
    public static Result run(LocalCluster cluster) throws InterruptedException {
        try (ClusterManager manager = new ClusterManager(cluster.ignite())) { // was: Multiprocessing.manager()
            Map<Object, Object> d = manager.dict();
            List<Integer> l = manager.list(IntStream.range(0, 10).boxed().toList());
            JvmProcess p = new JvmProcess(() -> f(d, l));
            p.start();
            p.join(Duration.ofMinutes(2));
            System.out.println(d);
            System.out.println(l);
            return new Result(new LinkedHashMap<>(d), new ArrayList<>(l));
        }
    }
}

package io.github.jmultiprocessing.ignite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The cluster pool on a local cluster of two real node JVMs. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClusterPoolIT {

    private static LocalCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = LocalCluster.start(2);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
            for (ProcessHandle node : cluster.nodes()) {
                assertTrue(node.onExit().orTimeout(30, TimeUnit.SECONDS).isDone() || !node.isAlive(),
                        "node " + node.pid() + " left running");
            }
        }
    }

    static long cube(long x) {
        return x * x * x;
    }

    @Test
    void shouldApplyOnANodeJvm() {
        try (ClusterPool pool = new ClusterPool(cluster.ignite())) {
            assertEquals(2, pool.workers());
            long pid = pool.apply(() -> ProcessHandle.current().pid());
            assertTrue(cluster.nodes().stream().anyMatch(node -> node.pid() == pid),
                    "ran in " + pid + ", not in a node JVM " + cluster.nodes());
            assertEquals(42, pool.apply(() -> 6 * 7));
        }
    }

    @Test
    void shouldMapInOrderOnBothNodes() {
        try (ClusterPool pool = new ClusterPool(cluster.ignite())) {
            List<Long> items = LongStream.range(0, 1_000).boxed().toList();
            assertEquals(items.stream().map(ClusterPoolIT::cube).toList(), pool.map(ClusterPoolIT::cube, items));
            assertEquals(items.stream().map(ClusterPoolIT::cube).toList(), pool.map(ClusterPoolIT::cube, items, 7));
            Set<Long> pids = new HashSet<>(pool.map(x -> ProcessHandle.current().pid(),
                    LongStream.range(0, 64).boxed().toList(), 1));
            assertEquals(2, pids.size(), "chunks ran in " + pids);
            assertEquals(List.of(), pool.map(ClusterPoolIT::cube, List.<Long>of()));
        }
    }

    @Test
    void shouldRethrowTheTasksOwnException() {
        try (ClusterPool pool = new ClusterPool(cluster.ignite())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.apply(() -> {
                throw new IllegalArgumentException("bad input 17");
            }));
            assertEquals("bad input 17", e.getMessage());
            assertThrows(ArithmeticException.class, () -> pool.map(x -> 1 / x, List.of(1, 0, 2)));
            assertThrows(IllegalArgumentException.class, () -> pool.map(x -> x, List.of(1), -1));
        }
    }

    @Test
    void shouldRefuseCallsOnceClosed() {
        ClusterPool pool = new ClusterPool(cluster.ignite());
        pool.close();
        assertThrows(IllegalStateException.class, () -> pool.apply(() -> 1));
    }
}

package io.github.jmultiprocessing.ignite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.AsyncResult;
import io.github.jmultiprocessing.WorkerLostException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.ignite.IgniteAtomicLong;
import org.apache.ignite.Ignition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Nodes killed (kill -9) under a running map: the fault rows for the pool. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterPoolFaultIT {

    private static final String STARTED = "jmp-fault-started";

    /** A task of about 20 ms that counts itself started in the cluster (1,000: ~1.3 s on two nodes). */
    static long slowCube(long x) {
        Ignition.localIgnite().atomicLong(STARTED, 0, true).incrementAndGet();
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return x * x * x;
    }

    /** Waits until the cluster has started {@code tasks} tasks, at most a minute. */
    private static void awaitStarted(LocalCluster cluster, long tasks) throws InterruptedException {
        IgniteAtomicLong started = cluster.ignite().atomicLong(STARTED, 0, true);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (started.get() < tasks) {
            assertTrue(System.nanoTime() < deadline, "only " + started.get() + " tasks started in a minute");
            Thread.sleep(5);
        }
    }

    @Test
    void shouldFinishAMapOnTheSurvivorWhenANodeIsKilledInTheMiddle() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(2); ClusterPool pool = new ClusterPool(cluster.ignite())) {
            List<Long> items = LongStream.range(0, 1_000).boxed().toList();
            AsyncResult<List<Long>> results = pool.mapAsync(ClusterPoolFaultIT::slowCube, items, 1);
            awaitStarted(cluster, 100);
            assertTrue(!results.isDone(), "the map ended before the kill: make the tasks longer");
            ProcessHandle victim = cluster.nodes().get(1);
            assertTrue(victim.destroyForcibly(), "kill -9 of node " + victim.pid());
            List<Long> got = results.get(2, TimeUnit.MINUTES);
            assertTrue(items.stream().map(x -> x * x * x).toList().equals(got), "wrong results: " + got.size()
                    + " from " + got.subList(0, Math.min(10, got.size())));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (pool.workers() != 1 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1, pool.workers());
        }
    }

    @Test
    void shouldFailWithWorkerLostWhenNoNodeIsLeft() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(1); ClusterPool pool = new ClusterPool(cluster.ignite())) {
            AsyncResult<List<Long>> results = pool.mapAsync(ClusterPoolFaultIT::slowCube,
                    LongStream.range(0, 1_000).boxed().toList(), 1);
            awaitStarted(cluster, 50);
            assertTrue(cluster.nodes().get(0).destroyForcibly());
            ExecutionException e = assertThrows(ExecutionException.class, () -> results.get(2, TimeUnit.MINUTES));
            assertTrue(e.getCause() instanceof WorkerLostException, "failed with " + e.getCause());
            assertThrows(WorkerLostException.class, () -> pool.apply(() -> 1));
        }
    }

    @Test
    void shouldFailCallsOnceTheWholeClusterIsGone() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(2); ClusterPool pool = new ClusterPool(cluster.ignite())) {
            assertEquals(1, pool.apply(() -> 1));
            long killed = System.nanoTime();
            for (ProcessHandle node : cluster.nodes()) {
                assertTrue(node.destroyForcibly(), "kill -9 of node " + node.pid());
                node.onExit().get(1, TimeUnit.MINUTES);
            }
            assertThrows(WorkerLostException.class, () -> pool.apply(() -> 2));
            long firstFailure = System.nanoTime();
            assertThrows(WorkerLostException.class, () -> pool.map(x -> x, List.of(1, 2, 3)));
            long secondFailure = System.nanoTime();
            System.out.printf("cluster gone: first call failed %d ms after the kill, the next in %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(firstFailure - killed),
                    TimeUnit.NANOSECONDS.toMillis(secondFailure - firstFailure));
            assertTrue(secondFailure - firstFailure < TimeUnit.SECONDS.toNanos(1),
                    "a call once the cluster is known gone took " + (secondFailure - firstFailure) / 1_000_000 + " ms");
        }
    }
}

package io.github.jmultiprocessing.ignite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.AsyncResult;
import io.github.jmultiprocessing.ManagedLock;
import io.github.jmultiprocessing.ManagedQueue;
import io.github.jmultiprocessing.ManagedSemaphore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Nodes killed (kill -9) while they hold the manager's locks, or hold a queue's elements: the fault rows. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterManagerFaultIT {

    /**
     * The bound this test states for a failover-safe lock or semaphore of a killed node to be released to the
     * others: the failure detection timeout ({@link LocalCluster#FAILURE_DETECTION}, 3 s) plus the time Ignite takes
     * to move the cluster to its new topology, with room for a slow machine.
     */
    static final Duration RELEASE_BOUND = LocalCluster.FAILURE_DETECTION.plusSeconds(7);

    @Test
    void shouldReleaseTheLocksAndSemaphoresOfAKilledNodeWithinTheBound() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(2);
                ClusterManager manager = new ClusterManager(cluster.ignite());
                ClusterPool pool = new ClusterPool(cluster.ignite())) {
            ManagedLock lock = manager.lock();
            ManagedLock rlock = manager.rlock();
            ManagedSemaphore semaphore = manager.semaphore(1);
            ManagedQueue<Long> holder = manager.queue();
            Map<String, Long> started = manager.dict();
            AsyncResult<Long> held = pool.applyAsync(() -> {
                if (started.putIfAbsent("holder", ProcessHandle.current().pid()) != null) {
                    return 0L; // Ignite's failover runs the job again on the survivor: that run takes nothing
                }
                lock.acquire();
                rlock.acquire();
                semaphore.acquire();
                holder.put(ProcessHandle.current().pid());
                Thread.sleep(TimeUnit.MINUTES.toMillis(5)); // holds them until killed
                return -1L;
            });
            long pid = holder.get(Duration.ofMinutes(1));
            assertTrue(cluster.nodes().stream().anyMatch(node -> node.pid() == pid), "held in node " + pid);
            assertTrue(!lock.acquire(Duration.ofMillis(200)) && !rlock.acquire(Duration.ofMillis(200))
                    && !semaphore.acquire(Duration.ofMillis(200)), "the node holds all three");
            long killed = System.nanoTime();
            assertTrue(ProcessHandle.of(pid).orElseThrow().destroyForcibly(), "kill -9 of node " + pid);
            List<String> times = new ArrayList<>();
            assertTrue(lock.acquire(RELEASE_BOUND), "the lock was not released within " + RELEASE_BOUND);
            times.add("lock " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed) + " ms");
            assertTrue(rlock.acquire(RELEASE_BOUND), "the rlock was not released within " + RELEASE_BOUND);
            times.add("rlock " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed) + " ms");
            assertTrue(semaphore.acquire(RELEASE_BOUND), "the semaphore was not released within " + RELEASE_BOUND);
            times.add("semaphore " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed) + " ms");
            System.out.println("released after the kill: " + times);
            assertEquals(0L, held.get(1, TimeUnit.MINUTES), "the failed-over job took nothing");
            lock.release();
            rlock.release();
            semaphore.release();
        }
    }

    @Test
    void shouldKeepAQueuesElementsWhenANodeIsKilled() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(2);
                ClusterManager manager = new ClusterManager(cluster.ignite())) {
            ManagedQueue<Integer> q = manager.queue();
            for (int i = 0; i < 1_000; i++) {
                q.put(i);
            }
            ProcessHandle victim = cluster.nodes().get(0);
            assertTrue(victim.destroyForcibly(), "kill -9 of node " + victim.pid());
            victim.onExit().get(30, TimeUnit.SECONDS);
            q.put(1_000); // and it still takes more
            List<Integer> got = new ArrayList<>();
            for (int i = 0; i <= 1_000; i++) {
                got.add(q.get(Duration.ofSeconds(30)));
            }
            assertEquals(IntStream.rangeClosed(0, 1_000).boxed().toList(), got);
            assertEquals(1, cluster.ignite().cluster().forServers().nodes().size(), "one node left");
        }
    }
}

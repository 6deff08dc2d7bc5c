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
                assertTrue(!node.isAlive(), "node " + node.pid() + " left running after close()");
            }
        }
    }

    static long cube(long x) {
        return x * x * x;
    }

    @Test
    void shouldApplyOnANodeJvm() throws Exception {
        try (ClusterPool pool = new ClusterPool(cluster.ignite())) {
            assertEquals(2, pool.workers());
            long pid = pool.apply(() -> ProcessHandle.current().pid());
            assertTrue(cluster.nodes().stream().anyMatch(node -> node.pid() == pid),
                    "ran in " + pid + ", not in a node JVM " + cluster.nodes());
            assertEquals(42, pool.apply(() -> 6 * 7));
        }
    }

    @Test
    void shouldMapInOrderOnBothNodes() throws Exception {
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
    void shouldRethrowTheTasksOwnException() throws Exception {
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

    /** The program of a user: written against the common type, it runs on either pool. */
    static List<Long> cubesOf(io.github.jmultiprocessing.Pool pool, int n) throws InterruptedException {
        return pool.map(ClusterPoolIT::cube, LongStream.range(0, n).boxed().toList());
    }

    @Test
    void shouldRunTheSameProgramOnAProcessPoolAndAClusterPool() throws Exception {
        List<Long> expected = LongStream.range(0, 500).map(ClusterPoolIT::cube).boxed().toList();
        try (io.github.jmultiprocessing.Pool local = new io.github.jmultiprocessing.ProcessPool(2)) {
            assertEquals(expected, cubesOf(local, 500));
        }
        try (io.github.jmultiprocessing.Pool cluster = new ClusterPool(ClusterPoolIT.cluster.ignite())) {
            assertEquals(expected, cubesOf(cluster, 500));
        }
    }

    @Test
    void shouldCallBackBeforeTheResultIsReady() throws Exception {
        try (ClusterPool pool = new ClusterPool(cluster.ignite())) {
            java.util.concurrent.CompletableFuture<Object> seen = new java.util.concurrent.CompletableFuture<>();
            java.util.concurrent.atomic.AtomicReference<io.github.jmultiprocessing.AsyncResult<Integer>> result =
                    new java.util.concurrent.atomic.AtomicReference<>();
            result.set(pool.applyAsync(() -> 6 * 7, value -> seen.complete(value), seen::complete));
            assertEquals(42, result.get().get(1, TimeUnit.MINUTES));
            assertEquals(42, seen.get(1, TimeUnit.MINUTES));
            java.util.concurrent.CompletableFuture<Object> failed = new java.util.concurrent.CompletableFuture<>();
            io.github.jmultiprocessing.AsyncResult<List<Integer>> map = pool.mapAsync(x -> 10 / x, List.of(1, 0),
                    0, failed::complete, failed::complete);
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> map.get(1, TimeUnit.MINUTES));
            assertTrue(e.getCause() instanceof ArithmeticException, "failed with " + e.getCause());
            assertTrue(failed.get(1, TimeUnit.MINUTES) instanceof ArithmeticException);
            assertTrue(map.ready() && !map.successful());
        }
    }

    @Test
    void shouldStarmap() throws Exception {
        try (ClusterPool pool = new ClusterPool(cluster.ignite())) {
            List<Object[]> tuples = List.of(new Object[] {1, 2}, new Object[] {3, 4}, new Object[] {5, 6});
            assertEquals(List.of(3, 7, 11), pool.starmap(t -> (Integer) t[0] + (Integer) t[1], tuples));
            assertEquals(List.of(2, 12, 30), pool.starmapAsync(t -> (Integer) t[0] * (Integer) t[1], tuples, 2)
                    .get(1, TimeUnit.MINUTES));
        }
    }

    @Test
    void shouldImapLazilyInOrderAndGoOnAfterATasksException() throws Exception {
        try (ClusterPool pool = new ClusterPool(cluster.ignite())) {
            java.util.concurrent.atomic.AtomicInteger read = new java.util.concurrent.atomic.AtomicInteger();
            Iterable<Long> endless = () -> new java.util.Iterator<>() {
                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public Long next() {
                    return (long) read.getAndIncrement();
                }
            };
            io.github.jmultiprocessing.IMapIterator<Long> cubes = pool.imap(ClusterPoolIT::cube, endless, 3);
            for (long i = 0; i < 100; i++) {
                assertEquals(cube(i), cubes.next(java.time.Duration.ofMinutes(1)));
            }
            assertTrue(read.get() < 100 + 2 * 2 * 4 * 3 + 3, "read " + read.get() + " items ahead of 100 results");
            io.github.jmultiprocessing.IMapIterator<Integer> tenths = pool.imap(x -> 10 / x, List.of(5, 2, 0, 1));
            assertEquals(2, tenths.next());
            assertEquals(5, tenths.next());
            assertThrows(ArithmeticException.class, tenths::next);
            assertEquals(10, tenths.next());
            assertTrue(!tenths.hasNext());
            assertThrows(java.util.NoSuchElementException.class, tenths::next);
        }
    }

    @Test
    void shouldImapUnorderedEveryResult() {
        try (ClusterPool pool = new ClusterPool(cluster.ignite())) {
            Set<Long> results = new HashSet<>();
            pool.imapUnordered(ClusterPoolIT::cube, LongStream.range(0, 200).boxed().toList(), 7)
                    .forEachRemaining(results::add);
            assertEquals(LongStream.range(0, 200).map(ClusterPoolIT::cube).boxed().collect(
                    java.util.stream.Collectors.toSet()), results);
        }
    }

    @Test
    void shouldShutDownTerminateAndJoin() throws Exception {
        ClusterPool pool = new ClusterPool(cluster.ignite());
        io.github.jmultiprocessing.AsyncResult<Long> done = pool.applyAsync(() -> 7L);
        assertThrows(IllegalStateException.class, pool::join);
        pool.shutdown();
        assertThrows(IllegalStateException.class, () -> pool.apply(() -> 1));
        assertTrue(pool.join(java.time.Duration.ofMinutes(1)));
        assertEquals(7L, done.get(0, TimeUnit.SECONDS));
        assertTrue(pool.isShutdown() && pool.isTerminated());

        ClusterPool busy = new ClusterPool(cluster.ignite());
        io.github.jmultiprocessing.AsyncResult<Long> slow = busy.applyAsync(() -> {
            Thread.sleep(60_000);
            return 1L;
        });
        busy.terminate();
        assertThrows(java.util.concurrent.CancellationException.class, () -> slow.get(10, TimeUnit.SECONDS));
        assertTrue(busy.join(java.time.Duration.ofMinutes(1)));
        assertTrue(busy.isTerminated());
    }

    @Test
    void shouldLetARunningImapFinishAfterShutdown() throws Exception {
        ClusterPool pool = new ClusterPool(cluster.ignite());
        io.github.jmultiprocessing.IMapIterator<Long> cubes = pool.imap(ClusterPoolIT::cube,
                LongStream.range(0, 300).boxed().toList());
        assertEquals(0L, cubes.next());
        pool.shutdown();
        assertThrows(IllegalStateException.class, () -> pool.imap(ClusterPoolIT::cube, List.of(1L)));
        for (long i = 1; i < 300; i++) { // more chunks than the window: submitted after shutdown, as given before it
            assertEquals(cube(i), cubes.next());
        }
        assertTrue(!cubes.hasNext());
        assertTrue(pool.join(java.time.Duration.ofMinutes(1)));
    }

    @Test
    void shouldRefuseAJoinFromACallback() throws Exception {
        ClusterPool pool = new ClusterPool(cluster.ignite());
        java.util.concurrent.CompletableFuture<Throwable> seen = new java.util.concurrent.CompletableFuture<>();
        pool.shutdown();
        ClusterPool other = new ClusterPool(cluster.ignite());
        other.applyAsync(() -> 1, value -> {
            other.shutdown();
            try {
                other.join();
                seen.complete(null);
            } catch (RuntimeException | InterruptedException e) {
                seen.complete(e);
            }
        }, seen::complete).get(1, TimeUnit.MINUTES);
        assertTrue(seen.get(1, TimeUnit.MINUTES) instanceof IllegalStateException, "join from a callback: "
                + seen.getNow(null));
        assertTrue(other.join(java.time.Duration.ofMinutes(1)));
        assertTrue(pool.join(java.time.Duration.ofSeconds(10)));
    }

    @Test
    void shouldServeAsAnExecutorService() throws Exception {
        try (ClusterPool pool = new ClusterPool(cluster.ignite())) {
            ClusterExecutor executor = pool.asExecutorService();
            assertEquals(27, executor.submit(() -> 3 * 3 * 3).get(1, TimeUnit.MINUTES));
            assertEquals("done", executor.submit(() -> { }, "done").get(1, TimeUnit.MINUTES));
            java.util.concurrent.Callable<Integer> plain = new java.util.concurrent.Callable<>() {
                @Override
                public Integer call() {
                    return 1;
                }
            };
            assertThrows(IllegalArgumentException.class, () -> executor.submit(plain));
            List<io.github.jmultiprocessing.SerializableCallable<Long>> tasks = List.of(() -> 1L, () -> 2L, () -> 3L);
            List<Long> all = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<Long> future : executor.invokeAll(tasks)) {
                all.add(future.get());
            }
            assertEquals(List.of(1L, 2L, 3L), all);
            assertTrue(Set.of(1L, 2L, 3L).contains(executor.invokeAny(tasks)));
            java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> executor.submit(() -> 1 / 0).get(1, TimeUnit.MINUTES));
            assertTrue(failed.getCause() instanceof ArithmeticException, "failed with " + failed.getCause());
            java.util.concurrent.ExecutorService view = pool.asExecutorService(); // the common type's
            assertEquals(6, view.submit((io.github.jmultiprocessing.SerializableCallable<Integer>) () -> 6)
                    .get(1, TimeUnit.MINUTES));
            executor.shutdown();
            assertThrows(java.util.concurrent.RejectedExecutionException.class, () -> executor.submit(() -> 1));
            assertTrue(executor.awaitTermination(1, TimeUnit.MINUTES));
            assertTrue(executor.isTerminated());
        }
    }
}

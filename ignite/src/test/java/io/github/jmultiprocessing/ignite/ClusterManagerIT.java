package io.github.jmultiprocessing.ignite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.ManagedBarrier;
import io.github.jmultiprocessing.ManagedCondition;
import io.github.jmultiprocessing.ManagedEvent;
import io.github.jmultiprocessing.ManagedJoinableQueue;
import io.github.jmultiprocessing.ManagedLock;
import io.github.jmultiprocessing.ManagedQueue;
import io.github.jmultiprocessing.ManagedSemaphore;
import io.github.jmultiprocessing.ManagedValue;
import io.github.jmultiprocessing.Namespace;
import io.github.jmultiprocessing.QueueEmptyException;
import io.github.jmultiprocessing.QueueFullException;
import io.github.jmultiprocessing.QueueShutDownException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The cluster manager's objects on a local cluster of two real node JVMs, used from threads, nodes and children. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClusterManagerIT {

    private static LocalCluster cluster;
    private ClusterManager manager;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeAll
    static void startCluster() {
        cluster = LocalCluster.start(2);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void makeManager() {
        manager = new ClusterManager(cluster.ignite());
    }

    @AfterEach
    void closeManager() throws InterruptedException {
        manager.close();
        threads.shutdownNow();
        assertTrue(threads.awaitTermination(30, TimeUnit.SECONDS));
    }

    @Test
    void shouldKeepADictsEntriesInInsertionOrderWithNullValues() {
        Map<Object, Object> d = manager.dict();
        d.put(1, "1");
        d.put("2", 2);
        d.put(0.25, null);
        d.put(1, "one"); // an update keeps the key's place
        assertEquals("{1=one, 2=2, 0.25=null}", d.toString());
        assertEquals(3, d.size());
        assertTrue(d.containsKey(0.25));
        assertNull(d.get(0.25));
        assertEquals("one", d.putIfAbsent(1, "x"));
        assertNull(d.putIfAbsent(7, "seven"));
        assertFalse(d.remove(7, "six"));
        assertTrue(d.remove(7, "seven"));
        assertTrue(d.replace("2", 2, 22));
        assertEquals(22, d.replace("2", 3));
        assertEquals(List.of(1, "2", 0.25), new ArrayList<>(d.keySet()));
        assertThrows(UnsupportedOperationException.class, () -> d.keySet().clear(), "views are copies");
        assertThrows(NullPointerException.class, () -> d.put(null, 1));
        d.putAll(Map.of("a", 1));
        assertEquals(4, d.size());
        assertEquals(d, d);
        d.clear();
        assertTrue(d.isEmpty());
        Map<String, Integer> initial = new LinkedHashMap<>();
        initial.put("z", 26);
        initial.put("a", 1);
        assertEquals("{z=26, a=1}", manager.dict(initial).toString());
    }

    @Test
    void shouldChangeAListThroughItsIteratorsAndCollections() {
        List<Integer> l = manager.list(IntStream.range(0, 10).boxed().toList());
        Collections.reverse(l);
        assertEquals(List.of(9, 8, 7, 6, 5, 4, 3, 2, 1, 0), new ArrayList<>(l));
        Collections.sort(l);
        assertEquals(IntStream.range(0, 10).boxed().toList(), new ArrayList<>(l));
        l.subList(2, 5).clear();
        assertEquals(List.of(0, 1, 5, 6, 7, 8, 9), new ArrayList<>(l));
        l.removeIf(x -> x % 2 == 1);
        assertEquals("[0, 6, 8]", l.toString());
        l.add(1, 3);
        assertEquals(3, l.set(1, 4));
        assertEquals(1, l.indexOf(4));
        assertEquals(4, l.remove(1));
        assertThrows(IndexOutOfBoundsException.class, () -> l.get(10));
        l.add(null);
        assertTrue(l.contains(null));
        assertEquals(4, l.size());
    }

    @Test
    void shouldHoldANamespaceAndAValue() {
        Namespace ns = manager.namespace();
        ns.set("x", 1);
        ns.set("y", null);
        assertEquals(1, ns.get("x"));
        assertNull(ns.get("y"));
        ns.delete("y");
        assertThrows(NoSuchElementException.class, () -> ns.get("y"));
        assertEquals(Map.of("x", 1), ns.attributes());
        assertEquals("Namespace(x=1)", ns.toString());
        ManagedValue<String> v = manager.value("a");
        assertEquals("a", v.get());
        v.set(null);
        assertNull(v.get());
    }

    @Test
    void shouldPassQueueElementsBetweenThreadsAndShutDown() throws Exception {
        ManagedQueue<Integer> q = manager.queue(2);
        q.put(1);
        q.putNowait(2);
        assertThrows(QueueFullException.class, () -> q.putNowait(3));
        assertFalse(q.offer(3, 50, TimeUnit.MILLISECONDS));
        assertEquals(1, q.get());
        assertEquals(2, q.getNowait());
        assertThrows(QueueEmptyException.class, q::getNowait);
        assertThrows(QueueEmptyException.class, () -> q.get(Duration.ofMillis(50)));
        Future<Integer> taker = threads.submit(q::take);
        Thread.sleep(200);
        q.put(5);
        assertEquals(5, taker.get(30, TimeUnit.SECONDS));
        q.put(6);
        Future<Integer> blocked = threads.submit(() -> {
            q.take();
            return q.take(); // waits: the shutdown wakes it
        });
        Thread.sleep(300);
        long shutdownAt = System.nanoTime();
        q.shutdown();
        Exception e = assertThrows(Exception.class, () -> blocked.get(30, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof QueueShutDownException, e.toString());
        assertTrue(System.nanoTime() - shutdownAt < TimeUnit.SECONDS.toNanos(2), "woke within the slice");
        assertTrue(q.isShutdown());
        assertThrows(QueueShutDownException.class, () -> q.put(7));
    }

    @Test
    void shouldJoinAJoinableQueueOnceEveryElementIsDone() throws Exception {
        ManagedJoinableQueue<String> q = manager.joinableQueue();
        q.put("a");
        q.put("b");
        assertFalse(q.join(Duration.ofMillis(100)));
        Future<?> worker = threads.submit(() -> {
            for (int i = 0; i < 2; i++) {
                q.take();
                q.taskDone();
            }
            return null;
        });
        assertTrue(q.join(Duration.ofSeconds(30)));
        worker.get(30, TimeUnit.SECONDS);
        assertThrows(IllegalStateException.class, q::taskDone);
    }

    @Test
    void shouldLockAcrossThreadsAsPythonsLockAndRLock() throws Exception {
        ManagedLock lock = manager.lock();
        lock.acquire();
        assertFalse(threads.submit(() -> lock.acquire(Duration.ofMillis(100))).get(30, TimeUnit.SECONDS));
        threads.submit(lock::release).get(30, TimeUnit.SECONDS); // a Lock is released by anyone
        assertTrue(lock.tryLock());
        lock.unlock();
        assertThrows(IllegalStateException.class, lock::release);

        ManagedLock rlock = manager.rlock();
        rlock.acquire();
        rlock.acquire(); // reentrant
        assertThrows(Exception.class, () -> threads.submit(rlock::release).get(30, TimeUnit.SECONDS));
        rlock.release();
        assertFalse(threads.submit(() -> rlock.acquire(Duration.ofMillis(100))).get(30, TimeUnit.SECONDS));
        rlock.release();
        assertTrue(threads.submit(() -> {
            boolean taken = rlock.acquire(Duration.ofSeconds(5));
            rlock.release();
            return taken;
        }).get(30, TimeUnit.SECONDS));
    }

    @Test
    void shouldCountSemaphorePermits() throws Exception {
        ManagedSemaphore s = manager.semaphore(2);
        s.acquire();
        assertTrue(s.acquire(Duration.ZERO));
        assertFalse(s.acquire(Duration.ofMillis(50)));
        s.release();
        s.release();
        s.release(); // unbounded
        assertEquals(3, s.getValue());
        ManagedSemaphore bounded = manager.boundedSemaphore(1);
        bounded.acquire();
        bounded.release();
        assertThrows(IllegalStateException.class, bounded::release);
    }

    @Test
    void shouldWaitOnAConditionAndAnEvent() throws Exception {
        ManagedCondition c = manager.condition();
        ManagedValue<Integer> ready = manager.value(0);
        assertThrows(IllegalStateException.class, c::signal, "the lock is not held");
        Future<Boolean> waiter = threads.submit(() -> {
            c.acquire();
            try {
                return c.waitFor(() -> ready.get() == 1, Duration.ofSeconds(30));
            } finally {
                c.release();
            }
        });
        Thread.sleep(300);
        c.acquire();
        ready.set(1);
        c.signalAll();
        c.release();
        assertTrue(waiter.get(30, TimeUnit.SECONDS));

        ManagedEvent e = manager.event();
        assertFalse(e.await(Duration.ofMillis(100)));
        Future<Boolean> eventWaiter = threads.submit(() -> e.await(Duration.ofSeconds(30)));
        Thread.sleep(300);
        e.set();
        assertTrue(eventWaiter.get(30, TimeUnit.SECONDS));
        assertTrue(e.isSet());
        e.clear();
        assertFalse(e.isSet());
    }

    @Test
    void shouldReleaseABarriersPartiesTogetherAndBreakOnTimeout() throws Exception {
        ManagedBarrier b = manager.barrier(3);
        List<Future<Integer>> parties = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            parties.add(threads.submit(() -> b.await()));
        }
        Set<Integer> indexes = new HashSet<>();
        for (Future<Integer> party : parties) {
            indexes.add(party.get(30, TimeUnit.SECONDS));
        }
        assertEquals(Set.of(0, 1, 2), indexes);
        Future<Integer> other = threads.submit(() -> b.await());
        assertThrows(TimeoutException.class, () -> b.await(Duration.ofMillis(300)));
        Exception broken = assertThrows(Exception.class, () -> other.get(30, TimeUnit.SECONDS));
        assertTrue(broken.getCause() instanceof BrokenBarrierException, broken.toString());
        assertTrue(b.isBroken());
        b.reset();
        assertFalse(b.isBroken());
        assertEquals(0, b.getNumberWaiting());
    }

    @Test
    void shouldReachTheSameObjectsFromNodeTasksUnderAClusterLock() throws Exception {
        ManagedLock lock = manager.lock();
        Map<String, Integer> counts = manager.dict();
        counts.put("n", 0);
        try (ClusterPool pool = new ClusterPool(cluster.ignite())) {
            pool.map(i -> {
                lock.acquire();
                try {
                    counts.put("n", counts.get("n") + 1); // not atomic: only the lock makes it right
                } finally {
                    lock.release();
                }
                return i;
            }, IntStream.range(0, 40).boxed().toList(), 1);
        }
        assertEquals(40, counts.get("n"));
    }

    @Test
    void shouldReachTheSameQueueFromAChildJvm() throws Exception {
        ManagedQueue<String> q = manager.queue();
        ManagedEvent done = manager.event();
        JvmProcess child = new JvmProcess(() -> {
            q.put("from " + ProcessHandle.current().pid());
            done.set();
        });
        child.start();
        child.join(Duration.ofMinutes(1));
        assertEquals(0, child.exitCode().orElse(-1));
        assertTrue(done.isSet());
        assertEquals("from " + child.pid().orElseThrow(), q.get(Duration.ofSeconds(10)));
    }

    @Test
    void shouldKeepALockExclusiveWhenItsTakerLeavesAfterAnotherReleasedIt() throws Exception {
        ManagedLock lock = manager.lock();
        ManagedEvent held = manager.event();
        ManagedEvent released = manager.event();
        JvmProcess child = new JvmProcess(() -> {
            lock.acquire();
            held.set();
            released.await(); // then ends: its client leaves the cluster
        });
        child.start();
        assertTrue(held.await(Duration.ofMinutes(1)));
        assertFalse(lock.tryLock(), "the child holds it");
        lock.release(); // Python's Lock: released by anyone
        released.set();
        child.join(Duration.ofMinutes(1));
        assertEquals(0, child.exitCode().orElse(-1));
        Thread.sleep(1_500); // the child's client has left the cluster: nothing of it may be given back again
        assertTrue(lock.tryLock());
        assertFalse(threads.submit(() -> lock.tryLock()).get(30, TimeUnit.SECONDS), "one holder, not two");
        lock.release();
        assertTrue(lock.acquire(Duration.ofSeconds(Long.MAX_VALUE)), "a very long timeout does not overflow");
    }

    @Test
    void shouldWakeAnEventsWaiterOnASetThenClear() throws Exception {
        ManagedEvent e = manager.event();
        Future<Boolean> waiter = threads.submit(() -> e.await(Duration.ofSeconds(30)));
        Thread.sleep(500);
        e.set();
        e.clear();
        assertTrue(waiter.get(30, TimeUnit.SECONDS), "a waiter woken by set() returns true, as Python's");
    }

    @Test
    void shouldReplaceADictsValuesAndRefuseWritesToItsCopies() {
        Map<String, Integer> d = manager.dict(Map.of("a", 1, "b", 2));
        d.replaceAll((k, v) -> v * 10);
        assertEquals(Map.of("a", 10, "b", 20), new LinkedHashMap<>(d));
        assertThrows(UnsupportedOperationException.class, () -> d.entrySet().iterator().next().setValue(0));
    }

    @Test
    void shouldRemoveThroughAQueuesIteratorAndClampOnImmediateShutdown() throws Exception {
        ManagedJoinableQueue<Integer> q = manager.joinableQueue();
        q.put(1);
        q.put(2);
        q.taskDone(); // before taking: the count goes to 1
        q.removeIf(x -> x == 1);
        assertEquals(List.of(2), new ArrayList<>(q));
        q.shutdown(true); // drops 2, counts it done: the count stops at 0
        assertTrue(q.join(Duration.ofSeconds(10)));
        assertThrows(QueueShutDownException.class, q::take);
    }

    @Test
    void shouldBreakABarrierRoundWhenAWaitingPartysProcessIsKilled() throws Exception {
        ManagedBarrier b = manager.barrier(2);
        JvmProcess child = new JvmProcess(() -> {
            try {
                b.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        child.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (b.getNumberWaiting() != 1) {
            assertTrue(System.nanoTime() < deadline, "the child never arrived");
            Thread.sleep(50);
        }
        child.kill();
        child.join(Duration.ofSeconds(30));
        while (cluster.ignite().cluster().forClients().nodes().size() > 1) { // until the cluster saw it leave
            assertTrue(System.nanoTime() < deadline, "the cluster never dropped the killed child's node");
            Thread.sleep(50);
        }
        assertThrows(BrokenBarrierException.class, () -> b.await(Duration.ofSeconds(30)),
                "a dead party breaks the round, it does not count as arrived");
        b.reset();
        List<Future<Integer>> parties = List.of(threads.submit(() -> b.await()), threads.submit(() -> b.await()));
        Set<Integer> indexes = new HashSet<>();
        for (Future<Integer> party : parties) {
            indexes.add(party.get(30, TimeUnit.SECONDS));
        }
        assertEquals(Set.of(0, 1), indexes, "the barrier works again after reset");
    }

    @Test
    void shouldLetCallersWaitingInLocksAndEventsLeaveWhenClosed() throws Exception {
        ManagedLock rlock = manager.rlock();
        ManagedEvent event = manager.event();
        rlock.acquire();
        Future<?> lockWaiter = threads.submit(() -> {
            rlock.acquire();
            return null;
        });
        Future<?> eventWaiter = threads.submit(() -> {
            event.await();
            return null;
        });
        Thread.sleep(500);
        long closing = System.nanoTime();
        manager.close();
        assertTrue(System.nanoTime() - closing < TimeUnit.SECONDS.toNanos(10), "close waited for its waiters");
        for (Future<?> waiter : List.of(lockWaiter, eventWaiter)) {
            Exception e = assertThrows(Exception.class, () -> waiter.get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
        }
    }

    @Test
    void shouldRefuseItsObjectsOnceClosed() {
        Map<String, Integer> d = manager.dict();
        List<Integer> l = manager.list();
        ManagedLock lock = manager.lock();
        ManagedQueue<Integer> q = manager.queue();
        manager.close();
        assertThrows(IllegalStateException.class, () -> d.put("a", 1));
        assertThrows(IllegalStateException.class, () -> l.add(1));
        assertThrows(IllegalStateException.class, lock::acquire);
        assertThrows(IllegalStateException.class, () -> q.put(1));
        assertThrows(IllegalStateException.class, manager::dict);
    }
}

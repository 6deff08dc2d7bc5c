package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.Children;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The manager's standard types across a server JVM and client JVMs. */
class ManagerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    static void seedChild(Map<Integer, String> d, List<Integer> l) {
        d.put(1, "1");
        d.put(2, "2");
        Collections.reverse(l);
    }

    @Test
    void shouldShareADictAndAListWithAChildAsThePythonSeedDoes() throws Exception {
        try (Children children = new Children(); Manager manager = Multiprocessing.manager()) {
            Map<Integer, String> d = manager.dict();
            List<Integer> l = manager.list(IntStream.range(0, 10).boxed().toList());
            JvmProcess p = children.start(() -> seedChild(d, l));
            assertEquals(0, Children.joinWithin(p, WAIT));
            assertEquals(Map.of(1, "1", 2, "2"), Map.copyOf(d));
            assertEquals("{1=1, 2=2}", d.toString(), "the server's own text, in insertion order");
            assertEquals(List.of(9, 8, 7, 6, 5, 4, 3, 2, 1, 0), new ArrayList<>(l));
        }
    }

    @Test
    void shouldBehaveAsMapAndListAndRethrowTheServersExceptions() throws Exception {
        try (Manager manager = Multiprocessing.manager()) {
            Map<String, Integer> d = manager.dict(Map.of("a", 1));
            assertEquals(1, d.get("a"));
            assertEquals(null, d.put("b", 2));
            assertEquals(2, d.size());
            assertTrue(d.containsKey("b"));
            assertEquals(7, d.getOrDefault("zz", 7), "a default method, run here");
            d.merge("a", 10, Integer::sum);
            assertEquals(11, d.get("a"));
            d.replaceAll((java.util.function.BiFunction<String, Integer, Integer> & java.io.Serializable) (k, v)
                    -> v * 2); // on the server, atomically: the function travels, so it must be serializable
            assertEquals(Map.of("a", 22, "b", 4), Map.copyOf(d));
            assertEquals(java.util.Set.of("a", "b"), d.keySet(), "keys: a copy, as Python's keys()");
            List<String> l = manager.list();
            l.add("x");
            l.addAll(List.of("y", "z"));
            assertEquals(List.of("x", "y", "z"), new ArrayList<>(l), "iteration over a copy");
            assertEquals("y", l.get(1));
            l.sort(java.util.Comparator.reverseOrder());
            assertEquals(List.of("z", "y", "x"), List.copyOf(l));
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> l.get(99));
            assertInstanceOf(RemoteTraceback.class, e.getCause(), "the server's trace as cause");
            assertTrue(l.equals(l) && !l.equals(manager.list()), "proxies compare by referent");
            Namespace ns = manager.namespace();
            ns.set("x", 1);
            assertEquals(1, ns.get("x"));
            assertThrows(NoSuchElementException.class, () -> ns.get("y"));
            assertEquals("Namespace(x=1)", ns.toString());
        }
    }

    static void appendTwice(List<Map<String, Integer>> dicts) {
        dicts.get(0).put("child", 2); // through the nested proxy
        Map<String, Integer> fresh = new java.util.HashMap<>();
        fresh.put("plain", 3);
        dicts.add(fresh); // a plain map: stored as a value
    }

    @Test
    void shouldNestProxiesSoThatAChangeThroughOneIsSeenByAll() throws Exception {
        try (Children children = new Children(); Manager manager = Multiprocessing.manager()) {
            List<Map<String, Integer>> dicts = manager.list();
            Map<String, Integer> inner = manager.dict();
            dicts.add(inner);
            inner.put("parent", 1);
            assertEquals(1, dicts.get(0).get("parent"), "the list holds the dict itself, not a copy");
            JvmProcess p = children.start(() -> appendTwice(dicts));
            assertEquals(0, Children.joinWithin(p, WAIT));
            assertEquals(Map.of("parent", 1, "child", 2), Map.copyOf(inner));
            assertEquals(2, dicts.size());
            assertEquals(Map.of("plain", 3), Map.copyOf(dicts.get(1)));
        }
    }

    static void consume(ManagedQueue<Integer> queue, ManagedValue<Integer> total) {
        try {
            int sum = 0;
            for (int x; (x = queue.get()) >= 0; ) {
                sum += x;
            }
            total.set(sum);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldCarryQueuesLocksEventsAndBarriersAcrossProcesses() throws Exception {
        try (Children children = new Children(); Manager manager = Multiprocessing.manager()) {
            ManagedQueue<Integer> queue = manager.queue(4);
            ManagedValue<Integer> total = manager.value(0);
            JvmProcess consumer = children.start(() -> consume(queue, total));
            for (int i = 1; i <= 100; i++) {
                queue.put(i); // a bound of 4: waits for the consumer
            }
            queue.put(-1);
            assertEquals(0, Children.joinWithin(consumer, WAIT));
            assertEquals(5050, total.get());
            assertThrows(QueueEmptyException.class, queue::getNowait);

            ManagedLock lock = manager.lock();
            assertTrue(lock.tryLock());
            assertFalse(lock.tryLock(), "not reentrant");
            lock.unlock();
            assertThrows(IllegalStateException.class, lock::release, "release of an unlocked lock");
            ManagedLock rlock = manager.rlock();
            rlock.lock();
            rlock.lock();
            rlock.unlock();
            rlock.unlock();
            assertThrows(IllegalStateException.class, rlock::unlock);

            ManagedEvent event = manager.event();
            ManagedBarrier barrier = manager.barrier(2);
            JvmProcess waiter = children.start(() -> {
                try {
                    barrier.await(WAIT);
                    event.set();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertFalse(event.isSet());
            barrier.await(WAIT);
            assertTrue(event.await(WAIT));
            assertEquals(0, Children.joinWithin(waiter, WAIT));

            ManagedSemaphore bounded = manager.boundedSemaphore(1);
            bounded.acquire();
            bounded.release();
            assertThrows(IllegalStateException.class, bounded::release, "above its bound");

            ManagedArray array = manager.array('i', List.of(1, 2, 3));
            array.set(0, 10);
            assertEquals(List.of(10, 2, 3), array.toList());
            assertThrows(IllegalArgumentException.class, () -> array.set(1, 1L << 40), "does not fit 'i'");

            ManagedCondition condition = manager.condition();
            condition.lock();
            assertFalse(condition.await(Duration.ofMillis(10)));
            condition.unlock();
        }
    }

    static void countTo(ManagedValue<Integer> value, ManagedSemaphore semaphore, ManagedJoinableQueue<Integer> queue,
            Namespace ns, ManagedCondition condition) {
        try {
            for (int i = 0; i < 3; i++) {
                int x = queue.get();
                value.set(value.get() + x);
                queue.taskDone();
            }
            semaphore.release();
            ns.set("child", "was here");
            condition.lock();
            try {
                value.set(value.get() + 100);
                condition.signalAll();
            } finally {
                condition.unlock();
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldCarryAManagersOwnKeyToChildrenAndReleaseObjectsWithTheirProxies() throws Exception {
        byte[] key = "a key of its own".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (Children children = new Children(); Manager manager = new Manager(null, key)) {
            manager.start();
            ManagedValue<Integer> value = manager.value(0);
            ManagedSemaphore semaphore = manager.semaphore(0);
            ManagedJoinableQueue<Integer> queue = manager.joinableQueue();
            Namespace ns = manager.namespace();
            ManagedCondition condition = manager.condition();
            for (int i = 1; i <= 3; i++) {
                queue.put(i);
            }
            JvmProcess child = children.start(() -> countTo(value, semaphore, queue, ns, condition));
            assertTrue(queue.join(WAIT), "the child marked every element done");
            assertTrue(semaphore.acquire(WAIT));
            condition.lock();
            try {
                assertTrue(condition.waitFor(() -> value.get() >= 106, WAIT), "signalled from the child");
            } finally {
                condition.unlock();
            }
            assertEquals(0, Children.joinWithin(child, WAIT), "the child used the manager with its key");
            assertEquals("was here", ns.get("child"));

            int before = manager.objectCount();
            for (int i = 0; i < 50; i++) {
                manager.list(List.of(i)); // proxies dropped at once
            }
            assertTrue(manager.objectCount() >= before + 1);
            io.github.jmultiprocessing.testing.Poll.until("collected proxies to release their objects", WAIT, () -> {
                System.gc();
                try {
                    return manager.objectCount() <= before;
                } catch (java.io.IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    static void meet(ManagedBarrier barrier, ManagedValue<Integer> index) {
        try {
            index.set(barrier.await(WAIT));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldBreakABarrierOnAbortAndTimeoutUntilReset() throws Exception {
        try (Children children = new Children(); Manager manager = Multiprocessing.manager()) {
            ManagedBarrier barrier = manager.barrier(2);
            barrier.abort();
            assertTrue(barrier.isBroken());
            assertThrows(java.util.concurrent.BrokenBarrierException.class, () -> barrier.await(WAIT),
                    "broken until reset, as Python's");
            barrier.reset();
            assertFalse(barrier.isBroken());
            assertThrows(java.util.concurrent.TimeoutException.class, () -> barrier.await(Duration.ofMillis(50)));
            assertTrue(barrier.isBroken(), "a timeout breaks it");
            barrier.reset();
            ManagedValue<Integer> childIndex = manager.value(-1);
            JvmProcess child = children.start(() -> meet(barrier, childIndex));
            int mine = barrier.await(WAIT);
            assertEquals(0, Children.joinWithin(child, WAIT));
            assertEquals(java.util.Set.of(0, 1), java.util.Set.of(mine, childIndex.get()));
            assertEquals(0, barrier.getNumberWaiting());
        }
    }

    @Test
    void shouldFailEveryCallAtOnceWhenTheServerIsGone() throws Exception {
        Manager manager = Multiprocessing.manager();
        Map<String, Integer> d = manager.dict();
        d.put("a", 1);
        manager.shutdown();
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> d.get("a"));
        assertTrue(e.getMessage().contains("gone"), e.getMessage());
        assertNotNull(manager.address());
        assertThrows(IllegalStateException.class, manager::dict, "a manager shut down makes nothing");
    }


    /** Interrupting a thread blocked in take() (the normal way to cancel it) does not free the locks it holds. */
    @Test
    void shouldKeepTheLocksOfAThreadWhoseBlockedTakeWasInterrupted() throws Exception {
        try (Manager manager = Multiprocessing.manager()) {
            ManagedLock rlock = manager.rlock();
            ManagedQueue<Integer> queue = manager.queue();
            CountDownLatch cancelled = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread worker = new Thread(() -> {
                rlock.lock();
                try {
                    try {
                        queue.take();
                    } catch (InterruptedException e) {
                        // cancelled: this thread still holds rlock, by the Lock contract
                    }
                    cancelled.countDown();
                    done.await();
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    try {
                        rlock.unlock();
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }
            });
            worker.start();
            Thread.sleep(500); // its take() is on the server
            worker.interrupt();
            assertTrue(cancelled.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
            Thread.sleep(300);
            boolean stolen = rlock.tryLock();
            if (stolen) {
                rlock.unlock();
            }
            done.countDown();
            worker.join();
            assertFalse(stolen, "another thread took an RLock the worker still holds");
            assertEquals(null, failure.get(), "the worker's own unlock()");
        }
    }


    /** A call made with the interrupt flag set (a finally block after a cancellation) is served (it used to fail). */
    @Test
    void shouldServeACallMadeWithTheInterruptFlagSet() throws Exception {
        try (Manager manager = Multiprocessing.manager()) {
            Map<String, Integer> d = manager.dict();
            Thread.currentThread().interrupt();
            try {
                d.put("a", 1); // Map.put does not respond to interrupts
            } finally {
                Thread.interrupted();
            }
            assertEquals(1, d.get("a"));
        }
    }


    /** Writes through views of a managed map or list reach the server, or are refused loudly (they used to be lost). */
    @Test
    void shouldWriteThroughViewsOrRefuseLoudly() throws Exception {
        try (Manager manager = Multiprocessing.manager()) {
            Map<String, Integer> d = manager.dict(Map.of("a", 1, "b", 2));
            List<String> problems = new ArrayList<>();
            try {
                d.keySet().remove("a");
                d.entrySet().removeIf(e -> e.getKey().equals("b"));
                if (d.size() == 2) {
                    problems.add("keySet().remove / entrySet().removeIf changed nothing and threw nothing");
                }
            } catch (UnsupportedOperationException expected) {
                // fine: refused loudly
            }
            List<Integer> l = manager.list(List.of(1, 2, 3, 4));
            try {
                l.subList(1, 3).clear(); // the JDK idiom for removing a range
                if (l.size() == 4) {
                    problems.add("subList(1, 3).clear() changed nothing and threw nothing");
                }
            } catch (UnsupportedOperationException expected) {
                // fine
            }
            assertEquals(List.of(), problems);
        }
    }


    /**
     * A TCP server bound to the wildcard address, used by a client that connected to 127.0.0.1: a proxy stored in
     * another managed object is read back (it used not to be).
     */
    @Test
    void shouldReadNestedProxiesForAClientThatConnectedByAnotherAddress() throws Exception {
        byte[] key = "manager secret".getBytes(StandardCharsets.UTF_8);
        try (Manager server = new Manager(new InetSocketAddress("0.0.0.0", 0), key)) {
            server.start();
            int port = ((InetSocketAddress) server.address()).getPort();
            try (Manager client = new Manager(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), key)) {
                client.connect();
                Map<String, Integer> d = client.dict();
                d.put("x", 1);
                List<Map<String, Integer>> l = client.list();
                l.add(d);
                assertEquals(1, l.get(0).get("x"));
            }
        }
    }


    /** A factory that does not serialize: start() says so, and does not fail in its own clean-up. */
    @Test
    void shouldReportAFactoryThatDoesNotSerializeAtStart() {
        Object notSerializable = new Object();
        BaseManager manager = new BaseManager();
        manager.register("Thing", args -> notSerializable.toString(), CharSequence.class);
        RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, manager::start);
        assertTrue(e instanceof IllegalArgumentException && e.getMessage().contains("Serializable"), e.toString());
    }
}

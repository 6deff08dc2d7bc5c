package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.manager.ServedSynchronizers;
import io.github.jmultiprocessing.testing.Children;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Review: failing tests that show bugs of issue 6. */
class ManagerReviewIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** Interrupting a thread blocked in take() (the normal way to cancel it) must not free the locks it holds. */
    @Test
    void interruptingABlockedTakeMustNotReleaseTheThreadsLocks() throws Exception {
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

    /** A call made with the interrupt flag set (a finally block after a cancellation) fails as if the server died. */
    @Test
    void aCallWithTheInterruptFlagSetMustWork() throws Exception {
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

    static void acquireThenHang(ManagedSemaphore semaphore, ManagedEvent started) {
        started.set();
        semaphore.acquire(); // killed while the server waits for a permit for it
    }

    /** A client killed while blocked in Semaphore.acquire() takes the next permit for nobody, for ever. */
    @Test
    void aKilledClientBlockedInSemaphoreAcquireMustNotSwallowAPermit() throws Exception {
        try (Children children = new Children(); Manager manager = Multiprocessing.manager()) {
            ManagedSemaphore semaphore = manager.semaphore(0);
            ManagedEvent started = manager.event();
            JvmProcess child = children.start(() -> acquireThenHang(semaphore, started));
            assertTrue(started.await(WAIT));
            Thread.sleep(500);
            child.kill();
            Children.joinWithin(child, WAIT);
            Thread.sleep(500); // the server has noticed
            semaphore.release();
            assertTrue(semaphore.acquire(Duration.ofSeconds(5)), "the permit released went to the dead client");
        }
    }

    /** Views of a managed map or list are copies that accept writes and drop them. */
    @Test
    void writesThroughViewsMustNotBeSilentlyDropped() throws Exception {
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
     * another managed object cannot be read back.
     */
    @Test
    void nestedProxiesMustWorkForAClientThatConnectedByAnotherAddress() throws Exception {
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

    /** Two concurrent releases of a held Lock (one of them must fail) leave it with two permits: no exclusion. */
    @Test
    void concurrentReleasesMustNotGiveALockTwoPermits() throws Exception {
        int broken = 0;
        for (int i = 0; i < 5_000 && broken == 0; i++) {
            ServedSynchronizers.LockObject lock = new ServedSynchronizers.LockObject();
            lock.acquire();
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            Runnable release = () -> {
                try {
                    start.await();
                    lock.release();
                } catch (IllegalStateException expected) {
                    // the second release of a lock released once
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            Thread other = new Thread(release);
            other.start();
            release.run();
            other.join();
            if (lock.acquire(Duration.ZERO) && lock.acquire(Duration.ZERO)) {
                broken++;
            }
        }
        assertEquals(0, broken, "a Lock acquired twice without a release");
    }

    /** A proxy of a server that has gone decrefs, when collected, the object with its id in the next server there. */
    @Test
    void aCollectedProxyOfAnOldServerMustNotReleaseAnObjectOfANewOneAtTheSameAddress() throws Exception {
        byte[] key = "fixed port".getBytes(StandardCharsets.UTF_8);
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        Object[] keep = new Object[1];
        try (Manager first = new Manager(address, key)) {
            first.start();
            keep[0] = first.dict(); // object 1 of the first server
        }
        try (Manager second = new Manager(address, key)) {
            second.start();
            Map<String, Integer> d = second.dict(); // object 1 of the second server
            d.put("a", 1);
            keep[0] = null;
            for (int i = 0; i < 20; i++) {
                System.gc();
                Thread.sleep(100);
            }
            assertEquals(1, d.get("a"), "the old proxy released the new server's object 1");
        }
    }

    /** A factory that does not serialize: start() must say so, not fail in its own clean-up. */
    @Test
    void startMustReportAFactoryThatDoesNotSerialize() {
        Object notSerializable = new Object();
        BaseManager manager = new BaseManager();
        manager.register("Thing", args -> notSerializable.toString(), CharSequence.class);
        RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, manager::start);
        assertTrue(e instanceof IllegalArgumentException && e.getMessage().contains("Serializable"), e.toString());
    }
}

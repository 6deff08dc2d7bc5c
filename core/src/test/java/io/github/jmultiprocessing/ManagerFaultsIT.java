package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.Children;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Remote managers, keys, and processes that die: a server killed, clients killed in the middle of calls. */
class ManagerFaultsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** A user type, registered by hand. */
    public interface Maths {
        int add(int a, int b);

        int divide(int a, int b);
    }

    static final class MathsImpl implements Maths {
        @Override
        public int add(int a, int b) {
            return a + b;
        }

        @Override
        public int divide(int a, int b) {
            return a / b;
        }
    }

    static void useRemotely(SocketAddress address, byte[] key, SharedValue outcome) {
        BaseManager manager = new BaseManager(address, key);
        manager.register("Maths", null, Maths.class);
        try {
            manager.connect();
            Maths maths = manager.create("Maths", Maths.class);
            outcome.set(maths.add(40, 2));
        } catch (AuthenticationException e) {
            outcome.set(-1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            manager.close();
        }
    }

    @Test
    void shouldServeRegisteredTypesOverTcpToTheRightKeyOnly() throws Exception {
        byte[] key = "manager secret".getBytes(StandardCharsets.UTF_8);
        BaseManager manager = new BaseManager(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), key);
        manager.register("Maths", args -> new MathsImpl(), Maths.class);
        try (Children children = new Children(); manager) {
            manager.start();
            SocketAddress address = manager.address();
            assertTrue(address instanceof InetSocketAddress inet && inet.getPort() > 0, address.toString());
            SharedValue wrong = SharedValue.of('i', 0);
            JvmProcess impostor = children.start(() -> useRemotely(address, "guess".getBytes(StandardCharsets.UTF_8),
                    wrong));
            assertEquals(0, Children.joinWithin(impostor, WAIT));
            assertEquals(-1, wrong.get(), "a wrong key: AuthenticationException");
            SharedValue right = SharedValue.of('i', 0);
            JvmProcess friend = children.start(() -> useRemotely(address, key, right));
            assertEquals(0, Children.joinWithin(friend, WAIT));
            assertEquals(42, right.get(), "the server went on serving");
            Maths maths = manager.create("Maths", Maths.class);
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> maths.divide(1, 0));
            assertEquals("/ by zero", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> manager.create("Maths", Map.class));
        }
    }

    @Test
    void shouldFailAtOnceWhenTheServerIsKilled() throws Exception {
        try (Manager manager = Multiprocessing.manager()) {
            Map<String, Integer> d = manager.dict();
            d.put("a", 1);
            manager.serverProcess().kill();
            assertTrue(manager.serverProcess().join(WAIT));
            long t0 = System.nanoTime();
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> d.get("a"));
            assertTrue(e.getMessage().contains("gone"), e.getMessage());
            assertTrue(System.nanoTime() - t0 < WAIT.toNanos(), "no hang");
        }
    }

    static void takeThenHang(ManagedQueue<Integer> queue, ManagedEvent started) {
        started.set();
        try {
            queue.take(); // the parent kills this process while the server waits for an element for it
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static void holdThenHang(ManagedLock rlock, ManagedLock lock, ManagedEvent held) {
        rlock.lock();
        rlock.lock();
        lock.lock();
        held.set();
        try {
            Thread.sleep(WAIT.toMillis() * 10);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldNotLetAKilledClientTakeElementsOrKeepLocks() throws Exception {
        try (Children children = new Children(); Manager manager = Multiprocessing.manager()) {
            ManagedQueue<Integer> queue = manager.queue();
            ManagedEvent started = manager.event();
            JvmProcess taker = children.start(() -> takeThenHang(queue, started));
            assertTrue(started.await(WAIT));
            Thread.sleep(300); // its take() is on the server by now
            taker.kill();
            Children.joinWithin(taker, WAIT);
            Thread.sleep(300); // the server notices the closed connection
            queue.put(7);
            assertEquals(7, queue.poll(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS),
                    "the dead client's take ended without taking");

            ManagedLock rlock = manager.rlock();
            ManagedLock lock = manager.lock();
            ManagedEvent held = manager.event();
            JvmProcess holder = children.start(() -> holdThenHang(rlock, lock, held));
            assertTrue(held.await(WAIT));
            holder.kill();
            Children.joinWithin(holder, WAIT);
            assertTrue(rlock.acquire(WAIT), "a dead client's RLock (held twice) is released");
            assertTrue(lock.acquire(WAIT), "and its Lock");
            rlock.release();
            lock.release();
            Map<String, Integer> d = manager.dict();
            d.put("still", 1);
            assertEquals(1, d.get("still"), "the server serves on");
        }
    }

    static void acquireThenHang(ManagedSemaphore semaphore, ManagedEvent started) {
        started.set();
        semaphore.acquire(); // killed while the server waits for a permit for it
    }


    /** A client killed while blocked in Semaphore.acquire() does not take the next permit (for nobody, for ever). */
    @Test
    void shouldNotGiveAPermitToAClientKilledWhileBlockedInAcquire() throws Exception {
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


    /**
     * A collected proxy of a server that has gone does not decref the object with its id in the next server at the
     * same address.
     */
    @Test
    void shouldNotLetACollectedProxyOfAnOldServerReleaseAnObjectOfANewOne() throws Exception {
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
}

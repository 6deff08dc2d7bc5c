package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListenerTest {

    private static final byte[] KEY = "secret password".getBytes(StandardCharsets.UTF_8);

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    private static <T> Future<T> async(Callable<T> call) {
        FutureTask<T> task = new FutureTask<>(call);
        Thread.ofPlatform().daemon().start(task);
        return task;
    }

    @Test
    void shouldAuthenticateBothWaysAndCarryMessagesOverTcp() throws Exception {
        try (Listener listener = new Listener(loopback(), KEY)) {
            Future<Connection> accepted = async(listener::accept);
            try (Connection client = Client.connect(listener.address(), KEY);
                    Connection server = accepted.get(10, TimeUnit.SECONDS)) {
                assertNotNull(listener.lastAccepted());
                client.send(List.of(1, "two"));
                assertEquals(List.of(1, "two"), server.recv());
                server.sendBytes(new byte[] {1, 2, 3}, 1, 2);
                assertArrayEquals(new byte[] {2, 3}, client.recvBytes());
                server.sendBytes(new byte[0]);
                assertTrue(client.poll(Duration.ofSeconds(10)));
                assertArrayEquals(new byte[0], client.recvBytes(), "a zero-length message is a message");
                assertFalse(client.poll(Duration.ofMillis(20)));
                byte[] big = new byte[3 << 20];
                big[big.length - 1] = 7;
                Future<byte[]> received = async(server::recvBytes);
                client.sendBytes(big);
                assertArrayEquals(big, received.get(10, TimeUnit.SECONDS));
                server.close();
                assertTrue(client.poll(Duration.ofSeconds(10)), "the end of the stream makes poll true");
                assertThrows(EOFException.class, client::recv);
            }
        }
    }

    @Test
    void shouldServeAUnixSocketWithoutAuthenticationAndRemoveItsFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("listener.sock");
        try (Listener listener = new Listener(UnixDomainSocketAddress.of(file))) {
            assertTrue(Files.exists(file));
            Future<Connection> accepted = async(listener::accept);
            try (Connection client = Client.connect(UnixDomainSocketAddress.of(file));
                    Connection server = accepted.get(10, TimeUnit.SECONDS)) {
                server.send("over a unix socket");
                assertEquals("over a unix socket", client.recv());
            }
        }
        assertFalse(Files.exists(file), "closing the listener removes its socket file");
    }

    @Test
    void shouldRefuseAWrongKeyOnBothSidesAndKeepServing() throws Exception {
        try (Listener listener = new Listener(loopback(), KEY)) {
            Future<Connection> refused = async(listener::accept);
            assertThrows(AuthenticationException.class,
                    () -> Client.connect(listener.address(), "another key".getBytes(StandardCharsets.UTF_8)));
            var e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> refused.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof AuthenticationException, String.valueOf(e.getCause()));
            Future<Connection> accepted = async(listener::accept);
            try (Connection client = Client.connect(listener.address(), KEY);
                    Connection server = accepted.get(10, TimeUnit.SECONDS)) {
                client.send("still serving");
                assertEquals("still serving", server.recv());
            }
        }
    }

    @Test
    void shouldNeverReadMoreThanAHandshakeFromAnUnauthenticatedPeer() throws Exception {
        try (Listener listener = new Listener(loopback(), KEY)) {
            Future<Connection> accepted = async(listener::accept);
            try (SocketChannel raw = SocketChannel.open(listener.address())) {
                raw.write(ByteBuffer.allocate(4).putInt(0, Integer.MAX_VALUE - 8)); // "a 2 GiB answer follows"
                var e = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> accepted.get(10, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof AuthenticationException, String.valueOf(e.getCause()));
            }
        }
    }

    @Test
    void shouldRefuseBadArgumentsAndSendingASocketConnection() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new Listener(loopback(), new byte[0]));
        try (Listener listener = new Listener(loopback())) {
            Future<Connection> accepted = async(listener::accept);
            Pipe pipe = Pipe.open();
            try (Connection client = Client.connect(listener.address());
                    Connection server = accepted.get(10, TimeUnit.SECONDS)) {
                assertThrows(IllegalArgumentException.class, () -> pipe.left().send(client),
                        "a socket connection cannot travel to another process");
                Future<Object> waiting = async(server::recv);
                Thread.sleep(30);
                server.close();
                var e = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> waiting.get(10, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
            } finally {
                pipe.left().close();
                pipe.right().close();
            }
        }
    }

    @Test
    void shouldReportCorruptFramesClearly() throws Exception {
        try (Listener listener = new Listener(loopback())) {
            Future<Connection> accepted = async(listener::accept);
            try (SocketChannel raw = SocketChannel.open(listener.address());
                    Connection server = accepted.get(10, TimeUnit.SECONDS)) {
                raw.write(ByteBuffer.allocate(4).putInt(0, -5)); // a negative length
                var e = assertThrows(java.io.StreamCorruptedException.class, server::recvBytes);
                assertTrue(e.getMessage().contains("message length=-5"), e.getMessage());
            }
            Future<Connection> next = async(listener::accept);
            try (SocketChannel raw = SocketChannel.open(listener.address());
                    Connection server = next.get(10, TimeUnit.SECONDS)) {
                raw.write(ByteBuffer.allocate(6).putInt(0, 100)); // 100 bytes announced, 2 sent, then the end
                raw.shutdownOutput();
                assertThrows(java.io.StreamCorruptedException.class, server::recvBytes, "ends in the middle");
            }
        }
    }

    @Test
    void shouldKeepTheFramingWhenASenderIsInterruptedAndLetPollAnswerWhileAnotherThreadReceives() throws Exception {
        try (Listener listener = new Listener(loopback())) {
            Future<Connection> accepted = async(listener::accept);
            try (Connection client = Client.connect(listener.address());
                    Connection server = accepted.get(10, TimeUnit.SECONDS)) {
                Thread.currentThread().interrupt();
                assertThrows(InterruptedException.class, () -> client.send("never sent"), "before the message");
                byte[] big = new byte[16 << 20];
                big[big.length - 1] = 9;
                Thread[] senderThread = new Thread[1];
                Future<Boolean> sender = async(() -> {
                    senderThread[0] = Thread.currentThread();
                    client.sendBytes(big); // fills the socket buffers, then waits for the reader
                    return Thread.currentThread().isInterrupted();
                });
                Thread.sleep(100);
                senderThread[0].interrupt(); // in the middle of the frame: it is finished first
                assertArrayEquals(big, server.recvBytes());
                assertTrue(sender.get(10, TimeUnit.SECONDS), "the interrupt is kept for the sender");
                client.send("after");
                assertEquals("after", server.recv(), "the framing held");

                Future<Object> receiving = async(server::recv); // another thread waits in recv
                Thread.sleep(50);
                long t0 = System.nanoTime();
                assertFalse(server.poll(Duration.ofMillis(100)), "poll answers within its timeout");
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
                client.send("for the receiving thread");
                assertEquals("for the receiving thread", receiving.get(10, TimeUnit.SECONDS));

                client.sendBytes(new byte[1 << 20]);
                assertThrows(java.io.IOException.class, () -> server.recvBytes(10), "longer than maxLength");
                assertTrue(server.isClosed(), "as in Python, the connection is closed");
            }
        }
    }

    @Test
    void shouldStayOpenWhenAnAcceptIsInterruptedAndCloseWhatWasNotAcceptedOnClose() throws Exception {
        Listener listener = new Listener(loopback(), KEY);
        try {
            Thread[] accepting = new Thread[1];
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            Future<Connection> interrupted = async(() -> {
                accepting[0] = Thread.currentThread();
                started.countDown();
                return listener.accept();
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            accepting[0].interrupt(); // before or while it waits: the same
            var e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> interrupted.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof java.io.InterruptedIOException, String.valueOf(e.getCause()));
            Future<Connection> accepted = async(listener::accept);
            try (Connection client = Client.connect(listener.address(), KEY);
                    Connection server = accepted.get(10, TimeUnit.SECONDS)) {
                client.send("the listener stayed open");
                assertEquals("the listener stayed open", server.recv());
            }
            try (Connection unaccepted = Client.connect(listener.address(), KEY)) { // authenticated, not accepted
                listener.close();
                // closed with the listener: an end of stream, or a reset when the close found bytes of the
                // handshake's last exchange unread (TCP then sends RST, not FIN); both are IOExceptions
                assertThrows(java.io.IOException.class, () -> {
                    assertTrue(unaccepted.poll(Duration.ofSeconds(10)));
                    unaccepted.recv();
                }, "closed with the listener");
            }
        } finally {
            listener.close();
        }
        try (Listener other = new Listener(loopback(), KEY)) {
            Future<Connection> waiting = async(other::accept);
            Thread.sleep(50);
            other.close();
            var closed = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> waiting.get(10, TimeUnit.SECONDS), "close wakes a waiting accept");
            assertTrue(closed.getCause() instanceof java.nio.channels.ClosedChannelException,
                    String.valueOf(closed.getCause()));
        }
    }

    /** Opens peers that never authenticate: silent ones, and ones that send half a length or announce 1 GiB. */
    private static List<SocketChannel> hostilePeers(java.net.SocketAddress address, int silent, int halfLength,
            int huge) throws Exception {
        List<SocketChannel> peers = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < silent + halfLength + huge; i++) {
                SocketChannel peer = SocketChannel.open(address);
                peers.add(peer);
                if (i >= silent + halfLength) {
                    peer.write(ByteBuffer.allocate(4).putInt(0, 1 << 30)); // "a 1 GiB answer follows"
                } else if (i >= silent) {
                    peer.write(ByteBuffer.wrap(new byte[] {0, 0})); // half a length, then nothing
                }
            }
            return peers;
        } catch (Exception e) {
            closeAll(peers);
            throw e;
        }
    }

    private static void closeAll(List<SocketChannel> peers) throws Exception {
        for (SocketChannel peer : peers) {
            peer.close();
        }
    }

    /** Accepts in the background until the listener closes: connections and refusals, in order. */
    private static java.util.concurrent.BlockingQueue<Object> acceptAll(Listener listener) {
        java.util.concurrent.BlockingQueue<Object> outcomes = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().start(() -> {
            while (true) {
                try {
                    outcomes.add(listener.accept());
                } catch (AuthenticationException e) {
                    outcomes.add(e);
                } catch (java.io.IOException e) {
                    return; // closed
                }
            }
        });
        return outcomes;
    }

    @Test
    void shouldAcceptAGoodClientWithinASecondBehindSilentHalfFrameAndHugeFramePeers() throws Exception {
        try (Listener listener = new Listener(loopback(), KEY)) {
            java.util.concurrent.BlockingQueue<Object> outcomes = acceptAll(listener);
            List<SocketChannel> hostile = hostilePeers(listener.address(), 70, 10, 10); // all connected first
            try {
                long t0 = System.nanoTime();
                Future<Connection> connecting = async(() -> Client.connect(listener.address(), KEY));
                try (Connection client = connecting.get(2, TimeUnit.SECONDS)) {
                    Connection server = null;
                    int refused = 0;
                    while (server == null) {
                        Object next = outcomes.poll(Math.max(0, TimeUnit.SECONDS.toNanos(2) - (System.nanoTime()
                                - t0)), TimeUnit.NANOSECONDS);
                        assertNotNull(next, "the good client was not accepted within 2 s");
                        if (next instanceof Connection connection) {
                            server = connection;
                        } else {
                            assertTrue(next instanceof AuthenticationException, String.valueOf(next));
                            refused++;
                        }
                    }
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                    try (Connection accepted = server) {
                        assertTrue(millis < 1_000, "accepted after " + millis + " ms (expected < 1 s)");
                        assertTrue(refused <= 10, "only the huge-frame peers are reported: " + refused);
                        client.send("the good one");
                        assertEquals("the good one", accepted.recv());
                    }
                }
                for (SocketChannel peer : hostile.subList(80, 90)) { // a 1 GiB length: refused, not read
                    peer.socket().setSoTimeout(10_000);
                    var in = peer.socket().getInputStream();
                    while (in.read(new byte[64]) >= 0) {
                        // the challenge, then the end
                    }
                }
            } finally {
                closeAll(hostile);
            }
        }
    }

    @Test
    void shouldAllocateLittlePerUnauthenticatedPeerAndNeverWhatItAnnounces() throws Exception {
        try (Listener listener = new Listener(loopback(), KEY)) {
            acceptAll(listener);
            refuseHugeFrames(listener, 50); // warm-up: classes, JIT, the virtual threads' carriers
            int peers = 200;
            long before = allocatedBytes();
            refuseHugeFrames(listener, peers);
            long perPeer = (allocatedBytes() - before) / peers;
            // a selector pair and a 64 KiB read-ahead per peer, or the 1 GiB, would show; the test's own sockets count
            assertTrue(perPeer < 24 * 1024, "allocated " + perPeer + " bytes per peer (expected < 24 KiB)");
        }
    }

    /**
     * {@return the bytes allocated on the heap by all threads of this JVM so far} Virtual threads allocate on their
     * carriers, so theirs count. (Reflection: the tests compile in the module, which does not read java.management.)
     */
    private static long allocatedBytes() throws Exception {
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                .invoke(null);
        return (long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getTotalThreadAllocatedBytes")
                .invoke(threads);
    }

    /**
     * Connects peers that each announce a 1 GiB answer, in batches under the pending limit (so that each is read,
     * not evicted), and waits until the listener has closed each.
     */
    private static void refuseHugeFrames(Listener listener, int count) throws Exception {
        byte[] sink = new byte[64];
        for (int done = 0; done < count; done += 50) {
            List<SocketChannel> peers = hostilePeers(listener.address(), 0, 0, Math.min(50, count - done));
            try {
                for (SocketChannel peer : peers) {
                    peer.socket().setSoTimeout(10_000);
                    var in = peer.socket().getInputStream();
                    while (in.read(sink) >= 0) {
                        // the challenge, then the end
                    }
                }
            } finally {
                closeAll(peers);
            }
        }
    }
}

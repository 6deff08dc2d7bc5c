package io.github.jmultiprocessing.internal.connection;

import static io.github.jmultiprocessing.testing.HostilePeers.readsToEnd;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The gate's deadline per peer, its bound on pending peers, and what it hands on, over loopback TCP. */
class HandshakeGateTest {

    private static final byte[] KEY = {1, 2, 3};

    /** A gate over a fresh loopback server; what passes or fails is queued. */
    private static final class Fixture implements AutoCloseable {
        final ServerSocketChannel server;
        final HandshakeGate gate;
        final BlockingQueue<Object> passed = new LinkedBlockingQueue<>(); // channels and Failed, in order
        final List<SocketChannel> peers = new ArrayList<>();

        Fixture(int maxPending, long deadlineMillis) throws Exception {
            server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            gate = new HandshakeGate(server, KEY, "test", new HandshakeGate.Sink() {
                @Override
                public void authenticated(SocketChannel channel, SocketAddress remote) {
                    passed.add(channel);
                }

                @Override
                public void refused(SocketAddress remote, Handshake.Failed failure) {
                    passed.add(failure);
                }
            }, maxPending, TimeUnit.MILLISECONDS.toNanos(deadlineMillis));
            gate.start();
        }

        SocketChannel peer() throws Exception {
            SocketChannel peer = SocketChannel.open(server.getLocalAddress());
            peers.add(peer);
            return peer;
        }

        /** {@return a wire that has passed the handshake as a client, with {@code key}} */
        SocketWire client(byte[] key) throws Exception {
            SocketWire wire = new SocketWire(peer());
            Handshake.connect(wire, key, System.nanoTime() + Handshake.CONNECT_DEADLINE_NANOS);
            return wire;
        }

        @Override
        public void close() throws Exception {
            server.close();
            gate.join(5_000);
            for (SocketChannel peer : peers) {
                peer.close();
            }
            for (Object each : passed) {
                if (each instanceof SocketChannel channel) {
                    channel.close();
                }
            }
        }
    }

    @Test
    void shouldCloseASilentPeerAtItsDeadlineWhileOthersPass() throws Exception {
        try (Fixture fixture = new Fixture(64, 400)) {
            SocketChannel silent = fixture.peer();
            long t0 = System.nanoTime();
            try (SocketWire good = fixture.client(KEY)) {
                good.send(new byte[] {42}, 0, 1); // at once: it may come with the handshake's last message
                Object passed = fixture.passed.poll(5, TimeUnit.SECONDS);
                assertTrue(passed instanceof SocketChannel, String.valueOf(passed));
                SocketChannel accepted = (SocketChannel) passed;
                assertTrue(accepted.isBlocking(), "handed on as it was: the sink makes its wire");
                try (SocketWire server = new SocketWire(accepted)) {
                    assertArrayEquals(new byte[] {42}, server.recv(16, TimeUnit.SECONDS.toNanos(5)),
                            "the first message after the handshake is the sink's: nothing read past it");
                }
            }
            assertTrue(readsToEnd(silent, 5_000), "closed at its deadline");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(millis >= 300, "closed after " + millis + " ms (expected its deadline, 400 ms)");
            assertEquals(1, fixture.gate.expired());
            assertEquals(0, fixture.gate.pending());
        }
    }

    @Test
    void shouldCloseTheOldestPendingPeerToMakeRoomAndReportWrongKeysAndHugeLengths() throws Exception {
        try (Fixture fixture = new Fixture(2, 10_000)) {
            SocketChannel oldest = fixture.peer();
            SocketChannel second = fixture.peer();
            SocketChannel third = fixture.peer(); // one more than the limit: the oldest goes, not this one
            assertTrue(readsToEnd(oldest, 5_000), "the oldest lost its place");
            assertFalse(readsToEnd(third, 200), "the newest keeps its place");
            assertEquals(1, fixture.gate.evicted());
            assertEquals(2, fixture.gate.pending());
            second.close();
            third.close();

            assertThrows(Handshake.Failed.class, () -> fixture.client(new byte[] {9}));
            assertTrue(fixture.passed.poll(5, TimeUnit.SECONDS) instanceof Handshake.Failed, "a wrong key");
            SocketChannel huge = fixture.peer();
            huge.write(ByteBuffer.allocate(4).putInt(0, 1 << 30)); // "a 1 GiB answer follows"
            Object refused = fixture.passed.poll(5, TimeUnit.SECONDS);
            assertNotNull(refused);
            assertTrue(refused instanceof Handshake.Failed failed && failed.getMessage().contains("length="),
                    String.valueOf(refused));
            assertTrue(readsToEnd(huge, 5_000));
        }
    }
}

package io.github.jmultiprocessing.internal.connection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.Decoding;
import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzing of what is read off a socket: the handshake messages on both sides ({@link Handshake#serve} reading a
 * peer before it has authenticated, {@link Handshake#connect} reading a server) and the framing of authenticated
 * messages ({@link SocketWire#recv}). Each side reads a peer that sends arbitrary bytes, or a mutated valid
 * transcript, then ends its stream: the handshake fails with {@link Handshake.Failed} or an {@link IOException}
 * with a message and never passes; the framing gives messages, then an {@link EOFException} or a
 * {@link StreamCorruptedException}; never a hang, an Error, or an allocation out of proportion to the bytes sent
 * (a length announced and not sent costs nothing).
 */
class HandshakeFuzzTest {

    private static final byte[] KEY = "fuzz key".getBytes(StandardCharsets.UTF_8);
    private static ServerSocketChannel server;

    @BeforeContainer
    static void listen() throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterContainer
    static void stop() throws IOException {
        server.close();
    }

    /** A connected pair: [0] the side under test, [1] the peer that sends {@code bytes}, ends, and drains. */
    private static SocketChannel[] pair(byte[] bytes) throws IOException {
        SocketChannel peer = SocketChannel.open(server.getLocalAddress());
        SocketChannel tested = server.accept();
        Thread.ofVirtual().start(() -> {
            try (peer) {
                peer.write(ByteBuffer.wrap(bytes));
                peer.shutdownOutput();
                ByteBuffer sink = ByteBuffer.allocate(512);
                while (peer.read(sink.clear()) >= 0) {
                    // what the tested side answers
                }
            } catch (IOException e) {
                // the tested side closed first
            }
        });
        return new SocketChannel[] {tested, peer};
    }

    private static byte[] frames(byte[]... messages) {
        ByteBuffer out = ByteBuffer.allocate(messages.length * 4 + java.util.Arrays.stream(messages)
                .mapToInt(m -> m.length).sum());
        for (byte[] message : messages) {
            out.putInt(message.length).put(message);
        }
        return out.array();
    }

    private static byte[] concat(String text, int random, Random rnd) {
        byte[] head = text.getBytes(StandardCharsets.US_ASCII);
        byte[] all = java.util.Arrays.copyOf(head, head.length + random);
        for (int i = head.length; i < all.length; i++) {
            all[i] = (byte) rnd.nextInt(256);
        }
        return all;
    }

    /** Runs the accepting side on what a peer sends; it must not pass. */
    private static void serveOn(byte[] sent) throws IOException {
        SocketChannel[] sockets = pair(sent);
        try (SocketChannel tested = sockets[0]) {
            Decoding.Outcome<String> outcome = Decoding.decode(sent, () -> {
                Handshake.serve(tested, KEY);
                return "passed";
            });
            assertTrue(outcome.failure() != null, "a peer without the key passed: " + Decoding.describe(sent));
            Decoding.assertClear(outcome, Decoding.describe(sent), IOException.class);
        }
    }

    /** Runs the connecting side on what a server sends; it must not pass. */
    private static void connectOn(byte[] sent) throws IOException {
        SocketChannel[] sockets = pair(sent);
        try (SocketWire tested = new SocketWire(sockets[0])) {
            Decoding.Outcome<String> outcome = Decoding.decode(sent, () -> {
                Handshake.connect(tested, KEY, System.nanoTime() + TimeUnit.SECONDS.toNanos(3));
                return "passed";
            });
            assertTrue(outcome.failure() != null, "a server without the key passed: " + Decoding.describe(sent));
            Decoding.assertClear(outcome, Decoding.describe(sent), IOException.class);
        }
    }

    @Property(tries = 150)
    void theAcceptingSideShouldRefuseArbitraryAndMutatedPeers(@ForAll @Size(max = 120) byte[] arbitrary,
            @ForAll long seed) throws IOException {
        serveOn(arbitrary);
        Random rnd = new Random(seed);
        byte[] transcript = frames(concat("", 32, rnd), concat("#CHALLENGE#", 32, rnd), concat("", 32, rnd));
        serveOn(Decoding.mutate(transcript, rnd));
    }

    @Property(tries = 150)
    void theConnectingSideShouldRefuseArbitraryAndMutatedServers(@ForAll @Size(max = 120) byte[] arbitrary,
            @ForAll long seed) throws IOException {
        connectOn(arbitrary);
        Random rnd = new Random(seed);
        byte[] transcript = frames(concat("#CHALLENGE#", 32, rnd), concat("#WELCOME#", 0, rnd),
                concat("", 32, rnd));
        connectOn(transcript); // well framed, but the digest is not the key's
        connectOn(Decoding.mutate(transcript, rnd));
    }

    @Property(tries = 150)
    void framingShouldGiveMessagesThenAnEndOrACorruptStream(@ForAll @Size(max = 4) List<@Size(max = 40) byte[]> sent,
            @ForAll @Size(max = 60) byte[] arbitrary, @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 1) int mutated) throws IOException {
        byte[] valid = frames(sent.toArray(byte[][]::new));
        byte[] bytes = mutated == 0 ? valid : Decoding.mutate(valid, new Random(seed));
        for (byte[] stream : List.of(bytes, arbitrary)) {
            SocketChannel[] sockets = pair(stream);
            try (SocketWire tested = new SocketWire(sockets[0])) {
                Decoding.Outcome<List<byte[]>> outcome = Decoding.decode(stream, () -> {
                    List<byte[]> read = new ArrayList<>();
                    while (true) {
                        read.add(tested.recv(SocketWire.MAX_MESSAGE)); // the limit a Connection allows
                    }
                });
                Decoding.assertClear(outcome, Decoding.describe(stream), EOFException.class,
                        StreamCorruptedException.class);
                if (stream == valid) {
                    assertTrue(outcome.failure() instanceof EOFException, String.valueOf(outcome.failure()));
                }
            }
        }
        if (mutated == 0) { // read back whole, in order
            SocketChannel[] sockets = pair(valid);
            try (SocketWire tested = new SocketWire(sockets[0])) {
                for (byte[] message : sent) {
                    assertArrayEquals(message, tested.recv(SocketWire.MAX_MESSAGE, TimeUnit.SECONDS.toNanos(5)));
                }
            }
        }
    }

    @net.jqwik.api.Example
    void anAnnouncedLengthShouldCostNothingUntilItsBytesCome() throws IOException { // the example the property found
        byte[] announced = ByteBuffer.allocate(4 + 10).putInt(1 << 30).array(); // 1 GiB announced, 10 bytes sent
        SocketChannel[] sockets = pair(announced);
        try (SocketWire tested = new SocketWire(sockets[0])) {
            Decoding.Outcome<byte[]> outcome = Decoding.decode(announced, () -> tested.recv(SocketWire.MAX_MESSAGE));
            assertTrue(outcome.failure() instanceof StreamCorruptedException, String.valueOf(outcome.failure()));
        }
    }
}

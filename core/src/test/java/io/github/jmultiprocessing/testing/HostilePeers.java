package io.github.jmultiprocessing.testing;

import io.github.jmultiprocessing.AuthenticationException;
import io.github.jmultiprocessing.Client;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Peers that connect to an authenticating server ({@code Listener}, a manager) and never pass its handshake, one
 * kind each, for the fault suite: what issue 14's harness threw at them. Each peer is left open (the caller
 * closes it, or it closed itself) so that a scenario decides how long it stays.
 */
public final class HostilePeers implements AutoCloseable {

    /** What a hostile peer does. */
    public enum Kind {
        /** Connects and sends nothing. */
        SILENT,
        /** Sends two bytes of a length, then nothing. */
        HALF_LENGTH,
        /** Announces a 1 GiB message, then nothing. */
        HUGE_LENGTH,
        /** Sends 4-64 random bytes: a random length and body. */
        BAD_FRAME,
        /** Runs the whole handshake with a wrong key (a {@code Client} refused with an AuthenticationException). */
        WRONG_KEY,
        /** Reads the challenge, announces a 32-byte answer, sends 10 bytes of it, then nothing. */
        HALF_WRITTEN_FRAME,
        /** Reads (part of) the challenge and closes mid-handshake, half of them with a reset. */
        CLOSED_MID_HANDSHAKE,
        /**
         * Sends each of the payloads given to the constructor as its first message, and again (another socket) in
         * place of its answer to the challenge.
         */
        PRE_AUTH_PAYLOAD
    }

    private final SocketAddress address;
    private final Random random;
    private final List<byte[]> payloads;
    private final List<SocketChannel> open = new ArrayList<>();
    private long unexpected;
    private final List<String> problems = new ArrayList<>();

    /**
     * @param address the server
     * @param random  where bad frames and the reset choice come from (seeded by the scenario)
     * @param payloads what {@link Kind#PRE_AUTH_PAYLOAD} peers send (serialized objects, say)
     */
    public HostilePeers(SocketAddress address, Random random, byte[]... payloads) {
        this.address = address;
        this.random = random;
        this.payloads = List.of(payloads);
    }

    /**
     * Opens one hostile peer of a kind; an I/O error of a peer whose server closed it early is not a problem (the
     * server may refuse or evict it at any point).
     *
     * @param kind what it does
     */
    public void open(Kind kind) {
        SocketChannel peer = null;
        try {
            if (kind == Kind.WRONG_KEY) {
                try (var connection = Client.connect(address, ("wrong key " + random.nextInt()).getBytes())) {
                    unexpected++;
                    problems.add("a wrong key was accepted: " + connection);
                } catch (AuthenticationException expected) {
                    // refused, as it must be
                }
                return;
            }
            peer = SocketChannel.open(address);
            open.add(peer);
            switch (kind) {
                case SILENT -> {
                }
                case HALF_LENGTH -> write(peer, new byte[] {0, 0});
                case HUGE_LENGTH -> write(peer, ByteBuffer.allocate(4).putInt(0, 1 << 30).array());
                case BAD_FRAME -> {
                    byte[] bytes = new byte[4 + random.nextInt(61)];
                    random.nextBytes(bytes);
                    write(peer, bytes);
                }
                case HALF_WRITTEN_FRAME -> {
                    readChallenge(peer, 4 + 43);
                    write(peer, ByteBuffer.allocate(14).putInt(0, 32).array()); // 32 announced, 10 sent
                }
                case CLOSED_MID_HANDSHAKE -> {
                    readChallenge(peer, 1 + random.nextInt(4 + 43));
                    if (random.nextBoolean()) {
                        peer.setOption(StandardSocketOptions.SO_LINGER, 0); // a reset, not an end of stream
                    }
                    peer.close();
                }
                case PRE_AUTH_PAYLOAD -> {
                    for (int i = 0; i < payloads.size(); i++) {
                        SocketChannel first = i == 0 ? peer : SocketChannel.open(address);
                        if (first != peer) {
                            open.add(first);
                        }
                        write(first, frame(payloads.get(i))); // first, before the challenge was even read
                        SocketChannel second = SocketChannel.open(address);
                        open.add(second);
                        readChallenge(second, 4 + 43);
                        write(second, frame(payloads.get(i))); // then in place of an answer
                    }
                }
                default -> throw new IllegalArgumentException("kind=" + kind);
            }
        } catch (IOException e) {
            // the server closed it already (refused, evicted, expired): what it may do with a hostile peer
        }
    }

    private static byte[] frame(byte[] message) {
        return ByteBuffer.allocate(4 + message.length).putInt(message.length).put(message).array();
    }

    private static void write(SocketChannel peer, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            peer.write(buffer);
        }
    }

    /** Reads up to {@code bytes} of what the server sends first (its challenge), waiting at most 5 s. */
    private static void readChallenge(SocketChannel peer, int bytes) throws IOException {
        peer.socket().setSoTimeout(5_000);
        InputStream in = peer.socket().getInputStream();
        int read = 0;
        while (read < bytes) {
            int n = in.read(new byte[bytes - read]);
            if (n < 0) {
                return;
            }
            read += n;
        }
    }

    /**
     * {@return whether the other side closed a socket within the time given} Whatever comes before is skipped.
     *
     * @param channel the socket (made non-blocking)
     * @param millis  how long to wait
     * @throws IOException if no selector opens
     */
    public static boolean readsToEnd(SocketChannel channel, long millis) throws IOException {
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            ByteBuffer sink = ByteBuffer.allocate(256);
            while (true) {
                int n;
                try {
                    n = channel.read(sink.clear());
                } catch (IOException e) { // reset: closed with bytes unread, an end too
                    return true;
                }
                if (n < 0) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                if (n == 0) {
                    selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    selector.selectedKeys().clear();
                }
            }
        }
    }

    /** {@return how many wrong-key peers were accepted (expected 0)} */
    public long unexpected() {
        return unexpected;
    }

    /** {@return what was unexpected} */
    public List<String> problems() {
        return problems;
    }

    /** {@return the peers opened so far and not closed here} */
    public int size() {
        return open.size();
    }

    /** Closes every peer. */
    @Override
    public void close() {
        for (SocketChannel peer : open) {
            try {
                peer.close();
            } catch (IOException e) {
                // closing
            }
        }
        open.clear();
    }
}

package io.github.jmultiprocessing.internal.connection;

import java.io.IOException;
import java.io.StreamCorruptedException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mutual authentication on a shared key before anything else crosses a socket, as Python's
 * {@code multiprocessing.connection} does it: each side sends the other a random challenge, the other answers with
 * its HMAC-SHA256 under the key, and the challenger says welcome or failure. Only short raw byte messages are read
 * until both sides have passed; nothing is deserialized. The accepting side runs in a {@link HandshakeGate}, on a
 * blocking socket, one virtual thread per peer; the connecting side over its {@link SocketWire}.
 */
public final class Handshake {

    private static final byte[] CHALLENGE = "#CHALLENGE#".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WELCOME = "#WELCOME#".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FAILURE = "#FAILURE#".getBytes(StandardCharsets.US_ASCII);
    private static final int NONCE = 32;
    private static final int MAX_HANDSHAKE_MESSAGE = 256;
    /**
     * How long the connecting side may take for its whole handshake, the connect included: one deadline for all its
     * steps, as long as the accepting side's own ({@link HandshakeGate#DEADLINE_NANOS}, after which that side closes
     * the peer anyway), so that a silent or slow server holds a connecting client at most this long, not a wait per
     * message.
     */
    public static final long CONNECT_DEADLINE_NANOS = HandshakeGate.DEADLINE_NANOS;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The other side failed the challenge, or rejected this side's answer. */
    public static final class Failed extends IOException {
        private static final long serialVersionUID = 1L;

        Failed(String message) {
            super(message);
        }
    }

    private Handshake() {
    }

    /**
     * The accepting side: challenges the peer, then answers its challenge, over a socket still in blocking mode.
     * It reads exactly the handshake's messages (nothing past the last: the socket's next bytes are its first
     * message) and allocates at most {@value #MAX_HANDSHAKE_MESSAGE} bytes per message whatever length the peer
     * announces. It has no timeout of its own: {@link HandshakeGate} bounds it by closing the socket.
     *
     * @param channel the connection, blocking
     * @param key     the shared key
     * @throws Failed      if authentication failed either way, or the peer sent something else than a handshake
     *                     message
     * @throws IOException if the socket fails, ends, or is closed meanwhile
     */
    public static void serve(java.nio.channels.SocketChannel channel, byte[] key) throws IOException {
        Messages messages = new Messages() {
            @Override
            public void send(byte[] message) throws IOException {
                SocketWire.sendBlocking(channel, message);
            }

            @Override
            public byte[] receive() throws IOException {
                try {
                    return SocketWire.recvBlocking(channel, MAX_HANDSHAKE_MESSAGE);
                } catch (StreamCorruptedException e) {
                    throw new Failed("not a handshake message: " + e.getMessage());
                }
            }
        };
        challenge(messages, key);
        answer(messages, key);
    }

    /**
     * The connecting side: answers the peer's challenge, then challenges it, all of it before {@code deadline}.
     *
     * @param wire     the connection
     * @param key      the shared key
     * @param deadline the {@link System#nanoTime()} by which the handshake must be over (the connect's own
     *                 deadline too: see {@link SocketWire#connect(java.net.SocketAddress, long)})
     * @throws Failed      if authentication failed either way, or the other side did not finish its part of the
     *                     handshake by the deadline
     * @throws IOException if the socket fails
     */
    public static void connect(SocketWire wire, byte[] key, long deadline) throws IOException {
        Messages messages = new Messages() {
            @Override
            public void send(byte[] message) throws IOException {
                wire.send(message, 0, message.length); // at most 64 bytes: the socket's buffer takes them at once
            }

            @Override
            public byte[] receive() throws IOException {
                long left = deadline - System.nanoTime();
                try {
                    if (left <= 0) {
                        throw new java.net.SocketTimeoutException("deadline passed");
                    }
                    return wire.recv(MAX_HANDSHAKE_MESSAGE, left);
                } catch (StreamCorruptedException e) {
                    throw new Failed("not a handshake message: " + e.getMessage());
                } catch (java.net.SocketTimeoutException e) {
                    throw new Failed("the other side did not finish the handshake by the deadline (a connecting"
                            + " side allows " + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(CONNECT_DEADLINE_NANOS)
                            + " ms for its connect and handshake together)");
                }
            }
        };
        answer(messages, key);
        challenge(messages, key);
    }

    /** One side's handshake messages, each a framed message of at most {@value #MAX_HANDSHAKE_MESSAGE} bytes. */
    private interface Messages {
        void send(byte[] message) throws IOException;

        /** {@return the next message} @throws Failed if it is not a handshake message */
        byte[] receive() throws IOException;
    }

    private static void challenge(Messages wire, byte[] key) throws IOException {
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        byte[] message = concat(CHALLENGE, nonce);
        wire.send(message);
        byte[] digest = wire.receive();
        if (!MessageDigest.isEqual(digest, hmac(key, message))) {
            try {
                wire.send(FAILURE);
            } catch (IOException e) {
                // the other side is gone already: it failed all the same
            }
            throw new Failed("the other side's answer to the challenge is wrong (a different authkey?)");
        }
        wire.send(WELCOME);
    }

    private static void answer(Messages wire, byte[] key) throws IOException {
        byte[] message = wire.receive();
        if (message.length != CHALLENGE.length + NONCE
                || !Arrays.equals(message, 0, CHALLENGE.length, CHALLENGE, 0, CHALLENGE.length)) {
            throw new Failed("expected a challenge from the other side, got " + message.length + " other bytes");
        }
        byte[] digest = hmac(key, message);
        wire.send(digest);
        byte[] verdict = wire.receive();
        if (!Arrays.equals(verdict, WELCOME)) {
            throw new Failed("the other side rejected this side's answer (a different authkey?)");
        }
    }

    private static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256")); // the public API refuses empty keys
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}

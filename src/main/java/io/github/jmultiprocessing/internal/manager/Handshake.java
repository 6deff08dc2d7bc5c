package io.github.jmultiprocessing.internal.manager;

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
 * until both sides have passed; nothing is deserialized.
 */
public final class Handshake {

    private static final byte[] CHALLENGE = "#CHALLENGE#".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WELCOME = "#WELCOME#".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FAILURE = "#FAILURE#".getBytes(StandardCharsets.US_ASCII);
    private static final int NONCE = 32;
    private static final int MAX_HANDSHAKE_MESSAGE = 256;
    /** How long a peer may take for each handshake message: a silent one must not hold a listener forever. */
    public static final long TIMEOUT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
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
     * The accepting side: challenges the peer, then answers its challenge.
     *
     * @param wire the connection
     * @param key  the shared key
     * @throws Failed      if authentication failed either way
     * @throws IOException if the socket fails
     */
    public static void serve(SocketWire wire, byte[] key) throws IOException {
        challenge(wire, key);
        answer(wire, key);
    }

    /**
     * The connecting side: answers the peer's challenge, then challenges it.
     *
     * @param wire the connection
     * @param key  the shared key
     * @throws Failed      if authentication failed either way
     * @throws IOException if the socket fails
     */
    public static void connect(SocketWire wire, byte[] key) throws IOException {
        answer(wire, key);
        challenge(wire, key);
    }

    private static void challenge(SocketWire wire, byte[] key) throws IOException {
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        byte[] message = concat(CHALLENGE, nonce);
        wire.send(message, 0, message.length);
        byte[] digest = receive(wire);
        if (!MessageDigest.isEqual(digest, hmac(key, message))) {
            try {
                wire.send(FAILURE, 0, FAILURE.length);
            } catch (IOException e) {
                // the other side is gone already: it failed all the same
            }
            throw new Failed("the other side's answer to the challenge is wrong (a different authkey?)");
        }
        wire.send(WELCOME, 0, WELCOME.length);
    }

    private static void answer(SocketWire wire, byte[] key) throws IOException {
        byte[] message = receive(wire);
        if (message.length != CHALLENGE.length + NONCE
                || !Arrays.equals(message, 0, CHALLENGE.length, CHALLENGE, 0, CHALLENGE.length)) {
            throw new Failed("expected a challenge from the other side, got " + message.length + " other bytes");
        }
        byte[] digest = hmac(key, message);
        wire.send(digest, 0, digest.length);
        byte[] verdict = receive(wire);
        if (!Arrays.equals(verdict, WELCOME)) {
            throw new Failed("the other side rejected this side's answer (a different authkey?)");
        }
    }

    private static byte[] receive(SocketWire wire) throws IOException {
        try {
            return wire.recv(MAX_HANDSHAKE_MESSAGE, TIMEOUT_NANOS);
        } catch (StreamCorruptedException e) {
            throw new Failed("not a handshake message: " + e.getMessage());
        } catch (java.net.SocketTimeoutException e) {
            throw new Failed("the other side sent no handshake message within "
                    + java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(TIMEOUT_NANOS) + " s");
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

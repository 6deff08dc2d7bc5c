package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.manager.Handshake;
import io.github.jmultiprocessing.internal.manager.SocketWire;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Accepts {@link Connection}s from other processes, on this machine (a Unix domain socket) or across machines
 * (TCP): Python's {@code multiprocessing.connection.Listener}.
 *
 * <pre>{@code
 * try (var listener = new Listener(new InetSocketAddress("localhost", 6000), "secret password".getBytes())) {
 *     try (Connection conn = listener.accept()) {
 *         System.out.println("connection accepted from " + listener.lastAccepted());
 *         conn.send(new int[] {1, 2, 3});
 *     }
 * }
 * }</pre>
 *
 * <p>With an authkey, each accepted socket is authenticated both ways (a random challenge answered with an
 * HMAC-SHA256 of the key) before a single message is read; a peer with another key fails with
 * {@link AuthenticationException} on both sides, and the listener keeps accepting others (a peer that stays silent
 * fails after 20 s; meanwhile {@code accept} waits, as in Python). Without an authkey
 * anyone who can reach the socket can talk to it, and messages are Java-deserialized (through the JVM-wide
 * {@link java.io.ObjectInputFilter}): use TCP only with an authkey. Socket connections cannot be passed to other
 * processes.
 */
public final class Listener implements AutoCloseable {

    private final ServerSocketChannel server;
    private final SocketAddress address;
    private final byte[] authkey;
    private final Path socketFile;
    private volatile SocketAddress lastAccepted;

    /**
     * Listens without authentication.
     *
     * @param address an {@link InetSocketAddress} (port 0 picks a free one) or a {@link UnixDomainSocketAddress}
     *                (a new file)
     * @throws IOException if it cannot bind
     */
    public Listener(SocketAddress address) throws IOException {
        this(address, null);
    }

    /**
     * Listens, authenticating every connection on {@code authkey}.
     *
     * @param address an {@link InetSocketAddress} (port 0 picks a free one) or a {@link UnixDomainSocketAddress}
     *                (a new file)
     * @param authkey the shared key, not empty; null for no authentication
     * @throws IOException              if it cannot bind
     * @throws IllegalArgumentException for another kind of address, or an empty key
     */
    public Listener(SocketAddress address, byte[] authkey) throws IOException {
        Objects.requireNonNull(address, "address");
        this.authkey = checkKey(authkey);
        if (address instanceof UnixDomainSocketAddress unix) {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            socketFile = unix.getPath();
        } else if (address instanceof InetSocketAddress) {
            server = ServerSocketChannel.open();
            socketFile = null;
        } else {
            throw new IllegalArgumentException("address=" + address + " (expected an InetSocketAddress or a"
                    + " UnixDomainSocketAddress)");
        }
        try {
            server.bind(address);
            this.address = server.getLocalAddress();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    static byte[] checkKey(byte[] authkey) {
        if (authkey != null && authkey.length == 0) {
            throw new IllegalArgumentException("authkey of 0 bytes (expected a non-empty key, or null for none)");
        }
        return authkey == null ? null : authkey.clone();
    }

    /**
     * Waits for the next connection and authenticates it.
     *
     * @return the connection
     * @throws AuthenticationException if the peer does not share the authkey (its socket is closed; this listener
     *                                 goes on)
     * @throws IOException             if the listener is closed or the socket fails
     */
    public Connection accept() throws IOException {
        SocketChannel socket = server.accept();
        SocketAddress remote;
        try {
            remote = socket.getRemoteAddress();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        SocketWire wire;
        try {
            wire = new SocketWire(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        try {
            if (authkey != null) {
                Handshake.serve(wire, authkey);
            }
        } catch (Handshake.Failed e) {
            wire.close();
            throw new AuthenticationException("connection from " + describe(remote) + " refused: " + e.getMessage(),
                    e);
        } catch (IOException | RuntimeException e) {
            wire.close();
            throw e;
        }
        lastAccepted = remote;
        return new Connection(wire, "from " + describe(remote));
    }

    static String describe(SocketAddress address) {
        return address instanceof UnixDomainSocketAddress unix && unix.getPath().toString().isEmpty()
                ? "a local process" : String.valueOf(address);
    }

    /** {@return the address it listens on (with the actual port if 0 was asked for)} */
    public SocketAddress address() {
        return address;
    }

    /** {@return the address of the last accepted connection, or null} */
    public SocketAddress lastAccepted() {
        return lastAccepted;
    }

    /** Stops listening (a Unix socket's file is deleted); connections already accepted stay open. */
    @Override
    public void close() throws IOException {
        try {
            server.close();
        } finally {
            if (socketFile != null) {
                Files.deleteIfExists(socketFile);
            }
        }
    }

    @Override
    public String toString() {
        return "Listener[" + address + (authkey != null ? ", authenticated" : "") + "]";
    }
}

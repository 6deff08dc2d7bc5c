package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.manager.Handshake;
import io.github.jmultiprocessing.internal.manager.SocketWire;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/**
 * Connects to a {@link Listener}: Python's {@code multiprocessing.connection.Client}.
 *
 * <pre>{@code
 * try (Connection conn = Client.connect(new InetSocketAddress("localhost", 6000), "secret password".getBytes())) {
 *     System.out.println(Arrays.toString((int[]) conn.recv()));
 * }
 * }</pre>
 */
public final class Client {

    private Client() {
    }

    /**
     * Connects without authentication.
     *
     * @param address the listener's address
     * @return the connection
     * @throws IOException if it cannot connect
     */
    public static Connection connect(SocketAddress address) throws IOException {
        return connect(address, null);
    }

    /**
     * Connects, and authenticates both ways on {@code authkey} before anything else.
     *
     * @param address the listener's address: an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}
     * @param authkey the shared key, not empty; null for no authentication
     * @return the connection
     * @throws AuthenticationException  if the listener does not share the key
     * @throws IOException              if it cannot connect
     * @throws IllegalArgumentException for another kind of address, or an empty key
     */
    public static Connection connect(SocketAddress address, byte[] authkey) throws IOException {
        Objects.requireNonNull(address, "address");
        byte[] key = Listener.checkKey(authkey);
        SocketChannel socket;
        if (address instanceof UnixDomainSocketAddress) {
            socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        } else if (address instanceof InetSocketAddress) {
            socket = SocketChannel.open();
        } else {
            throw new IllegalArgumentException("address=" + address + " (expected an InetSocketAddress or a"
                    + " UnixDomainSocketAddress)");
        }
        SocketWire wire;
        try {
            socket.connect(address);
            wire = new SocketWire(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        try {
            if (key != null) {
                Handshake.connect(wire, key);
            }
        } catch (Handshake.Failed e) {
            wire.close();
            throw new AuthenticationException("connection to " + address + " refused: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            wire.close();
            throw e;
        }
        return new Connection(wire, "to " + address);
    }
}

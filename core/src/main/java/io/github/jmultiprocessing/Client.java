package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.connection.Handshake;
import io.github.jmultiprocessing.internal.connection.SocketWire;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
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
     * @throws AuthenticationException  if the listener does not share the key, or does not finish the handshake
     *                                  within its deadline: connecting and authenticating take at most 10 s
     *                                  together, however slowly the other side answers
     * @throws java.net.SocketTimeoutException if it is not connected within those 10 s
     * @throws IOException              if it cannot connect
     * @throws IllegalArgumentException for another kind of address, or an empty key
     */
    public static Connection connect(SocketAddress address, byte[] authkey) throws IOException {
        Objects.requireNonNull(address, "address");
        byte[] key = Listener.checkKey(authkey);
        long deadline = System.nanoTime() + Handshake.CONNECT_DEADLINE_NANOS; // connect and handshake together
        SocketWire wire = SocketWire.connect(address, deadline);
        try {
            if (key != null) {
                Handshake.connect(wire, key, deadline);
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

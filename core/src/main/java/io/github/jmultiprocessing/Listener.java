package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.connection.Handshake;
import io.github.jmultiprocessing.internal.connection.HandshakeGate;
import io.github.jmultiprocessing.internal.connection.SocketWire;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

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
 * {@link AuthenticationException} on both sides, and the listener keeps accepting others. From the first
 * {@code accept}, a background thread accepts sockets and authenticates them concurrently, each within 10 s of its
 * own, and {@code accept} returns the first that passed: a peer that stays silent or sends half a message delays
 * no other (Python's {@code accept} waits for it), is not reported, and is closed at its deadline, or earlier if 64
 * handshakes are pending when another peer connects. While 64 authenticated connections wait for {@code accept},
 * the background thread accepts no more (further peers wait in the system's backlog); {@link #close()} closes those
 * that were not accepted. Without an authkey
 * anyone who can reach the socket can talk to it, and messages are Java-deserialized (through the JVM-wide
 * {@link java.io.ObjectInputFilter}): use TCP only with an authkey. Socket connections cannot be passed to other
 * processes.
 */
public final class Listener implements AutoCloseable {

    /*
     * Implementation notes. With an authkey, a HandshakeGate (started by the first accept) accepts and
     * authenticates; what passes, or fails authentication, is queued in `arrivals` (guarded by `lock`) in the order
     * the handshakes ended, and accept() takes from its head. The queue is bounded: the gate's accepting thread
     * waits while MAX_WAITING connections are queued, and at most MAX_REFUSALS refusals are kept (later ones are
     * dropped: they only inform). A queued connection is a bare socket: its SocketWire (selectors, read-ahead) is
     * made by accept().
     */

    /** Authenticated connections queued for accept() before the gate stops accepting. */
    private static final int MAX_WAITING = 64;
    /** Refusals queued for accept() to report; more are dropped. */
    private static final int MAX_REFUSALS = 16;

    /** A peer that passed (a socket) or failed (a refusal) its handshake, for accept(). */
    private record Arrival(SocketChannel channel, SocketAddress remote, AuthenticationException refusal) {
    }

    private final ServerSocketChannel server;
    private final SocketAddress address;
    private final byte[] authkey;
    private final Path socketFile;
    private volatile SocketAddress lastAccepted;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when an arrival is queued or taken, and at close. */
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Arrival> arrivals = new ArrayDeque<>(); // guarded by lock
    private int waiting; // connections in arrivals; guarded by lock
    private int refusals; // refusals in arrivals; guarded by lock
    private HandshakeGate gate; // made by the first accept; guarded by lock
    private boolean closed; // guarded by lock

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
     * Waits for the next connection and authenticates it. With an authkey, returns the first peer that passed the
     * handshake, whichever connected first (see above); peers that stay silent are never reported.
     *
     * @return the connection
     * @throws AuthenticationException if a peer failed authentication: another authkey, or bytes that are no
     *                                 handshake (its socket is closed; this listener goes on)
     * @throws InterruptedIOException  if interrupted while waiting (the listener stays open)
     * @throws IOException             if the listener is closed or the socket fails
     */
    public Connection accept() throws IOException {
        if (authkey == null) {
            SocketChannel socket = server.accept();
            SocketAddress remote;
            try {
                remote = socket.getRemoteAddress();
            } catch (IOException e) {
                socket.close();
                throw e;
            }
            return connection(socket, remote);
        }
        Arrival next = next();
        if (next.refusal() != null) {
            throw next.refusal();
        }
        return connection(next.channel(), next.remote());
    }

    private Connection connection(SocketChannel socket, SocketAddress remote) throws IOException {
        SocketWire wire;
        try {
            wire = new SocketWire(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        lastAccepted = remote;
        return new Connection(wire, "from " + describe(remote));
    }

    /** {@return the head of the arrivals, waiting for one; starts the gate on first use} */
    private Arrival next() throws IOException {
        lock.lock();
        try {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (gate == null) {
                gate = new HandshakeGate(server, authkey, "listener", new Arrivals());
                gate.start();
            }
            Arrival next;
            while ((next = arrivals.pollFirst()) == null) {
                if (closed) {
                    throw new AsynchronousCloseException();
                }
                try {
                    changed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for a connection");
                }
            }
            if (next.refusal() != null) {
                refusals--;
            } else {
                waiting--;
                changed.signalAll(); // room for the gate's accepting thread
            }
            return next;
        } finally {
            lock.unlock();
        }
    }

    /** The gate's side of the arrivals: queues what passed or failed, and holds the gate while too many wait. */
    private final class Arrivals implements HandshakeGate.Sink {
        @Override
        public void authenticated(SocketChannel channel, SocketAddress remote) {
            lock.lock();
            try {
                if (!closed) {
                    arrivals.addLast(new Arrival(channel, remote, null));
                    waiting++;
                    changed.signalAll();
                    return;
                }
            } finally {
                lock.unlock();
            }
            try {
                channel.close(); // the listener closed meanwhile
            } catch (IOException e) {
                // nothing more to do
            }
        }

        @Override
        public void refused(SocketAddress remote, Handshake.Failed failure) {
            lock.lock();
            try {
                if (!closed && refusals < MAX_REFUSALS) {
                    arrivals.addLast(new Arrival(null, remote, new AuthenticationException("connection from "
                            + describe(remote) + " refused: " + failure.getMessage(), failure)));
                    refusals++;
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void awaitRoom() throws InterruptedException {
            lock.lock();
            try {
                while (!closed && waiting >= MAX_WAITING) {
                    changed.await();
                }
            } finally {
                lock.unlock();
            }
        }
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

    /**
     * Stops listening (a Unix socket's file is deleted); connections already accepted stay open, those authenticated
     * but not yet accepted are closed, and a thread waiting in {@link #accept()} fails.
     */
    @Override
    public void close() throws IOException {
        HandshakeGate accepting;
        ArrayDeque<Arrival> unaccepted;
        lock.lock();
        try {
            closed = true;
            accepting = gate;
            unaccepted = new ArrayDeque<>(arrivals);
            arrivals.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            server.close();
            if (accepting != null) {
                accepting.close();
            }
            for (Arrival arrival : unaccepted) {
                if (arrival.channel() != null) {
                    arrival.channel().close();
                }
            }
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

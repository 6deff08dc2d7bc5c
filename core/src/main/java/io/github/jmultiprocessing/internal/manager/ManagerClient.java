package io.github.jmultiprocessing.internal.manager;

import io.github.jmultiprocessing.internal.config.Configuration;
import io.github.jmultiprocessing.internal.connection.Handshake;
import io.github.jmultiprocessing.internal.connection.PipeWire;
import io.github.jmultiprocessing.internal.connection.SocketWire;
import io.github.jmultiprocessing.internal.connection.Wire;
import io.github.jmultiprocessing.internal.shm.LibraryThreads;
import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.ref.Cleaner;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A process's connections to one manager server: one per thread (as Python's proxies have), so that a reentrant
 * lock taken by a thread belongs to that thread on the server too, plus one for bookkeeping (references dropped by
 * the cleaner thread). Each connection is authenticated before its first request.
 *
 * <p>A server on this machine (a Unix domain socket address) is asked first to move the connection to a pipe in
 * shared memory ({@link ManagerFrames#LINK}, {@link PipeWire}): a call is then a hand-off through shared memory, not a
 * socket round trip. If the server cannot make one, or this process cannot map it, the connection stays a socket.
 * {@code jmultiprocessing.manager.pipes=false} keeps every connection a socket.
 */
public final class ManagerClient {

    private static final Map<String, ManagerClient> CLIENTS = new ConcurrentHashMap<>();
    /** Keys of the managers this process started, serves or connected to, or got a proxy of, by address. */
    private static final Map<SocketAddress, byte[]> KEYS = new ConcurrentHashMap<>();
    private static final Cleaner CLEANER = Cleaner.create(LibraryThreads.factory("manager-connections"));
    /** Releases (decrefs) the objects of proxies that became unreachable in this process. */
    private static final Cleaner PROXIES = Cleaner.create(LibraryThreads.factory("manager-proxies"));
    private static final int MAX_REPLY = 1 << 30;
    private static final byte[] LINK_REQUEST = ManagerFrames.request(ManagerFrames.LINK, ProcessIdentity.pid(), null,
            null);

    private final SocketAddress address;
    private final byte[] authkey;
    private final ThreadLocal<Holder> perThread = new ThreadLocal<>();
    private final Set<Wire> open = ConcurrentHashMap.newKeySet();
    private final Object bookkeepingLock = new Object();
    private Wire bookkeeping; // guarded by bookkeepingLock
    private volatile boolean noPipes; // a pipe to this server could not be made or used once: sockets only

    /**
     * Runs {@code release} on the library's proxy-release thread once {@code proxy} is unreachable (Python's proxy
     * finalizer, which decrefs the referent on the server).
     *
     * @param proxy   the proxy's handler
     * @param release the release; must not refer to {@code proxy}
     */
    public static void releaseWhenUnreachable(Object proxy, Runnable release) {
        PROXIES.register(proxy, release);
    }

    /** A thread's connection; when the thread and so this holder are gone, the connection closes. */
    private static final class Holder {
        final Wire wire;

        Holder(Wire wire) {
            this.wire = wire;
        }
    }

    private ManagerClient(SocketAddress address, byte[] authkey) {
        this.address = address;
        this.authkey = authkey.clone();
    }

    /**
     * {@return the client of a server, shared in this process}
     *
     * @param address the server's address
     * @param authkey the key to prove
     */
    public static ManagerClient of(SocketAddress address, byte[] authkey) {
        String key = address + "|" + java.util.HexFormat.of().formatHex(authkey);
        return CLIENTS.computeIfAbsent(key, k -> new ManagerClient(address, authkey));
    }

    /**
     * Notes the key of a manager this process started, serves or connected to, for the proxies of it read here
     * (replacing a key noted before for that address).
     *
     * @param address the manager's address
     * @param authkey its key (copied)
     */
    public static void noteKey(SocketAddress address, byte[] authkey) {
        KEYS.put(address, authkey.clone());
    }

    /**
     * Notes a manager's key that came with a proxy of it (to a child being started), unless a key is noted for
     * that address already.
     *
     * @param address the manager's address
     * @param authkey its key (copied)
     */
    public static void noteKeyIfAbsent(SocketAddress address, byte[] authkey) {
        KEYS.putIfAbsent(address, authkey.clone());
    }

    /**
     * {@return a copy of the key noted for a manager's address, or null if none is (the caller then proves its
     * process's own key, which this package cannot read without a cycle through the public package)}
     *
     * @param address the manager's address
     */
    public static byte[] notedKey(SocketAddress address) {
        byte[] key = KEYS.get(address);
        return key != null ? key.clone() : null;
    }

    /** {@return the server's address} */
    public SocketAddress address() {
        return address;
    }

    /**
     * Sends a request on the calling thread's connection and waits for the reply, ignoring interrupts (the flag is
     * kept for the caller): for calls that do not respond to interrupts.
     *
     * @param request the request ({@link ManagerFrames#request})
     * @return the reply
     * @throws IOException if the server cannot be reached or is gone
     */
    public byte[] call(byte[] request) throws IOException {
        return call(request, false);
    }

    /**
     * Sends a request on the calling thread's connection and waits for the reply.
     *
     * <p>An interruptible call interrupted before it is sent is not sent ({@link InterruptedIOException}, the
     * connection kept). Interrupted while it runs on the server, it is cancelled: a {@link ManagerFrames#CANCEL}
     * goes after it and the reply is awaited all the same, the call's result if it finished first (with the
     * interrupt flag set), else an {@link InterruptedException} failure. The connection stays in step either way,
     * so what the server holds for this thread (its locks) stays held.
     *
     * @param request       the request ({@link ManagerFrames#request})
     * @param interruptible whether an interrupt ends the call
     * @return the reply
     * @throws InterruptedIOException if interruptible and interrupted before sending
     * @throws IOException            if the server cannot be reached or is gone
     */
    public byte[] call(byte[] request, boolean interruptible) throws IOException {
        boolean interrupted = !interruptible && Thread.interrupted();
        try {
            Holder holder = perThread.get();
            if (holder == null || !holder.wire.isOpen()) {
                if (holder != null) {
                    drop(holder); // its mapping and socket go now, not when the holder is collected
                }
                Wire wire = connect();
                holder = new Holder(wire);
                perThread.set(holder);
                CLEANER.register(holder, () -> {
                    open.remove(wire);
                    wire.close();
                });
            }
            try {
                holder.wire.send(request, 0, request.length);
            } catch (InterruptedIOException e) {
                throw e; // nothing was sent: the connection is in step
            } catch (IOException e) {
                drop(holder);
                throw e;
            }
            boolean cancelled = false;
            while (true) {
                try {
                    return holder.wire.recv(MAX_REPLY);
                } catch (InterruptedIOException e) { // before the reply started: nothing of it was read
                    interrupted = true;
                    if (interruptible && !cancelled) {
                        cancelled = true;
                        send(holder, CANCEL_REQUEST);
                    }
                } catch (IOException e) {
                    drop(holder);
                    throw e;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final byte[] CANCEL_REQUEST = ManagerFrames.request(ManagerFrames.CANCEL, 0, null, null);

    private void send(Holder holder, byte[] message) throws IOException {
        try {
            while (true) {
                try {
                    holder.wire.send(message, 0, message.length);
                    return;
                } catch (InterruptedIOException e) {
                    // interrupted again before sending (the caller restores the flag): send it all the same
                }
            }
        } catch (IOException e) {
            drop(holder);
            throw e;
        }
    }

    private void drop(Holder holder) {
        perThread.remove();
        open.remove(holder.wire);
        holder.wire.close(); // out of step or broken: the next call connects afresh
    }

    /**
     * Sends a request on the bookkeeping connection (any thread, one at a time), ignoring interrupts (the flag is
     * kept for the caller).
     *
     * @param request the request
     * @return the reply
     * @throws IOException if the server cannot be reached or is gone
     */
    public byte[] callBookkeeping(byte[] request) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            synchronized (bookkeepingLock) {
                if (bookkeeping == null || !bookkeeping.isOpen()) {
                    bookkeeping = connect();
                }
                try {
                    bookkeeping.send(request, 0, request.length);
                    while (true) {
                        try {
                            return bookkeeping.recv(MAX_REPLY);
                        } catch (InterruptedIOException e) {
                            interrupted = true; // nothing of the reply was read: wait on
                        }
                    }
                } catch (IOException e) {
                    bookkeeping.close();
                    bookkeeping = null;
                    throw e;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Connects and authenticates, both within {@link Handshake#CONNECT_DEADLINE_NANOS}, then, to a server on this
     * machine, moves the connection to a pipe in shared memory if both sides can.
     */
    private Wire connect() throws IOException {
        Wire wire = connect(address instanceof UnixDomainSocketAddress && !noPipes
                && !Configuration.MANAGER_PIPES.isOff());
        open.add(wire);
        return wire;
    }

    private Wire connect(boolean pipe) throws IOException {
        long deadline = System.nanoTime() + Handshake.CONNECT_DEADLINE_NANOS;
        SocketWire socket = SocketWire.connect(address, deadline);
        try {
            Handshake.connect(socket, authkey, deadline);
            if (!pipe) {
                return socket;
            }
            socket.send(LINK_REQUEST, 0, LINK_REQUEST.length);
            String segment;
            try {
                segment = (String) ManagerFrames.result(socket.recv(MAX_REPLY,
                        Math.max(1, deadline - System.nanoTime())));
            } catch (ManagerFrames.Failed e) {
                // No pipe from the server (no room for it, or this pid is no live process there): the socket
                // carries the calls, and later connections do not ask again.
                noPipes = true;
                return socket;
            }
            try {
                return PipeWire.accept(socket, segment);
            } catch (IOException e) { // not usable here (another segment directory or pid namespace): a socket
                noPipes = true;
                socket.close();
                return connect(false);
            }
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** {@return true if the calling thread's connection is open and goes through a pipe in shared memory} */
    boolean pipeLinked() {
        Holder holder = perThread.get();
        return holder != null && holder.wire instanceof PipeWire && holder.wire.isOpen();
    }

    /** Closes every connection of this process to the server (after a shutdown). */
    public void closeAll() {
        for (Wire wire : open) {
            wire.close();
        }
        open.clear();
        synchronized (bookkeepingLock) {
            if (bookkeeping != null) {
                bookkeeping.close();
                bookkeeping = null;
            }
        }
    }
}

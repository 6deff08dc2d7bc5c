package io.github.jmultiprocessing.internal.manager;

import java.io.IOException;
import java.lang.ref.Cleaner;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A process's connections to one manager server: one per thread (as Python's proxies have), so that a reentrant
 * lock taken by a thread belongs to that thread on the server too, plus one for bookkeeping (references dropped by
 * the cleaner thread). Each connection is authenticated before its first request.
 */
public final class ManagerClient {

    private static final Map<String, ManagerClient> CLIENTS = new ConcurrentHashMap<>();
    private static final Cleaner CLEANER = Cleaner.create(Thread.ofPlatform().daemon().name("manager connections")
            .factory());
    private static final int MAX_REPLY = 1 << 30;

    private final SocketAddress address;
    private final byte[] authkey;
    private final ThreadLocal<Holder> perThread = new ThreadLocal<>();
    private final Set<SocketWire> open = ConcurrentHashMap.newKeySet();
    private final Object bookkeepingLock = new Object();
    private SocketWire bookkeeping; // guarded by bookkeepingLock

    /** A thread's connection; when the thread and so this holder are gone, the connection closes. */
    private static final class Holder {
        final SocketWire wire;

        Holder(SocketWire wire) {
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

    /** {@return the server's address} */
    public SocketAddress address() {
        return address;
    }

    /**
     * Sends a request on the calling thread's connection and waits for the reply.
     *
     * @param request the request ({@link ManagerFrames#request})
     * @return the reply
     * @throws IOException if the server cannot be reached or is gone
     */
    public byte[] call(byte[] request) throws IOException {
        Holder holder = perThread.get();
        if (holder == null || holder.wire.channel() == null || !holder.wire.channel().isOpen()) {
            SocketWire wire = connect();
            holder = new Holder(wire);
            perThread.set(holder);
            CLEANER.register(holder, () -> {
                open.remove(wire);
                wire.close();
            });
        }
        try {
            return exchange(holder.wire, request);
        } catch (IOException e) {
            perThread.remove();
            open.remove(holder.wire);
            holder.wire.close(); // out of step or broken: the next call connects afresh
            throw e;
        }
    }

    /**
     * Sends a request on the bookkeeping connection (any thread, one at a time).
     *
     * @param request the request
     * @return the reply
     * @throws IOException if the server cannot be reached or is gone
     */
    public byte[] callBookkeeping(byte[] request) throws IOException {
        synchronized (bookkeepingLock) {
            if (bookkeeping == null || !bookkeeping.channel().isOpen()) {
                bookkeeping = connect();
            }
            try {
                return exchange(bookkeeping, request);
            } catch (IOException e) {
                bookkeeping.close();
                bookkeeping = null;
                throw e;
            }
        }
    }

    private static byte[] exchange(SocketWire wire, byte[] request) throws IOException {
        wire.send(request, 0, request.length);
        return wire.recv(MAX_REPLY);
    }

    private SocketWire connect() throws IOException {
        SocketChannel channel = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(java.net.StandardProtocolFamily.UNIX) : SocketChannel.open();
        try {
            channel.connect(address);
            SocketWire wire = new SocketWire(channel);
            try {
                Handshake.connect(wire, authkey);
            } catch (IOException | RuntimeException e) {
                wire.close();
                throw e;
            }
            open.add(wire);
            return wire;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Closes every connection of this process to the server (after a shutdown). */
    public void closeAll() {
        for (SocketWire wire : open) {
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

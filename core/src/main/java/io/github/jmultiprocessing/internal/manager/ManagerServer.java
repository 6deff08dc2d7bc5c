package io.github.jmultiprocessing.internal.manager;

import io.github.jmultiprocessing.internal.connection.Handshake;
import io.github.jmultiprocessing.internal.connection.HandshakeGate;
import io.github.jmultiprocessing.internal.connection.PipeWire;
import io.github.jmultiprocessing.internal.connection.SocketWire;
import io.github.jmultiprocessing.internal.connection.Wire;
import io.github.jmultiprocessing.internal.shm.LibraryThreads;
import java.io.EOFException;
import java.io.IOException;
import java.io.Serializable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A manager's server: it holds objects and runs their methods for clients (Python's
 * {@code multiprocessing.managers.Server}).
 *
 * <p>Each client connection is authenticated ({@link Handshake}) before anything of it is decoded, off the accepting
 * thread and each within a deadline of its own ({@link HandshakeGate}: silent peers delay no client and never turn
 * one away), then served by one thread that runs the client's calls in turn (so a reentrant lock taken by a client
 * thread belongs to it). A client that dies in the middle of a blocking call has that call interrupted (a
 * {@code get} on a queue does not take an element for nobody), and the locks it held are released
 * ({@link Holder}): a dead client never wedges the server or its objects.
 *
 * <p>Objects live while proxies refer to them: a count per object, raised for each proxy made (also one in flight,
 * serialized), lowered when a proxy is collected.
 */
public final class ManagerServer implements AutoCloseable {

    /** How a type's objects are made, and which interface their proxies have. */
    public record TypeSpec(Function<Object[], Object> factory, Class<?> proxyInterface, Set<String> exposed)
            implements Serializable {

        /**
         * {@return whether a method may be called through a proxy}
         *
         * @param method the method
         */
        public boolean exposes(Method method) {
            return (exposed == null || exposed.contains(method.getName()))
                    && method.getDeclaringClass().isAssignableFrom(proxyInterface)
                    && method.getDeclaringClass() != Object.class
                    && !java.lang.reflect.Modifier.isStatic(method.getModifiers()); // List.of(...) is no method of it
        }
    }

    private static volatile ManagerServer current;
    /** Calls running at least this long are checked for a client gone meanwhile. */
    private static final long WATCH_NANOS = 50_000_000L;
    private static final int MAX_REQUEST = 1 << 30;

    private final Map<String, TypeSpec> types;
    private final byte[] authkey;
    private final ServerSocketChannel listener;
    private final SocketAddress address;
    private final Map<Long, Entry> objects = new ConcurrentHashMap<>();
    /** The high half of each id this server makes: another server's ids are never taken for its own. */
    private final long nonce = 1 + new java.security.SecureRandom().nextInt(Integer.MAX_VALUE - 1);
    private final AtomicLong ids = new AtomicLong(nonce << 32);
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    /** Where connections come in and authenticate; made by {@link #serve()}. */
    private volatile HandshakeGate gate;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final String name;
    private volatile boolean closing;

    private record Entry(Object object, TypeSpec spec, AtomicInteger refs) {
    }

    /**
     * Binds a server; {@link #serve()} then serves it.
     *
     * @param address where to listen: a {@link UnixDomainSocketAddress} or an {@link java.net.InetSocketAddress}
     * @param authkey the key clients must prove they hold, not empty
     * @param types   the types it makes
     * @param name    its name, for messages
     * @throws IOException if it cannot bind
     */
    public ManagerServer(SocketAddress address, byte[] authkey, Map<String, TypeSpec> types, String name)
            throws IOException {
        this.types = Map.copyOf(types);
        this.authkey = authkey.clone();
        this.name = name;
        this.listener = address instanceof UnixDomainSocketAddress ? ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                : ServerSocketChannel.open();
        try {
            listener.bind(address);
            this.address = listener.getLocalAddress();
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        this.cleanup = this.address instanceof UnixDomainSocketAddress unix
                ? LibraryThreads.unstarted("manager-socket-cleanup", () -> deleteQuietly(unix.getPath())) : null;
        if (cleanup != null) { // a server that exits with its parent (a daemon) removes its socket file too
            Runtime.getRuntime().addShutdownHook(cleanup);
        }
    }

    private final Thread cleanup;

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a stale socket file is harmless: the next bind uses a fresh name
        }
    }

    /** {@return the address it listens on} */
    public SocketAddress address() {
        return address;
    }

    /** {@return the server running in this JVM, or null} */
    public static ManagerServer current() {
        return current;
    }

    /**
     * Serves until a client asks for shutdown or {@link #close()} is called.
     *
     * @throws InterruptedException if interrupted while serving
     */
    public void serve() throws InterruptedException {
        current = this;
        HandshakeGate accepting = new HandshakeGate(listener, authkey, name, new HandshakeGate.Sink() {
            @Override
            public void authenticated(SocketChannel channel, SocketAddress remote) {
                LibraryThreads.start(name + "-connection", () -> serveConnection(channel));
            }

            @Override
            public void ended() {
                stopped.countDown();
            }
        });
        gate = accepting;
        if (closing) { // closed before it served: close() did not see the gate
            accepting.close();
        }
        accepting.start();
        Thread watch = LibraryThreads.start(name + "-watch", this::watch);
        try {
            stopped.await();
        } finally {
            close();
            watch.interrupt();
            accepting.join(5_000);
        }
    }

    /** Checks, every {@link #WATCH_NANOS}, the calls that have been running that long (see {@link Session}). */
    private void watch() {
        try {
            while (!closing) {
                Thread.sleep(WATCH_NANOS / 1_000_000);
                long now = System.nanoTime();
                for (Session session : sessions) {
                    session.check(now);
                }
            }
        } catch (InterruptedException e) {
            // the server is closing
        }
    }

    /** Serves one authenticated connection, on its own thread. */
    private void serveConnection(SocketChannel channel) {
        SocketWire wire;
        try {
            wire = new SocketWire(channel);
        } catch (IOException e) {
            closeQuietly(channel);
            return;
        }
        Session session = new Session(wire);
        sessions.add(session);
        if (closing) { // accepted while the server closed: close() may have missed it
            wire.close();
        }
        try {
            session.read();
        } finally {
            sessions.remove(session);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }

    /** Stops serving: the listener and every connection close. */
    @Override
    public void close() {
        closing = true;
        if (current == this) {
            current = null;
        }
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        HandshakeGate accepting = gate;
        if (accepting != null) {
            accepting.close();
        }
        for (Session session : sessions) {
            session.wire.close();
        }
        if (address instanceof UnixDomainSocketAddress unix) {
            deleteQuietly(unix.getPath());
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // the JVM is exiting: the hook runs anyway
            }
        }
        stopped.countDown();
    }

    // ---- objects

    /**
     * Makes an object of a registered type.
     *
     * @param typeid the type
     * @param args   the factory's arguments
     * @return its id, with one reference
     * @throws Fault if the type is unknown here, or its factory made an object without the proxies' interface
     * @throws RuntimeException the factory's own exception
     */
    public long create(String typeid, Object[] args) throws Fault {
        TypeSpec spec = types.get(typeid);
        if (spec == null) {
            throw new Fault("typeid=" + typeid + " (expected one of " + types.keySet() + ")");
        }
        Object object = spec.factory().apply(args);
        if (!spec.proxyInterface().isInstance(object)) {
            throw new Fault("the factory of " + typeid + " made " + (object == null ? "null" : "a "
                    + object.getClass().getName()) + " (expected an object implementing "
                    + spec.proxyInterface().getName() + ")");
        }
        long id = ids.incrementAndGet();
        objects.put(id, new Entry(object, spec, new AtomicInteger(1)));
        return id;
    }

    /**
     * {@return whether an id is one this server made} A proxy may name the server by another address than its own
     * (a client that connected to 127.0.0.1 a server bound to 0.0.0.0), and a server at the address of a gone one
     * must not take that one's ids for its own.
     *
     * @param id the id
     */
    public boolean owns(long id) {
        return id >>> 32 == nonce;
    }

    /**
     * {@return a held object}
     *
     * @param id its id
     * @throws NoSuchElementException if there is none (released, or never made)
     */
    public Object object(long id) {
        return entry(id).object();
    }

    private Entry entry(long id) {
        Entry entry = objects.get(id);
        if (entry == null) {
            throw new NoSuchElementException("object " + id + " (expected one the manager holds: released?)");
        }
        return entry;
    }

    /**
     * Adds a reference to an object.
     *
     * @param id its id
     */
    public void incref(long id) {
        entry(id).refs().incrementAndGet();
    }

    /**
     * Drops a reference; the object goes with the last.
     *
     * @param id its id
     */
    public void decref(long id) {
        Entry entry = objects.get(id);
        if (entry != null && entry.refs().decrementAndGet() <= 0) {
            objects.remove(id, entry);
        }
    }

    /** {@return how many objects it holds} */
    public int size() {
        return objects.size();
    }

    /**
     * Calls a method of a held object.
     *
     * @param id        the object
     * @param signature the method: its name and parameter types ({@link Methods#signature})
     * @param args      the arguments
     * @return the result
     * @throws Fault     if it could not be called: no such object or method, a method not exposed, arguments
     *                   that do not fit it, a method the server may not call
     * @throws Throwable the method's own exception
     */
    public Object call(long id, String signature, Object[] args) throws Throwable {
        Entry entry = objects.get(id);
        if (entry == null) {
            throw new Fault("object " + id + " (expected one the manager holds: released?)");
        }
        if (signature.equals("toString()")) {
            return entry.object().toString();
        }
        Method method;
        try {
            method = Methods.resolve(entry.spec().proxyInterface(), signature);
        } catch (NoSuchMethodException e) {
            throw new Fault("method " + signature + " (expected a method of " + entry.spec().proxyInterface()
                    .getName() + ")", e);
        }
        if (!entry.spec().exposes(method)) {
            throw new Fault("method " + method.getName() + " is not exposed (expected one of "
                    + entry.spec().exposed() + ")");
        }
        try {
            return method.invoke(entry.object(), args);
        } catch (InvocationTargetException e) {
            throw e.getCause(); // the method's own
        } catch (IllegalAccessException | IllegalArgumentException e) { // the call, not the method, failed
            throw new Fault("calling " + signature + " of " + entry.spec().proxyInterface().getName() + ": " + e, e);
        }
    }

    /**
     * A request the server could not carry out, as opposed to the served object's own exception: no such object
     * or method, a method not exposed, a request or result that does not serialize. Python's server sends these as
     * a traceback, raised by the client as {@code RemoteError}.
     */
    public static final class Fault extends Exception {
        private static final long serialVersionUID = 1L;

        /**
         * A fault.
         *
         * @param message what failed
         */
        public Fault(String message) {
            super(message);
        }

        /**
         * A fault with its cause.
         *
         * @param message what failed
         * @param cause   why
         */
        public Fault(String message, Throwable cause) {
            super(message, cause);
        }
    }

    // ---- connections

    /** Locks and the like that a dead client's connection must give back. */
    public interface Holder {
        /** Gives back what the current connection holds of this object; run by the connection's own thread. */
        void releaseAll();
    }

    private static final ThreadLocal<Session> SESSION = new ThreadLocal<>();
    private static final byte[] NO_REPLY = new byte[0];

    /** {@return whether the calling thread is serving a client's call (a proxy's text there is a reference)} */
    public static boolean serving() {
        return SESSION.get() != null;
    }

    /**
     * Notes that the current connection holds a lock (called by server-side objects in a call).
     *
     * @param holder the object to release from, if the client dies
     */
    public static void holding(Holder holder) {
        Session session = SESSION.get();
        if (session != null) {
            session.held.add(holder);
        }
    }

    /**
     * Notes that the current connection no longer holds a lock (so a long connection does not keep every lock it
     * ever took).
     *
     * @param holder the object released
     */
    public static void released(Holder holder) {
        Session session = SESSION.get();
        if (session != null) {
            session.held.remove(holder);
        }
    }

    /**
     * One client connection, served by one thread: it reads a request, runs it, sends the reply. While a call runs
     * the client only waits, so anything readable on its socket then means it has gone: the {@link #watch()}
     * thread checks calls running longer than {@link #WATCH_NANOS} and interrupts them.
     */
    private final class Session {
        volatile Wire wire; // the socket, then the pipe if the client asked for one first
        final Set<Holder> held = ConcurrentHashMap.newKeySet();
        volatile Thread thread;
        volatile long callStarted; // System.nanoTime() when the running call started, 0 between calls

        Session(SocketWire wire) {
            this.wire = wire;
        }

        void read() {
            thread = Thread.currentThread();
            SESSION.set(this);
            try {
                boolean first = true;
                while (true) {
                    byte[] request = wire.recv(MAX_REQUEST);
                    if (first && request.length == 9 && request[0] == ManagerFrames.LINK
                            && wire instanceof SocketWire socket) {
                        first = false;
                        link(socket, request);
                        continue;
                    }
                    first = false;
                    callStarted = Math.max(1, System.nanoTime());
                    byte[] reply;
                    try {
                        reply = handle(request);
                    } finally {
                        synchronized (this) { // no interrupt of the watch lands after the call
                            callStarted = 0;
                            Thread.interrupted();
                        }
                    }
                    if (reply == null) {
                        return;
                    }
                    if (reply != NO_REPLY) {
                        wire.send(reply, 0, reply.length);
                    }
                }
            } catch (EOFException e) {
                // the client closed the connection
            } catch (IOException e) {
                // the connection broke, the client died in a call, or the server is closing
            } finally {
                Thread.interrupted(); // an interrupt from the watch must not stop the releases below
                for (Holder holder : new ArrayList<>(held)) {
                    try {
                        holder.releaseAll();
                    } catch (RuntimeException e) {
                        System.getLogger(ManagerServer.class.getName()).log(System.Logger.Level.WARNING,
                                name + ": releasing a dead client's lock failed", e);
                    }
                }
                SESSION.remove();
                wire.close();
            }
        }

        /**
         * Moves the connection to a pipe in shared memory, as the client on this machine asked: the pipe's name goes
         * back over the socket, and every later message through the pipe. If no pipe can be made here (no room for
         * its segment, or the client's pid is no live process here), the reply says so and the connection stays on
         * the socket.
         */
        private void link(SocketWire socket, byte[] request) throws IOException {
            long clientPid = ManagerFrames.readRequest(request).object();
            PipeWire pipe;
            try {
                pipe = PipeWire.offer(socket, clientPid);
            } catch (IOException | RuntimeException e) {
                byte[] reply = ManagerFrames.error(ManagerFrames.Failure.of(new Fault("no pipe for the connection: "
                        + e, e), name));
                socket.send(reply, 0, reply.length);
                return;
            }
            byte[] reply = ManagerFrames.ok(pipe.segmentName());
            try {
                socket.send(reply, 0, reply.length);
            } catch (IOException | RuntimeException e) {
                pipe.close();
                throw e;
            }
            wire = pipe;
            if (closing) { // the server closed meanwhile: close() may have closed only the socket
                pipe.close();
            }
        }

        /**
         * Called by the watch: interrupts the running call if the client has gone meanwhile, or has cancelled it
         * (a {@link ManagerFrames#CANCEL} is there to read).
         */
        void check(long now) {
            long started = callStarted;
            if (started == 0 || now - started < WATCH_NANOS) {
                return;
            }
            boolean gone;
            try {
                gone = wire.poll(0); // the client sends nothing while it waits for the reply but a cancel
            } catch (IOException e) {
                gone = true;
            }
            synchronized (this) {
                if (gone && callStarted == started) {
                    thread.interrupt(); // the call ends (a take takes nothing)
                }
            }
        }

        /** {@return the reply, {@link #NO_REPLY}, or null to end after a SHUTDOWN} */
        private byte[] handle(byte[] message) {
            try {
                ManagerFrames.Request request;
                try {
                    request = ManagerFrames.readRequest(message);
                } catch (IOException e) { // a class missing or filtered here, say
                    throw new Fault("a request that does not read in the server: " + e, e);
                }
                return switch (request.kind()) {
                    case ManagerFrames.CALL -> reply(call(request.object(), request.name(), request.args()),
                            request.name());
                    case ManagerFrames.CREATE -> ManagerFrames.ok(create(request.name(), request.args()));
                    case ManagerFrames.INCREF -> {
                        try {
                            incref(request.object());
                        } catch (NoSuchElementException e) {
                            throw new Fault(e.getMessage(), e);
                        }
                        yield ManagerFrames.ok(null);
                    }
                    case ManagerFrames.DECREF -> {
                        decref(request.object());
                        yield ManagerFrames.ok(null);
                    }
                    case ManagerFrames.COUNT -> ManagerFrames.ok(size());
                    case ManagerFrames.CANCEL -> NO_REPLY; // the call it cancels has ended
                    case ManagerFrames.SHUTDOWN -> {
                        byte[] reply = ManagerFrames.ok(null);
                        try {
                            wire.send(reply, 0, reply.length);
                        } catch (IOException e) {
                            // it asked to stop: stopping anyway
                        }
                        stopped.countDown();
                        yield null;
                    }
                    default -> throw new Fault("request kind=" + request.kind());
                };
            } catch (Throwable t) { // an InterruptedException too: the client cancelled the call, or is gone
                try {
                    return ManagerFrames.error(ManagerFrames.Failure.of(t, name));
                } catch (RuntimeException e) {
                    return ManagerFrames.error(ManagerFrames.Failure.of(new Fault(t.toString()), name));
                }
            }
        }

        /**
         * {@return an OK reply of a call's result}
         *
         * @throws Fault if the result cannot be sent
         */
        private static byte[] reply(Object result, String signature) throws Fault {
            try {
                return ManagerFrames.ok(result);
            } catch (RuntimeException e) { // Python's #UNSERIALIZABLE
                throw new Fault("the result of " + signature + " cannot be sent: " + e.getMessage(), e);
            }
        }
    }

    /**
     * {@return a fresh Unix domain socket address for a server}
     *
     * @param directory where its file goes
     * @param prefix    the file name's start
     */
    public static UnixDomainSocketAddress unixAddress(Path directory, String prefix) {
        return UnixDomainSocketAddress.of(directory.resolve(prefix + "-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(new java.security.SecureRandom().nextLong() >>> 16) + ".sock"));
    }
}

package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.manager.ManagerClient;
import io.github.jmultiprocessing.internal.manager.ManagerFrames;
import io.github.jmultiprocessing.internal.manager.ManagerServer;
import io.github.jmultiprocessing.internal.spawn.ClassLocations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A manager: a server process that holds objects, used by other processes through proxies (Python's
 * {@code multiprocessing.managers.BaseManager}). Register types, then {@link #start()} a server JVM (or
 * {@link #serveForever()} in this one), or {@link #connect()} to a server started elsewhere.
 *
 * <pre>{@code
 * BaseManager manager = new BaseManager(new InetSocketAddress("0.0.0.0", 50000), secret);
 * manager.register("Maths", args -> new MathsImpl(), Maths.class);   // Python: MyManager.register('Maths', MathsClass)
 * manager.start();
 * Maths maths = manager.create("Maths", Maths.class);                 // Python: maths = manager.Maths()
 * }</pre>
 *
 * <p>Connections are authenticated both ways with the authkey (HMAC challenges) before anything is decoded; a
 * peer with a wrong key gets {@link AuthenticationException} and the server goes on serving the others. The
 * default key is the process's own ({@link JvmProcess#authkey()}), which children inherit; a proxy passed to a
 * child being started carries its manager's key to it (over the child's private pipe, as Python does), and is
 * otherwise usable by processes that hold the key (their own, or a manager of theirs connected to that address).
 * Unix domain sockets serve one machine (the default address: a fresh socket file); TCP addresses serve others,
 * always with an authkey.
 */
public class BaseManager implements AutoCloseable {

    private static final AtomicInteger NUMBERS = new AtomicInteger();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private enum State { INITIAL, STARTED, CONNECTED, SHUTDOWN }

    private final SocketAddress requested;
    private final byte[] authkey;
    private final Map<String, ManagerServer.TypeSpec> types = new LinkedHashMap<>();
    private final String name;
    private volatile State state = State.INITIAL;
    private volatile SocketAddress address;
    private volatile ManagerClient client;
    private volatile JvmProcess server;
    private volatile long serverPid; // 0: none started
    private volatile Integer serverExit; // noted before shutdown() closes the process handle
    private final Context context; // null: the default
    /** The class loader of the code that made the manager: its server loads what it loads. */
    private final ClassLoader creatorLoader = ClassLocations.callerLoader();

    /** A manager on a fresh Unix domain socket, with this process's authkey. */
    public BaseManager() {
        this(null, null);
    }

    /**
     * A manager at an address.
     *
     * @param address where its server listens ({@link java.net.UnixDomainSocketAddress} or
     *                {@link java.net.InetSocketAddress}; port 0 picks one), or null for a fresh Unix domain socket
     * @param authkey the key clients must hold, or null for this process's authkey
     * @throws IllegalArgumentException if the key is empty
     */
    public BaseManager(SocketAddress address, byte[] authkey) {
        this(address, authkey, null);
    }

    /**
     * A manager at an address whose server starts with a context's method and {@link ChildJvm} settings (Python's
     * {@code BaseManager(address, authkey, ctx=ctx)}).
     *
     * @param address where its server listens, or null for a fresh Unix domain socket
     * @param authkey the key clients must hold, or null for this process's authkey
     * @param context the context, or null for the default
     * @throws IllegalArgumentException if the key is empty
     */
    public BaseManager(SocketAddress address, byte[] authkey, Context context) {
        this.context = context;
        if (authkey != null && authkey.length == 0) {
            throw new IllegalArgumentException("authkey of 0 bytes (expected a non-empty key, or null for the"
                    + " process's)");
        }
        this.requested = address;
        this.authkey = authkey != null ? authkey.clone() : Multiprocessing.currentProcess().authkey();
        this.name = getClass().getSimpleName() + "-" + NUMBERS.incrementAndGet();
    }

    /**
     * Registers a type (Python's {@code register(typeid, callable, proxytype, exposed)}): its objects are made in
     * the server by {@code factory} (given the arguments of {@link #create}), and used through proxies of
     * {@code proxyInterface}. A client that only connects registers the type with a null factory.
     *
     * @param typeid         the type's name
     * @param factory        makes an object in the server from the creation arguments, or null (client only)
     * @param proxyInterface the interface proxies implement (the object must implement it)
     * @param exposed        the methods proxies may call; none given: every method of the interface
     * @param <T>            the interface
     * @throws IllegalStateException    if the manager is already started or connected
     * @throws IllegalArgumentException if {@code proxyInterface} is not an interface, or the server could not call
     *                                  its methods: it, or an interface it extends, is not public (a public member
     *                                  of a class that is not is fine) or is in a package not exported to this
     *                                  library
     */
    public synchronized <T> void register(String typeid, SerializableFunction<Object[], ? extends T> factory,
            Class<T> proxyInterface, String... exposed) {
        Objects.requireNonNull(typeid, "typeid");
        if (!proxyInterface.isInterface()) {
            throw new IllegalArgumentException("proxyInterface=" + proxyInterface.getName() + " (expected an"
                    + " interface: proxies are made for interfaces)");
        }
        Class<?> hidden = unreachable(proxyInterface);
        if (hidden != null) {
            throw new IllegalArgumentException("proxyInterface=" + proxyInterface.getName() + (hidden == proxyInterface
                    ? "" : " extends " + hidden.getName() + ", which") + " is not public or not exported (expected a"
                    + " public interface, in a package the module exports: the server calls its methods from the"
                    + " library's own package)");
        }
        if (state != State.INITIAL) {
            throw new IllegalStateException("register(" + typeid + ") after the manager was " + state.name()
                    .toLowerCase() + " (expected before start() or connect())");
        }
        @SuppressWarnings("unchecked")
        Function<Object[], Object> made = (Function<Object[], Object>) (Function<Object[], ?>) factory;
        Set<String> names = exposed.length == 0 ? null : new LinkedHashSet<>(Arrays.asList(exposed));
        types.put(typeid, new ManagerServer.TypeSpec(made, proxyInterface, names));
    }

    /**
     * {@return the first of an interface and the interfaces it extends whose methods another package may not call
     * (not public, or in a package its module does not export to this library's), or null if all are callable}
     * A public member interface of a class that is not is callable: the JVM sees it as public.
     *
     * @param type the interface
     */
    private static Class<?> unreachable(Class<?> type) {
        int modifiers = type.getModifiers();
        boolean declaredPublic = java.lang.reflect.Modifier.isPublic(modifiers)
                || (type.isMemberClass() && java.lang.reflect.Modifier.isProtected(modifiers)); // ACC_PUBLIC in file
        if (!declaredPublic || !type.getModule().isExported(type.getPackageName(), BaseManager.class.getModule())) {
            return type;
        }
        for (Class<?> parent : type.getInterfaces()) {
            Class<?> hidden = unreachable(parent);
            if (hidden != null) {
                return hidden;
            }
        }
        return null;
    }

    /**
     * Starts the server in a new process (Python's {@code start()}), and waits until it listens.
     *
     * @throws IllegalStateException if already started or connected, or if the server could not start
     */
    public void start() {
        start(null);
    }

    /**
     * Starts the server in a new process, which first runs {@code initializer} (Python's
     * {@code start(initializer, initargs)}: the arguments are what the runnable captures), and waits until it
     * listens. An initializer that throws ends the server before it listens: this method then throws, with the
     * server's exit code and the first lines of what it printed.
     *
     * @param initializer what the server runs before it serves, or null
     * @throws IllegalStateException    if already started or connected, or if the server could not start
     * @throws IllegalArgumentException if the initializer or a registered factory cannot be serialized
     */
    public synchronized void start(SerializableRunnable initializer) {
        checkInitial("start()");
        Pipe ready = Pipe.open(false);
        Connection readyIn = ready.left();
        Connection readyOut = ready.right();
        SocketAddress where = requested != null ? requested
                : ManagerServer.unixAddress(Path.of(System.getProperty("java.io.tmpdir")), "jmp-manager");
        byte[] key = authkey.clone();
        Map<String, ManagerServer.TypeSpec> served = new LinkedHashMap<>(types);
        String serverName = name;
        SerializableRunnable body = () -> {
            if (initializer != null) {
                initializer.run();
            }
            serve(where, key, served, serverName, readyOut);
        };
        JvmProcess process = context == null ? new JvmProcess(body, name) : context.process(body, name);
        process.setDaemon(true);
        process.addClassLoader(creatorLoader);
        try {
            process.start();
        } catch (RuntimeException e) { // not started (its target does not serialize, say): nothing to kill
            readyOut.close();
            readyIn.close();
            throw e;
        }
        try {
            readyOut.close();
            if (!readyIn.poll(START_TIMEOUT)) {
                throw new IllegalStateException("the manager's server did not start within " + START_TIMEOUT);
            }
            address = (SocketAddress) readyIn.recv();
        } catch (IOException e) { // it closed the pipe: it is ending (an initializer that threw), let it end
            String code = exitCodeOf(process);
            String said = process.errorHead(12);
            throw new IllegalStateException("the manager's server ended before it listened (exit code " + code
                    + (said.isEmpty() ? ")" : "); it said:\n" + said), e);
        } catch (InterruptedException e) {
            process.kill();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the manager's server started", e);
        } catch (RuntimeException e) {
            process.kill();
            throw e;
        } finally {
            readyIn.close();
        }
        server = process;
        serverPid = process.pid().orElse(0);
        client = ManagerClient.of(address, authkey);
        ManagerClient.noteKey(address, authkey);
        state = State.STARTED;
    }

    /** {@return the exit code of a server that is ending, killed if it has not ended within 5 s} */
    private static String exitCodeOf(JvmProcess process) {
        try {
            if (!process.join(Duration.ofSeconds(5))) {
                process.kill();
                process.join(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            process.kill();
            Thread.currentThread().interrupt();
        }
        return process.exitCode().isPresent() ? String.valueOf(process.exitCode().getAsInt()) : "none yet";
    }

    /** The server process's body: bind, say where, serve. */
    private static void serve(SocketAddress address, byte[] authkey, Map<String, ManagerServer.TypeSpec> types,
            String name, Connection ready) {
        try (ManagerServer server = new ManagerServer(address, authkey, types, name)) {
            ready.send(server.address());
            ready.close();
            server.serve();
        } catch (IOException e) {
            throw new UncheckedIOException("manager server " + name + " could not listen at " + address, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs the server in this process until a client shuts it down (Python's
     * {@code get_server().serve_forever()}).
     *
     * @throws IOException          if it cannot listen at the address
     * @throws InterruptedException if interrupted while serving
     */
    public void serveForever() throws IOException, InterruptedException {
        Map<String, ManagerServer.TypeSpec> served;
        SocketAddress where;
        synchronized (this) {
            checkInitial("serveForever()");
            served = new LinkedHashMap<>(types);
            where = requested != null ? requested
                    : ManagerServer.unixAddress(Path.of(System.getProperty("java.io.tmpdir")), "jmp-manager");
            state = State.STARTED;
        }
        try (ManagerServer running = new ManagerServer(where, authkey, served, name)) {
            address = running.address();
            ManagerClient.noteKey(address, authkey);
            running.serve();
        } finally {
            state = State.SHUTDOWN;
        }
    }

    /**
     * Connects to a server started elsewhere (Python's {@code connect()}), checking that it answers and accepts
     * the key.
     *
     * @throws IllegalStateException   if already started or connected
     * @throws AuthenticationException if the server refuses the key, or does not finish the handshake within the
     *                                 10 s a connecting side allows for its connect and handshake together
     * @throws IOException             if the server cannot be reached (a {@link java.net.SocketTimeoutException}
     *                                 if the connect took more than those 10 s)
     */
    public synchronized void connect() throws IOException {
        checkInitial("connect()");
        if (requested == null) {
            throw new IllegalStateException("connect() of a manager without an address (expected new BaseManager("
                    + "address, authkey))");
        }
        ManagerClient connecting = ManagerClient.of(requested, authkey);
        try { // a request that changes nothing (no object has id 0): the server answers, so it accepted the key
            ManagerFrames.result(connecting.call(ManagerFrames.request(ManagerFrames.DECREF, 0, null, null)));
        } catch (io.github.jmultiprocessing.internal.connection.Handshake.Failed e) {
            throw new AuthenticationException("the manager at " + requested + " refused the key or did not finish the"
                    + " handshake: " + e.getMessage(), e);
        } catch (ManagerFrames.Failed e) {
            throw new IllegalStateException("the manager at " + requested + " failed: " + e.getMessage());
        }
        address = requested;
        client = connecting;
        ManagerClient.noteKey(address, authkey);
        state = State.CONNECTED;
    }

    private void checkInitial(String what) {
        if (state != State.INITIAL) {
            throw new IllegalStateException(what + " of a manager already " + state.name().toLowerCase());
        }
    }

    /**
     * Makes an object of a registered type in the server and returns a proxy for it (Python's
     * {@code manager.typeid(*args)}).
     *
     * @param typeid         the type
     * @param proxyInterface its proxies' interface, as registered
     * @param args           the factory's arguments (serializable)
     * @param <T>            the interface
     * @return the proxy
     * @throws IllegalStateException    if the manager is not started or connected
     * @throws IllegalArgumentException if the type is registered here with another interface, or an argument
     *                                  cannot be serialized
     * @throws RemoteException          if the server does not know the type, or its factory made an object
     *                                  without that interface (the factory's own exception is thrown as it is)
     * @throws UncheckedIOException     if the server is gone
     */
    public <T> T create(String typeid, Class<T> proxyInterface, Object... args) {
        ManagerClient using = client;
        if (using == null || state == State.SHUTDOWN) {
            throw new IllegalStateException("create(" + typeid + ") of a manager that is " + state.name()
                    .toLowerCase() + " (expected start() or connect() first)");
        }
        ManagerServer.TypeSpec spec = types.get(typeid);
        if (spec != null && spec.proxyInterface() != proxyInterface) {
            throw new IllegalArgumentException("proxyInterface=" + proxyInterface.getName() + " (expected "
                    + spec.proxyInterface().getName() + " for " + typeid + ")");
        }
        byte[] reply;
        try {
            reply = using.call(ManagerFrames.request(ManagerFrames.CREATE, 0, typeid, args));
        } catch (IOException e) {
            throw new UncheckedIOException("the manager at " + address + " is gone or unreachable (" + e + ")", e);
        }
        try {
            long id = (Long) ManagerFrames.result(reply);
            return ManagerProxy.adopt(using, id, typeid, proxyInterface);
        } catch (ManagerFrames.Failed failed) {
            Throwable t = ManagerProxy.rethrown(null, failed.failure());
            if (t instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (t instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("creating " + typeid + " failed: " + t, t);
        } catch (IOException e) {
            throw new UncheckedIOException("a reply from the manager at " + address + " that does not read", e);
        }
    }

    /**
     * {@return how many objects the server holds now (Python's {@code _number_of_objects()}, for tests)}
     *
     * @throws IOException if the server is gone
     */
    int objectCount() throws IOException {
        try {
            return (Integer) ManagerFrames.result(client.call(ManagerFrames.request(ManagerFrames.COUNT, 0, null,
                    null)));
        } catch (ManagerFrames.Failed e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * {@return the OS process id of the server this manager started (Python's {@code manager._process.pid}); empty
     * before {@link #start()}, and for a manager that connected or serves in this JVM}
     */
    public OptionalLong pid() {
        long pid = serverPid;
        return pid == 0 ? OptionalLong.empty() : OptionalLong.of(pid);
    }

    /**
     * {@return the exit code of the server this manager started, as {@link JvmProcess#exitCode()} gives it
     * (Python's {@code manager._process.exitcode}): empty while it runs (and for a manager that did not start one),
     * 0 after {@link #shutdown()}, -9 if it was killed}
     */
    public OptionalInt exitCode() {
        Integer known = serverExit;
        if (known != null) {
            return OptionalInt.of(known);
        }
        JvmProcess running = server;
        if (running == null) {
            return OptionalInt.empty();
        }
        try {
            return running.exitCode();
        } catch (IllegalStateException closed) { // by shutdown(), which noted its code first
            known = serverExit;
            return known == null ? OptionalInt.empty() : OptionalInt.of(known);
        }
    }

    /** {@return the server process this manager started, or null (tests kill it)} */
    JvmProcess serverProcess() {
        return server;
    }

    /** {@return the server's address, once started or connected} */
    public SocketAddress address() {
        return address;
    }

    /** {@return the key connections prove} */
    public byte[] authkey() {
        return authkey.clone();
    }

    /**
     * Stops the server this manager started (Python's {@code shutdown()}): every proxy of it fails from then on.
     * A manager that only connected closes its connections.
     */
    public synchronized void shutdown() {
        if (state == State.SHUTDOWN || state == State.INITIAL) {
            state = State.SHUTDOWN;
            return;
        }
        State was = state;
        state = State.SHUTDOWN;
        ManagerClient using = client;
        if (was == State.STARTED && using != null) {
            try {
                using.call(ManagerFrames.request(ManagerFrames.SHUTDOWN, 0, null, null));
            } catch (IOException e) {
                // gone already
            }
        }
        if (server != null) {
            try {
                if (!server.join(Duration.ofSeconds(10))) {
                    server.kill();
                    server.join(Duration.ofSeconds(10));
                }
            } catch (InterruptedException e) {
                server.kill();
                Thread.currentThread().interrupt();
            }
            OptionalInt code = server.exitCode();
            if (code.isPresent()) {
                serverExit = code.getAsInt();
            }
            server.close();
            if (address instanceof java.net.UnixDomainSocketAddress unix) {
                try { // a server that was killed could not remove its socket file
                    java.nio.file.Files.deleteIfExists(unix.getPath());
                } catch (IOException e) {
                    // left behind: a stale socket file harms nothing
                }
            }
        }
        if (using != null) {
            using.closeAll();
        }
    }

    /** {@link #shutdown()}, as Python's {@code with Manager() as m:} does on exit. */
    @Override
    public void close() {
        shutdown();
    }

    @Override
    public String toString() {
        return name + "[" + state.name().toLowerCase() + (address != null ? " at " + address : "") + "]";
    }
}

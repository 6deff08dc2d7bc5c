package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.events.Recording;
import io.github.jmultiprocessing.internal.events.ManagerCallEvent;
import io.github.jmultiprocessing.internal.manager.ManagerClient;
import io.github.jmultiprocessing.internal.manager.ManagerFrames;
import io.github.jmultiprocessing.internal.manager.ManagerServer;
import io.github.jmultiprocessing.internal.manager.Methods;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.lang.reflect.UndeclaredThrowableException;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * What stands behind a proxy of an object held by a manager's server: calls go to the server, on the calling
 * thread's own connection (Python's {@code BaseProxy}).
 *
 * <p>Which calls go where: a method of the interface runs on the server; a default method runs here, made of such
 * calls (as Python's proxies have no atomic read-modify-write either), except those whose defaults would write
 * through an iterator or a view ({@code replaceAll}, {@code removeIf}, {@code sort}: on the server, so their
 * function must be serializable); iterators walk a copy ({@code toArray()}), and a list's write through
 * ({@link ListProxyIterator}), as its {@code subList} does ({@link ListProxySubList}); {@code equals} and
 * {@code hashCode} compare the referent (same server, same object); {@code toString} is the object's own, except
 * for a proxy inside a managed object's text: a reference there, as Python's {@code repr} of a proxy.
 *
 * <p>A proxy serializes as a reference (address, object id, type): it can be passed to a child, put in a queue or
 * stored in another managed object (a list of dicts), and works wherever it is read, on that process's own
 * connection. The object lives while proxies refer to it: each proxy holds a reference on the server, one more is
 * taken for a proxy in flight (serialized, not yet read), and a collected proxy gives its reference back. In the
 * server itself, a proxy to its own objects calls them directly.
 */
final class ManagerProxy implements InvocationHandler, Serializable {

    private static final long serialVersionUID = 1L;
    private static final Set<String> REMOTE_DEFAULTS = Set.of("replaceAll", "removeIf", "sort");
    private static final Method TO_ARRAY;
    private static final Method TO_STRING;
    private static final Method SIZE;
    private static final Method SUB_LIST;
    /** Set while this thread asks for a proxy's text: a proxy met meanwhile (nested in it) prints as a reference. */
    private static final ThreadLocal<Boolean> PRINTING = new ThreadLocal<>();

    static {
        try {
            TO_ARRAY = java.util.Collection.class.getMethod("toArray");
            TO_STRING = Object.class.getMethod("toString");
            SIZE = java.util.Collection.class.getMethod("size");
            SUB_LIST = java.util.List.class.getMethod("subList", int.class, int.class);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SocketAddress address;
    private final long id;
    private final String typeid;
    private final Class<?> type;
    private final transient Link link; // how to reach the object from here
    private final transient ManagerServer local; // the server, when this runs in it

    private ManagerProxy(SocketAddress address, long id, String typeid, Class<?> type, ManagerClient client,
            ManagerServer local) {
        this.address = address;
        this.id = id;
        this.typeid = typeid;
        this.type = type;
        this.link = new Link(address, client);
        this.local = local;
        ManagerClient.releaseWhenUnreachable(this, new Release(link, local, id));
    }

    /**
     * The client of the proxy's server in this process, found at first use: a proxy read while a child starts is
     * read before the child knows its own authkey.
     */
    private static final class Link {
        private final SocketAddress address;
        private volatile ManagerClient client;

        Link(SocketAddress address, ManagerClient client) {
            this.address = address;
            this.client = client;
        }

        ManagerClient client() {
            ManagerClient known = client;
            if (known == null) {
                known = ManagerClient.of(address, authkeyFor(address));
                client = known;
            }
            return known;
        }
    }

    /**
     * {@return a proxy for an object on which the caller holds a reference, which the proxy now owns}
     *
     * @param client its server's client here
     * @param id     the object
     * @param typeid its type's name
     * @param type   the proxy's interface
     * @param <T>    that interface
     */
    static <T> T adopt(ManagerClient client, long id, String typeid, Class<T> type) {
        return type.cast(proxy(new ManagerProxy(client.address(), id, typeid, type, client, null), type));
    }

    private static Object proxy(ManagerProxy handler, Class<?> type) {
        ClassLoader loader = type.getClassLoader() != null ? type.getClassLoader()
                : ManagerProxy.class.getClassLoader();
        return Proxy.newProxyInstance(loader, new Class<?>[] {type}, handler);
    }

    /** Gives a collected proxy's reference back (quietly: a server gone has nothing to give back to). */
    private record Release(Link link, ManagerServer local, long id) implements Runnable {
        @Override
        public void run() {
            try {
                if (local != null) {
                    local.decref(id);
                } else {
                    link.client().callBookkeeping(ManagerFrames.request(ManagerFrames.DECREF, id, null, null));
                }
            } catch (IOException | RuntimeException e) {
                // the server is gone, or shutting down: nothing to release
            }
        }
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> args[0] != null && Proxy.isProxyClass(args[0].getClass())
                        && Proxy.getInvocationHandler(args[0]) instanceof ManagerProxy other
                        && other.id == id && other.address.equals(address);
                case "hashCode" -> Long.hashCode(id) * 31 + address.hashCode();
                default -> text();
            };
        }
        String name = method.getName();
        if ((name.equals("iterator") || name.equals("listIterator") || name.equals("spliterator"))
                && method.getParameterCount() <= 1 && java.util.Collection.class.isAssignableFrom(type)) {
            java.util.List<Object> copy = Arrays.asList((Object[]) remote(TO_ARRAY, "toArray()", null));
            if (!name.equals("spliterator") && proxy instanceof java.util.List<?> list) {
                int index = args == null ? 0 : (int) args[0];
                if (index < 0 || index > copy.size()) {
                    throw new IndexOutOfBoundsException("index=" + index + " (expected 0 to " + copy.size() + ")");
                }
                @SuppressWarnings("unchecked")
                java.util.List<Object> target = (java.util.List<Object>) list;
                return new ListProxyIterator(target, copy, index);
            }
            return switch (name) {
                case "iterator" -> java.util.Collections.unmodifiableList(copy).iterator();
                default -> java.util.Collections.unmodifiableList(copy).spliterator();
            };
        }
        if (name.equals("subList") && method.getParameterCount() == 2 && proxy instanceof java.util.List<?> list) {
            int size = (Integer) remote(SIZE, "size()", null);
            java.util.Objects.checkFromToIndex((int) args[0], (int) args[1], size);
            @SuppressWarnings("unchecked")
            java.util.List<Object> target = (java.util.List<Object>) list;
            return new ListProxySubList(target, this::copyOfRange, (int) args[0], (int) args[1] - (int) args[0]);
        }
        if (method.isDefault() && !REMOTE_DEFAULTS.contains(name)) {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        return remote(method, Methods.signature(method), args);
    }

    /**
     * The proxy's {@code toString}: its object's own text (Python's {@code str(proxy)}), except for a proxy met
     * while the server serves a call or while another proxy's text is being made here, as an element of a managed
     * list or dict is: that one is a reference (Python's {@code repr(proxy)}), so a list that holds itself prints.
     */
    private String text() throws Throwable {
        if (PRINTING.get() != null || ManagerServer.serving()) {
            return toString();
        }
        PRINTING.set(Boolean.TRUE); // a proxy of this server's own objects asks it in this thread
        try {
            return (String) remote(TO_STRING, "toString()", null);
        } catch (UncheckedIOException e) { // what this is, when its server cannot say
            return toString() + " (" + e.getMessage() + ")";
        } finally {
            PRINTING.remove();
        }
    }

    /**
     * {@return a copy of a range of a list proxy's elements, made by the server's own subList (one call); for a list
     * whose subList the server cannot send (a registered ArrayList's view), sliced from its toArray()}
     */
    @SuppressWarnings("unchecked")
    private java.util.List<Object> copyOfRange(int from, int to) {
        try {
            try {
                return (java.util.List<Object>) remote(SUB_LIST, "subList(int,int)", new Object[] {from, to});
            } catch (RemoteException unsendable) {
                Object[] all = (Object[]) remote(TO_ARRAY, "toArray()", null);
                java.util.Objects.checkFromToIndex(from, to, all.length);
                return Arrays.asList(Arrays.copyOfRange(all, from, to));
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new UndeclaredThrowableException(t, "the manager's " + t);
        }
    }

    private Object remote(Method method, String signature, Object[] args) throws Throwable {
        if (local != null) {
            try {
                return local.call(id, signature, args == null ? new Object[0] : args);
            } catch (ManagerServer.Fault fault) {
                throw new RemoteException("the manager's server: " + fault.getMessage(), fault);
            }
        }
        boolean interruptible = Arrays.asList(method.getExceptionTypes()).contains(InterruptedException.class);
        byte[] reply = null;
        ManagerCallEvent event = Recording.on() ? new ManagerCallEvent() : null;
        if (event != null) {
            event.begin();
        }
        try {
            reply = link.client().call(ManagerFrames.request(ManagerFrames.CALL, id, signature, args), interruptible);
        } catch (InterruptedIOException e) { // interruptible, and interrupted before the call was sent
            throw new InterruptedException("interrupted before calling the manager at " + address);
        } catch (IOException e) {
            throw gone(e);
        } finally {
            java.lang.ref.Reference.reachabilityFence(this); // else collected mid-call, its object released
            if (event != null) {
                event.end(); // its duration: the threshold is decided on it
            }
            if (event != null && event.shouldCommit()) {
                event.method = method.getName();
                event.server = String.valueOf(address);
                event.failed = reply == null;
                event.commit();
            }
        }
        try {
            return ManagerFrames.result(reply);
        } catch (ManagerFrames.Failed failed) {
            if (interruptible && failed.failure().exception() instanceof InterruptedException) {
                Thread.interrupted(); // cancelled on the server: the exception stands for the interrupt
            }
            throw rethrown(method, failed.failure());
        } catch (IOException e) {
            throw new UncheckedIOException("a reply from the manager at " + address + " that does not read: " + e, e);
        }
    }

    private UncheckedIOException gone(IOException e) {
        if (e instanceof io.github.jmultiprocessing.internal.connection.Handshake.Failed) {
            return new UncheckedIOException(new AuthenticationException("the manager at " + address + " refused"
                    + " this process's key for it", e));
        }
        return new UncheckedIOException("the manager at " + address + " is gone or unreachable (" + e + ")", e);
    }

    /**
     * The server's exception, with its own type and message and the server's stack trace as cause; a fault of the
     * server (not the object's own exception) as a {@link RemoteException}.
     */
    static Throwable rethrown(Method method, ManagerFrames.Failure failure) {
        if (failure.fault()) {
            return new RemoteException("the manager's server: " + failure.exception().getMessage(),
                    new RemoteTraceback(failure.trace()));
        }
        Throwable t = RemoteTraceback.attach(failure.exception(), failure.trace());
        if (t instanceof RuntimeException || t instanceof Error || method == null) {
            return t;
        }
        for (Class<?> declared : method.getExceptionTypes()) {
            if (declared.isInstance(t)) {
                return t;
            }
        }
        return new UndeclaredThrowableException(t, "the manager's " + t);
    }

    // ---- serialization: a reference, with one count on the server for the proxy it becomes

    private Object writeReplace() throws ObjectStreamException {
        try {
            if (local != null) {
                local.incref(id);
            } else {
                ManagerFrames.result(link.client().callBookkeeping(ManagerFrames.request(ManagerFrames.INCREF, id,
                        null, null)));
            }
        } catch (IOException | ManagerFrames.Failed | RuntimeException e) {
            throw new java.io.NotSerializableException("a proxy of object " + id + " at " + address
                    + " whose manager cannot be reached: " + e);
        }
        // the manager's key goes only to a child being started (over its private pipe), as in Python
        byte[] key = JvmProcess.spawning() ? authkeyFor(address) : null;
        return new Reference(address, id, typeid, type, key);
    }

    /**
     * {@return the key for proxies of a server read in this process: the one noted for its manager (started,
     * served, connected to here, or come with a proxy), else the process's}
     */
    private static byte[] authkeyFor(SocketAddress address) {
        byte[] key = ManagerClient.notedKey(address);
        return key != null ? key : Multiprocessing.currentProcess().authkey();
    }

    /**
     * A proxy in flight; with its manager's key when it goes to a child being started.
     *
     * @param address the manager's address
     * @param id      the served object's id
     * @param typeid  the name the object's type is registered under
     * @param type    the proxy's interface
     * @param authkey the manager's key, or null if the receiver knows it
     */
    private record Reference(SocketAddress address, long id, String typeid, Class<?> type, byte[] authkey)
            implements Serializable {
        private Object readResolve() {
            if (authkey != null) {
                ManagerClient.noteKeyIfAbsent(address, authkey);
            }
            ManagerServer server = ManagerServer.current();
            if (server != null && (server.owns(id) || server.address().equals(address))) {
                return new ManagerProxy(address, id, typeid, type, null, server);
            }
            return new ManagerProxy(address, id, typeid, type, null, null);
        }
    }

    /**
     * {@return a reference's text, as Python's {@code repr} of a proxy: {@code <ListProxy object, typeid 'list' at
     * 0x1f>}}
     */
    @Override
    public String toString() {
        return "<" + type.getSimpleName() + "Proxy object, typeid '" + typeid + "' at 0x" + Long.toHexString(id) + ">";
    }
}

package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.shm.LibraryThreads;
import io.github.jmultiprocessing.internal.manager.ManagerClient;
import io.github.jmultiprocessing.internal.manager.ManagerFrames;
import io.github.jmultiprocessing.internal.manager.ManagerServer;
import io.github.jmultiprocessing.internal.manager.Methods;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
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
 * function must be serializable); iterators walk a copy ({@code toArray()}); {@code equals} and {@code hashCode}
 * compare the referent (same server, same object), {@code toString} is the object's own.
 *
 * <p>A proxy serializes as a reference (address, object id, type): it can be passed to a child, put in a queue or
 * stored in another managed object (a list of dicts), and works wherever it is read, on that process's own
 * connection. The object lives while proxies refer to it: each proxy holds a reference on the server, one more is
 * taken for a proxy in flight (serialized, not yet read), and a collected proxy gives its reference back. In the
 * server itself, a proxy to its own objects calls them directly.
 */
final class ManagerProxy implements InvocationHandler, Serializable {

    private static final long serialVersionUID = 1L;
    private static final Cleaner CLEANER = Cleaner.create(LibraryThreads.factory("manager-proxies"));
    private static final Set<String> REMOTE_DEFAULTS = Set.of("replaceAll", "removeIf", "sort");

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
        CLEANER.register(this, new Release(link, local, id));
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
                known = ManagerClient.of(address, BaseManager.authkeyFor(address));
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
                default -> { // toString: the object's own, or what this is when its server cannot say
                    try {
                        yield remote(method, "toString()", null);
                    } catch (UncheckedIOException e) {
                        yield toString() + " (" + e.getMessage() + ")";
                    }
                }
            };
        }
        String name = method.getName();
        if ((name.equals("iterator") || name.equals("listIterator") || name.equals("spliterator"))
                && method.getParameterCount() <= 1 && java.util.Collection.class.isAssignableFrom(type)) {
            java.util.List<Object> copy = Arrays.asList((Object[]) remote(method, "toArray()", null));
            return switch (name) {
                case "iterator" -> java.util.Collections.unmodifiableList(copy).iterator();
                case "spliterator" -> java.util.Collections.unmodifiableList(copy).spliterator();
                default -> java.util.Collections.unmodifiableList(copy).listIterator(args == null ? 0 : (int) args[0]);
            };
        }
        if (method.isDefault() && !REMOTE_DEFAULTS.contains(name)) {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        return remote(method, Methods.signature(method), args);
    }

    private Object remote(Method method, String signature, Object[] args) throws Throwable {
        if (local != null) {
            return local.call(id, signature, args == null ? new Object[0] : args);
        }
        boolean interruptible = Arrays.asList(method.getExceptionTypes()).contains(InterruptedException.class);
        byte[] reply;
        try {
            reply = link.client().call(ManagerFrames.request(ManagerFrames.CALL, id, signature, args), interruptible);
        } catch (InterruptedIOException e) { // interruptible, and interrupted before the call was sent
            throw new InterruptedException("interrupted before calling the manager at " + address);
        } catch (IOException e) {
            throw gone(e);
        } finally {
            java.lang.ref.Reference.reachabilityFence(this); // else collected mid-call, its object released
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
        if (e instanceof io.github.jmultiprocessing.internal.manager.Handshake.Failed) {
            return new UncheckedIOException(new AuthenticationException("the manager at " + address + " refused"
                    + " this process's key for it", e));
        }
        return new UncheckedIOException("the manager at " + address + " is gone or unreachable (" + e + ")", e);
    }

    /** The server's exception, with its own type and message and the server's stack trace as cause. */
    static Throwable rethrown(Method method, ManagerFrames.Failure failure) {
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
        byte[] key = JvmProcess.spawning() ? BaseManager.authkeyFor(address) : null;
        return new Reference(address, id, typeid, type, key);
    }

    /** A proxy in flight; with its manager's key when it goes to a child being started. */
    private record Reference(SocketAddress address, long id, String typeid, Class<?> type, byte[] authkey)
            implements Serializable {
        private Object readResolve() {
            if (authkey != null) {
                BaseManager.rememberKey(address, authkey);
            }
            ManagerServer server = ManagerServer.current();
            if (server != null && (server.owns(id) || server.address().equals(address))) {
                return new ManagerProxy(address, id, typeid, type, null, server);
            }
            return new ManagerProxy(address, id, typeid, type, null, null);
        }
    }

    @Override
    public String toString() {
        return "ManagerProxy[" + typeid + " " + id + " at " + address + "]";
    }
}

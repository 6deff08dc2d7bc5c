/**
 * CPython's {@code multiprocessing/managers.py}: a server process that holds objects, and the clients that call
 * them through proxies. The public side is {@code BaseManager}, {@code Manager} (Python's {@code SyncManager}),
 * {@code SharedMemoryManager} and the package-private {@code ManagerProxy} (Python's {@code BaseProxy}, the
 * handler behind every proxy); this package is what runs behind them.
 *
 * <p>What runs where:
 * <pre>
 *   client process (any)                               server process (a child JVM, or serveForever's own)
 *   proxy (java.lang.reflect.Proxy of the public       ManagerServer: HandshakeGate -> one Session thread per
 *     interface) -> ManagerProxy                         connection, running its calls in turn; a watch thread
 *     -> ManagerClient: one authenticated Wire per        interrupts a call whose client has gone or cancelled
 *        client thread, one for bookkeeping                -> the served object (ServedCollections.*,
 *        (INCREF/DECREF from the cleaner)                    ServedSynchronizers.*, TrackedSegments, a user type)
 * </pre>
 *
 * <p>A {@code Wire} is the connection's socket, or, for a client on the server's machine, a
 * {@code internal.connection.PipeWire}: after the handshake the client asks with LINK and its pid, the server
 * answers with the name of a duplex pipe segment it made, and every later message goes through shared memory, the
 * socket staying open only so that each side learns of the other's death at once.
 *
 * <ul>
 * <li>{@link io.github.jmultiprocessing.internal.manager.ManagerServer}: the object table (ids, reference counts),
 *     dispatch, one thread per connection (so a reentrant lock taken by a client thread belongs to it there too),
 *     the release of what a dead client held ({@code Holder}).
 * <li>{@link io.github.jmultiprocessing.internal.manager.ManagerClient}: a process's connections to one server,
 *     and the keys of the managers this process knows, by address (for the proxies it reads).
 * <li>{@link io.github.jmultiprocessing.internal.manager.ManagerFrames}: the wire format (below).
 * <li>{@link io.github.jmultiprocessing.internal.manager.Methods}: a method as both sides name it (name and
 *     parameter types), resolved on the server against the registered public proxy interface, never against the
 *     served object's class: the served classes' names never cross the wire.
 * <li>{@link io.github.jmultiprocessing.internal.manager.ServedCollections},
 *     {@link io.github.jmultiprocessing.internal.manager.ServedSynchronizers}: the objects {@code Manager} serves
 *     for its standard types (dict, list, Namespace, Value, Array; Queue, JoinableQueue, Lock, RLock, Condition,
 *     Semaphore, BoundedSemaphore, Event, Barrier). {@code Manager} registers them with factories; each runs in
 *     the server, on the calling connection's thread.
 * <li>{@link io.github.jmultiprocessing.internal.manager.SegmentTracker},
 *     {@link io.github.jmultiprocessing.internal.manager.TrackedSegments}: what a {@code SharedMemoryManager}'s
 *     server does (CPython's {@code SharedMemoryServer}).
 * </ul>
 *
 * <p>The handshake: every connection, both ways, proves the authkey before anything of it is decoded
 * ({@code internal.connection.Handshake}: Python's HMAC challenge, answered within a deadline;
 * {@code internal.connection.HandshakeGate} on the server, so silent peers delay no client). The frames, each one
 * {@code SocketWire} message after it:
 * <pre>
 *   requests:  CALL 1 (object, method signature, arguments)   CREATE 2 (typeid, arguments)
 *              INCREF 3 / DECREF 4 (object)                    SHUTDOWN 5   COUNT 6
 *              CANCEL 7 (interrupt the running call; no reply of its own)
 *              LINK 8 (the client's pid; first request only: OK with a pipe's segment name, then the pipe)
 *   replies:   OK 0 (the result)                               ERROR 1 (a Failure: the object's own exception,
 *                                                              or a fault of the server, with its trace)
 * </pre>
 * Arguments and results are {@code internal.codec.MessageCodec} bytes; a proxy inside them travels as a reference
 * (address, object id, typeid, interface), with its manager's key only when it goes to a child being started.
 *
 * <p>A service package: it may use every core package and the public package's public types (the served objects
 * implement {@code ManagedLock}, {@code ManagedJoinableQueue}, {@code Namespace} and the like); the public package
 * uses it. No file of it uses a public-package file that uses it back: what only the public package can do is
 * handed in ({@code Manager} gives each queue the {@code QueueShutDownException} constructor; {@code ManagerProxy}
 * falls back to the process's authkey where {@link io.github.jmultiprocessing.internal.manager.ManagerClient} has
 * no key noted).
 */
package io.github.jmultiprocessing.internal.manager;

/**
 * CPython's {@code multiprocessing/connection.py}: messages between two processes, and the authentication that
 * comes before them on a socket.
 *
 * <ul>
 * <li>{@link io.github.jmultiprocessing.internal.connection.MessagePort}: what a {@code Connection} sends through,
 *     a pipe end or a socket, with interrupts reaching the caller as {@link java.lang.InterruptedException} from
 *     both.
 * <li>{@link io.github.jmultiprocessing.internal.connection.PipeChannel}: CPython's {@code Pipe()} in shared
 *     memory: one ring each way (one for a simplex pipe), the holders of each end, the readers' and writers'
 *     locks, its bytes described by {@link io.github.jmultiprocessing.internal.connection.PipeLayout}.
 * <li>{@link io.github.jmultiprocessing.internal.connection.SocketWire}: framed messages over a stream socket
 *     (Unix domain or TCP), each a 4-byte big-endian length then its bytes, as Python frames them; lengths are
 *     checked against the caller's limit before anything is allocated, and an interrupt never breaks a message
 *     in the middle.
 * <li>{@link io.github.jmultiprocessing.internal.connection.Wire}: a manager's connection, one client thread to
 *     one server thread: a {@code SocketWire}, or a
 *     {@link io.github.jmultiprocessing.internal.connection.PipeWire}: a duplex pipe in shared memory set up over
 *     an authenticated local socket that then carries nothing, its end telling each side at once that the other
 *     has died ({@link io.github.jmultiprocessing.internal.connection.LinkWatch}, one selector thread per JVM).
 * <li>{@link io.github.jmultiprocessing.internal.connection.Handshake}: Python's mutual HMAC challenge
 *     ({@code #CHALLENGE#}, an HMAC-SHA256 answer, {@code #WELCOME#} or {@code #FAILURE#}), both ways, before
 *     anything else crosses; only short raw byte messages are read until both sides have passed, nothing is
 *     deserialized.
 * <li>{@link io.github.jmultiprocessing.internal.connection.HandshakeGate}: the accepting side's way in: one
 *     accepting thread, each peer's handshake on a virtual thread of its own with a deadline of its own, a bounded
 *     count of pending peers (the oldest is closed for a new one), so that silent or hostile peers never delay or
 *     turn away a good client.
 * </ul>
 *
 * <p>Used by the public {@code Listener}, {@code Client} and {@code Connection} (a socket connection is a
 * {@code SocketWire}, a pipe connection a {@code PipeChannel}) and by the manager ({@code internal.manager}: its
 * server accepts through a {@code HandshakeGate}, its clients connect and authenticate with
 * {@code Handshake.connect}).
 *
 * <p>A core package: depends on {@code internal.shm} (its threads are library threads) and may use
 * {@code internal.sync}, {@code internal.ring} and {@code internal.codec}; never the public package nor
 * {@code internal.manager}.
 */
package io.github.jmultiprocessing.internal.connection;

package io.github.jmultiprocessing.internal.connection;

import io.github.jmultiprocessing.internal.shm.LibraryThreads;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The way in for sockets that must authenticate: one thread only accepts, and each accepted socket runs its
 * {@link Handshake} on a virtual thread of its own, with a deadline of its own, so that a peer that stays silent,
 * sends half a message or announces a huge one delays no other peer and is never in the way of a good client.
 * What passes goes to a {@link Sink}; nothing of a peer is decoded before it has passed.
 *
 * <pre>
 *   accepting thread:  accept -> admit (oldest pending closed if at the limit) -> start its handshake
 *   handshake thread:  Handshake.serve -> authenticated(channel) | refused(failure) | dropped quietly
 *   sweeper thread:    closes the oldest pending peer once its deadline is over
 * </pre>
 *
 * <p>Implementation notes. The pending peers are a FIFO in accept order, guarded by {@code lock}. Every deadline
 * is the accept time plus the same {@link #DEADLINE_NANOS}, so the head of the FIFO always expires first: the
 * sweeper waits on {@code changed} until the head's deadline, closes it and looks again. A pending peer belongs to
 * whoever takes it out of the FIFO under the lock: its handshake thread when it ends (then the sink owns an
 * authenticated socket), the sweeper at the deadline, or the accepting thread that needs its place; the last two
 * close it, which wakes its handshake thread from its blocking read, and that thread then drops it quietly.
 * <ul>
 * <li>Bounded count, never a refusal: at most {@code maxPending} peers are pending; one more closes the oldest
 *     (it has had the longest to answer) instead of turning the new one away. A flood can only evict a good client
 *     by connecting {@code maxPending} sockets within its own handshake's few milliseconds.
 * <li>Bounded memory per pending peer: a virtual thread parked in a read (a few KiB of stack, on the heap), the
 *     socket, its 4-byte length and at most a 256-byte message: nothing grows with what a peer announces, and no
 *     selector or read-ahead buffer exists before it has authenticated ({@link SocketWire} is made afterwards).
 * <li>A deadline per peer, independent of every other peer: the accepting thread never reads, so a silent peer
 *     delays nobody; the deadline only bounds how long it holds its place.
 * </ul>
 * Not an invariant: the order in which peers reach the sink (the order their handshakes end, not their accepts).
 */
public final class HandshakeGate implements AutoCloseable {

    /**
     * How long a peer may take for its whole handshake (three messages), from its accept: generous for a client
     * JVM that loads its HMAC classes cold on a busy machine, and costless for the others, since no peer waits for
     * another.
     */
    public static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** How many handshakes may be pending at once, by default. */
    public static final int MAX_PENDING = 64;

    /** Where the peers that pass, or fail, go. Its methods run on handshake threads, concurrently. */
    public interface Sink {
        /**
         * A peer proved it holds the key; the sink owns its socket now (still in blocking mode).
         *
         * @param channel the socket
         * @param remote  the peer's address
         */
        void authenticated(SocketChannel channel, SocketAddress remote);

        /**
         * A peer failed authentication: a wrong key, or bytes that are no handshake message. Its socket is closed.
         * Peers that stayed silent, went away, or were closed for their deadline or their place are not reported.
         *
         * @param remote  the peer's address
         * @param failure what was wrong
         */
        default void refused(SocketAddress remote, Handshake.Failed failure) {
        }

        /**
         * Waits, on the accepting thread, until the sink can take another peer (a listener whose user does not
         * accept); returns at once by default.
         *
         * @throws InterruptedException if interrupted
         */
        default void awaitRoom() throws InterruptedException {
        }

        /** The accepting thread ended: the server socket is closed. */
        default void ended() {
        }
    }

    /** A peer whose handshake runs; owned by whoever removes it from {@code pending}. */
    private static final class Pending {
        final SocketChannel channel;
        final long deadline;

        Pending(SocketChannel channel, long deadline) {
            this.channel = channel;
            this.deadline = deadline;
        }
    }

    private final ServerSocketChannel server;
    private final byte[] key;
    private final String name;
    private final Sink sink;
    private final int maxPending;
    private final long deadlineNanos;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when the head of {@code pending} changes, and at close. */
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>(); // guarded by lock; accept order
    private boolean closed; // guarded by lock
    private long evicted; // guarded by lock
    private long expired; // guarded by lock
    private Thread acceptor;

    /**
     * A gate with the default limits.
     *
     * @param server the listening socket, in blocking mode; its owner closes it
     * @param key    the shared key
     * @param name   the threads' name prefix
     * @param sink   where peers go
     */
    public HandshakeGate(ServerSocketChannel server, byte[] key, String name, Sink sink) {
        this(server, key, name, sink, MAX_PENDING, DEADLINE_NANOS);
    }

    /**
     * A gate.
     *
     * @param server        the listening socket, in blocking mode; its owner closes it
     * @param key           the shared key
     * @param name          the threads' name prefix
     * @param sink          where peers go
     * @param maxPending    how many handshakes may be pending at once, at least 1
     * @param deadlineNanos how long each peer may take for its handshake
     */
    public HandshakeGate(ServerSocketChannel server, byte[] key, String name, Sink sink, int maxPending,
            long deadlineNanos) {
        if (maxPending < 1 || deadlineNanos <= 0) {
            throw new IllegalArgumentException("maxPending=" + maxPending + ", deadlineNanos=" + deadlineNanos
                    + " (expected both positive)");
        }
        this.server = server;
        this.key = key.clone();
        this.name = name;
        this.sink = sink;
        this.maxPending = maxPending;
        this.deadlineNanos = deadlineNanos;
    }

    /** Starts accepting (once). */
    public void start() {
        lock.lock();
        try {
            if (acceptor != null || closed) {
                return;
            }
            acceptor = LibraryThreads.start(name + "-acceptor", this::acceptLoop);
            Thread.ofVirtual().name(LibraryThreads.PREFIX + name + "-handshake-deadlines").start(this::sweep);
        } finally {
            lock.unlock();
        }
    }

    private void acceptLoop() {
        try {
            while (true) {
                sink.awaitRoom();
                SocketChannel channel;
                try {
                    channel = server.accept();
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) { // out of file descriptors, say: a passing trouble, not the end
                    if (!server.isOpen()) {
                        return;
                    }
                    System.getLogger(HandshakeGate.class.getName()).log(System.Logger.Level.WARNING,
                            name + ": accepting failed, retrying in 100 ms: " + e);
                    Thread.sleep(100);
                    continue;
                }
                admit(channel);
            }
        } catch (InterruptedException e) {
            // the owner stops it
        } finally {
            close();
            sink.ended();
        }
    }

    /** Takes a just accepted socket in, closing the oldest pending one if at the limit; starts its handshake. */
    private void admit(SocketChannel channel) {
        Pending peer = new Pending(channel, System.nanoTime() + deadlineNanos);
        Pending oldest = null;
        lock.lock();
        try {
            if (closed) {
                closeQuietly(channel);
                return;
            }
            if (pending.size() >= maxPending) {
                oldest = pending.pollFirst(); // its place, not the new peer's: a new peer may be a good client
                evicted++;
            }
            pending.addLast(peer);
            if (oldest != null || pending.size() == 1) {
                changed.signal(); // the head changed: the sweeper waits for another deadline
            }
        } finally {
            lock.unlock();
        }
        if (oldest != null) {
            closeQuietly(oldest.channel);
        }
        try {
            Thread.ofVirtual().name(LibraryThreads.PREFIX + name + "-handshake").start(() -> handshake(peer));
        } catch (RuntimeException | OutOfMemoryError e) {
            if (take(peer)) {
                closeQuietly(channel);
            }
            System.getLogger(HandshakeGate.class.getName()).log(System.Logger.Level.WARNING,
                    name + ": cannot start a handshake (the peer is closed): " + e);
        }
    }

    private void handshake(Pending peer) {
        SocketAddress remote = null;
        try {
            remote = peer.channel.getRemoteAddress();
            Handshake.serve(peer.channel, key);
        } catch (Handshake.Failed e) {
            if (take(peer)) {
                closeQuietly(peer.channel);
                sink.refused(remote, e);
            }
            return;
        } catch (IOException | RuntimeException e) { // went away, or closed here for its deadline or its place
            if (take(peer)) {
                closeQuietly(peer.channel);
            }
            return;
        }
        if (take(peer)) {
            sink.authenticated(peer.channel, remote);
        } // else closed for its deadline or its place at the moment it passed: the client sees the connection end
    }

    /** {@return whether the caller now owns the peer (it was pending; it is not any more)} */
    private boolean take(Pending peer) {
        lock.lock();
        try {
            boolean head = pending.peekFirst() == peer;
            boolean was = pending.remove(peer); // at most maxPending to look through
            if (head) {
                changed.signal();
            }
            return was;
        } finally {
            lock.unlock();
        }
    }

    /** Closes each pending peer at its deadline: the head of the FIFO first, as deadlines follow accept order. */
    private void sweep() {
        List<Pending> due = new ArrayList<>();
        while (true) {
            lock.lock();
            try {
                Pending head;
                while (!closed && ((head = pending.peekFirst()) == null || head.deadline - System.nanoTime() > 0)) {
                    if (head == null) {
                        changed.await();
                    } else {
                        changed.awaitNanos(head.deadline - System.nanoTime());
                    }
                }
                if (closed) {
                    return;
                }
                long now = System.nanoTime();
                while ((head = pending.peekFirst()) != null && head.deadline - now <= 0) {
                    due.add(pending.pollFirst());
                    expired++;
                }
            } catch (InterruptedException e) {
                return; // not interrupted by the library: nobody else holds this thread
            } finally {
                lock.unlock();
            }
            for (Pending peer : due) {
                closeQuietly(peer.channel);
            }
            due.clear();
        }
    }

    /** {@return how many pending peers were closed to make room for a new one} */
    public long evicted() {
        lock.lock();
        try {
            return evicted;
        } finally {
            lock.unlock();
        }
    }

    /** {@return how many pending peers were closed at their deadline} */
    public long expired() {
        lock.lock();
        try {
            return expired;
        } finally {
            lock.unlock();
        }
    }

    /** {@return how many handshakes are pending now} */
    public int pending() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for the accepting thread to end (its owner closes the server socket first).
     *
     * @param millis the longest wait
     * @throws InterruptedException if interrupted
     */
    public void join(long millis) throws InterruptedException {
        Thread thread;
        lock.lock();
        try {
            thread = acceptor;
        } finally {
            lock.unlock();
        }
        if (thread != null) {
            thread.join(millis);
        }
    }

    /** Closes every pending peer and stops the sweeper; the owner closes the server socket, which ends accepting. */
    @Override
    public void close() {
        List<Pending> all;
        lock.lock();
        try {
            closed = true;
            all = new ArrayList<>(pending);
            pending.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Pending peer : all) {
            closeQuietly(peer.channel);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }
}

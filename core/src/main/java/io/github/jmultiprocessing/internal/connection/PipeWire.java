package io.github.jmultiprocessing.internal.connection;

import io.github.jmultiprocessing.internal.shm.MappedSegment;
import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import io.github.jmultiprocessing.internal.shm.SegmentTable;
import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import io.github.jmultiprocessing.internal.shm.UseCount;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.StreamCorruptedException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * A {@link Wire} over a duplex pipe in shared memory, set up over an authenticated local socket that then carries
 * nothing: the socket's end is how each side learns at once that the other has died ({@link LinkWatch}), and the
 * pipe carries every message. A manager's server and a client on one machine talk this way: a round trip is a
 * hand-off through shared memory, not a socket wake-up in the kernel.
 *
 * <p>Set-up. The server {@link #offer offers} a pipe: it creates and formats the segment, counts itself as the
 * holder of end 0 and the client (by the pid it said over the authenticated socket) as the holder of end 1, and
 * sends the segment's name over the socket. The client {@link #accept accepts} it by mapping the segment. The server
 * unlinks the segment's name once the first message has come through the pipe (the client has mapped it), or when
 * its end closes before that: no file outlives the set-up, whoever dies when.
 *
 * <p>Closing. {@link #close()} wakes the threads waiting on this end (they fail), counts this process out of its
 * end (the peer's waits end: "the writing end is closed") and closes the socket (the peer's watch fires); the
 * mapping goes once the last thread inside has left.
 */
public final class PipeWire implements Wire {

    /** Bytes of each direction's ring: a request or reply longer than this goes in pieces. */
    private static final int CAPACITY = 64 * 1024;

    private final SocketWire socket;
    private final MappedSegment mapped;
    private final PipeChannel channel;
    private final UseCount use;
    private final BooleanSupplier stopped;
    private volatile boolean peerGone;
    /** The server's: the segment's name until the client has surely mapped it, then null. */
    private final AtomicReference<String> unlinkPending;

    private PipeWire(SocketWire socket, MappedSegment mapped, int end, String unlinkPending)
            throws StreamCorruptedException {
        this.socket = socket;
        this.mapped = mapped;
        this.channel = PipeChannel.open(mapped.segment(), end);
        this.unlinkPending = new AtomicReference<>(unlinkPending);
        this.use = new UseCount("the link is closed", () -> SegmentTable.release(mapped));
        this.stopped = () -> use.isClosed() || peerGone;
        channel.handOffWaits(true); // a request and its reply
    }

    /**
     * The server's side: creates a pipe for the client on the other end of {@code socket}.
     *
     * @param socket    the authenticated socket, which carries nothing after the segment's name
     * @param clientPid the client's process, counted as the holder of its end until it closes it or dies
     * @return the server's end; send {@link #segmentName()} to the client over the socket, then use only this
     * @throws IOException          if the client's pid is no live process here, or the link cannot be watched
     * @throws UncheckedIOException if the segment cannot be created
     */
    public static PipeWire offer(SocketWire socket, long clientPid) throws IOException {
        if (clientPid <= 0 || !ProcessIdentity.isAlive(clientPid)) { // another pid namespace, say: no liveness
            throw new IOException("the client's pid " + clientPid + " is no live process here");
        }
        // One family per server (one ledger line, not three a connection): unlinked with it at exit or reaping.
        String family = "jmp-link-" + ProcessIdentity.pid();
        String name = ShmDirectory.randomName(family + ".");
        MappedSegment mapped = SegmentTable.createFamilyMember(family, ProcessIdentity.pid(),
                ProcessIdentity.startTime(), name, PipeChannel.size(CAPACITY, true));
        PipeWire wire;
        try {
            PipeChannel.format(mapped.segment(), CAPACITY, true, false);
            wire = new PipeWire(socket, mapped, 0, name);
            wire.channel.holders().add(ProcessIdentity.pid(), 1);
            PipeChannel.open(mapped.segment(), 1).holders().add(clientPid, 1);
        } catch (IOException | RuntimeException | Error e) {
            SegmentTable.release(mapped);
            unlinkQuietly(name);
            throw e;
        }
        wire.watch();
        return wire;
    }

    /**
     * The client's side: maps the pipe the server offered, whose end 1 the server already counts as this process's.
     *
     * @param socket  the authenticated socket the offer came over
     * @param segment the pipe's segment name
     * @return the client's end
     * @throws IOException if the segment cannot be mapped or is not a pipe (another machine's, a different segment
     *                     directory), the server's pid is no live process here (another pid namespace), or the
     *                     link cannot be watched; the socket is then left as it is
     */
    public static PipeWire accept(SocketWire socket, String segment) throws IOException {
        MappedSegment mapped;
        try {
            mapped = SegmentTable.attach(segment);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            throw new IOException("cannot map the manager's pipe " + segment + ": " + e.getMessage(), e);
        }
        PipeWire wire;
        try {
            wire = new PipeWire(socket, mapped, 1, null);
        } catch (StreamCorruptedException | RuntimeException e) {
            SegmentTable.release(mapped);
            throw new IOException("the manager's segment " + segment + " is not a pipe: " + e.getMessage(), e);
        }
        if (!wire.channel.peerOpen()) { // the server's pid is no live process here (another pid namespace)
            wire.use.close(() -> { }); // nothing counted here, nothing to unlink: only the mapping goes
            throw new IOException("the manager's pipe " + segment + " is held by no live process here");
        }
        wire.watch();
        return wire;
    }

    private void watch() throws IOException {
        try {
            LinkWatch.watch(socket.channel(), this::peerGone);
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /** From the watch: the peer's socket ended, so the peer has gone; the waits here end now. */
    private void peerGone() {
        peerGone = true;
        try {
            use.enter();
        } catch (IllegalStateException closed) {
            return; // closed here meanwhile: nobody waits
        }
        try {
            channel.wakeAll();
        } finally {
            use.leave();
        }
    }

    /** {@return the pipe's segment name, for the server to send to the client} */
    public String segmentName() {
        return mapped.name();
    }

    private void enter() throws ClosedChannelException {
        try {
            use.enter();
        } catch (IllegalStateException e) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public void send(byte[] src, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, src.length);
        enter();
        try {
            if (Thread.interrupted()) { // as a socket's: an interrupted call is not sent at all
                throw new InterruptedIOException("interrupted before sending");
            }
            if (peerGone) {
                throw new IOException("the other end of the link is gone (broken pipe)");
            }
            channel.send(src, offset, length, stopped);
        } catch (InterruptedException e) {
            throw new InterruptedIOException("interrupted before sending");
        } finally {
            use.leave();
        }
    }

    @Override
    public byte[] recv(int maxLength) throws IOException {
        enter();
        byte[] message;
        try {
            message = channel.recv(stopped);
        } catch (InterruptedException e) {
            throw new InterruptedIOException("interrupted while waiting for a message");
        } finally {
            use.leave();
        }
        if (message == null) {
            if (use.isClosed()) {
                throw new ClosedChannelException();
            }
            throw new EOFException("the other end of the link is gone and every message was read");
        }
        String pending = unlinkPending.getAndSet(null);
        if (pending != null) { // the client has mapped the segment: its name can go
            unlinkQuietly(pending);
        }
        if (message.length > maxLength) {
            throw new StreamCorruptedException("a message of " + message.length + " bytes (expected at most "
                    + maxLength + ")");
        }
        return message;
    }

    @Override
    public boolean poll(long timeoutNanos) throws IOException {
        enter();
        try {
            return channel.poll(timeoutNanos, stopped) || peerGone;
        } catch (InterruptedException e) {
            throw new InterruptedIOException("interrupted while polling");
        } finally {
            use.leave();
        }
    }

    @Override
    public boolean isOpen() {
        return !use.isClosed() && !peerGone;
    }

    @Override
    public void close() {
        use.close(() -> {
            channel.wakeAll(); // this end's waiters see it closed
            channel.holders().add(ProcessIdentity.pid(), -1);
            channel.wakeAll(); // and the peer's see the end go
            socket.close();
            LinkWatch.closed();
            String pending = unlinkPending.getAndSet(null);
            if (pending != null) {
                unlinkQuietly(pending);
            }
        });
    }

    private static void unlinkQuietly(String name) {
        try {
            SegmentTable.unlink(name);
        } catch (UncheckedIOException e) {
            // gone already (this JVM's exit clean-up, say)
        }
    }
}

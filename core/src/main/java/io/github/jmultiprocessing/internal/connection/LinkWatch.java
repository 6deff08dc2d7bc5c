package io.github.jmultiprocessing.internal.connection;

import io.github.jmultiprocessing.internal.shm.LibraryThreads;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Watches the sockets that {@link PipeWire}s were set up over, and tells a wire at once when its socket's peer has
 * gone: the kernel closes a dead process's sockets, whereas a wait on shared memory would learn of the death only
 * at its next liveness check. Nothing is sent on such a socket after the set-up, so a readable one (data or end of
 * stream) means the peer has gone or broken the protocol; either way the link is over.
 *
 * <p>One daemon thread per JVM ({@code jmultiprocessing-link-watch}), started on first use, with one selector for
 * every watched socket. A socket closed here is dropped from the selector by the close itself.
 */
final class LinkWatch {

    private record Watched(SocketChannel channel, Runnable gone) {
    }

    private static final Queue<Watched> PENDING = new ConcurrentLinkedQueue<>();
    private static Selector selector; // guarded by LinkWatch.class; open once started

    private LinkWatch() {
    }

    /**
     * Runs {@code gone} (on the watch's thread, once) when the socket becomes readable or reaches its end.
     *
     * @param channel a connected, non-blocking socket on which the peer sends nothing more
     * @param gone    what to run; quick, and it must not throw
     * @throws IOException if the watch cannot start (no selector)
     */
    static void watch(SocketChannel channel, Runnable gone) throws IOException {
        Selector watching = selector();
        PENDING.add(new Watched(channel, gone));
        watching.wakeup();
    }

    /**
     * Wakes the watch after a watched socket was closed here: the selector deregisters the socket at its next
     * selection, and only then does the JDK release its file descriptor.
     */
    static void closed() {
        Selector watching;
        synchronized (LinkWatch.class) {
            watching = selector;
        }
        if (watching != null) {
            watching.wakeup();
        }
    }

    private static synchronized Selector selector() throws IOException {
        if (selector == null) {
            Selector opened = Selector.open();
            LibraryThreads.start("link-watch", () -> run(opened));
            selector = opened;
        }
        return selector;
    }

    private static void run(Selector watching) {
        while (true) {
            try {
                for (Watched w; (w = PENDING.poll()) != null; ) {
                    try {
                        w.channel().register(watching, SelectionKey.OP_READ, w.gone());
                    } catch (ClosedChannelException e) {
                        w.gone().run(); // closed before it was watched: over all the same
                    }
                }
                watching.select();
                for (SelectionKey key : watching.selectedKeys()) {
                    key.cancel();
                    ((Runnable) key.attachment()).run();
                }
                watching.selectedKeys().clear();
            } catch (IOException | RuntimeException e) {
                // a selector failure: the wires' own liveness checks (every 10 ms) remain; go on watching
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ignored) {
                    // a daemon thread: nobody interrupts it on purpose
                }
            }
        }
    }
}

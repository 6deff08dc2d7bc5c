package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connecting side of a handshake has one deadline for its connect and its whole handshake (10 s): a silent
 * server, a server that answers each message a little before a per-message timeout, and a server whose backlog is
 * full (the connect itself waits) each hold {@link Client#connect} and {@link BaseManager#connect()} at most that
 * long. Before, a client waited 20 s per handshake message and for ever in a connect. The cases run at once, so
 * the test takes one deadline.
 */
class ConnectDeadlineIT {

    private static final byte[] KEY = "secret".getBytes(StandardCharsets.UTF_8);
    private static final long DEADLINE_MILLIS = 10_000;
    /** Past the deadline by more than a busy machine's scheduling, less than the old 20 s per message. */
    private static final long LATEST_MILLIS = DEADLINE_MILLIS + 4_000;

    private record Outcome(Throwable failure, long millis) {
    }

    private static Future<Outcome> timed(Callable<?> connect) {
        FutureTask<Outcome> task = new FutureTask<>(() -> {
            long t0 = System.nanoTime();
            Throwable failure = null;
            try {
                Object connected = connect.call();
                if (connected instanceof AutoCloseable closeable) {
                    closeable.close();
                }
            } catch (Throwable t) {
                failure = t;
            }
            return new Outcome(failure, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        });
        Thread.ofPlatform().daemon().start(task);
        return task;
    }

    /** Waits for an outcome no longer than {@link #LATEST_MILLIS} (plus the time already spent). */
    private static Outcome within(Future<Outcome> outcome, long t0) throws Exception {
        long left = LATEST_MILLIS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        try {
            return outcome.get(Math.max(1, left), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("still connecting after " + LATEST_MILLIS + " ms (expected the 10 s deadline)");
        }
    }

    /** A server that accepts, then sends a challenge every {@code pauseMillis}, and never a verdict. */
    private static Thread slowServer(ServerSocketChannel server, long pauseMillis) {
        return Thread.ofPlatform().daemon().start(() -> {
            try (SocketChannel peer = server.accept()) {
                for (int i = 0; i < 10; i++) {
                    Thread.sleep(pauseMillis);
                    byte[] challenge = new byte[11 + 32];
                    System.arraycopy("#CHALLENGE#".getBytes(StandardCharsets.US_ASCII), 0, challenge, 0, 11);
                    peer.write(new ByteBuffer[] {ByteBuffer.allocate(4).putInt(0, challenge.length),
                            ByteBuffer.wrap(challenge)});
                    peer.read(ByteBuffer.allocate(4 + 32)); // the client's answer
                }
            } catch (Exception e) {
                // the client went away
            }
        });
    }

    @Test
    void shouldGiveUpOnASilentSlowOrFullServerWithinOneDeadline(@TempDir Path dir) throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        List<AutoCloseable> open = new ArrayList<>();
        try {
            ServerSocketChannel silent = ServerSocketChannel.open().bind(loopback); // accepted by the kernel, mute
            ServerSocketChannel slow = ServerSocketChannel.open().bind(loopback);
            ServerSocketChannel full = ServerSocketChannel.open().bind(loopback, 1);
            ServerSocketChannel silentManager = ServerSocketChannel.open().bind(loopback);
            UnixDomainSocketAddress unixAddress = UnixDomainSocketAddress.of(dir.resolve("full.sock"));
            ServerSocketChannel fullUnix = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(unixAddress, 1);
            open.addAll(List.of(silent, slow, full, silentManager, fullUnix));
            boolean filled = false; // fill the backlogs: the next connect waits for a place
            for (int i = 0; i < 8 && !filled; i++) {
                SocketChannel queued = SocketChannel.open();
                open.add(queued);
                try {
                    queued.socket().connect(full.getLocalAddress(), 200);
                } catch (java.net.SocketTimeoutException e) {
                    filled = true;
                }
            }
            assertTrue(filled, "the backlog of 1 did not fill");
            for (int i = 0; i < 2; i++) {
                SocketChannel queued = SocketChannel.open(StandardProtocolFamily.UNIX);
                open.add(queued);
                queued.configureBlocking(false);
                queued.connect(unixAddress);
            }
            slowServer(slow, 6_000); // each message well within the old 20 s, two of them past the deadline
            SocketAddress managerAddress = silentManager.getLocalAddress();

            long t0 = System.nanoTime();
            Future<Outcome> toSilent = timed(() -> Client.connect(silent.getLocalAddress(), KEY));
            Future<Outcome> toSlow = timed(() -> Client.connect(slow.getLocalAddress(), KEY));
            Future<Outcome> toFull = timed(() -> Client.connect(full.getLocalAddress(), KEY));
            Future<Outcome> toFullUnix = timed(() -> Client.connect(unixAddress, KEY));
            Future<Outcome> manager = timed(() -> {
                new BaseManager(managerAddress, KEY).connect();
                return null;
            });

            Outcome outcome = within(toSilent, t0);
            assertTrue(outcome.failure() instanceof AuthenticationException, String.valueOf(outcome.failure()));
            assertTrue(outcome.failure().getMessage().contains("deadline"), outcome.failure().getMessage());
            assertTrue(outcome.millis() >= DEADLINE_MILLIS - 500, "gave up after " + outcome.millis() + " ms");

            outcome = within(toSlow, t0);
            assertTrue(outcome.failure() instanceof AuthenticationException, String.valueOf(outcome.failure()));
            assertTrue(outcome.millis() >= DEADLINE_MILLIS - 500, "gave up after " + outcome.millis() + " ms");

            outcome = within(toFull, t0);
            assertTrue(outcome.failure() instanceof java.net.SocketTimeoutException,
                    String.valueOf(outcome.failure()));

            outcome = within(toFullUnix, t0);
            assertTrue(outcome.failure() instanceof java.net.SocketTimeoutException,
                    String.valueOf(outcome.failure()));
            assertTrue(outcome.millis() >= DEADLINE_MILLIS - 500, "gave up after " + outcome.millis() + " ms");

            outcome = within(manager, t0);
            assertTrue(outcome.failure() instanceof AuthenticationException, String.valueOf(outcome.failure()));
            assertTrue(outcome.failure().getMessage().contains("deadline"),
                    String.valueOf(outcome.failure()));
        } finally {
            for (AutoCloseable each : open) {
                each.close();
            }
        }
    }

    @Test
    void shouldStillConnectAndAuthenticateAtOnceOverTcpAndUnixSockets(@TempDir Path dir) throws Exception {
        for (SocketAddress address : List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                UnixDomainSocketAddress.of(dir.resolve("listener.sock")))) {
            try (Listener listener = new Listener(address, KEY)) {
                FutureTask<Connection> accepted = new FutureTask<>(listener::accept);
                Thread.ofPlatform().daemon().start(accepted);
                try (Connection client = Client.connect(listener.address(), KEY);
                        Connection server = accepted.get(10, TimeUnit.SECONDS)) {
                    client.send("over " + address);
                    assertEquals("over " + address, server.recv());
                } catch (ExecutionException e) {
                    throw new AssertionError(e.getCause());
                }
            }
        }
    }
}

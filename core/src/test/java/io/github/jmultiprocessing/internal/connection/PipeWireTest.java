package io.github.jmultiprocessing.internal.connection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import io.github.jmultiprocessing.internal.shm.ShmDirectory;

import java.io.EOFException;
import java.io.InterruptedIOException;
import java.io.StreamCorruptedException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pipe link set up over a local socket, both ends in this JVM: the peer's liveness here comes from the socket
 * alone (the pipe counts this live process as the holder of both ends), so these tests show the watch at work.
 */
@Timeout(30)
class PipeWireTest {

    private SocketWire serverSocket;
    private SocketWire clientSocket;
    private PipeWire server;
    private PipeWire client;
    private Path socketPath;

    @BeforeEach
    void link() throws Exception {
        socketPath = Files.createTempDirectory("pipewire").resolve("s.sock");
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socketPath);
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(address);
            SocketChannel connecting = SocketChannel.open(StandardProtocolFamily.UNIX);
            connecting.connect(address);
            clientSocket = new SocketWire(connecting);
            serverSocket = new SocketWire(listener.accept());
        }
        server = PipeWire.offer(serverSocket, ProcessIdentity.pid());
        client = PipeWire.accept(clientSocket, server.segmentName());
    }

    @AfterEach
    void close() throws Exception {
        client.close();
        server.close();
        Files.deleteIfExists(socketPath);
        Files.deleteIfExists(socketPath.getParent());
    }

    @Test
    void carriesRequestsAndRepliesWholeAndUnlinksTheSegmentOnceTheClientHasSentThroughIt() throws Exception {
        Path segment = ShmDirectory.pathOf(server.segmentName());
        assertTrue(Files.exists(segment), "the client maps it by name: it stays until the client has");
        byte[] request = {1, 2, 3};
        client.send(request, 0, request.length);
        assertArrayEquals(request, server.recv(100));
        assertFalse(Files.exists(segment), "the name goes once the first message came through");
        byte[] reply = new byte[300_000]; // more than a ring holds: goes in pieces while the client reads
        for (int i = 0; i < reply.length; i++) {
            reply[i] = (byte) (i * 31);
        }
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            try {
                return client.recv(reply.length);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        server.send(reply, 0, reply.length);
        assertArrayEquals(reply, received.get(10, TimeUnit.SECONDS));
        assertTrue(client.isOpen());
        assertTrue(server.isOpen());
    }

    @Test
    void endsTheServersWaitAtOnceWhenTheClientsSocketGoesEvenWithTheClientsProcessAlive() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread waiting = Thread.ofPlatform().start(() -> {
            try {
                server.recv(100);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        Thread.sleep(100); // the server thread waits for a request
        long t0 = System.nanoTime();
        clientSocket.close(); // the kernel does this for a process that dies
        waiting.join(5_000);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertFalse(waiting.isAlive());
        assertTrue(thrown.get() instanceof EOFException, "got " + thrown.get());
        assertTrue(millis < 1_000, "the wait ended " + millis + " ms after the socket closed");
        assertFalse(server.isOpen());
        assertThrows(java.io.IOException.class, () -> server.send(new byte[1], 0, 1));
    }

    @Test
    void deliversWhatWasSentBeforeThePeerWent() throws Exception {
        byte[] reply = {7, 8};
        server.send(reply, 0, reply.length);
        server.close(); // as a server that replies to SHUTDOWN and exits
        assertArrayEquals(reply, client.recv(10));
        assertThrows(EOFException.class, () -> client.recv(10));
    }

    @Test
    void wakesAThreadWaitingHereWhenClosedHere() throws Exception {
        CompletableFuture<byte[]> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return client.recv(10);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        client.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause().getCause() instanceof ClosedChannelException, "got " + e.getCause());
        assertThrows(ClosedChannelException.class, () -> client.send(new byte[1], 0, 1));
    }

    @Test
    void refusesAMessageOverTheLimitAndStopsAWaitOnAnInterrupt() throws Exception {
        byte[] big = new byte[11];
        client.send(big, 0, big.length);
        assertThrows(StreamCorruptedException.class, () -> server.recv(10));
        Thread.currentThread().interrupt();
        try {
            assertThrows(InterruptedIOException.class, () -> server.recv(10));
        } finally {
            Thread.interrupted();
        }
        byte[] next = {5};
        client.send(next, 0, 1);
        assertArrayEquals(next, server.recv(10), "in step after both");
    }

    @Test
    void sendsNothingForAThreadInterruptedBeforeSending() throws Exception {
        Thread.currentThread().interrupt();
        try {
            assertThrows(InterruptedIOException.class, () -> client.send(new byte[] {9}, 0, 1));
        } finally {
            Thread.interrupted();
        }
        assertFalse(server.poll(0), "nothing was sent");
        client.send(new byte[] {4}, 0, 1);
        assertArrayEquals(new byte[] {4}, server.recv(10));
    }

    @Test
    void offersNoPipeForAPidThatIsNoLiveProcessHere() {
        assertThrows(java.io.IOException.class, () -> PipeWire.offer(serverSocket, 0));
        assertThrows(java.io.IOException.class, () -> PipeWire.offer(serverSocket, Integer.MAX_VALUE - 1));
    }
}

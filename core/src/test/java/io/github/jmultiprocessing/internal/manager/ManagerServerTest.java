package io.github.jmultiprocessing.internal.manager;

import static io.github.jmultiprocessing.testing.HostilePeers.readsToEnd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.config.Configuration;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The server's object table and dispatch, and its way in for connections, in process. */
class ManagerServerTest {

    private static ManagerServer server(Set<String> exposed) throws Exception {
        Function<Object[], Object> factory = (Function<Object[], Object> & Serializable) args -> new ArrayList<>();
        return new ManagerServer(ManagerServer.unixAddress(Path.of(System.getProperty("java.io.tmpdir")), "test"),
                new byte[] {1}, Map.of("list", new ManagerServer.TypeSpec(factory, List.class, exposed)), "test");
    }

    /** {@return a daemon thread running {@code server.serve()}, started} */
    private static Thread serving(ManagerServer server) {
        return Thread.ofPlatform().daemon().start(() -> {
            try {
                server.serve();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Test
    void shouldCallExposedInterfaceMethodsOnly() throws Throwable {
        try (ManagerServer server = server(null)) {
            long id = server.create("list", new Object[0]);
            assertTrue(server.owns(id));
            server.call(id, "add(java.lang.Object)", new Object[] {"x"});
            assertEquals("[x]", server.call(id, "toString()", new Object[0]));
            assertEquals(1, server.call(id, "size()", new Object[0]));
            assertThrows(ManagerServer.Fault.class, () -> server.call(id, "of([Ljava.lang.Object;)",
                    new Object[] {new Object[0]}), "a static method of the interface is no method of the object");
            assertThrows(ManagerServer.Fault.class, () -> server.call(id, "trimToSize()", new Object[0]),
                    "ArrayList's own methods are not the proxy interface's");
            assertThrows(ManagerServer.Fault.class, () -> server.call(id, "getClass()", new Object[0]));
            assertThrows(ManagerServer.Fault.class, () -> server.call(id, "add(java.lang.Object)",
                    new Object[] {"x", "y"}), "arguments that do not fit the method");
            assertThrows(ManagerServer.Fault.class, () -> server.create("dict", new Object[0]));
            assertThrows(ManagerServer.Fault.class, () -> server.call(id + 1, "size()", new Object[0]),
                    "no such object");
        }
        try (ManagerServer narrow = server(Set.of("size"))) {
            long id = narrow.create("list", new Object[0]);
            assertEquals(0, narrow.call(id, "size()", new Object[0]));
            assertThrows(ManagerServer.Fault.class, () -> narrow.call(id, "add(java.lang.Object)",
                    new Object[] {"x"}), "not in the exposed list");
        }
    }

    @Test
    void shouldServeAGoodClientWithinASecondBehindMoreSilentPeersThanThePendingLimitAndDropTheOldest()
            throws Throwable {
        try (ManagerServer server = server(null)) {
            Thread serving = serving(server);
            List<SocketChannel> silent = new ArrayList<>();
            try {
                for (int i = 0; i < 70; i++) { // peers that never answer the challenge, more than the old limit (64)
                    silent.add(SocketChannel.open(server.address()));
                }
                for (int i = 0; i < 5; i++) { // and peers that send half a length, then nothing
                    SocketChannel half = SocketChannel.open(server.address());
                    silent.add(half);
                    half.write(ByteBuffer.wrap(new byte[] {0, 0}));
                }
                long t0 = System.nanoTime();
                ManagerClient client = ManagerClient.of(server.address(), new byte[] {1});
                FutureTask<Object> counting = new FutureTask<>(() -> ManagerFrames.result(client.call(
                        ManagerFrames.request(ManagerFrames.COUNT, 0, null, null))));
                Thread.ofPlatform().daemon().start(counting);
                assertEquals(0, counting.get(2, TimeUnit.SECONDS), "the good client is served, not refused");
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue(millis < 1_000, "served after " + millis + " ms (expected < 1 s)");
                client.closeAll();
                assertTrue(readsToEnd(silent.get(0), 5_000), "the oldest silent peer lost its place: closed");
                assertFalse(readsToEnd(silent.get(silent.size() - 1), 200),
                        "the newest silent peer still has its place (its deadline is 10 s away)");
            } finally {
                for (SocketChannel channel : silent) {
                    channel.close();
                }
            }
            server.close();
            serving.join(10_000);
            assertFalse(serving.isAlive());
        }
    }

    @Test
    void shouldDropAnObjectWithItsLastReferenceAndIgnoreOtherServersIds() throws Throwable {
        try (ManagerServer server = server(null); ManagerServer other = server(null)) {
            long id = server.create("list", new Object[0]);
            long foreign = other.create("list", new Object[0]);
            assertFalse(server.owns(foreign), "ids carry their server's nonce");
            server.decref(foreign); // a stale reference from another server's proxy: ignored
            server.incref(id);
            server.decref(id);
            assertEquals(1, server.size());
            server.decref(id);
            assertEquals(0, server.size());
            assertThrows(NoSuchElementException.class, () -> server.object(id));
        }
    }

    @Test
    void shouldMoveALocalClientToAPipeUnlessToldNotToAndLeaveNoSegmentBehind() throws Throwable {
        try (ManagerServer server = server(null)) {
            Thread serving = serving(server);
            byte[] count = ManagerFrames.request(ManagerFrames.COUNT, 0, null, null);
            ManagerClient client = ManagerClient.of(server.address(), new byte[] {1});
            assertEquals(0, ManagerFrames.result(client.call(count)));
            assertTrue(client.pipeLinked(), "a server on this machine: the calls go through shared memory");
            String prefix = "jmp-link-" + ProcessHandle.current().pid() + ".";
            try (var files = java.nio.file.Files.list(io.github.jmultiprocessing.internal.shm.ShmDirectory.directory())) {
                assertEquals(List.of(), files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(prefix))
                        .toList(), "the pipe's name goes once the client has mapped it");
            }
            client.closeAll();
            System.setProperty(Configuration.MANAGER_PIPES.property(), "false");
            try {
                assertEquals(0, ManagerFrames.result(client.call(count)));
                assertFalse(client.pipeLinked(), Configuration.MANAGER_PIPES.property() + "=false: a socket");
            } finally {
                System.clearProperty(Configuration.MANAGER_PIPES.property());
            }
            client.closeAll();
            server.close();
            serving.join(10_000);
            assertFalse(serving.isAlive());
        }
    }
}

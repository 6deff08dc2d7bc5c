package io.github.jmultiprocessing.internal.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The server's object table and dispatch, in process (no sockets used). */
class ManagerServerTest {

    private static ManagerServer server(Set<String> exposed) throws Exception {
        Function<Object[], Object> factory = (Function<Object[], Object> & Serializable) args -> new ArrayList<>();
        return new ManagerServer(ManagerServer.unixAddress(Path.of(System.getProperty("java.io.tmpdir")), "test"),
                new byte[] {1}, Map.of("list", new ManagerServer.TypeSpec(factory, List.class, exposed)), "test");
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
    void shouldRefuseConnectionsBeyondTheHandshakeLimitAndServeOnceTheyAreGone() throws Throwable {
        try (ManagerServer server = server(null)) {
            Thread serving = Thread.ofPlatform().daemon().start(() -> {
                try {
                    server.serve();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            List<java.nio.channels.SocketChannel> silent = new ArrayList<>();
            try {
                for (int i = 0; i < 64; i++) { // peers that never answer the challenge
                    silent.add(java.nio.channels.SocketChannel.open(server.address()));
                }
                try (java.nio.channels.SocketChannel extra = java.nio.channels.SocketChannel.open(server.address())) {
                    java.util.concurrent.FutureTask<Integer> read = new java.util.concurrent.FutureTask<>(
                            () -> extra.read(java.nio.ByteBuffer.allocate(64)));
                    Thread.ofPlatform().daemon().start(read); // a challenge would come; a refused peer reads EOF
                    assertEquals(-1, read.get(10, java.util.concurrent.TimeUnit.SECONDS),
                            "refused at once, no thread of the server spent on it");
                }
            } finally {
                for (java.nio.channels.SocketChannel channel : silent) {
                    channel.close();
                }
            }
            ManagerClient client = ManagerClient.of(server.address(), new byte[] {1});
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            Object count = null;
            while (count == null) { // the silent peers' threads notice their close
                try {
                    count = ManagerFrames.result(client.call(ManagerFrames.request(ManagerFrames.COUNT, 0, null,
                            null)));
                } catch (java.io.IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(50);
                }
            }
            assertEquals(0, count, "an authenticated client is served again");
            client.closeAll();
            server.close();
            serving.join(10_000);
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
}

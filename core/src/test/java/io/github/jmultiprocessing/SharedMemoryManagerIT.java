package io.github.jmultiprocessing;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.config.Configuration;
import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import io.github.jmultiprocessing.testing.Children;
import io.github.jmultiprocessing.testing.JavaMain;
import io.github.jmultiprocessing.testing.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SharedMemoryManager}: every segment it made is unlinked at shutdown, and when its owner is killed. */
class SharedMemoryManagerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    static void useInChild(String shmName, SharedList list) {
        try (SharedMemory shm = SharedMemory.attach(shmName)) {
            shm.segment().set(JAVA_LONG, 8, shm.segment().get(JAVA_LONG, 0) + 1);
        }
        list.set(1, "child");
    }

    @Test
    void shouldUnlinkEverySegmentItMadeAtShutdown() throws Exception {
        List<Path> made = new ArrayList<>();
        SharedMemory shm;
        SharedList list;
        SharedMemory unlinkedByUser;
        try (SharedMemoryManager smm = new SharedMemoryManager(); Children children = new Children()) {
            smm.start();
            shm = smm.sharedMemory(4096);
            list = smm.sharedList(1, "parent", null);
            unlinkedByUser = smm.sharedMemory(64);
            made.addAll(Stream.of(shm.name(), list.name(), unlinkedByUser.name()).map(ShmDirectory::pathOf).toList());
            for (Path path : made) {
                assertTrue(Files.exists(path), path + " should exist while the manager runs");
            }
            assertEquals(4096, shm.size());
            shm.segment().set(JAVA_LONG, 0, 41L);
            String name = shm.name();
            JvmProcess child = children.start(() -> useInChild(name, list));
            assertEquals(0, Children.joinWithin(child, WAIT));
            assertEquals(42L, shm.segment().get(JAVA_LONG, 8));
            assertEquals(Arrays.asList(1L, "child", null), list);
            unlinkedByUser.unlink(); // the shutdown then skips it
        }
        try {
            for (Path path : made) {
                assertFalse(Files.exists(path), path + " left behind after the manager's shutdown");
            }
            assertEquals(42L, shm.segment().get(JAVA_LONG, 8), "a handle stays mapped after the shutdown");
            assertEquals("child", list.get(1));
        } finally {
            shm.close();
            list.close();
            unlinkedByUser.close();
        }
    }

    @Test
    void shouldUnlinkSegmentsMadeThroughAConnectedManager() throws Exception {
        Path path;
        try (SharedMemoryManager owner = new SharedMemoryManager()) {
            owner.start();
            try (SharedMemoryManager other = new SharedMemoryManager(owner.address(), owner.authkey())) {
                other.connect();
                try (SharedMemory shm = other.sharedMemory(128)) {
                    path = ShmDirectory.pathOf(shm.name());
                }
            }
            assertTrue(Files.exists(path), "a connected manager's shutdown leaves the server's segments");
        }
        assertFalse(Files.exists(path), "the owner's shutdown unlinks what every client made");
    }

    @Test
    void shouldUnlinkWhatItsServerMadeWhenServeForeverEnds(@TempDir Path dir) throws Exception {
        var address = java.net.UnixDomainSocketAddress.of(dir.resolve("smm.sock"));
        byte[] key = "serve-forever-key".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        SharedMemoryManager serving = new SharedMemoryManager(address, key);
        Thread server = Thread.ofPlatform().start(() -> {
            try {
                serving.serveForever();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                // asked to stop
            }
        });
        Path path;
        try (SharedMemoryManager client = new SharedMemoryManager(address, key)) {
            Poll.until("the server in this JVM to listen", WAIT, () -> Files.exists(address.getPath()));
            client.connect();
            try (SharedMemory shm = client.sharedMemory(256)) {
                path = ShmDirectory.pathOf(shm.name());
            }
            assertTrue(Files.exists(path));
        } finally {
            server.interrupt();
            server.join(WAIT.toMillis());
        }
        assertFalse(server.isAlive(), "serveForever did not end when interrupted");
        assertFalse(Files.exists(path), path + " left behind after serveForever ended");
    }

    @Test
    void shouldRefuseUseOutsideItsLifetimeAndBadArguments() throws Exception {
        SharedMemoryManager smm = new SharedMemoryManager();
        assertThrows(IllegalStateException.class, () -> smm.sharedMemory(8), "not started");
        smm.start();
        try {
            assertThrows(IllegalArgumentException.class, () -> smm.sharedMemory(0));
            assertThrows(ClassCastException.class, () -> smm.sharedList(List.of(new Object())));
        } finally {
            smm.shutdown();
        }
        smm.shutdown(); // twice does nothing
        assertThrows(IllegalStateException.class, () -> smm.sharedMemory(8), "shut down");
    }

    /**
     * Starts a manager, makes segments through it, prints their names and its server's pid, then waits to be
     * killed, or with the argument {@code return} returns from {@code main} without shutting the manager down.
     */
    public static final class OwnerMain {
        public static void main(String[] args) throws Exception {
            SharedMemoryManager smm = new SharedMemoryManager();
            smm.start();
            SharedMemory shm = smm.sharedMemory(1 << 16);
            SharedList list = smm.sharedList(List.of(1, 2.5, "three"));
            System.out.println("segment " + shm.name());
            System.out.println("segment " + list.name());
            System.out.println("server " + smm.serverProcess().pid().orElseThrow());
            System.out.println("ready");
            System.out.flush();
            if (args.length > 0 && args[0].equals("return")) {
                return; // without shutting the manager down
            }
            Thread.sleep(Duration.ofMinutes(10));
        }
    }

    @Test
    void shouldUnlinkEverySegmentWhenTheOwnerIsKilled(@TempDir Path shmDir) throws Exception {
        // The owner and its server in a segment directory of their own: only their files are there.
        try (JavaMain owner = JavaMain.start(System.getProperty("java.class.path"),
                List.of("-D" + Configuration.SHM_DIR.property() + "=" + shmDir), OwnerMain.class)) {
            Poll.until("the owner to make its segments", WAIT, () -> owner.output().contains("ready"));
            List<String> lines = owner.output().lines().toList();
            List<Path> segments = lines.stream().filter(l -> l.startsWith("segment "))
                    .map(l -> shmDir.resolve(l.substring("segment ".length()).strip())).toList();
            long server = lines.stream().filter(l -> l.startsWith("server ")).mapToLong(l -> Long.parseLong(
                    l.substring("server ".length()).strip())).findFirst().orElseThrow();
            assertEquals(2, segments.size(), owner.output());
            try {
                for (Path path : segments) {
                    assertTrue(Files.exists(path), path + " should exist while its owner runs");
                }
                owner.process().destroyForcibly(); // SIGKILL: no shutdown hook runs in the owner
                assertTrue(owner.process().waitFor(60, TimeUnit.SECONDS));
                Poll.until("the manager's server to end with its owner", WAIT,
                        () -> !ProcessHandle.of(server).map(ProcessHandle::isAlive).orElse(false));
                for (Path path : segments) {
                    assertFalse(Files.exists(path), path + " left behind after its owner was killed");
                }
                assertEquals(List.of(), userSegments(shmDir), "segments left in the owner's directory");
            } finally {
                ProcessHandle.of(server).ifPresent(ProcessHandle::destroyForcibly); // only if the test failed
            }
        }
    }

    @Test
    void shouldUnlinkEverySegmentWhenTheOwnerExitsWithoutShuttingItDown(@TempDir Path shmDir) throws Exception {
        try (JavaMain owner = JavaMain.start(System.getProperty("java.class.path"),
                List.of("-D" + Configuration.SHM_DIR.property() + "=" + shmDir), OwnerMain.class, "return")) {
            assertEquals(0, owner.waitFor(WAIT), owner.output());
            List<String> lines = owner.output().lines().toList();
            assertEquals(2, lines.stream().filter(l -> l.startsWith("segment ")).count(), owner.output());
            long server = lines.stream().filter(l -> l.startsWith("server ")).mapToLong(l -> Long.parseLong(
                    l.substring("server ".length()).strip())).findFirst().orElseThrow();
            try {
                Poll.until("the manager's server to end with its owner", WAIT,
                        () -> !ProcessHandle.of(server).map(ProcessHandle::isAlive).orElse(false));
                assertEquals(List.of(), userSegments(shmDir), "segments left after the owner's exit");
            } finally {
                ProcessHandle.of(server).ifPresent(ProcessHandle::destroyForcibly); // only if the test failed
            }
        }
    }

    /**
     * Kills its manager's server, says whether the segments survived that, shuts the manager down and says whether
     * they survived that. Runs in a segment directory of its own: in /dev/shm any JVM that starts on this machine
     * would reap the killed server's segments meanwhile.
     */
    public static final class ServerKilledMain {
        public static void main(String[] args) throws Exception {
            SharedMemoryManager smm = new SharedMemoryManager();
            smm.start();
            SharedMemory shm = smm.sharedMemory(64);
            SharedList list = smm.sharedList(1, "x");
            List<Path> made = Stream.of(shm.name(), list.name()).map(ShmDirectory::pathOf).toList();
            JvmProcess server = smm.serverProcess();
            server.kill(); // SIGKILL: the server cannot unlink anything
            System.out.println("server ended " + server.join(WAIT));
            System.out.println("after the kill " + made.stream().filter(Files::exists).count());
            smm.shutdown();
            System.out.println("after the shutdown " + made.stream().filter(Files::exists).count());
        }
    }

    @Test
    void shouldUnlinkWhatItMadeAtShutdownAfterItsServerWasKilled(@TempDir Path shmDir) throws Exception {
        try (JavaMain owner = JavaMain.start(System.getProperty("java.class.path"),
                List.of("-D" + Configuration.SHM_DIR.property() + "=" + shmDir), ServerKilledMain.class)) {
            assertEquals(0, owner.waitFor(WAIT), owner.output());
            assertTrue(owner.output().contains("server ended true\nafter the kill 2\nafter the shutdown 0"),
                    owner.output());
        }
    }

    /** {@return the user segments (SharedMemory's {@code jmp_} names) in a directory} */
    private static List<String> userSegments(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("jmp_")).toList();
        }
    }
}

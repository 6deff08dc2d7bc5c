package io.github.jmultiprocessing;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import io.github.jmultiprocessing.testing.Children;
import io.github.jmultiprocessing.testing.JavaMain;
import io.github.jmultiprocessing.testing.Poll;
import io.github.jmultiprocessing.testing.Python;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SharedMemoryIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    static void shout(SharedMemory shm) {
        MemorySegment bytes = shm.segment();
        for (long i = 0; i < 5; i++) {
            bytes.set(JAVA_BYTE, i, (byte) Character.toUpperCase((char) bytes.get(JAVA_BYTE, i)));
        }
    }

    @Test
    void shouldReachAChildByName() throws Exception {
        try (SharedMemory shm = SharedMemory.create(64); Children children = new Children()) {
            shm.segment().setString(0, "hello");
            JvmProcess child = children.start(() -> shout(shm));
            assertEquals(0, Children.joinWithin(child, WAIT));
            assertEquals("HELLO", shm.segment().getString(0));
            shm.unlink();
        }
    }

    static void replaceSegment(String name) {
        SegmentsAccess.unlink(name);
        SharedMemory.create(name, 8192, false).close(); // untracked: outlives this child
    }

    /** Unlinking by name from a child, as another program would. */
    static final class SegmentsAccess {
        static void unlink(String name) {
            try {
                Files.delete(ShmDirectory.pathOf(name));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void shouldAttachToTheNewSegmentWhenAnotherProcessReplacedTheName() throws Exception {
        String name = ShmDirectory.randomName("jmp_test_");
        try (SharedMemory first = SharedMemory.create(name, 4096, false); Children children = new Children()) {
            JvmProcess replacer = children.start(() -> replaceSegment(name));
            assertEquals(0, Children.joinWithin(replacer, WAIT));
            try (SharedMemory second = SharedMemory.attach(name)) {
                assertEquals(8192, second.size(), "attach must map the file now under the name, not a cached one");
                assertEquals(4096, first.size());
            }
        } finally {
            Files.deleteIfExists(ShmDirectory.pathOf(name));
        }
    }

    // ---- Python interoperability (Linux: both use /dev/shm/<name>)

    @Test
    void shouldBeReadableFromPython() throws Exception {
        Python.assumeDevShm();
        try (SharedMemory shm = SharedMemory.create(100)) {
            shm.segment().setString(0, "from java");
            String output = Python.run("""
                    from multiprocessing import shared_memory, resource_tracker
                    s = shared_memory.SharedMemory(name='%s')
                    print(bytes(s.buf[:9]).decode(), s.size)
                    s.buf[20:24] = b'py!!'
                    resource_tracker.unregister(s._name, 'shared_memory')  # Python 3.11 would unlink it at exit
                    s.close()
                    """.formatted(shm.name()));
            assertEquals("from java 100", output);
            assertEquals("py!!", new String(shm.segment().asSlice(20, 4).toArray(JAVA_BYTE), StandardCharsets.US_ASCII));
            shm.unlink();
        }
    }

    @Test
    void shouldAttachToASegmentPythonCreated() throws Exception {
        Python.assumeDevShm();
        String name = ShmDirectory.randomName("psm_test_");
        Python.run("""
                from multiprocessing import shared_memory, resource_tracker
                s = shared_memory.SharedMemory(name='%s', create=True, size=64)
                s.buf[:11] = b'from python'
                resource_tracker.unregister(s._name, 'shared_memory')
                s.close()
                """.formatted(name));
        try (SharedMemory shm = SharedMemory.attach(name)) {
            assertEquals(64, shm.size());
            assertEquals("from python", new String(shm.segment().asSlice(0, 11).toArray(JAVA_BYTE),
                    StandardCharsets.US_ASCII));
            shm.unlink();
        }
        assertFalse(Files.exists(ShmDirectory.pathOf(name)));
    }

    // ---- nothing leaks

    /** Creates segments of every kind, prints their names and "ready", then exits or waits to be killed. */
    public static final class CreatorMain {
        public static void main(String[] args) throws Exception {
            SharedMemory tracked = SharedMemory.create(4096);
            SharedMemory untracked = SharedMemory.create(ShmDirectory.randomName("jmp_test_untracked_"), 4096, false);
            SharedValue value = SharedValue.of('i', 1);
            SharedLock lock = new SharedLock();
            lock.acquire();
            System.out.println("tracked " + tracked.name());
            System.out.println("untracked " + untracked.name());
            System.out.println("heap " + heapOf(value));
            System.out.println("ready " + value.getInt());
            System.out.flush();
            if (args.length > 0 && args[0].equals("wait")) {
                Thread.sleep(Duration.ofMinutes(10));
            }
        }

        private static String heapOf(Object shared) throws Exception {
            String text = new String(SharedValueTestAccess.serialize(shared), StandardCharsets.ISO_8859_1);
            var matcher = java.util.regex.Pattern.compile("jmp-heap-\\d+-[0-9a-f]{16}").matcher(text);
            if (!matcher.find()) {
                throw new AssertionError("no heap arena name in the serialized handle");
            }
            return matcher.group();
        }
    }

    /** Serialization for the creator main, which is not a test. */
    static final class SharedValueTestAccess {
        static byte[] serialize(Object object) throws IOException {
            return SharedValueTest.serialize(object);
        }
    }

    /** Creates a value, starts a non-daemon child that uses it later, prints "ready", waits to be killed. */
    public static final class ParentOfLateAttacherMain {
        public static void main(String[] args) throws Exception {
            SharedValue value = SharedValue.of('i', 41);
            String report = args[0];
            JvmProcess child = new JvmProcess(() -> attachLate(value, report));
            child.start();
            System.out.println("child " + child.pid().orElseThrow());
            System.out.println("ready");
            System.out.flush();
            Thread.sleep(Duration.ofMinutes(10));
        }
    }

    /**
     * Gets the value's handle at once (it attaches then), re-attaches a copy later: both must work. Says so in a
     * file: its parent is gone by then, and with it the stdout a child writes through.
     */
    static void attachLate(SharedValue value, String report) {
        try {
            Thread.sleep(1500);
            SharedValue copy = (SharedValue) SharedValueTest.deserialize(SharedValueTest.serialize(value));
            copy.incrementAndGet();
            Files.writeString(Path.of(report), "late attach saw " + value.getInt());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldKeepAKilledCreatorsSegmentsWhileItsChildrenRun(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path report = dir.resolve("report.txt");
        try (JavaMain parent = JavaMain.start(ParentOfLateAttacherMain.class, report.toString());
                Children children = new Children()) {
            Poll.until("the parent to start its child", WAIT, () -> parent.output().contains("ready"));
            long child = Long.parseLong(parent.output().lines().filter(l -> l.startsWith("child "))
                    .findFirst().orElseThrow().substring(6));
            parent.process().destroyForcibly();
            assertTrue(parent.process().waitFor(60, TimeUnit.SECONDS));
            JvmProcess reaper = children.start(() -> { }); // a library JVM start reaps what it may
            assertEquals(0, Children.joinWithin(reaper, WAIT));
            Poll.until("the orphaned child to finish", WAIT,
                    () -> !ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false));
            assertTrue(Files.exists(report) && Files.readString(report).contains("late attach saw 42"),
                    parent.output());
        }
    }

    private static List<Path> segments(String output, String... kinds) {
        List<Path> paths = new ArrayList<>();
        for (String line : output.split("\n")) {
            for (String kind : kinds) {
                if (line.startsWith(kind + " ")) {
                    paths.add(ShmDirectory.pathOf(line.substring(kind.length() + 1).strip()));
                }
            }
        }
        assertEquals(kinds.length, paths.size(), output);
        return paths;
    }

    private static Path ledgerOf(long pid) throws IOException {
        try (var files = Files.list(ShmDirectory.directory())) {
            return files.filter(p -> p.getFileName().toString().startsWith("jmp-ledger-" + pid + "-")).findFirst()
                    .orElse(null);
        }
    }

    @Test
    void shouldUnlinkTrackedSegmentsWhenTheCreatorExits() throws Exception {
        try (JavaMain creator = JavaMain.start(CreatorMain.class)) {
            assertEquals(0, creator.waitFor(WAIT), creator.output());
            List<Path> gone = segments(creator.output(), "tracked", "heap");
            Path untracked = segments(creator.output(), "untracked").getFirst();
            for (Path path : gone) {
                assertFalse(Files.exists(path), path + " left behind after a normal exit");
            }
            assertEquals(null, ledgerOf(creator.process().pid()));
            try {
                assertTrue(Files.exists(untracked), "a track=false segment must stay until unlinked");
            } finally {
                Files.deleteIfExists(untracked);
            }
        }
    }

    @Test
    void shouldReapSegmentsOfAKilledCreatorWhenTheNextJvmStarts() throws Exception {
        try (JavaMain creator = JavaMain.start(CreatorMain.class, "wait"); Children children = new Children()) {
            Poll.until("the creator to be ready", WAIT, () -> creator.output().contains("ready 1"));
            List<Path> tracked = segments(creator.output(), "tracked", "heap");
            Path untracked = segments(creator.output(), "untracked").getFirst();
            try {
                reapAfterKill(creator, children, tracked, untracked);
            } finally {
                Files.deleteIfExists(untracked);
            }
        }
    }

    private static void reapAfterKill(JavaMain creator, Children children, List<Path> tracked, Path untracked)
            throws Exception {
        {
            creator.process().destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertTrue(creator.process().waitFor(60, TimeUnit.SECONDS));
            assertEquals(137, creator.process().exitValue());
            for (Path path : tracked) {
                assertTrue(Files.exists(path), path + " should survive a kill -9 until someone reaps it");
            }
            assertTrue(ledgerOf(creator.process().pid()) != null);

            JvmProcess next = children.start(() -> { }); // any library JVM start reaps
            assertEquals(0, Children.joinWithin(next, WAIT));
            for (Path path : tracked) {
                assertFalse(Files.exists(path), path + " was not reaped");
            }
            assertEquals(null, ledgerOf(creator.process().pid()));
            assertTrue(Files.exists(untracked), "a track=false segment is never reaped");
        }
    }
}

package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.config.Configuration;
import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import io.github.jmultiprocessing.testing.Children;
import io.github.jmultiprocessing.testing.JavaMain;
import io.github.jmultiprocessing.testing.Poll;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The start methods and contexts; the JVM ones with the same semantics as spawn. */
class StartMethodsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @AfterEach
    void restoreTheDefault() {
        Multiprocessing.setStartMethod(null, true);
    }

    @Test
    void shouldOfferSpawnForkserverAndThreadButNotFork() {
        assertEquals(List.of("spawn", "forkserver", "thread"), Multiprocessing.getAllStartMethods());
        IllegalArgumentException fork = assertThrows(IllegalArgumentException.class,
                () -> Multiprocessing.getContext("fork"));
        assertTrue(fork.getMessage().contains("forkserver"), fork.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Multiprocessing.getContext("posix_spawn"));
        assertEquals("forkserver", Multiprocessing.getContext("forkserver").getStartMethod());
    }

    @Test
    void shouldSetTheStartMethodOnceUnlessForced() {
        Multiprocessing.setStartMethod(null, true);
        assertEquals(null, Multiprocessing.getStartMethod(true));
        Multiprocessing.setStartMethod("thread");
        assertEquals("thread", Multiprocessing.getStartMethod());
        assertEquals("thread", Multiprocessing.getContext().getStartMethod());
        IllegalStateException again = assertThrows(IllegalStateException.class,
                () -> Multiprocessing.setStartMethod("spawn"));
        assertTrue(again.getMessage().contains("already been set"), again.getMessage());
        Multiprocessing.setStartMethod("spawn", true);
        assertEquals("spawn", Multiprocessing.getStartMethod());
        Multiprocessing.setStartMethod(null, true);
        assertEquals("spawn", Multiprocessing.getStartMethod(), "using it fixes the default");
    }

    static void record(SharedArray seen) {
        seen.setLong(0, ProcessHandle.current().pid());
        seen.setLong(1, Multiprocessing.currentProcess().getName().hashCode());
        seen.incrementAndGet(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"spawn", "forkserver"})
    void shouldRunInAnotherJvmWithPythonsExitCodes(String method) throws Exception {
        Context ctx = Multiprocessing.getContext(method);
        SharedArray seen = SharedArray.ofLength('q', 3);
        try (Children children = new Children()) {
            for (int round = 0; round < 3; round++) { // a forkserver hands out a fresh standby each time
                JvmProcess p = children.add(ctx.process(() -> record(seen), "worker-" + round));
                p.start();
                assertEquals(0, Children.joinWithin(p, WAIT));
                assertEquals(p.pid().orElseThrow(), seen.getLong(0));
                assertNotEquals(ProcessHandle.current().pid(), seen.getLong(0));
                assertEquals(("worker-" + round).hashCode(), seen.getLong(1));
            }
            assertEquals(3, seen.getLong(2));
            JvmProcess exits = children.add(ctx.process(() -> System.exit(3)));
            exits.start();
            assertEquals(3, Children.joinWithin(exits, WAIT));
            JvmProcess throwing = children.add(ctx.process(JvmProcessIT::boom));
            throwing.start();
            assertEquals(1, Children.joinWithin(throwing, WAIT));
            JvmProcess terminated = children.add(ctx.process(JvmProcessIT::sleepForever));
            terminated.start();
            assertFalse(terminated.join(Duration.ofMillis(100)));
            terminated.terminate();
            assertEquals(-15, Children.joinWithin(terminated, WAIT));
            JvmProcess killed = children.add(ctx.process(JvmProcessIT::sleepForever));
            killed.start();
            killed.kill();
            assertEquals(-9, Children.joinWithin(killed, WAIT));
            JvmProcess unserializable = ctx.process(() -> System.out.println(new Object() { }.getClass()));
            Object captured = new Object();
            JvmProcess bad = ctx.process(() -> System.out.println(captured));
            assertThrows(IllegalArgumentException.class, bad::start);
            assertTrue(unserializable.getName().startsWith("JvmProcess-"));
        }
    }

    static void reportStartMethod(SharedArray seen, int index) {
        seen.setLong(index, Multiprocessing.getAllStartMethods().indexOf(Multiprocessing.getStartMethod(true)));
    }

    /** The start method a child reports, as an index into {@link Multiprocessing#getAllStartMethods()}. */
    private static String reported(SharedArray seen, int index) {
        long at = seen.getLong(index);
        return at < 0 ? null : Multiprocessing.getAllStartMethods().get((int) at);
    }

    @Test
    void shouldReportTheStartMethodAChildWasStartedWith() throws Exception {
        SharedArray seen = SharedArray.ofLength('q', 4);
        try (Children children = new Children()) {
            Multiprocessing.setStartMethod("spawn", true);
            JvmProcess forkserver = children.add(Multiprocessing.getContext("forkserver")
                    .process(() -> reportStartMethod(seen, 0)));
            forkserver.start();
            assertEquals(0, Children.joinWithin(forkserver, WAIT));
            Multiprocessing.setStartMethod("forkserver", true);
            JvmProcess spawn = children.add(Multiprocessing.getContext("spawn")
                    .process(() -> reportStartMethod(seen, 1)));
            JvmProcess byDefault = children.add(() -> reportStartMethod(seen, 2));
            spawn.start();
            byDefault.start();
            assertEquals(0, Children.joinWithin(spawn, WAIT));
            assertEquals(0, Children.joinWithin(byDefault, WAIT));
            // a thread-method process shares this JVM and its start method, as Python's dummy processes do
            JvmProcess thread = children.add(Multiprocessing.getContext("thread")
                    .process(() -> reportStartMethod(seen, 3)));
            thread.start();
            assertEquals(0, Children.joinWithin(thread, WAIT));
        }
        assertEquals("forkserver", reported(seen, 0), "a forkserver-context child while the global method is spawn");
        assertEquals("spawn", reported(seen, 1), "a spawn-context child while the global method is forkserver");
        assertEquals("forkserver", reported(seen, 2), "a child started by the global method");
        assertEquals("forkserver", reported(seen, 3), "a thread-method process: this JVM's method");
    }

    static void countUnderLock(SharedLock lock, SharedValue counter) {
        for (int i = 0; i < 2000; i++) {
            try (var _ = lock.locked()) {
                counter.setInt(counter.getInt() + 1);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"spawn", "forkserver", "thread"})
    void shouldShareLocksAndValuesWhateverTheStartMethod(String method) throws Exception {
        Context ctx = Multiprocessing.getContext(method);
        SharedLock lock = ctx.lock();
        SharedValue counter = ctx.rawValue('i', 0);
        try (Children children = new Children()) {
            JvmProcess a = children.add(ctx.process(() -> countUnderLock(lock, counter)));
            JvmProcess b = children.add(ctx.process(() -> countUnderLock(lock, counter)));
            a.start();
            b.start();
            assertEquals(0, Children.joinWithin(a, WAIT));
            assertEquals(0, Children.joinWithin(b, WAIT));
        }
        assertEquals(4000, counter.getInt());
    }

    static void reportCurrent(SharedArray seen) {
        seen.setLong(0, ProcessHandle.current().pid());
        seen.setLong(1, Multiprocessing.currentProcess().getName().equals("dummy") ? 1 : 0);
    }

    @Test
    void shouldRunThreadProcessesInThisJvm() throws Exception {
        Context ctx = Multiprocessing.getContext("thread");
        SharedArray seen = SharedArray.ofLength('q', 2);
        JvmProcess p = ctx.process(() -> reportCurrent(seen), "dummy");
        p.start();
        assertEquals(0, Children.joinWithin(p, WAIT));
        assertEquals(ProcessHandle.current().pid(), seen.getLong(0));
        assertEquals(1, seen.getLong(1), "currentProcess() in the thread is its process");
        JvmProcess throwing = ctx.process(JvmProcessIT::boom);
        throwing.start();
        assertEquals(1, Children.joinWithin(throwing, WAIT));
        JvmProcess sleeper = ctx.process(JvmProcessIT::sleepForever);
        sleeper.start();
        assertTrue(sleeper.isAlive());
        sleeper.terminate();
        assertEquals(-15, Children.joinWithin(sleeper, WAIT));
    }

    static void startGrandchild(SharedMemory names, SharedArray keys) {
        JvmProcess grandchild = new JvmProcess(() -> recordIdentity(names, keys, 1));
        grandchild.start();
        try {
            grandchild.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        recordIdentity(names, keys, 0);
    }

    static void recordIdentity(SharedMemory names, SharedArray keys, int slot) {
        JvmProcess me = Multiprocessing.currentProcess();
        names.segment().setString(slot * 64L, me.getName());
        keys.setLong(slot, java.util.Arrays.hashCode(me.authkey()));
    }

    @Test
    void shouldNameGrandchildrenAndPassTheAuthkeyDown() throws Exception {
        try (SharedMemory names = SharedMemory.create(128); Children children = new Children()) {
            SharedArray keys = SharedArray.ofLength('q', 2);
            JvmProcess child = children.start(() -> startGrandchild(names, keys));
            assertEquals(0, Children.joinWithin(child, WAIT));
            assertEquals(child.getName(), names.segment().getString(0));
            assertEquals(child.getName() + ":1", names.segment().getString(64));
            long key = java.util.Arrays.hashCode(Multiprocessing.currentProcess().authkey());
            assertEquals(key, keys.getLong(0));
            assertEquals(key, keys.getLong(1));
            names.unlink();
        }
    }

    static void startFromDaemon(SharedValue outcome) {
        try {
            new JvmProcess(() -> { }).start();
            outcome.setInt(1);
        } catch (IllegalStateException e) {
            outcome.setInt(e.getMessage().contains("daemonic") ? 2 : 3);
        }
    }

    @Test
    void shouldRefuseChildrenOfADaemon() throws Exception {
        SharedValue outcome = SharedValue.raw('i');
        try (Children children = new Children()) {
            JvmProcess daemon = children.add(() -> startFromDaemon(outcome));
            daemon.setDaemon(true);
            daemon.start();
            assertEquals(0, Children.joinWithin(daemon, WAIT));
        }
        assertEquals(2, outcome.getInt());
    }

    /** A thread-method process that calls System.exit: the whole JVM exits, promptly. */
    public static final class ExitingThreadMain {
        public static void main(String[] args) throws Exception {
            JvmProcess p = Multiprocessing.getContext("thread").process(() -> System.exit(3));
            p.start();
            p.join();
        }
    }

    @Test
    void shouldExitTheJvmWhenAThreadProcessCallsSystemExit() throws Exception {
        try (var main = io.github.jmultiprocessing.testing.JavaMain.start(ExitingThreadMain.class)) {
            assertEquals(3, main.waitFor(WAIT), main.output());
        }
    }

    @Test
    void shouldWaitForWhicheverProcessEndsFirst() throws Exception {
        try (Children children = new Children()) {
            JvmProcess sleeper = children.start(JvmProcessIT::sleepForever);
            JvmProcess quick = children.start(() -> { });
            List<JvmProcess> ready = Multiprocessing.wait(List.of(sleeper, quick), WAIT);
            assertEquals(List.of(quick), ready);
            assertEquals(List.of(), Multiprocessing.wait(List.of(sleeper), Duration.ofMillis(50)));
            sleeper.kill();
            assertEquals(List.of(sleeper), Multiprocessing.wait(List.of(sleeper), WAIT));
            assertEquals(List.of(sleeper, quick), Multiprocessing.wait(List.of(sleeper, quick), null));
            assertThrows(IllegalArgumentException.class, () -> Multiprocessing.wait(List.of("x"), WAIT));
            assertThrows(IllegalStateException.class,
                    () -> Multiprocessing.wait(List.of(new JvmProcess(() -> { })), WAIT));
        }
    }

    @Test
    void shouldWaitForSentinelsAsForTheirProcesses() throws Exception {
        Pipe pipe = Pipe.open();
        try (Children children = new Children()) {
            JvmProcess sleeper = children.start(JvmProcessIT::sleepForever);
            JvmProcess quick = children.start(() -> { });
            CompletableFuture<JvmProcess> asleep = sleeper.onExit();
            CompletableFuture<JvmProcess> done = quick.onExit();
            assertEquals(List.of(done), Multiprocessing.wait(List.of(asleep, done), WAIT), "Python's wait(sentinels)");
            assertEquals(List.of(), Multiprocessing.wait(List.of(asleep), Duration.ofMillis(50)));
            assertEquals(List.of(), Multiprocessing.wait(List.of(asleep, pipe.left()), Duration.ofMillis(50)),
                    "a sentinel beside a connection");
            sleeper.kill();
            assertEquals(List.of(asleep), Multiprocessing.wait(List.of(asleep, pipe.left()), WAIT));
            assertEquals(-9, sleeper.exitCode().orElseThrow());
            assertEquals(List.of(sleeper, asleep), Multiprocessing.wait(List.of(sleeper, asleep), null));
        } finally {
            pipe.left().close();
            pipe.right().close();
        }
    }

    @Test
    void shouldWarnAboutAPreloadClassThatDoesNotExistButStillStart() throws Exception {
        Multiprocessing.setForkserverPreload(List.of("io.github.jmultiprocessing.NoSuchClass"));
        try (Children children = new Children()) {
            JvmProcess p = children.add(Multiprocessing.getContext("forkserver").process(() -> { }));
            p.start();
            assertEquals(0, Children.joinWithin(p, WAIT));
        } finally {
            Multiprocessing.setForkserverPreload(List.of());
        }
    }

    /** Uses the forkserver once, then exits once its next standby has files of its own (it warmed up). */
    public static final class ForkserverUserMain {
        public static void main(String[] args) throws Exception {
            JvmProcess p = Multiprocessing.getContext("forkserver").process(() -> { });
            p.start();
            p.join();
            System.out.println("exit code " + p.exitCode().orElseThrow());
            Poll.until("the next standby to warm up", WAIT, () -> !isEmpty(ShmDirectory.directory()));
        }
    }

    /**
     * Keeps the standbys asked for ({@code -Djmultiprocessing.forkserver.standbys=3}), then starts three processes
     * back to back: each runs in one of the standbys that were waiting.
     */
    public static final class ForkserverBurstMain {
        public static void main(String[] args) throws Exception {
            Multiprocessing.getContext("forkserver"); // starts the standbys
            Poll.until("three standbys", WAIT, () -> standbys().size() == 3);
            java.util.Set<Long> waiting = new java.util.HashSet<>(standbys());
            int handed = 0;
            for (int i = 0; i < 3; i++) {
                JvmProcess p = Multiprocessing.getContext("forkserver").process(() -> { });
                p.start();
                handed += waiting.contains(p.pid().orElseThrow()) ? 1 : 0;
                p.join();
                System.out.println("exit code " + p.exitCode().orElseThrow());
            }
            System.out.println("handed to standbys " + handed);
            Poll.until("the standbys replaced", WAIT, () -> standbys().size() == 3);
        }

        private static List<Long> standbys() {
            return ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().arguments().map(List::of).orElse(List.of()).contains("--standby"))
                    .map(ProcessHandle::pid).toList();
        }
    }

    @Test
    void shouldKeepTheStandbysAskedForAndHandABurstToThem() throws Exception {
        try (JavaMain parent = JavaMain.start(System.getProperty("java.class.path"),
                List.of("-Djmultiprocessing.forkserver.standbys=3"), ForkserverBurstMain.class)) {
            assertEquals(0, parent.waitFor(WAIT), parent.output());
            assertEquals(3, parent.output().lines().filter(l -> l.equals("exit code 0")).count(), parent.output());
            assertTrue(parent.output().contains("handed to standbys 3"), parent.output());
        }
    }

    /**
     * Starts children before and after setting configuration properties: a forkserver child started after the set
     * (by a standby booted before it) and a spawned one both read the new value; the segment directory, read once
     * by this JVM, reaches them as this JVM uses it, not as set since.
     */
    public static final class PropertiesSetLaterMain {
        public static void main(String[] args) throws Exception {
            Context forkserver = Multiprocessing.getContext(Multiprocessing.FORKSERVER);
            try (SharedQueue<String> seen = new SharedQueue<>()) { // the first segment: the directory is chosen
                JvmProcess before = forkserver.process(() -> seen.put("before " + Configuration.CHECKSUM.value()));
                before.start();
                before.join();
                System.out.println(seen.get());
                System.setProperty(Configuration.CHECKSUM.property(), "true");
                System.setProperty(Configuration.SHM_DIR.property(), "/nonexistent/elsewhere");
                for (Context ctx : List.of(forkserver, Multiprocessing.getContext(Multiprocessing.SPAWN))) {
                    JvmProcess after = ctx.process(() -> seen.put(Multiprocessing.getStartMethod() + " after "
                            + Configuration.CHECKSUM.value() + " in " + ShmDirectory.directory()));
                    after.start();
                    after.join();
                    System.out.println(seen.get());
                }
                System.out.println("parent in " + ShmDirectory.directory());
            }
        }
    }

    @Test
    void shouldGiveChildrenThePropertiesSetSinceTheStandbysBooted() throws Exception {
        try (JavaMain parent = JavaMain.start(PropertiesSetLaterMain.class)) {
            assertEquals(0, parent.waitFor(WAIT), parent.output());
            String output = parent.output();
            String dir = output.lines().filter(l -> l.startsWith("parent in ")).findFirst().orElseThrow()
                    .substring("parent in ".length());
            assertTrue(output.contains("before null"), output);
            assertTrue(output.contains("forkserver after true in " + dir + "\n"), output);
            assertTrue(output.contains("spawn after true in " + dir + "\n"), output);
        }
    }

    @Test
    void shouldRefuseANumberOfStandbysOutOfRange() {
        String before = System.getProperty("jmultiprocessing.forkserver.standbys");
        try {
            for (String bad : List.of("0", "-1", "many", "65")) {
                System.setProperty("jmultiprocessing.forkserver.standbys", bad);
                var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> Multiprocessing.getContext("forkserver"));
                assertTrue(e.getMessage().contains("jmultiprocessing.forkserver.standbys=" + bad), e.getMessage());
            }
        } finally {
            if (before == null) {
                System.clearProperty("jmultiprocessing.forkserver.standbys");
            } else {
                System.setProperty("jmultiprocessing.forkserver.standbys", before);
            }
        }
    }

    @Test
    void shouldLeaveNoStandbyAndNoSegmentBehindOnceTheParentHasExited(@TempDir Path shm) throws Exception {
        String marker = "-D" + Configuration.SHM_DIR.property() + "=" + shm;
        try (JavaMain parent = JavaMain.start(System.getProperty("java.class.path"), List.of(marker),
                ForkserverUserMain.class)) {
            assertEquals(0, parent.waitFor(WAIT), parent.output());
            assertTrue(parent.output().contains("exit code 0"), parent.output());
        }
        Poll.until("the standby to exit and unlink what its warm-up created", WAIT,
                () -> ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("").contains(marker))
                        && isEmpty(shm));
    }

    private static boolean isEmpty(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.Children;
import io.github.jmultiprocessing.testing.JavaMain;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class JvmProcessIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void shouldExitZeroWhenTheTargetReturns() throws Exception {
        try (Children children = new Children()) {
            SharedValue ran = SharedValue.of('i', 0);
            JvmProcess p = children.add(() -> ran.setInt(1));
            assertTrue(p.pid().isEmpty());
            assertEquals(OptionalInt.empty(), p.exitCode());
            assertFalse(p.isAlive());
            p.start();
            assertTrue(p.pid().isPresent());
            assertEquals(0, Children.joinWithin(p, WAIT));
            assertEquals(1, ran.getInt());
            assertFalse(p.isAlive());
            assertTrue(p.toString().contains("exitcode=0"), p.toString());
        }
    }

    @Test
    void shouldExitWithTheCodeTheChildChose() throws Exception {
        try (Children children = new Children()) {
            JvmProcess p = children.start(() -> System.exit(3));
            assertEquals(3, Children.joinWithin(p, WAIT));
        }
    }

    @Test
    void shouldExitOneWithTheStackTraceOnStderrWhenTheTargetThrows() throws Exception {
        try (JavaMain main = JavaMain.start(ThrowingChildMain.class)) {
            assertEquals(0, main.waitFor(WAIT), main.output());
            String output = main.output();
            assertTrue(output.contains("exit code 1"), output);
            assertTrue(output.contains("Process JvmProcess-1:"), output);
            assertTrue(output.contains("java.lang.IllegalStateException: boom from the child"), output);
            assertTrue(output.contains("at io.github.jmultiprocessing.JvmProcessIT"), output);
        }
    }

    @Test
    void shouldExitOneWithTheTracesOfCheckedExceptionsATargetThrows() throws Exception {
        try (JavaMain main = JavaMain.start(CheckedThrowingChildMain.class)) {
            assertEquals(0, main.waitFor(WAIT), main.output());
            String output = main.output();
            assertTrue(output.contains("spawn exit code 1, put before"), output);
            assertTrue(output.contains("thread exit code 1"), output);
            assertTrue(output.contains("Process checked:"), output);
            assertTrue(output.contains("java.io.IOException: checked from the child"), output);
            assertTrue(output.contains("Process threaded:"), output);
            assertTrue(output.contains("java.io.IOException: checked from a thread"), output);
            assertFalse(output.contains("UndeclaredThrowable"), "the target's own exception, not a wrapper: " + output);
        }
    }

    /** Starts processes whose targets throw checked exceptions, with no try/catch, and prints their exit codes. */
    public static final class CheckedThrowingChildMain {
        public static void main(String[] args) throws Exception {
            try (SharedQueue<String> queue = new SharedQueue<>()) {
                JvmProcess p = new JvmProcess(() -> {
                    queue.put("before"); // throws InterruptedException: fine in a ProcessTarget
                    throw new java.io.IOException("checked from the child");
                }, "checked");
                p.start();
                p.join();
                System.out.println("spawn exit code " + p.exitCode().orElseThrow() + ", put "
                        + queue.get(Duration.ofSeconds(30)));
            }
            JvmProcess t = Multiprocessing.getContext("thread").process(JvmProcessIT::throwChecked, "threaded");
            t.start();
            t.join();
            System.out.println("thread exit code " + t.exitCode().orElseThrow());
            // lambdas and method references that throw nothing still compile as before, as SerializableRunnables
            SerializableRunnable plain = JvmProcessIT::boom;
            new JvmProcess(plain).close();
            new JvmProcess(() -> { }).close();
            new JvmProcess(JvmProcessIT::boom, "named").close();
        }
    }

    static void throwChecked() throws java.io.IOException {
        throw new java.io.IOException("checked from a thread");
    }

    @Test
    void shouldRelayTheChildsStdoutToThisJvmsSystemOut() throws Exception {
        // A test runner's forked JVM (Surefire) talks to its build over its own stdout, and jshell shows only what
        // reaches System.out: a child writing to the inherited file descriptor corrupts the one and is lost in the
        // other. Its output goes through this JVM's System.out instead, all of it in by the time join() returns.
        java.io.PrintStream original = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true));
        try (Children children = new Children()) {
            JvmProcess p = children.start(() -> {
                for (int i = 0; i < 1000; i++) {
                    System.out.println("line " + i + " from the child");
                }
            });
            assertTrue(p.join(WAIT));
            String seen = captured.toString();
            assertTrue(seen.contains("line 0 from the child") && seen.contains("line 999 from the child"),
                    seen.length() + " bytes: " + seen.substring(0, Math.min(200, seen.length())));
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void shouldHaveRelayedAllOfTheChildsStderrWhenJoinReturns() throws Exception {
        // The child's stderr reaches this JVM's System.err through a relay: once join() returns, all of it is
        // there (as with an inherited stderr), so that what the parent prints next comes after it and a program
        // that exits right away loses nothing. A slow System.err (a terminal, a log) keeps the relay behind.
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                synchronized (captured) {
                    captured.write(bytes, offset, length);
                }
            }
        }, true));
        try (Children children = new Children()) {
            for (int round = 0; round < 2; round++) {
                String last = "last words " + round;
                JvmProcess p = children.start(() -> {
                    String line = "x".repeat(1023);
                    for (int i = 0; i < 128; i++) {
                        System.err.println(line);
                    }
                    System.err.println(last);
                });
                if (round == 0) {
                    p.join();
                } else {
                    assertTrue(p.join(WAIT));
                }
                String seen;
                synchronized (captured) {
                    seen = captured.toString();
                }
                assertTrue(seen.contains(last), "join returned with " + seen.length() + " bytes of the child's"
                        + " stderr relayed, without its last line");
            }
        } finally {
            System.setErr(original);
        }
    }

    /** Starts a child whose target throws, and prints its exit code; its stderr is the child's too. */
    public static final class ThrowingChildMain {
        public static void main(String[] args) throws InterruptedException {
            JvmProcess p = new JvmProcess(JvmProcessIT::boom);
            p.start();
            p.join();
            System.out.println("exit code " + p.exitCode().orElseThrow());
        }
    }

    static void boom() {
        throw new IllegalStateException("boom from the child");
    }

    @Test
    void shouldReportSignalsAsNegativeExitCodes() throws Exception {
        try (Children children = new Children()) {
            JvmProcess terminated = children.start(JvmProcessIT::sleepForever);
            JvmProcess killed = children.start(JvmProcessIT::sleepForever);
            assertFalse(terminated.join(Duration.ofMillis(200)));
            assertFalse(terminated.join(Duration.ZERO));
            assertFalse(terminated.join(Duration.ofSeconds(-1)));
            assertTrue(terminated.isAlive());
            terminated.terminate();
            killed.kill();
            assertEquals(-15, Children.joinWithin(terminated, WAIT));
            assertEquals(-9, Children.joinWithin(killed, WAIT));
            terminated.terminate(); // harmless once ended
            killed.kill();
            assertEquals(-9, killed.exitCode().orElseThrow());
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"spawn", "forkserver"})
    void shouldReadAnExitStatusTheChildChoseAsItselfEvenAbove128(String method) throws Exception {
        Context ctx = Multiprocessing.getContext(method);
        try (Children children = new Children()) {
            JvmProcess exit143 = children.add(ctx.process(() -> System.exit(143)));
            JvmProcess exit137 = children.add(ctx.process(() -> System.exit(137)));
            JvmProcess fromAThread = children.add(ctx.process(() -> {
                Thread.ofPlatform().start(() -> Runtime.getRuntime().exit(130)).join();
            }));
            JvmProcess halted = children.add(ctx.process(() -> Runtime.getRuntime().halt(137)));
            for (JvmProcess p : List.of(exit143, exit137, fromAThread, halted)) {
                p.start();
            }
            assertEquals(143, Children.joinWithin(exit143, WAIT), "System.exit(143) is no SIGTERM");
            assertEquals(137, Children.joinWithin(exit137, WAIT), "System.exit(137) is no SIGKILL");
            assertEquals(130, Children.joinWithin(fromAThread, WAIT), "Runtime.exit(130) from another thread");
            assertEquals(-9, Children.joinWithin(halted, WAIT), "halt runs no hook: reads as SIGKILL (documented)");
        }
        assertEquals(List.of(), exitReports(ProcessHandle.current().pid()), "reports are deleted when reaped");
    }

    /** {@return the exit reports a parent's children left in the segment directory} */
    private static List<String> exitReports(long parentPid) throws java.io.IOException {
        try (var files = java.nio.file.Files.list(io.github.jmultiprocessing.internal.shm.ShmDirectory.directory())) {
            return files.map(path -> path.getFileName().toString())
                    .filter(name -> name.startsWith("jmp-exit-" + parentPid + "-")).toList();
        }
    }

    /** Starts a daemon child that exits with 137 by itself, and returns without reaping it. */
    public static final class UnreapedExitMain {
        public static void main(String[] args) throws Exception {
            JvmProcess child = new JvmProcess(() -> System.exit(137));
            child.setDaemon(true);
            child.start();
            ProcessHandle.of(child.pid().orElseThrow()).orElseThrow().onExit().get(); // ended, not reaped here
            System.out.println("child ended, reports " + exitReports(ProcessHandle.current().pid()).size());
        }
    }

    @Test
    void shouldLeaveNoExitReportBehindWhenAParentExitsWithoutReaping() throws Exception {
        try (JavaMain main = JavaMain.start(UnreapedExitMain.class)) {
            assertEquals(0, main.waitFor(WAIT), main.output());
            assertTrue(main.output().contains("child ended, reports 1"), "its report was made: " + main.output());
            assertEquals(List.of(), exitReports(main.process().pid()),
                    "the parent's exit deletes its children's reports");
        }
    }

    @Test
    void shouldReportSignalsSentByOthersAsNegativeExitCodes() throws Exception {
        try (Children children = new Children()) {
            JvmProcess killed = children.start(JvmProcessIT::sleepForever);
            JvmProcess terminated = children.start(JvmProcessIT::sleepForever);
            ProcessHandle.of(killed.pid().orElseThrow()).orElseThrow().destroyForcibly(); // not through the library
            ProcessHandle.of(terminated.pid().orElseThrow()).orElseThrow().destroy();
            assertEquals(-9, Children.joinWithin(killed, WAIT), "kill -9 from elsewhere");
            assertEquals(-15, Children.joinWithin(terminated, WAIT),
                    "kill -TERM from elsewhere: the JVM exits with 143");
        }
    }

    static void sleepForever() {
        try {
            Thread.sleep(Duration.ofMinutes(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shouldRefuseMisuseLikePython() throws Exception {
        try (Children children = new Children()) {
            JvmProcess p = children.add(() -> { });
            IllegalStateException join = assertThrows(IllegalStateException.class, p::join);
            assertTrue(join.getMessage().contains("start()"), join.getMessage());
            assertThrows(IllegalStateException.class, p::terminate);
            p.start();
            IllegalStateException twice = assertThrows(IllegalStateException.class, p::start);
            assertTrue(twice.getMessage().contains("twice"), twice.getMessage());
            Children.joinWithin(p, WAIT);
            p.close();
            p.close();
            assertThrows(IllegalStateException.class, p::isAlive);
            assertThrows(IllegalStateException.class, p::exitCode);
            assertThrows(IllegalStateException.class, p::join);

            JvmProcess running = children.start(JvmProcessIT::sleepForever);
            IllegalStateException close = assertThrows(IllegalStateException.class, running::close);
            assertTrue(close.getMessage().contains("still running"), close.getMessage());
            assertThrows(IllegalStateException.class, () -> running.setDaemon(true));
            running.kill();
            Children.joinWithin(running, WAIT);

            assertThrows(IllegalStateException.class, () -> Multiprocessing.currentProcess().start());
        }
    }

    @Test
    void shouldFailInStartNamingANonSerializableCapture() {
        Object notSerializable = new Object();
        JvmProcess p = new JvmProcess(() -> System.out.println(notSerializable));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, p::start);
        assertTrue(e.getMessage().contains("java.lang.Object") && e.getMessage().contains("not Serializable"),
                e.getMessage());
        assertTrue(p.pid().isEmpty());
    }

    @Test
    void shouldKnowItselfAndItsParentInTheChild() throws Exception {
        try (Children children = new Children()) {
            SharedArray seen = SharedArray.ofLength('q', 4);
            SharedMemory names = SharedMemory.create(256);
            JvmProcess p = children.add(() -> {
                JvmProcess me = Multiprocessing.currentProcess();
                JvmProcess parent = Multiprocessing.parentProcess().orElseThrow();
                seen.setLong(0, me.pid().orElseThrow());
                seen.setLong(1, parent.pid().orElseThrow());
                seen.setLong(2, parent.isAlive() ? 1 : 0);
                seen.setLong(3, me.authkey().length);
                byte[] name = (me.getName() + "|" + parent.getName()).getBytes();
                java.lang.foreign.MemorySegment.copy(name, 0, names.segment(), java.lang.foreign.ValueLayout.JAVA_BYTE,
                        0, name.length);
            });
            p.setName("worker-7");
            p.start();
            assertEquals(0, Children.joinWithin(p, WAIT));
            assertEquals(p.pid().orElseThrow(), seen.getLong(0));
            assertEquals(ProcessHandle.current().pid(), seen.getLong(1));
            assertEquals(1, seen.getLong(2));
            assertEquals(32, seen.getLong(3));
            assertEquals("worker-7|MainProcess", names.segment().getString(0));
            names.unlink();
            names.close();
        }
    }

    static void readStdinAndStartAThread(SharedArray seen) {
        try {
            seen.setLong(0, System.in.read());
        } catch (java.io.IOException e) {
            seen.setLong(0, -2);
        }
        Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            seen.setLong(1, 42); // a non-daemon thread that outlives run(): the child waits for it
        });
    }

    @Test
    void shouldGiveTheChildAnEmptyStdinAndWaitForItsThreads() throws Exception {
        SharedArray seen = SharedArray.ofLength('q', 2);
        try (Children children = new Children()) {
            JvmProcess p = children.start(() -> readStdinAndStartAThread(seen));
            assertEquals(0, Children.joinWithin(p, WAIT));
        }
        assertEquals(-1, seen.getLong(0), "stdin must read as end of file");
        assertEquals(42, seen.getLong(1), "the child must wait for its non-daemon threads");
    }

    static void parentOfASleeper(SharedValue grandchild) {
        JvmProcess sleeper = new JvmProcess(JvmProcessIT::sleepForever);
        sleeper.start();
        grandchild.setLong(sleeper.pid().orElseThrow());
        sleepForever();
    }

    @Test
    void shouldTerminateAChildThatHasRunningChildren() throws Exception {
        SharedValue grandchild = SharedValue.raw('q');
        try (Children children = new Children()) {
            JvmProcess p = children.start(() -> parentOfASleeper(grandchild));
            io.github.jmultiprocessing.testing.Poll.until("the grandchild", WAIT, () -> grandchild.getLong() != 0);
            p.terminate();
            assertEquals(-15, Children.joinWithin(p, Duration.ofSeconds(20)));
        } finally {
            if (grandchild.getLong() != 0) { // a non-daemon grandchild outlives its parent, as in Python
                ProcessHandle.of(grandchild.getLong()).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** What a grandchild saw of its parent; each slot is filled once, -1 until then. */
    private static final int PID = 0, EARLY_JOINED = 1, EARLY_MILLIS = 2, EARLY_ALIVE = 3, EARLY_READY = 4,
            LATE_JOINED = 5, LATE_MILLIS = 6, LATE_ALIVE = 7, EXIT_DONE = 8, LATE_READY = 9, SELF_REFUSED = 10,
            EXIT_CODE_EMPTY = 11, SLOTS = 12;

    static void outliveTheParent(SharedArray seen, SharedEvent waited, SharedEvent done) {
        try {
            JvmProcess parent = Multiprocessing.parentProcess().orElseThrow();
            seen.setLong(PID, ProcessHandle.current().pid());
            long t0 = System.nanoTime();
            seen.setLong(EARLY_JOINED, parent.join(Duration.ofMillis(100)) ? 1 : 0);
            seen.setLong(EARLY_MILLIS, (System.nanoTime() - t0) / 1_000_000);
            seen.setLong(EARLY_ALIVE, parent.isAlive() ? 1 : 0);
            seen.setLong(EARLY_READY, Multiprocessing.wait(List.of(parent), Duration.ofMillis(50)).size());
            CompletableFuture<JvmProcess> exit = parent.onExit();
            waited.set();
            parent.join(); // untimed: until the parent has ended
            t0 = System.nanoTime();
            seen.setLong(LATE_JOINED, parent.join(Duration.ofSeconds(30)) ? 1 : 0);
            seen.setLong(LATE_MILLIS, (System.nanoTime() - t0) / 1_000_000);
            seen.setLong(LATE_ALIVE, parent.isAlive() ? 1 : 0);
            seen.setLong(EXIT_DONE, exit.isDone() && exit.join() == parent ? 1 : 0);
            seen.setLong(LATE_READY, Multiprocessing.wait(List.of(parent), Duration.ofSeconds(30)).size());
            seen.setLong(EXIT_CODE_EMPTY, parent.exitCode().isEmpty() ? 1 : 0);
            try {
                Multiprocessing.currentProcess().join(Duration.ofMillis(1));
                seen.setLong(SELF_REFUSED, 0);
            } catch (IllegalStateException e) {
                seen.setLong(SELF_REFUSED, e.getMessage().contains("itself") ? 1 : 0);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            done.set();
        }
    }

    static void parentOfAWatcher(String method, SharedArray seen, SharedEvent waited, SharedEvent done) {
        // not a daemon: it outlives this one
        Multiprocessing.getContext(method).process(() -> outliveTheParent(seen, waited, done)).start();
        sleepForever();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"spawn", "forkserver"})
    void shouldLetAChildJoinItsParentAsPythonDoes(String method) throws Exception {
        SharedArray seen = SharedArray.ofLength('q', SLOTS);
        for (int i = 0; i < SLOTS; i++) {
            seen.setLong(i, -1);
        }
        SharedEvent waited = new SharedEvent();
        SharedEvent done = new SharedEvent();
        try (Children children = new Children()) {
            JvmProcess parent = children.start(() -> parentOfAWatcher(method, seen, waited, done));
            assertTrue(waited.await(WAIT), "the grandchild never got past its timed joins");
            assertFalse(done.isSet(), "the grandchild's untimed join returned while its parent lived");
            parent.kill();
            assertEquals(-9, Children.joinWithin(parent, WAIT));
            assertTrue(done.await(WAIT), "the grandchild's join never returned after its parent ended");
        } finally {
            long grandchild = seen.getLong(PID);
            if (grandchild > 0) {
                ProcessHandle.of(grandchild).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        assertEquals(0, seen.getLong(EARLY_JOINED), "join(100 ms) on a live parent times out");
        assertTrue(seen.getLong(EARLY_MILLIS) >= 100, seen.getLong(EARLY_MILLIS) + " ms (expected the timeout)");
        assertEquals(1, seen.getLong(EARLY_ALIVE));
        assertEquals(0, seen.getLong(EARLY_READY), "wait([parent]) while it lives");
        assertEquals(1, seen.getLong(LATE_JOINED), "join once the parent has ended");
        assertTrue(seen.getLong(LATE_MILLIS) < 1000, seen.getLong(LATE_MILLIS) + " ms (expected at once)");
        assertEquals(0, seen.getLong(LATE_ALIVE), "isAlive() once the parent has ended");
        assertEquals(1, seen.getLong(EXIT_DONE), "onExit() completes with the parent");
        assertEquals(1, seen.getLong(LATE_READY), "wait([parent]) once it has ended");
        assertEquals(1, seen.getLong(EXIT_CODE_EMPTY), "a parent's exit code is not known (Python's None)");
        assertEquals(1, seen.getLong(SELF_REFUSED), "a process cannot join itself");
    }

    @Test
    void shouldRefuseToJoinTheCurrentProcess() {
        JvmProcess current = Multiprocessing.currentProcess();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> current.join(Duration.ofMillis(1)));
        assertTrue(e.getMessage().contains("itself"), e.getMessage());
        assertThrows(IllegalStateException.class, current::join);
        assertThrows(IllegalStateException.class, current::onExit);
    }

    @Test
    void shouldNameProcessesLikePython() {
        JvmProcess a = new JvmProcess(() -> { });
        JvmProcess b = new JvmProcess(() -> { });
        assertTrue(a.getName().matches("JvmProcess-\\d+"), a.getName());
        int na = Integer.parseInt(a.getName().substring("JvmProcess-".length()));
        assertEquals("JvmProcess-" + (na + 1), b.getName());
        assertEquals("MainProcess", Multiprocessing.currentProcess().getName());
        assertTrue(Multiprocessing.parentProcess().isEmpty());
        assertTrue(new Counter().getName().startsWith("Counter-"));
        assertTrue(Multiprocessing.cpuCount() >= 1);
    }

    /** A subclass overriding run(), Python's other way to define a process. */
    static final class Counter extends JvmProcess implements Serializable {
        private final SharedValue target;

        Counter() {
            this(null);
        }

        Counter(SharedValue target) {
            this.target = target;
        }

        @Override
        public void run() {
            target.setInt(target.getInt() + 41);
        }
    }

    @Test
    void shouldRunASubclassInTheChild() throws Exception {
        SharedValue value = SharedValue.of('i', 1);
        try (Children children = new Children()) {
            JvmProcess p = children.add(new Counter(value));
            p.start();
            assertEquals(0, Children.joinWithin(p, WAIT));
            assertEquals(42, value.getInt());
        }
    }

    @Test
    void shouldListActiveChildrenAndCompleteOnExit() throws Exception {
        try (Children children = new Children()) {
            JvmProcess p = children.start(JvmProcessIT::sleepForever);
            assertTrue(Multiprocessing.activeChildren().contains(p));
            var exited = p.onExit();
            p.terminate();
            assertEquals(p, exited.get(60, java.util.concurrent.TimeUnit.SECONDS));
            assertFalse(Multiprocessing.activeChildren().contains(p));
            assertEquals(-15, p.exitCode().orElseThrow());
        }
    }
}

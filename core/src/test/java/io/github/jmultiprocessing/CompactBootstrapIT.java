package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.Children;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain {@link JvmProcess}'s bootstrap travels in the compact form ({@link ChildBootstrap#compact}): the library's
 * shared objects as their handles' fields, the target lambda by its shape. Across a real child JVM: every shared
 * type works there, an object captured twice arrives as one object, a value with no compact form (a record) still
 * travels (as a serialization stream), and a child whose bootstrap needed none never initializes
 * {@link java.io.ObjectInputStream} (its class initialization log says so; the child with the record does).
 */
class CompactBootstrapIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    record Point(int x, int y) implements Serializable {
    }

    @Test
    void shouldRunATargetCapturingEverySharedTypeInACompactBootstrap(@TempDir Path logs) throws Exception {
        try (Children children = new Children()) {
            SharedValue value = SharedValue.of('q', 40L);
            SharedLock lock = new SharedLock();
            SharedLock sameLock = lock;
            SharedRLock rlock = new SharedRLock();
            SharedArray array = SharedArray.of('i', new int[] {1, 2, 3});
            SharedEvent event = new SharedEvent();
            SharedSemaphore semaphore = new SharedBoundedSemaphore(2);
            SharedCondition condition = new SharedCondition(lock);
            SharedBarrier barrier = new SharedBarrier(1, null, Duration.ofSeconds(5));
            SharedQueue<Long> queue = new SharedQueue<>(0, Codec.longs());
            SharedSimpleQueue<String> simple = new SharedSimpleQueue<>();
            Pipe pipe = Pipe.open(false);
            Connection in = pipe.left();
            Connection out = pipe.right();
            ProcessTarget target = () -> {
                StringBuilder said = new StringBuilder();
                said.append(lock == sameLock).append(' ');
                try (var held = lock.locked()) {
                    value.setLong(value.getLong() + 2);
                }
                rlock.acquire();
                rlock.acquire();
                rlock.release();
                rlock.release();
                said.append(array.getInt(0) + array.getInt(1) + array.getInt(2)).append(' ');
                said.append(semaphore instanceof SharedBoundedSemaphore).append(' ');
                condition.acquire(); // the condition's lock is the captured lock: held now
                said.append(!lock.tryLock()).append(' ');
                condition.release();
                said.append(barrier.await()).append(' ');
                queue.put(5L);
                simple.put("simple");
                event.set();
                out.send(said.toString().strip());
            };
            JvmProcess p = new JvmProcess(target);
            p.setChildJvm(ChildJvm.defaults().withOptions(initLog(logs, "compact")));
            p.start();
            assertEquals(0, Children.joinWithin(p, WAIT));
            assertTrue(in.poll(WAIT));
            assertEquals("true 6 true true 0", in.recv());
            assertEquals(42L, value.getLong());
            assertTrue(event.isSet());
            assertEquals(5L, queue.get(WAIT));
            assertEquals("simple", simple.get());
            String log = Files.readString(logs.resolve("compact.log"));
            assertTrue(log.contains("Initializing 'io/github/jmultiprocessing/ChildBootstrap'"), "no log? " + log.length());
            assertFalse(log.contains("Initializing 'java/io/ObjectInputStream'"),
                    "the compact bootstrap initialized ObjectInputStream");
            for (AutoCloseable each : List.<AutoCloseable>of(in, out, value, lock, rlock, array, event, semaphore,
                    barrier, queue, simple)) {
                each.close();
            }
        }
    }

    @Test
    void shouldStartAManagersServerFromACompactBootstrap(@TempDir Path logs) throws Exception {
        Context context = Multiprocessing.getContext("spawn").withJvm(ChildJvm.defaults().withOptions(
                initLog(logs, "manager")));
        try (Manager manager = new Manager(null, null, context)) {
            manager.start();
            java.util.Map<String, Integer> dict = manager.dict();
            dict.put("a", 1);
            assertEquals(1, dict.get("a"));
            assertEquals(3, manager.value(3).get());
        }
        String log = Files.readString(logs.resolve("manager.log"));
        assertTrue(log.contains("Initializing 'io/github/jmultiprocessing/ChildBootstrap'"), "no log? " + log.length());
        // its types (the built-in factories, their specs, the map of them) and its socket address have forms: no
        // Java serialization to start the server (a dict's values may need it later, not its start)
        int serving = log.indexOf("Initializing 'io/github/jmultiprocessing/internal/manager/ManagerServer'");
        assertTrue(serving > 0, "the server's class initialized in the child");
        String beforeServing = log.substring(0, serving);
        assertFalse(beforeServing.contains("Initializing 'java/io/ObjectInputStream'"),
                "the manager's bootstrap initialized ObjectInputStream");
    }

    @Test
    void shouldHaveAPoolWorkerSetUpTheSerialFilterAsItBootsAndAPlainChildNot(@TempDir Path logs) throws Exception {
        Context context = Multiprocessing.getContext("spawn").withJvm(ChildJvm.defaults().withOptions(
                "-Xlog:class+init=info:file=" + logs.resolve("worker%p.log")));
        try (ProcessPool pool = new ProcessPool(1, null, 0, context)) {
            assertEquals(7, pool.apply(() -> 7));
        }
        List<String> workerLogs = new java.util.ArrayList<>();
        try (var files = Files.list(logs)) {
            for (Path file : files.toList()) {
                String text = Files.readString(file);
                if (text.contains("Initializing 'io/github/jmultiprocessing/internal/pool/PoolWorker'")) {
                    workerLogs.add(text);
                }
            }
        }
        assertEquals(1, workerLogs.size(), "one worker (the other log: the JDK's version probe)");
        String log = workerLogs.get(0);
        int setUp = log.indexOf("Initializing 'java/io/ObjectInputFilter$Config'");
        assertTrue(setUp > 0, "the worker set up the serial filter (its first task consults it)");
        String line = log.substring(log.lastIndexOf('\n', setUp) + 1, log.indexOf('\n', setUp));
        assertTrue(line.contains("by thread \"jmultiprocessing-serial-filter\""),
                "on a thread of its own, from its bootstrap: " + line);

        try (Children children = new Children()) {
            JvmProcess plain = new JvmProcess(() -> { });
            plain.setChildJvm(ChildJvm.defaults().withOptions(initLog(logs, "plain")));
            plain.start();
            assertEquals(0, Children.joinWithin(plain, WAIT));
        }
        assertFalse(Files.readString(logs.resolve("plain.log")).contains("ObjectInputFilter$Config"),
                "a plain child has no use for it");
    }

    @Test
    void shouldCarryAValueWithNoCompactFormAsASerializationStream(@TempDir Path logs) throws Exception {
        try (Children children = new Children()) {
            Point point = new Point(3, 4);
            Point samePoint = point;
            SharedValue sum = SharedValue.of('i', 0);
            JvmProcess p = new JvmProcess(() -> sum.setInt(point.x() + samePoint.y() + (point == samePoint ? 100 : 0)));
            p.setChildJvm(ChildJvm.defaults().withOptions(initLog(logs, "fallback")));
            p.start();
            assertEquals(0, Children.joinWithin(p, WAIT));
            assertEquals(107, sum.getInt(), "the record read once, as one object");
            assertTrue(Files.readString(logs.resolve("fallback.log"))
                    .contains("Initializing 'java/io/ObjectInputStream'"), "the record needs Java serialization");
            sum.close();
        }
    }

    @Test
    void shouldSendASubclassWithItsOwnFieldsThroughJavaSerialization() throws Exception {
        try (Children children = new Children()) {
            SharedValue seen = SharedValue.of('i', 0);
            JvmProcess p = new Subclass(seen, 9);
            p.start();
            assertEquals(0, Children.joinWithin(p, WAIT));
            assertEquals(9, seen.getInt());
            seen.close();
        }
    }

    /** A process subclass: its field travels, so its bootstrap is a serialization stream. */
    static final class Subclass extends JvmProcess {
        private static final long serialVersionUID = 1L;
        private final SharedValue seen;
        private final int number;

        Subclass(SharedValue seen, int number) {
            this.seen = seen;
            this.number = number;
        }

        @Override
        public void run() {
            seen.setInt(number);
        }
    }

    private static String initLog(Path dir, String name) {
        return "-Xlog:class+init=info:file=" + dir.resolve(name + ".log");
    }
}

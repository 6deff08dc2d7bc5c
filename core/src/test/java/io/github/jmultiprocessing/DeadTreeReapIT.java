package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import io.github.jmultiprocessing.testing.JavaMain;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A parent JVM with children, a pool and a manager is killed with {@code kill -9}; the next JVM to start the
 * library unlinks every segment of the dead tree within a bounded time, although the dead parent's children are
 * still ending (or are zombies) when it starts. Runs in a shm directory of its own, so that counting files there
 * counts only this test's.
 */
class DeadTreeReapIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration REAPED_WITHIN = Duration.ofSeconds(10);

    static void sleepLong() {
        JvmProcessIT.sleepForever();
    }

    /** A parent with a child, a pool, a manager and a queue: prints "ready", then waits to be killed. */
    static final class TreeMain {
        public static void main(String[] args) throws Exception {
            SharedQueue<Integer> queue = new SharedQueue<>();
            queue.put(1);
            JvmProcess child = new JvmProcess(DeadTreeReapIT::sleepLong);
            child.setDaemon(true); // ends with its parent (a non-daemon child would outlive it, and keep its segments)
            child.start();
            ProcessPool pool = new ProcessPool(2);
            if (!pool.map(x -> x + 1, List.of(1, 2, 3)).equals(List.of(2, 3, 4))) {
                throw new AssertionError("pool");
            }
            Manager manager = new Manager();
            manager.start();
            Map<String, Integer> dict = manager.dict();
            dict.put("a", 1);
            System.out.println("ready");
            System.out.flush();
            Thread.sleep(Duration.ofMinutes(5)); // until killed
        }
    }

    /** The next start of the library: makes a value (which reaps), says so, and waits to be ended. */
    static final class NextMain {
        public static void main(String[] args) throws Exception {
            SharedValue value = SharedValue.of('i', 1);
            System.out.println("started " + value.getInt());
            System.out.flush();
            Thread.sleep(Duration.ofMinutes(5)); // until ended by the test
        }
    }

    private static Set<String> files(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return new TreeSet<>(files.map(p -> p.getFileName().toString()).toList());
        }
    }

    private static void awaitLine(JavaMain main, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (main.output().lines().noneMatch(l -> l.startsWith(prefix))) {
            assertTrue(main.process().isAlive(), "ended before " + prefix + ":\n" + main.output());
            assertTrue(System.nanoTime() < deadline, "no " + prefix + " within " + WAIT + ":\n" + main.output());
            Thread.sleep(20);
        }
    }

    @Test
    @Timeout(120)
    void shouldReapTheSegmentsOfADeadProcessWhoseOnlyLiveLookingChildIsAZombie() throws Exception {
        Path directory = Files.createTempDirectory("jmp-zombie-child");
        // sh starts a child, says its pid, and becomes sleep, which never reaps it: killed, the child stays a zombie
        Process sleeper = new ProcessBuilder("/bin/sh", "-c", "sleep 120 & echo $!; exec sleep 120").start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(sleeper.getInputStream(),
                    StandardCharsets.US_ASCII));
            long child = Long.parseLong(out.readLine().strip());
            long childStart = ProcessIdentity.startTimeOf(child);
            Process gone = new ProcessBuilder("true").start();
            assertEquals(0, gone.waitFor());
            ProcessHandle.of(child).orElseThrow().destroyForcibly();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (ZombieHolderIT.stateOf(child) != 'Z') {
                assertTrue(System.nanoTime() < deadline, "the child never became a zombie");
                Thread.sleep(5);
            }
            Path segment = Files.writeString(directory.resolve("jmp-heap-" + gone.pid() + "-test"), "x");
            Path ledger = Files.writeString(directory.resolve("jmp-ledger-" + gone.pid() + "-1"),
                    "c\t" + child + "\t" + childStart + "\n+" + segment.getFileName() + "\n");
            try (JavaMain next = JavaMain.start(System.getProperty("java.class.path"),
                    List.of("-Djmultiprocessing.shm.dir=" + directory), NextMain.class)) {
                awaitLine(next, "started");
                long end = System.nanoTime() + REAPED_WITHIN.toNanos();
                while ((Files.exists(segment) || Files.exists(ledger)) && System.nanoTime() < end) {
                    Thread.sleep(20);
                }
                assertFalse(Files.exists(segment), "the segment of a dead process whose child is a zombie");
                assertFalse(Files.exists(ledger), "the ledger of a dead process whose child is a zombie");
                assertEquals('Z', ZombieHolderIT.stateOf(child), "reaped while the child was still a zombie");
            }
        } finally {
            sleeper.destroyForcibly(); // the zombie goes to init (or a subreaper), which reaps it
            sleeper.waitFor(30, TimeUnit.SECONDS);
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @RepeatedTest(3)
    @Timeout(180)
    void shouldReapADeadTreesSegmentsAtTheNextStartWhileItsChildrenAreEnding() throws Exception {
        Path directory = Files.createTempDirectory("jmp-dead-tree");
        List<ProcessHandle> tree = new ArrayList<>();
        List<String> options = List.of("-Djmultiprocessing.shm.dir=" + directory);
        try {
            Set<String> dead;
            try (JavaMain parent = JavaMain.start(System.getProperty("java.class.path"), options, TreeMain.class)) {
                awaitLine(parent, "ready");
                tree.addAll(parent.process().descendants().toList());
                dead = files(directory);
                assertTrue(dead.size() >= 5, "the tree's segments: " + dead);
                parent.process().destroyForcibly(); // kill -9
                parent.process().waitFor();
            }
            long start = System.nanoTime();
            try (JavaMain next = JavaMain.start(System.getProperty("java.class.path"), options, NextMain.class)) {
                long deadline = start + REAPED_WITHIN.toNanos();
                Set<String> left = new TreeSet<>(dead);
                while (!left.isEmpty() && System.nanoTime() < deadline) {
                    left.retainAll(files(directory));
                    Thread.sleep(20);
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(Set.of(), left, "the dead tree's segments left " + millis + " ms after the next start"
                        + " (the tree's children alive: " + tree.stream().filter(ProcessHandle::isAlive).count()
                        + "):\n" + next.output());
                assertTrue(next.process().isAlive(), next.output());
                System.out.println("dead tree of " + dead.size() + " files reaped " + millis + " ms after the next"
                        + " start");
            }
        } finally {
            List<ProcessHandle> orphans = new ArrayList<>();
            for (ProcessHandle process : tree) { // the dead parent's children end by themselves; never left behind
                try {
                    process.onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    orphans.add(process);
                    process.destroyForcibly();
                }
            }
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            assertEquals(List.of(), orphans, "children of the dead parent still running after " + WAIT);
        }
        assertFalse(tree.isEmpty());
    }
}

package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.jmultiprocessing.testing.FaultDriver;
import io.github.jmultiprocessing.testing.FaultTally;
import io.github.jmultiprocessing.testing.FaultTally.Count;
import io.github.jmultiprocessing.testing.JavaMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault suite, dead-tree row: a parent JVM with a (daemon) child, a {@code ProcessPool(1)} and a {@link Manager},
 * busy with all of them, is killed with {@code kill -9} at a random moment. Then: none of its descendants may run
 * {@link #GONE_WITHIN} after the kill (ORPHANS), and the next JVM to start the library in the same shared-memory
 * directory must reap every file the dead tree left within {@link #REAPED_WITHIN} of its start (LEAKED_SEGMENTS
 * otherwise; the time it took is the recovery), although the dead parent's children are still ending, or zombies
 * waiting for init, when it starts. The next start is a program that makes a value and starts no process (a
 * program with children of its own would hide a reaping that waits for a later start); it is started as soon as the
 * parent is dead. The directory is the scenario's own, and must be empty once the last program ended normally.
 */
class DeadTreeFaultIT {

    static final Duration READY_WITHIN = Duration.ofSeconds(60);
    static final Duration GONE_WITHIN = Duration.ofSeconds(10);
    static final Duration REAPED_WITHIN = Duration.ofSeconds(10);

    static void sleepLong() {
        JvmProcessIT.sleepForever();
    }

    static int twice(int x) {
        return 2 * x;
    }

    /** A parent with a child, a pool, a manager and a queue: prints "ready", then uses them until killed. */
    static final class TreeMain {
        public static void main(String[] args) throws Exception {
            SharedQueue<Integer> queue = new SharedQueue<>();
            JvmProcess child = new JvmProcess(DeadTreeFaultIT::sleepLong);
            child.setDaemon(true); // ends with its parent
            child.start();
            ProcessPool pool = new ProcessPool(1);
            Manager manager = new Manager();
            manager.start();
            Map<String, Integer> dict = manager.dict();
            if (!pool.map(DeadTreeFaultIT::twice, List.of(1, 2, 3)).equals(List.of(2, 4, 6))) {
                throw new AssertionError("pool");
            }
            System.out.println("ready");
            System.out.flush();
            for (int i = 0; ; i++) { // busy with everything until killed
                queue.put(i);
                dict.put("i", queue.get());
                AsyncResult<Integer> result = pool.applyAsync(() -> twice(3));
                if (result.get(Duration.ofSeconds(30)) != 6) {
                    throw new AssertionError("pool result");
                }
            }
        }
    }

    /** The next start: makes a value (the library's start reaps), says so, waits for its end. */
    static final class NextMain {
        public static void main(String[] args) throws Exception {
            try (SharedValue value = SharedValue.of('i', 1)) {
                System.out.println("started " + value.getInt());
                System.out.flush();
                System.in.read(); // until the test closes stdin
            }
        }
    }

    /** A dead tree waiting to be reaped by the next start. */
    private record Dead(List<String> files, List<ProcessHandle> processes, long killedAt) {
        List<Long> pids() {
            return processes.stream().map(ProcessHandle::pid).toList();
        }
    }

    @Test
    @Timeout(600)
    void shouldLeaveNoOrphanAndReapTheTreeAtTheNextStartWhenTheParentIsKilled() throws Exception {
        long seed = FaultDriver.seed();
        Random random = new Random(seed);
        FaultTally tally = new FaultTally("parent killed with a child, a pool and a manager; next start reaps");
        Path directory = Files.createTempDirectory("jmp-fault-tree-");
        // the parent and the next start with the flags of a quick start (C1 only, serial GC): their starts are most
        // of a trial's time; the parent's children get the library's own (they inherit -D and heap options only)
        List<String> options = List.of("-Djmultiprocessing.shm.dir=" + directory, "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-XX:-UsePerfData");
        Path cwd = Path.of("").toAbsolutePath();
        long start = System.nanoTime();
        try {
            for (int trial = 0; trial < FaultDriver.trials(); trial++) {
                tally.trial();
                Dead dead;
                try (JavaMain parent = JavaMain.start(System.getProperty("java.class.path"), options,
                        TreeMain.class)) {
                    if (!awaitLine(parent, "ready")) {
                        tally.add(Count.HANGS, 1, "the parent not ready within " + READY_WITHIN + ":\n"
                                + parent.output());
                        continue;
                    }
                    Thread.sleep(FaultDriver.between(random, Duration.ZERO, Duration.ofMillis(200)));
                    List<ProcessHandle> tree = new ArrayList<>(List.of(parent.process().toHandle()));
                    parent.process().descendants().forEach(tree::add);
                    Set<String> files = new TreeSet<>(FaultTally.files(directory));
                    long killedAt = System.nanoTime();
                    parent.process().destroyForcibly(); // kill -9
                    tally.injected(1);
                    parent.process().waitFor();
                    files.addAll(FaultTally.files(directory)); // what the tree made (its children may unlink theirs)
                    dead = new Dead(List.copyOf(files), tree, killedAt);
                    String mark = "-" + parent.process().pid() + "-";
                    if (files.stream().filter(name -> name.contains(mark)).count() < 3) {
                        tally.add(Count.FAILURES, 1, "the parent had only " + files + " (expected its heap, ledger"
                                + " and queue: the trial tests nothing)");
                    }
                }
                // the next start: one JVM that uses the library and starts nothing, while the tree's children end
                try (JavaMain next = JavaMain.start(System.getProperty("java.class.path"), options, NextMain.class)) {
                    judge(dead, directory, System.nanoTime(), tally, cwd);
                    if (!awaitLine(next, "started")) {
                        tally.add(Count.HANGS, 1, "the next start did not start:\n" + next.output());
                    }
                    next.process().getOutputStream().close(); // ends normally: its own segments go
                    if (!next.process().waitFor(READY_WITHIN.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
                        tally.add(Count.HANGS, 1, "the next start did not end");
                    }
                }
                for (String name : dead.files()) { // counted if left: not counted again by a later trial
                    Files.deleteIfExists(directory.resolve(name));
                }
            }
            List<String> left = FaultTally.files(directory);
            tally.add(Count.LEAKED_SEGMENTS, left.size(), "left in the directory after the last program ended: " + left);
            System.out.println("dead tree: " + tally.trials() + " trials in " + (System.nanoTime() - start) / 1_000_000
                    + " ms, seed=" + seed);
        } finally {
            FaultDriver.delete(directory);
        }
        FaultDriver.finish(tally, seed, Map.of());
        assertEquals(FaultDriver.trials(), tally.trials());
    }

    /** The next start began at startedAt: the dead tree's files must go, its processes end, within the bounds. */
    private static void judge(Dead dead, Path directory, long startedAt, FaultTally tally, Path cwd)
            throws InterruptedException {
        long deadline = startedAt + REAPED_WITHIN.toNanos();
        List<String> left = new ArrayList<>(dead.files());
        left.retainAll(FaultTally.files(directory));
        while (!left.isEmpty() && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
            left.retainAll(FaultTally.files(directory));
        }
        if (left.isEmpty()) {
            tally.recovery(Duration.ofNanos(System.nanoTime() - startedAt));
        }
        tally.add(Count.LEAKED_SEGMENTS, left.size(), "the dead tree's files left " + REAPED_WITHIN
                + " after the next start: " + left);
        tally.add(Count.ORPHANS, FaultDriver.awaitGone(dead.processes(),
                GONE_WITHIN.minusNanos(System.nanoTime() - dead.killedAt())), "the dead tree's processes alive "
                + GONE_WITHIN + " after the kill: " + dead.pids());
        tally.add(Count.CRASHES, FaultTally.crashFiles(cwd, dead.pids()), "hs_err files of " + dead.pids());
    }

    private static boolean awaitLine(JavaMain main, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (main.output().lines().noneMatch(l -> l.startsWith(prefix))) {
            if (!main.process().isAlive() || System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}

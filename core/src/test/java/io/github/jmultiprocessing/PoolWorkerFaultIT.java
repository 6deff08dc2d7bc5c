package io.github.jmultiprocessing;

import io.github.jmultiprocessing.testing.FaultDriver;
import io.github.jmultiprocessing.testing.FaultTally;
import io.github.jmultiprocessing.testing.FaultTally.Count;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault suite, pool row: a {@code ProcessPool(2)} runs {@link #TASKS} small tasks, half through {@code imap}
 * (chunksize 1) and half through {@code applyAsync}, while one or two of its workers are killed with
 * {@code kill -9} at random points of the run (when a random number of tasks has started). Half the kills, at
 * random, are gated: the killer picks a task that runs now, holds it before it returns and kills its worker, so
 * exactly that task was running; the others kill the worker that started a task last, wherever it is (inside a
 * task, between two, decoding one). Each task counts its start in shared memory. Per trial: a held task must fail
 * with {@link WorkerLostException} saying its worker "ended while it ran" it (FAILURES otherwise); any other task
 * that fails so is one that had not started and should have run elsewhere (LOST), except at most one per ungated
 * kill (the task its worker may have been running: the documented allowance). Every other outcome must be the
 * right result (GARBAGE otherwise), no task may run twice nor be delivered twice (DUPLICATED), and every result or
 * failure must be there within {@link #BOUND} (a HANG otherwise). After the run the pool must still work; after it
 * is closed, none of its workers may be left running (ORPHANS), and neither its nor its killed workers' segments
 * left (the killed ones' after the next library start).
 */
class PoolWorkerFaultIT {

    /** Tasks per trial. */
    static final int TASKS = 1_000;

    /** Every wait of a trial (a result, the pool's end). */
    static final Duration BOUND = Duration.ofSeconds(60);

    // cells after the TASKS start counters
    static final int TOTAL = TASKS; // tasks started, all workers
    static final int LAST_PID = TASKS + 1; // the worker that started a task last
    static final int HOLD = TASKS + 2; // x + 1: task x, once it ends its work, waits while this names it
    static final int PIDS = TASKS + 3; // per task: the worker that started it (last)
    static final int ENDING = PIDS + TASKS; // per task: it has done its work and looks at HOLD next
    static final int STARTED_AT = ENDING + TASKS; // per task: System.nanoTime() at its start (CLOCK_MONOTONIC)
    static final int CELLS = STARTED_AT + TASKS;

    @Test
    @Timeout(400)
    void shouldFailOnlyTheRunningTaskWhenWorkersAreKilledDuringImapAndApplyAsync() throws Exception {
        FaultDriver.run(Driver.class, Duration.ofSeconds(380));
    }

    /**
     * The task: counts its start, works 20-220 microseconds, returns {@code 31x + 7}; if the killer holds it (a
     * gated kill), it waits before returning, so its worker dies while it runs. ENDING then HOLD here, HOLD then
     * ENDING in the killer, all atomic read-modify-writes (sequentially consistent): if the killer sees the task not
     * ending, the task sees the hold.
     */
    static long task(int x, SharedArray cells) {
        long pid = ProcessHandle.current().pid();
        cells.setLong(PIDS + x, pid);
        cells.setLong(STARTED_AT + x, System.nanoTime()); // one clock for all processes on Linux
        cells.addAndGet(x, 1); // publishes the pid and time with the start
        cells.setLong(LAST_PID, pid);
        cells.addAndGet(TOTAL, 1);
        long end = System.nanoTime() + 20_000 + (x * 7919L) % 200_000;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
        cells.addAndGet(ENDING + x, 1);
        long limit = System.nanoTime() + BOUND.toNanos();
        while (cells.addAndGet(HOLD, 0) == x + 1 && System.nanoTime() - limit < 0) {
            Thread.onSpinWait(); // held: the killer kills this worker now
        }
        return x * 31L + 7;
    }

    /** The driver: a pool per trial, a killer thread, the checks. */
    static final class Driver {
        public static void main(String[] args) {
            FaultDriver.exitWith(Driver::run);
        }

        private static void run() throws Exception {
            long seed = FaultDriver.seed();
            Random random = new Random(seed);
            FaultTally tally = new FaultTally("`ProcessPool(2)` workers killed during `imap`/`applyAsync`, "
                    + TASKS + " tasks");
            Path cwd = Path.of("").toAbsolutePath();
            List<Long> workers = new ArrayList<>();
            long[] figures = new long[3]; // kills, failed tasks, failed tasks whose function had not begun
            long start = System.nanoTime();
            for (int trial = 0; trial < FaultDriver.trials(); trial++) {
                tally.trial();
                trial(random, cwd, tally, workers, figures);
            }
            List<String> left = FaultDriver.leftAfterNextStart(workers, Duration.ofSeconds(5));
            tally.add(Count.LEAKED_SEGMENTS, left.size(), "files of the pools' workers left after the next start: "
                    + left);
            System.out.println("pool: " + FaultDriver.trials() + " trials in " + (System.nanoTime() - start)
                    / 1_000_000 + " ms; " + figures[0] + " kills, " + figures[1] + " tasks failed with"
                    + " WorkerLostException (allowed: the held task of each gated kill, one per ungated kill), of which " + figures[2] + " had not begun their"
                    + " function (killed between the worker's started word and the task's first line)");
            FaultDriver.finish(tally, seed, Map.of());
        }

        private static void trial(Random random, Path cwd, FaultTally tally, List<Long> workers, long[] figures)
                throws Exception {
            long me = ProcessHandle.current().pid();
            List<String> before = FaultDriver.filesOf(List.of(me));
            int kills = 1 + random.nextInt(2);
            long[] thresholds = random.longs(kills, TASKS / 20, TASKS * 9 / 10).sorted().toArray();
            Set<Long> pids = new LinkedHashSet<>();
            List<ProcessHandle> alive = new ArrayList<>(); // the driver's descendants before close: its workers
            long deadline = System.nanoTime() + BOUND.toNanos();
            ProcessPool pool = new ProcessPool(2);
            try (SharedArray cells = SharedArray.rawOfLength('q', CELLS)) {
                Killer killer = new Killer(cells, thresholds, deadline, new Random(random.nextLong()));
                Thread killing = Thread.ofPlatform().start(killer);
                Object[] outcomes = new Object[TASKS]; // a Long result, or the Throwable it failed with
                int[] deliveries = new int[TASKS];
                try {
                    int half = TASKS / 2;
                    IMapIterator<Long> imap = pool.imap(x -> task(x, cells),
                            IntStream.range(0, half).boxed().toList(), 1);
                    List<AsyncResult<Long>> applied = new ArrayList<>();
                    for (int x = half; x < TASKS; x++) {
                        int item = x;
                        applied.add(pool.applyAsync(() -> task(item, cells)));
                    }
                    for (int x = 0; x <= half; x++) { // one more than sent: the end must come
                        try {
                            Long result = imap.next(remaining(deadline));
                            if (x == half) {
                                tally.add(Count.DUPLICATED, 1, "imap gave a result after its " + half + " ("
                                        + result + ")");
                                break;
                            }
                            deliveries[x]++;
                            outcomes[x] = result;
                        } catch (NoSuchElementException end) {
                            if (x < half) {
                                tally.add(Count.LOST, half - x, "imap ended after " + x + " of " + half + " results");
                            }
                            break;
                        } catch (TimeoutException e) {
                            tally.add(Count.HANGS, 1, "imap result " + x + " not there within " + BOUND);
                            break;
                        } catch (RuntimeException failed) {
                            if (x == half) {
                                tally.add(Count.DUPLICATED, 1, "imap gave a failure after its " + half + ": " + failed);
                                break;
                            }
                            deliveries[x]++;
                            outcomes[x] = failed;
                        }
                    }
                    for (int i = 0; i < applied.size(); i++) {
                        int x = half + i;
                        try {
                            outcomes[x] = applied.get(i).get(remaining(deadline));
                            deliveries[x]++;
                        } catch (ExecutionException failed) {
                            outcomes[x] = failed.getCause();
                            deliveries[x]++;
                        } catch (TimeoutException e) {
                            tally.add(Count.HANGS, 1, "applyAsync result " + x + " not there within " + BOUND);
                        }
                    }
                } finally {
                    killer.stop = true;
                    killing.join(BOUND);
                }
                tally.injected(killer.kills);
                figures[0] += killer.kills;
                check(cells, outcomes, deliveries, killer, tally, figures);
                recovery(cells, killer, tally);
                for (int x = 0; x < TASKS; x++) {
                    if (cells.getLong(PIDS + x) != 0) {
                        pids.add(cells.getLong(PIDS + x));
                    }
                }
                try {
                    List<Integer> after = pool.mapAsync(x -> x + 1, List.of(1, 2, 3), 1).get(BOUND);
                    if (!after.equals(List.of(2, 3, 4))) {
                        tally.add(Count.GARBAGE, 1, "the pool after the trial mapped [1, 2, 3] to " + after);
                    }
                } catch (ExecutionException | TimeoutException | RuntimeException e) {
                    tally.add(Count.FAILURES, 1, "the pool does not work after the trial: " + e);
                }
                ProcessHandle.current().descendants().forEach(p -> {
                    pids.add(p.pid());
                    alive.add(p);
                });
            } finally {
                pool.close(); // terminate, as Python's with
                if (!pool.join(BOUND)) {
                    tally.add(Count.HANGS, 1, "the pool did not end within " + BOUND + " of close()");
                }
            }
            List<Long> all = new ArrayList<>(pids);
            tally.add(Count.ORPHANS, FaultDriver.awaitGone(alive, Duration.ofSeconds(5)), "workers alive 5 s after"
                    + " close: " + alive);
            tally.add(Count.CRASHES, FaultTally.crashFiles(cwd, all), "hs_err files of " + all);
            workers.addAll(all);
            List<String> left = FaultDriver.filesOf(List.of(me));
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (left.stream().anyMatch(name -> !before.contains(name) && !name.startsWith("jmp-heap-")
                    && !name.startsWith("jmp-ledger-")) && System.nanoTime() - end < 0) {
                Thread.sleep(10);
                left = FaultDriver.filesOf(List.of(me));
            }
            // the driver's heap segments and ledger stay for its life (checked empty after it ended, by FaultDriver)
            List<String> added = left.stream().filter(name -> !before.contains(name) && !name.startsWith("jmp-heap-")
                    && !name.startsWith("jmp-ledger-")).toList();
            tally.add(Count.LEAKED_SEGMENTS, added.size(), "the driver's segments left 5 s after close: " + added);
        }

        private static void check(SharedArray cells, Object[] outcomes, int[] deliveries, Killer killer,
                FaultTally tally, long[] figures) {
            long other = 0; // failed as documented, not a held task: allowed one per ungated kill
            for (int x = 0; x < TASKS; x++) {
                long starts = cells.getLong(x);
                if (starts > 1) {
                    tally.add(Count.DUPLICATED, starts - 1, "task " + x + " ran " + starts + " times");
                }
                if (deliveries[x] > 1) {
                    tally.add(Count.DUPLICATED, deliveries[x] - 1, "task " + x + " delivered " + deliveries[x]
                            + " times");
                }
                boolean held = killer.gated.contains(x);
                Object outcome = outcomes[x];
                if (outcome instanceof Long result) {
                    if (result != x * 31L + 7 || starts == 0) {
                        tally.add(Count.GARBAGE, 1, "task " + x + " gave " + result + " (expected " + (x * 31L + 7)
                                + ") having started " + starts + " times");
                    }
                    if (held) {
                        tally.add(Count.FAILURES, 1, "task " + x + " gave a result although its worker was killed"
                                + " while it ran");
                    }
                } else if (outcome instanceof WorkerLostException lost
                        && lost.getMessage().contains("ended while it ran task")) {
                    figures[1]++;
                    if (starts == 0) {
                        figures[2]++;
                        System.out.println("task " + x + " (" + (x < TASKS / 2 ? "imap" : "applyAsync") + ", "
                                + (held ? "held" : "not held") + ") failed before its function began");
                    }
                    if (!held) {
                        other++;
                    }
                } else if (outcome instanceof Throwable failed) {
                    tally.add(Count.FAILURES, 1, "task " + x + " failed with " + failed + " (started " + starts
                            + " times)");
                } // no outcome: counted as a HANG where it was awaited
            }
            // a held task fails, as documented; any other failed task is one that had not started (LOST), except
            // at most one per ungated kill (its worker may have been inside a task, which fails, as documented)
            long ungated = killer.kills - killer.gated.size();
            tally.add(Count.LOST, Math.max(0, other - ungated), other + " tasks failed with WorkerLostException"
                    + " beside the " + killer.gated.size() + " held ones, for " + ungated + " ungated kills");
        }

        /**
         * The recovery of each kill: from the kill to the first task started by a worker that had started none
         * before it (its replacement); not counted for a kill after which the run ended without one.
         */
        private static void recovery(SharedArray cells, Killer killer, FaultTally tally) {
            Map<Long, Long> firstStart = new java.util.HashMap<>();
            for (int x = 0; x < TASKS; x++) {
                if (cells.getLong(x) > 0) {
                    firstStart.merge(cells.getLong(PIDS + x), cells.getLong(STARTED_AT + x), Math::min);
                }
            }
            for (long at : killer.killedAt) {
                firstStart.values().stream().filter(first -> first - at > 0).min(Long::compare)
                        .ifPresent(first -> tally.recovery(Duration.ofNanos(first - at)));
            }
        }

        private static Duration remaining(long deadline) {
            return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        }
    }

    /**
     * Kills a worker each time the tasks started pass a threshold: a gated kill (half of them, at random) picks a
     * task that runs now, holds it (see {@link #task}) and kills its worker, so exactly that task was running; an
     * ungated kill kills the worker that started a task last, wherever it is (in a task, between two, reading one).
     */
    static final class Killer implements Runnable {
        final SharedArray cells;
        final long[] thresholds;
        final long deadline;
        final Random random;
        final List<Integer> gated = new java.util.concurrent.CopyOnWriteArrayList<>(); // the held tasks
        final List<Long> killedAt = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean stop;
        volatile int kills;

        Killer(SharedArray cells, long[] thresholds, long deadline, Random random) {
            this.cells = cells;
            this.thresholds = thresholds;
            this.deadline = deadline;
            this.random = random;
        }

        private boolean going() {
            return !stop && System.nanoTime() - deadline < 0;
        }

        @Override
        public void run() {
            long killed = 0;
            try {
                for (long threshold : thresholds) {
                    boolean gate = random.nextBoolean();
                    while (going() && (cells.getLong(TOTAL) < threshold || cells.getLong(LAST_PID) == killed)) {
                        Thread.sleep(0, 200_000);
                    }
                    if (!going()) {
                        return;
                    }
                    if (gate) {
                        killed = gatedKill();
                    } else {
                        killed = cells.getLong(LAST_PID);
                        long at = System.nanoTime();
                        if (ProcessHandle.of(killed).map(ProcessHandle::destroyForcibly).orElse(false)) { // kill -9
                            killedAt.add(at);
                            kills++;
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Holds a running task and kills its worker; returns the worker's pid, or 0 if none could be held. */
        private long gatedKill() throws InterruptedException {
            while (going()) {
                int from = random.nextInt(TASKS);
                for (int i = 0; i < TASKS; i++) {
                    int x = (from + i) % TASKS;
                    if (cells.getLong(x) == 0 || cells.getLong(ENDING + x) != 0 || gated.contains(x)) {
                        continue;
                    }
                    cells.addAndGet(HOLD, x + 1 - cells.getLong(HOLD)); // only this thread writes HOLD
                    if (cells.addAndGet(ENDING + x, 0) != 0) {
                        // It ended meanwhile and may have seen the hold (it reads HOLD after ENDING): let it go now,
                        // or it waits until the next candidate's hold, and for BOUND if there is none (a false hang)
                        cells.addAndGet(HOLD, -cells.getLong(HOLD));
                        continue;
                    }
                    long pid = cells.addAndGet(PIDS + x, 0);
                    java.util.Optional<ProcessHandle> worker = ProcessHandle.of(pid);
                    long at = System.nanoTime();
                    boolean done = worker.map(ProcessHandle::destroyForcibly).orElse(false); // kill -9
                    if (done) {
                        killedAt.add(at);
                        kills++;
                        gated.add(x);
                        while (worker.get().isAlive() && going()) { // dead before the hold goes
                            Thread.sleep(1);
                        }
                    }
                    cells.addAndGet(HOLD, -cells.getLong(HOLD));
                    if (done) {
                        return pid;
                    }
                }
                Thread.sleep(0, 200_000);
            }
            return 0;
        }
    }
}

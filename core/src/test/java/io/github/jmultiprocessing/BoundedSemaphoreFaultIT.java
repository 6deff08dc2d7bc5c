package io.github.jmultiprocessing;

import io.github.jmultiprocessing.testing.FaultDriver;
import io.github.jmultiprocessing.testing.FaultTally;
import io.github.jmultiprocessing.testing.FaultTally.Count;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault suite, bounded-semaphore row: a {@code SharedBoundedSemaphore(2)} used by a child with three threads that
 * loop acquire / hold / release with short random holds (so that a kill lands inside {@code acquire}, while
 * holding, or inside {@code release}) and by the driver, which contends; the child is killed with {@code kill -9}
 * at a random moment. After every trial the semaphore must give both permits within {@link #BOUND} (a lost permit
 * is a FAILURE), not a third one, refuse a release above the bound, and read 2 (an extra permit is a FAILURE);
 * before the kill, never more than two processes' threads may hold a permit at once. {@link SemaphoreDeathIT}
 * kills at the worst moment deterministically; this is the randomized row.
 */
class BoundedSemaphoreFaultIT {

    /** The dead holder's permits must come back within this. */
    static final Duration BOUND = Duration.ofSeconds(5);

    static final int THREADS = 3;
    static final int HOLDING = 0; // threads of all processes holding a permit, counted around acquire/release
    static final int ROUNDS = 1; // the child's rounds
    static final int VIOLATIONS = 2; // counted by the child: more than two holders seen
    static final int PHASE = 3; // per child thread: 0 between rounds, 1 in acquire, 2 holding, 3 in release
    static final int CELLS = PHASE + THREADS;

    @Test
    @Timeout(300)
    void shouldKeepBothPermitsAndTheBoundWhenAHolderIsKilledAtRandomMoments() throws Exception {
        FaultDriver.run(Driver.class, Duration.ofSeconds(280));
    }

    /** The child: three threads loop on the semaphore until killed. */
    static void use(SharedBoundedSemaphore semaphore, SharedArray data) {
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            Thread.ofPlatform().daemon(thread > 0).start(() -> {
                Random random = new Random(ProcessHandle.current().pid() * 31 + thread);
                while (true) {
                    data.setLong(PHASE + thread, 1);
                    semaphore.acquire();
                    data.setLong(PHASE + thread, 2);
                    if (data.addAndGet(HOLDING, 1) > 2) {
                        data.addAndGet(VIOLATIONS, 1);
                    }
                    LockHolderFaultIT.work(random, 30_000);
                    data.addAndGet(HOLDING, -1);
                    data.setLong(PHASE + thread, 3);
                    semaphore.release();
                    data.setLong(PHASE + thread, 0);
                    data.addAndGet(ROUNDS, 1);
                    LockHolderFaultIT.work(random, 10_000);
                }
            });
        }
    }

    /** The driver: per trial a fresh semaphore, a child, a contending thread, a kill, the checks. */
    static final class Driver {
        public static void main(String[] args) {
            FaultDriver.exitWith(Driver::run);
        }

        private static void run() throws Exception {
            long seed = FaultDriver.seed();
            Random random = new Random(seed);
            FaultTally tally = new FaultTally("`SharedBoundedSemaphore(2)` holder killed");
            Context forkserver = Multiprocessing.getContext(Multiprocessing.FORKSERVER);
            Path cwd = Path.of("").toAbsolutePath();
            List<Long> killed = new ArrayList<>();
            int[] phases = new int[4]; // threads found between rounds, in acquire, holding, in release at the kill
            long start = System.nanoTime();
            for (int trial = 0; trial < FaultDriver.trials(); trial++) {
                tally.trial();
                trial(random, forkserver, cwd, tally, killed, phases);
            }
            List<String> left = FaultDriver.leftAfterNextStart(killed, BOUND);
            tally.add(Count.LEAKED_SEGMENTS, left.size(), "files of the killed processes left after the next start: "
                    + left);
            System.out.println("semaphore: " + FaultDriver.trials() + " trials in " + (System.nanoTime() - start)
                    / 1_000_000 + " ms; the child's threads at the kill: between rounds " + phases[0] + ", in acquire "
                    + phases[1] + ", holding " + phases[2] + ", in release " + phases[3]);
            FaultDriver.finish(tally, seed, Map.of());
        }

        private static void trial(Random random, Context forkserver, Path cwd, FaultTally tally, List<Long> killed,
                int[] phases) throws Exception {
            List<Long> pids = new ArrayList<>();
            List<ProcessHandle> handles = new ArrayList<>();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            try (SharedBoundedSemaphore semaphore = new SharedBoundedSemaphore(2);
                    SharedArray data = SharedArray.rawOfLength('q', CELLS)) {
                JvmProcess child = forkserver.process(() -> use(semaphore, data));
                child.start();
                long holder = child.pid().orElseThrow();
                pids.add(holder);
                ProcessHandle.of(holder).ifPresent(handles::add);
                Contender contender = new Contender(semaphore, data, new Random(random.nextLong()), failures);
                Thread thread = Thread.ofPlatform().start(contender);
                try {
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (data.getLong(ROUNDS) < 20 && System.nanoTime() - deadline < 0) {
                        Thread.sleep(1);
                    }
                    if (data.getLong(ROUNDS) < 20) {
                        tally.add(Count.HANGS, 1, "the child did not run 20 rounds within 60 s");
                    }
                    Thread.sleep(FaultDriver.between(random, Duration.ZERO, Duration.ofMillis(150)));
                    contender.killed = holder;
                    child.kill(); // kill -9
                    tally.injected(1);
                    if (!child.join(BOUND)) {
                        tally.add(Count.HANGS, 1, "the killed child did not end within " + BOUND);
                    }
                    for (int t = 0; t < THREADS; t++) {
                        phases[(int) data.getLong(PHASE + t)]++;
                    }
                } finally {
                    contender.stop = true;
                    if (!thread.join(Duration.ofSeconds(10))) {
                        tally.add(Count.HANGS, 1, "the contender did not stop within 10 s");
                    }
                    child.kill();
                    child.join(BOUND);
                }
                tally.add(Count.FAILURES, data.getLong(VIOLATIONS), "the child saw more than two holders");
                failures.forEach(f -> tally.add(Count.FAILURES, 1, f));
                checkPermits(semaphore, tally);
            }
            tally.add(Count.ORPHANS, FaultDriver.awaitGone(handles, BOUND), "processes alive after the trial " + pids);
            tally.add(Count.CRASHES, FaultTally.crashFiles(cwd, pids), "hs_err files of " + pids);
            killed.addAll(pids);
        }

        /** Both permits within the bound, no third, no release above the bound, the value 2. */
        private static void checkPermits(SharedBoundedSemaphore semaphore, FaultTally tally) throws Exception {
            long start = System.nanoTime();
            int taken = 0;
            while (taken < 2 && semaphore.acquire(BOUND.minusNanos(System.nanoTime() - start))) {
                taken++;
            }
            if (taken < 2) {
                tally.add(Count.FAILURES, 2 - taken, "a permit lost: " + taken + " of 2 taken within " + BOUND
                        + ", value=" + semaphore.getValue());
            } else {
                tally.recovery(Duration.ofNanos(System.nanoTime() - start));
            }
            if (semaphore.acquire(Duration.ofMillis(100))) {
                tally.add(Count.FAILURES, 1, "a third permit: one invented by a recovery");
                taken++;
            }
            semaphore.release(taken);
            if (taken < 2) {
                return; // a lost permit: counted; a release above the bound would be accepted, rightly
            }
            try {
                semaphore.release();
                tally.add(Count.FAILURES, 1, "a release above the bound accepted: value=" + semaphore.getValue());
            } catch (IllegalStateException expected) {
                // the bound holds
            }
            if (semaphore.getValue() != 2) {
                tally.add(Count.FAILURES, 1, "value=" + semaphore.getValue() + " after the trial (expected 2)");
            }
        }
    }

    /** The driver's thread: loops acquire / hold / release; before the kill, checks there are at most two holders. */
    static final class Contender implements Runnable {
        final SharedBoundedSemaphore semaphore;
        final SharedArray data;
        final Random random;
        final ConcurrentLinkedQueue<String> failures;
        volatile long killed; // set just before the kill: from then on the child's holders are counted stale
        volatile boolean stop;

        Contender(SharedBoundedSemaphore semaphore, SharedArray data, Random random,
                ConcurrentLinkedQueue<String> failures) {
            this.semaphore = semaphore;
            this.data = data;
            this.random = random;
            this.failures = failures;
        }

        @Override
        public void run() {
            try {
                while (!stop) {
                    if (!semaphore.acquire(Duration.ofMillis(200))) {
                        continue;
                    }
                    long holding = data.addAndGet(HOLDING, 1);
                    // a permit reclaimed from the dead child is taken only after its death, after killed was set
                    if (holding > 2 && killed == 0) {
                        failures.add("holders=" + holding + " while the child lived (expected at most 2)");
                    }
                    LockHolderFaultIT.work(random, 30_000);
                    data.addAndGet(HOLDING, -1);
                    semaphore.release();
                    LockHolderFaultIT.work(random, 10_000);
                }
            } catch (Throwable e) {
                failures.add("contender: " + e);
            }
        }
    }
}

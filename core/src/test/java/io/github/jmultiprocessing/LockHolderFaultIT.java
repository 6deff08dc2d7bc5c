package io.github.jmultiprocessing;

import io.github.jmultiprocessing.testing.FaultDriver;
import io.github.jmultiprocessing.testing.FaultTally;
import io.github.jmultiprocessing.testing.FaultTally.Count;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault suite, lock rows: a process that loops acquire / work / release on a {@link SharedLock}, and on a
 * {@link SharedRLock} with nested holds (two threads), is killed with {@code kill -9} at a random moment while
 * another process (the driver) contends for both locks. Every trial checks that both locks are taken over within
 * {@link #BOUND} (a HANG otherwise, with the time to take them over as the recovery), that no two processes were
 * ever inside a critical section together and that the data the locks guard is consistent (FAILURES otherwise),
 * that the lock works normally afterwards, and counts crashes, orphans and leaked segments. The zombie row does the
 * same with a holder that, once killed, is not reaped (its parent is {@code sleep}; see {@link ZombieHolderIT}).
 *
 * <p>The guarded data (per lock) is two counters {@code a, b} and a marker: inside the critical section the holder
 * sets the marker to its pid, increments {@code a}, works, sets {@code b = a} and clears the marker. Whoever enters
 * must find the marker clear and {@code a == b}, except right after taking the lock over from the killed holder:
 * then the marker may name that (dead) holder, with {@code a == b + 1} at most; the lock must then say
 * {@code ownerDied()}, and the new holder repairs {@code b}. A marker naming anyone else, or the dead holder before
 * it was killed, is two processes inside at once.
 */
class LockHolderFaultIT {

    /** A killed holder's lock must be taken over within this. */
    static final Duration BOUND = Duration.ofSeconds(5);

    static final int A = 0;
    static final int B = 1;
    static final int MARK = 2;
    static final int ROUNDS = 3;
    static final int REGION = 4; // cells per lock: region 0 the lock, region 1 the rlock
    static final int VIOLATIONS = 8; // counted by the holder: what it found wrong on entering
    static final int CELLS = 9;

    @Test
    @Timeout(300)
    void shouldTakeOverBothLocksAndKeepTheirDataWhenTheHolderIsKilledAtRandomMoments() throws Exception {
        FaultDriver.run(Driver.class, Duration.ofSeconds(280), "killed");
    }

    @Test
    @Timeout(300)
    void shouldTakeOverBothLocksWhenTheKilledHolderIsLeftAZombie() throws Exception {
        FaultDriver.run(Driver.class, Duration.ofSeconds(280), "zombie");
    }

    /** Spins for up to {@code maxNanos}: the work inside a critical section, or the pause between two. */
    static void work(Random random, long maxNanos) {
        long end = System.nanoTime() + (long) (random.nextDouble() * maxNanos);
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    /** The holder's side of entering: the marker clear, the counters equal; then marks and increments a. */
    static void holderEnter(SharedArray data, int base, long me) {
        if (data.getLong(base + MARK) != 0 || data.getLong(base + A) != data.getLong(base + B)) {
            data.addAndGet(VIOLATIONS, 1);
        }
        data.setLong(base + MARK, me);
        data.setLong(base + A, data.getLong(base + A) + 1);
    }

    /** Both sides' leaving: b = a, the marker still ours, then cleared; the holder counts its rounds. */
    static boolean leave(SharedArray data, int base, long me, boolean holder) {
        data.setLong(base + B, data.getLong(base + A));
        boolean ours = data.getLong(base + MARK) == me;
        data.setLong(base + MARK, 0);
        if (holder) {
            data.addAndGet(base + ROUNDS, 1);
        }
        return ours;
    }

    /** The holder: a thread loops on the rlock (nested holds), this one on the lock; until killed. */
    static void hold(SharedLock lock, SharedRLock rlock, SharedArray data) {
        long me = ProcessHandle.current().pid();
        Thread.ofPlatform().daemon().start(() -> {
            Random random = new Random(me);
            while (true) {
                rlock.acquire();
                holderEnter(data, REGION, me);
                rlock.acquire();
                if (rlock.getHoldCount() != 2) {
                    data.addAndGet(VIOLATIONS, 1);
                }
                work(random, 50_000);
                rlock.release();
                work(random, 20_000);
                if (!leave(data, REGION, me, true)) {
                    data.addAndGet(VIOLATIONS, 1);
                }
                rlock.release();
                work(random, 20_000);
            }
        });
        Random random = new Random(~me);
        while (true) {
            lock.acquire();
            holderEnter(data, 0, me);
            work(random, 50_000);
            if (!leave(data, 0, me, true)) {
                data.addAndGet(VIOLATIONS, 1);
            }
            lock.release();
            work(random, 20_000);
        }
    }

    /** The zombie row's holder: attaches to the lock, rlock and data given as serialized Base64, and holds. */
    static final class HolderMain {
        public static void main(String[] args) throws Exception {
            Object[] shared = (Object[]) ZombieHolderIT.decode(args[0]);
            System.out.println("pid " + ProcessHandle.current().pid());
            System.out.flush();
            hold((SharedLock) shared[0], (SharedRLock) shared[1], (SharedArray) shared[2]);
        }
    }

    /** One lock's contender in the driver: loops acquire / check / work / release until stopped. */
    static final class Contender implements Runnable {
        final SharedLock lock; // one of the two is null
        final SharedRLock rlock;
        final SharedArray data;
        final int base;
        final long me = ProcessHandle.current().pid();
        final Random random;
        final ConcurrentLinkedQueue<String> failures;
        volatile long killed; // the holder's pid, set just before it is killed
        volatile long lastAcquired;
        volatile boolean stop;
        volatile int diedInside; // takeovers that found the dead holder inside its critical section

        Contender(SharedLock lock, SharedRLock rlock, SharedArray data, int base, long seed,
                ConcurrentLinkedQueue<String> failures) {
            this.lock = lock;
            this.rlock = rlock;
            this.data = data;
            this.base = base;
            this.random = new Random(seed);
            this.failures = failures;
        }

        private String what() {
            return lock != null ? "lock" : "rlock";
        }

        private boolean acquire() throws InterruptedException {
            return lock != null ? lock.acquire(Duration.ofMillis(200)) : rlock.acquire(Duration.ofMillis(200));
        }

        private boolean ownerDied() {
            return lock != null ? lock.ownerDied() : rlock.ownerDied();
        }

        private void enter() {
            long mark = data.getLong(base + MARK);
            long a = data.getLong(base + A);
            long b = data.getLong(base + B);
            if (mark != 0) {
                if (mark == killed) { // the dead holder was inside: a torn update at most, and the lock says so
                    diedInside++;
                    if (!ownerDied()) {
                        failures.add(what() + ": taken over from the dead holder inside its critical section, but"
                                + " ownerDied()=false (expected true)");
                    }
                    if (a != b && a != b + 1) {
                        failures.add(what() + ": a=" + a + " b=" + b + " after the holder died inside (expected"
                                + " a == b or a == b + 1)");
                    }
                    data.setLong(base + B, a); // the repair
                } else {
                    failures.add(what() + ": marker=" + mark + " on entering (expected 0: two processes inside;"
                            + " killed=" + killed + ")");
                }
            } else if (a != b) {
                failures.add(what() + ": a=" + a + " b=" + b + " with no one inside (expected equal)");
            }
            data.setLong(base + MARK, me);
            data.setLong(base + A, data.getLong(base + A) + 1);
        }

        @Override
        public void run() {
            try {
                while (!stop) {
                    if (!acquire()) {
                        continue;
                    }
                    lastAcquired = System.nanoTime();
                    enter();
                    if (rlock != null) {
                        rlock.acquire();
                        if (rlock.getHoldCount() != 2) {
                            failures.add("rlock: hold count=" + rlock.getHoldCount() + " nested (expected 2)");
                        }
                        work(random, 50_000);
                        rlock.release();
                    } else {
                        work(random, 50_000);
                    }
                    if (!leave(data, base, me, false)) {
                        failures.add(what() + ": marker changed while the driver was inside (expected its pid)");
                    }
                    if (lock != null) {
                        lock.release();
                    } else {
                        rlock.release();
                        if (rlock.isHeldByCurrentThread()) {
                            failures.add("rlock: still held after releasing both holds");
                        }
                    }
                    work(random, 20_000);
                }
            } catch (Throwable e) {
                failures.add(what() + " contender: " + e);
            }
        }
    }

    /** The driver of both rows: {@code killed} (a forkserver child killed) or {@code zombie}. */
    static final class Driver {
        public static void main(String[] args) {
            FaultDriver.exitWith(() -> run(args));
        }

        private static void run(String[] args) throws Exception {
            boolean zombie = args[0].equals("zombie");
            long seed = FaultDriver.seed();
            Random random = new Random(seed);
            FaultTally lockTally = new FaultTally(zombie ? "`SharedLock`+`SharedRLock` holder killed, left a zombie"
                    : "`SharedLock` holder killed");
            FaultTally rlockTally = zombie ? lockTally : new FaultTally("`SharedRLock` holder killed (nested holds)");
            Context forkserver = Multiprocessing.getContext(Multiprocessing.FORKSERVER);
            Path cwd = Path.of("").toAbsolutePath();
            int[] diedInside = new int[2];
            List<Long> killed = new ArrayList<>();
            long start = System.nanoTime();
            for (int trial = 0; trial < FaultDriver.trials(); trial++) {
                lockTally.trial();
                if (!zombie) {
                    rlockTally.trial();
                }
                trial(zombie, random, forkserver, cwd, lockTally, rlockTally, diedInside, killed);
            }
            // a killed JVM's segments stay until the next library start (SegmentLedger): give it that chance
            List<String> left = FaultDriver.leftAfterNextStart(killed, BOUND);
            lockTally.add(Count.LEAKED_SEGMENTS, left.size(), "files of the killed processes left after the next"
                    + " start: " + left);
            System.out.println((zombie ? "zombie" : "killed") + ": " + FaultDriver.trials() + " trials in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms; the holder died inside its critical section: lock "
                    + diedInside[0] + ", rlock " + diedInside[1] + " times");
            FaultDriver.finish(lockTally, seed, Map.of());
            if (!zombie) {
                FaultDriver.finish(rlockTally, seed, Map.of());
            }
        }

        private static void trial(boolean zombie, Random random, Context forkserver, Path cwd, FaultTally lockTally,
                FaultTally rlockTally, int[] diedInside, List<Long> killed) throws Exception {
            ConcurrentLinkedQueue<String> lockFailures = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<String> rlockFailures = zombie ? lockFailures : new ConcurrentLinkedQueue<>();
            List<Long> pids = new ArrayList<>();
            List<ProcessHandle> handles = new ArrayList<>();
            try (SharedLock lock = new SharedLock();
                    SharedRLock rlock = new SharedRLock();
                    SharedArray data = SharedArray.rawOfLength('q', CELLS)) {
                Contender lockContender = new Contender(lock, null, data, 0, random.nextLong(), lockFailures);
                Contender rlockContender = new Contender(null, rlock, data, REGION, random.nextLong(), rlockFailures);
                JvmProcess child = null;
                Process sleeper = null;
                long holder;
                if (zombie) {
                    sleeper = startUnreapedHolder(ZombieHolderIT.encode(new Object[] {lock, rlock, data}));
                    pids.add(sleeper.pid());
                    handles.add(sleeper.toHandle());
                    holder = readPid(sleeper);
                } else {
                    child = forkserver.process(() -> hold(lock, rlock, data));
                    child.start();
                    holder = child.pid().orElseThrow();
                }
                pids.add(holder);
                ProcessHandle.of(holder).ifPresent(handles::add);
                Thread[] threads = {Thread.ofPlatform().start(lockContender), Thread.ofPlatform().start(rlockContender)};
                try {
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while ((data.getLong(ROUNDS) < 3 || data.getLong(REGION + ROUNDS) < 3)
                            && System.nanoTime() - deadline < 0) {
                        Thread.sleep(1);
                    }
                    if (data.getLong(ROUNDS) < 3 || data.getLong(REGION + ROUNDS) < 3) {
                        lockTally.add(Count.HANGS, 1, "the holder did not run 3 rounds on each lock within 60 s");
                    }
                    Thread.sleep(FaultDriver.between(random, Duration.ZERO, Duration.ofMillis(150)));
                    lockContender.killed = holder;
                    rlockContender.killed = holder;
                    long killedAt = System.nanoTime();
                    ProcessHandle.of(holder).ifPresent(ProcessHandle::destroyForcibly); // kill -9
                    lockTally.injected(1);
                    if (!zombie) {
                        rlockTally.injected(1);
                    }
                    // kill -9 is delivered asynchronously: the holder may still release and take a lock again
                    // until it is seen dead (a zombie, or gone), so only an acquisition after that is a takeover.
                    awaitDead(holder, lockTally);
                    long deadAt = System.nanoTime();
                    recover(lockContender, killedAt, deadAt, lockTally, "lock");
                    recover(rlockContender, killedAt, deadAt, rlockTally, "rlock");
                    if (zombie && FaultDriver.state(holder) != 'Z') {
                        lockTally.add(Count.FAILURES, 1, "the holder " + holder + " was reaped before its locks were"
                                + " taken over: the trial did not test a zombie");
                    }
                } finally {
                    lockContender.stop = true;
                    rlockContender.stop = true;
                    for (Thread thread : threads) {
                        if (!thread.join(Duration.ofSeconds(10))) {
                            lockTally.add(Count.HANGS, 1, "a contender did not stop within 10 s");
                        }
                    }
                    if (sleeper != null) {
                        sleeper.destroyForcibly(); // the zombie goes to init, which reaps it
                        sleeper.waitFor(10, TimeUnit.SECONDS);
                    }
                    if (child != null) {
                        child.kill();
                        if (!child.join(BOUND)) {
                            lockTally.add(Count.HANGS, 1, "the killed child did not end within " + BOUND);
                        }
                    }
                }
                diedInside[0] += lockContender.diedInside;
                diedInside[1] += rlockContender.diedInside;
                long violations = data.getLong(VIOLATIONS);
                lockTally.add(Count.FAILURES, violations, "the holder found the data inconsistent or another process"
                        + " inside " + violations + " times");
                lockFailures.forEach(f -> lockTally.add(Count.FAILURES, 1, f));
                if (!zombie) {
                    rlockFailures.forEach(f -> rlockTally.add(Count.FAILURES, 1, f));
                }
                check(lock.tryAcquire(), lock::release, lockTally, "lock");
                check(rlock.tryAcquire(), rlock::release, rlockTally, "rlock");
                if (data.getLong(MARK) != 0 || data.getLong(A) != data.getLong(B)
                        || data.getLong(REGION + MARK) != 0 || data.getLong(REGION + A) != data.getLong(REGION + B)) {
                    lockTally.add(Count.FAILURES, 1, "guarded data after the trial: " + data);
                }
            }
            lockTally.add(Count.ORPHANS, FaultDriver.awaitGone(handles, BOUND), "processes alive after the trial " + pids);
            lockTally.add(Count.CRASHES, FaultTally.crashFiles(cwd, pids), "hs_err files of " + pids);
            killed.addAll(pids);
        }

        /**
         * Waits for the contender's first acquisition after the holder was seen dead; a HANG past the bound. The
         * recovery time counts from the kill.
         */
        private static void recover(Contender contender, long killedAt, long deadAt, FaultTally tally, String what)
                throws InterruptedException {
            long deadline = killedAt + BOUND.toNanos();
            while (contender.lastAcquired - deadAt < 0 && System.nanoTime() - deadline < 0) {
                Thread.sleep(1);
            }
            long acquired = contender.lastAcquired;
            if (acquired - deadAt < 0) {
                tally.add(Count.HANGS, 1, what + " not taken over within " + BOUND);
            } else {
                tally.recovery(Duration.ofNanos(acquired - killedAt));
            }
        }

        private static void check(boolean acquired, Runnable release, FaultTally tally, String what) {
            if (acquired) {
                release.run();
            } else {
                tally.add(Count.FAILURES, 1, what + " still held after the trial (expected free)");
            }
        }

        /**
         * As {@link ZombieHolderIT#startUnreapedHolder}: {@code sh} starts the holder and becomes {@code sleep},
         * which never reaps it; the holder runs with the flags of a quick start (C1 only, serial GC), since its
         * start is most of a trial's time.
         */
        private static Process startUnreapedHolder(String argument) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String script = "\"$0\" --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
                    + " -XX:-UsePerfData -Xmx64m -Djmultiprocessing.shm.dir=\"$3\" -cp \"$1\" \"$4\" \"$2\""
                    + " & exec sleep 120";
            return new ProcessBuilder("/bin/sh", "-c", script, java, System.getProperty("java.class.path"), argument,
                    io.github.jmultiprocessing.internal.shm.ShmDirectory.directory().toString(),
                    HolderMain.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        }

        private static long readPid(Process sleeper) throws Exception {
            BufferedReader out = new BufferedReader(new InputStreamReader(sleeper.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(60, TimeUnit.SECONDS);
            if (line == null || !line.startsWith("pid ")) {
                throw new IllegalStateException("holder line=" + line + " (expected pid <n>)");
            }
            return Long.parseLong(line.substring("pid ".length()));
        }

        /** Waits until the killed holder runs no more: a zombie ('Z'), or gone ('?': reaped, no /proc entry). */
        private static void awaitDead(long holder, FaultTally tally) throws Exception {
            long deadline = System.nanoTime() + BOUND.toNanos();
            for (char state; (state = FaultDriver.state(holder)) != 'Z' && state != '?'; ) {
                if (System.nanoTime() - deadline > 0) {
                    tally.add(Count.HANGS, 1, "the holder " + holder + " still ran " + BOUND + " after kill -9");
                    return;
                }
                Thread.sleep(1);
            }
        }
    }
}

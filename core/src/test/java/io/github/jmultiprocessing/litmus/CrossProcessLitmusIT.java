package io.github.jmultiprocessing.litmus;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.SharedMemory;
import io.github.jmultiprocessing.internal.queue.QueueChannel;
import io.github.jmultiprocessing.internal.ring.SpscRing;
import io.github.jmultiprocessing.internal.sync.LockLayout;
import io.github.jmultiprocessing.internal.sync.LockWord;
import io.github.jmultiprocessing.litmus.broken.BrokenLockLitmus;
import io.github.jmultiprocessing.testing.Children;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The litmus tests of the lock word and of the ring's publication across processes: two child JVMs (two JITs, two
 * address spaces) race over one real {@code /dev/shm} segment, which is what the production words are for.
 *
 * <p>A jcstress-style harness of its own, since jcstress runs its actors as threads of one JVM. Per scenario the
 * parent lays out {@code n} fresh cells (zeroed, or formatted: a ring, a lock held by a dead process) in one
 * segment; actor 0 runs in one child and actor 1 in the other; before sample {@code i} each child announces
 * {@code i + 1} in its own word (release) and spins (then yields) until the other's word reaches it (acquire), so
 * the two start each sample together. A sample's result is counted only if both actors ran it. Each scenario runs
 * until its sample count or its time slice ends (a child that hits the deadline says so in its word, and the other
 * stops at its next barrier). An actor that throws (a release of a lock it does not hold, say) reports that as its
 * outcome, forbidden everywhere. Around each sample each actor marks itself inside (volatile) and looks whether the
 * other is inside too: the report counts the samples both processes ran at once, since a loaded machine may run the
 * two children by turns. The parent then tallies the outcomes, as jcstress does, and fails on any FORBIDDEN one. Two
 * broken variants (acquire without CAS, header published before the payload) run the same way and must show their
 * forbidden outcome whenever at least {@value #MIN_OVERLAP} of their samples ran at once (else they are reported as
 * inconclusive), so that the harness is seen to catch what it is there for. The tables go to
 * {@code target/litmus/cross-process-report.md} and {@code queue-report.md}.
 */
class CrossProcessLitmusIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long CONTROL = 256;
    private static final long ARRIVED = 0; // + 64 * actor: the sample the actor has reached, + 1
    private static final long INSIDE = 128; // + 64 * actor: the sample the actor is in, + 1; 0 between samples
    private static final long STOPPED = Long.MAX_VALUE;
    private static final byte UNWRITTEN = (byte) 0x80;
    private static final int NONE = 0x8080_8080; // a result not written (the sample did not run)
    private static final long MIN_OVERLAP = 50; // samples run by both at once that must catch a broken variant
    private static final int THREW = -7; // the actor threw: forbidden in every scenario
    private static final VarHandle LONG = JAVA_LONG.varHandle();

    /** A litmus test: fresh cells, two actors, an arbiter, the forbidden outcomes. */
    enum Scenario {
        /** {@code LockWordLitmus.Mutex}: two processes try a free lock; exactly one wins. */
        LOCK_MUTEX(256, 200_000, 1500, false) {
            @Override
            int actor(int actor, MemorySegment cell) {
                return LockWord.tryAcquire(cell) ? 1 : 0;
            }

            @Override
            boolean forbidden(int r0, int r1, int arbiter) {
                return r0 + r1 != 1;
            }
        },
        /** {@code LockWordLitmus.Handoff}: x, y written under the lock in one process, read under it in the other. */
        LOCK_HANDOFF(256, 200_000, 1500, false) {
            @Override
            int actor(int actor, MemorySegment cell) {
                LockWord.acquireUninterruptibly(cell);
                int result = 0;
                if (actor == 0) {
                    cell.set(JAVA_LONG, LockWordLitmus.X, 1L);
                    cell.set(JAVA_LONG, LockWordLitmus.Y, 1L);
                } else {
                    result = (int) (cell.get(JAVA_LONG, LockWordLitmus.Y) * 10 + cell.get(JAVA_LONG, LockWordLitmus.X));
                }
                LockWord.release(cell);
                return result;
            }

            @Override
            boolean forbidden(int r0, int r1, int arbiter) {
                return r1 != 0 && r1 != 11;
            }
        },
        /** {@code LockWordLitmus.Increments}: a read-modify-write under the lock by both; the count ends at 2. */
        LOCK_INCREMENTS(256, 200_000, 1500, false) {
            @Override
            int actor(int actor, MemorySegment cell) {
                LockWord.acquireUninterruptibly(cell);
                long seen = cell.get(JAVA_LONG, LockWordLitmus.X);
                cell.set(JAVA_LONG, LockWordLitmus.X, seen + 1);
                LockWord.release(cell);
                return (int) seen;
            }

            @Override
            int arbiter(MemorySegment cell) {
                return LockWord.isLocked(cell) ? -1 : (int) cell.get(JAVA_LONG, LockWordLitmus.X);
            }

            @Override
            boolean forbidden(int r0, int r1, int arbiter) {
                return r0 + r1 != 1 || arbiter != 2;
            }
        },
        /** {@code LockWordLitmus.Takeover}: the lock of a dead process, taken over by one of two processes only. */
        LOCK_TAKEOVER(256, 400, 1500, false) {
            @Override
            void prepare(MemorySegment cell) {
                cell.set(JAVA_LONG, LockLayout.OWNER, LockWordLitmus.Takeover.DEAD_OWNER);
            }

            @Override
            int actor(int actor, MemorySegment cell) {
                int code;
                try {
                    code = LockWord.acquire(cell, 5_000_000_000L, false);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                if (code == LockWord.TIMED_OUT) {
                    return 0;
                }
                long others = (long) LONG.getAndAdd(cell, LockWordLitmus.X, 1L);
                Thread.onSpinWait();
                LONG.getAndAdd(cell, LockWordLitmus.X, -1L);
                LockWord.release(cell);
                return code + (others == 0 ? 0 : 10);
            }

            @Override
            int arbiter(MemorySegment cell) {
                return LockWord.isLocked(cell) ? 1 : 0;
            }

            @Override
            boolean forbidden(int r0, int r1, int arbiter) {
                return !(r0 == LockWord.RECOVERED && r1 == LockWord.ACQUIRED
                        || r0 == LockWord.ACQUIRED && r1 == LockWord.RECOVERED) || arbiter != 0;
            }
        },
        /**
         * {@code SpscRingLitmus.Chained}: records A, B written in one process, taken by polling in the other: none,
         * A, or A then B, each whole (10 * first + second: 0, 10, 12).
         */
        RING_PUBLICATION(768, 100_000, 1500, false) {
            @Override
            void prepare(MemorySegment cell) {
                SpscRing.createChained(cell, SpscRingLitmus.CAPACITY);
            }

            @Override
            int actor(int actor, MemorySegment cell) {
                try {
                    SpscRing ring = SpscRing.attach(cell);
                    if (actor == 0) {
                        if (!ring.tryWrite(SpscRingLitmus.A, 0, SpscRingLitmus.A.length)
                                || !ring.tryWrite(SpscRingLitmus.B, 0, SpscRingLitmus.B.length)) {
                            throw new AssertionError("no room in an empty ring");
                        }
                        return 0;
                    }
                    return takeTwo(ring);
                } catch (IOException e) {
                    return -1;
                }
            }

            @Override
            boolean forbidden(int r0, int r1, int arbiter) {
                return r1 != 0 && r1 != 10 && r1 != 12;
            }
        },
        /** Broken: {@link BrokenLockLitmus.NoCasAcquire} across processes; must show two holders. */
        BROKEN_LOCK_MUTEX(256, 100_000, 700, true) {
            @Override
            int actor(int actor, MemorySegment cell) {
                if ((long) LONG.getVolatile(cell, LockLayout.OWNER) == 0L) {
                    BrokenLockLitmus.widen();
                    LONG.setVolatile(cell, LockLayout.OWNER, actor + 1L); // BROKEN: not atomic with the read
                    return 1;
                }
                return 0;
            }

            @Override
            boolean forbidden(int r0, int r1, int arbiter) {
                return r0 + r1 != 1;
            }
        },
        /** Broken: the header published before the payload is copied; must show a torn record. */
        BROKEN_RING_HEADER_FIRST(768, 100_000, 700, true) {
            @Override
            void prepare(MemorySegment cell) {
                SpscRing.createChained(cell, SpscRingLitmus.CAPACITY);
            }

            @Override
            int actor(int actor, MemorySegment cell) {
                try {
                    SpscRing ring = SpscRing.attach(cell);
                    if (actor == 0) {
                        long tail = 0;
                        for (byte[] payload : List.of(SpscRingLitmus.A, SpscRingLitmus.B)) {
                            LONG.setRelease(cell, 640 + tail, (payload.length & 0xFFFF_FFFFL) | 1L << 32); // BROKEN
                            BrokenLockLitmus.widen();
                            MemorySegment.copy(payload, 0, cell, java.lang.foreign.ValueLayout.JAVA_BYTE,
                                    640 + tail + 8, payload.length);
                            tail += (8 + payload.length + 7) & ~7;
                            LONG.setRelease(cell, 0L, tail);
                        }
                        return 0;
                    }
                    return takeTwo(ring);
                } catch (IOException e) {
                    return -1;
                }
            }

            @Override
            boolean forbidden(int r0, int r1, int arbiter) {
                return r1 != 0 && r1 != 10 && r1 != 12;
            }
        };

        /**
         * The reader's part: polls (up to {@value #POLLS} times, so that it is still looking while the other process
         * writes) until it has taken two records. {@return 10 * the first record + the second (as
         * {@link SpscRingLitmus#classify} says; 0 for none)}
         */
        static int takeTwo(SpscRing ring) throws IOException {
            int taken = 0;
            int result = 0;
            for (int polls = 0; polls < POLLS && taken < 2; polls++) {
                int record = SpscRingLitmus.classify(ring.poll());
                if (record != 0) {
                    result = result * 10 + record;
                    taken++;
                }
            }
            return taken == 1 ? result * 10 : result;
        }

        static final int POLLS = 2_000;
        final long cellSize;
        final int samples;
        final long millis;
        final boolean broken;

        Scenario(long cellSize, int samples, long millis, boolean broken) {
            this.cellSize = cellSize;
            this.samples = samples;
            this.millis = millis;
            this.broken = broken;
        }

        void prepare(MemorySegment cell) {
            // zeroed: a free lock, data 0
        }

        abstract int actor(int actor, MemorySegment cell);

        int arbiter(MemorySegment cell) {
            return 0;
        }

        abstract boolean forbidden(int r0, int r1, int arbiter);

        long resultsAt() {
            return CONTROL;
        }

        long cellsAt() {
            return CONTROL + ((samples * 16L + 127) & ~127L);
        }

        long size() {
            return cellsAt() + samples * cellSize;
        }

        MemorySegment cell(MemorySegment memory, int i) {
            return memory.asSlice(cellsAt() + i * cellSize, cellSize);
        }
    }

    /** One child: actor {@code actor} of every scenario, in order, each over its own segment. */
    static void actors(int actor, Scenario[] scenarios, SharedMemory[] memories) {
        for (int s = 0; s < scenarios.length; s++) {
            Scenario scenario = scenarios[s];
            MemorySegment memory = memories[s].segment();
            long deadline = System.nanoTime() + scenario.millis * 1_000_000L;
            for (int i = 0; i < scenario.samples && System.nanoTime() - deadline < 0
                    && barrier(memory, actor, i, deadline); i++) {
                LONG.setVolatile(memory, INSIDE + 64L * actor, i + 1L); // then the other's: one of us sees both
                boolean overlapped = (long) LONG.getVolatile(memory, INSIDE + 64L * (1 - actor)) == i + 1L;
                int result;
                try {
                    result = scenario.actor(actor, scenario.cell(memory, i));
                } catch (RuntimeException e) { // the protocol broke (a release of a lock not held, ...): an outcome
                    result = THREW;
                }
                overlapped |= (long) LONG.getVolatile(memory, INSIDE + 64L * (1 - actor)) == i + 1L;
                LONG.setVolatile(memory, INSIDE + 64L * actor, 0L);
                memory.set(JAVA_INT, scenario.resultsAt() + i * 16L + actor * 4L, result);
                memory.set(JAVA_INT, scenario.resultsAt() + i * 16L + 8 + actor * 4L, overlapped ? 1 : 0);
            }
            LONG.setRelease(memory, ARRIVED + 64L * actor, STOPPED); // the other stops at its next barrier
        }
    }

    /** {@return true once both actors reached sample {@code i}; false if the other stopped or time is up} */
    private static boolean barrier(MemorySegment memory, int actor, int i, long deadline) {
        LONG.setRelease(memory, ARRIVED + 64L * actor, i + 1L); // pairs with the other's acquire below
        for (int spins = 0; ; spins++) {
            long other = (long) LONG.getAcquire(memory, ARRIVED + 64L * (1 - actor));
            if (other == STOPPED) {
                return false;
            }
            if (other >= i + 1) {
                return true;
            }
            if (spins < 2_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // 2 cores shared with other builds: give the other actor the CPU
                if ((spins & 255) == 0 && System.nanoTime() - deadline > 0) {
                    return false;
                }
            }
        }
    }

    @Test
    void shouldSeeNoForbiddenOutcomeAcrossTwoJvmsAndEveryOneInTheBrokenVariants() throws Exception {
        Scenario[] scenarios = Scenario.values();
        SharedMemory[] memories = new SharedMemory[scenarios.length];
        StringBuilder report = new StringBuilder("# Cross-process litmus tests (two child JVMs, one segment)\n");
        List<String> wrong = new ArrayList<>();
        try (Children children = new Children()) {
            for (int s = 0; s < scenarios.length; s++) {
                memories[s] = SharedMemory.create(scenarios[s].size());
                MemorySegment memory = memories[s].segment();
                memory.asSlice(scenarios[s].resultsAt(), scenarios[s].samples * 16L).fill(UNWRITTEN);
                for (int i = 0; i < scenarios[s].samples; i++) {
                    scenarios[s].prepare(scenarios[s].cell(memory, i));
                }
            }
            JvmProcess first = children.start(() -> actors(0, scenarios, memories));
            JvmProcess second = children.start(() -> actors(1, scenarios, memories));
            assertEquals(0, Children.joinWithin(first, WAIT));
            assertEquals(0, Children.joinWithin(second, WAIT));
            for (int s = 0; s < scenarios.length; s++) {
                Scenario scenario = scenarios[s];
                MemorySegment memory = memories[s].segment();
                Map<String, Long> outcomes = new TreeMap<>();
                long forbidden = 0;
                long samples = 0;
                long overlapped = 0;
                for (int i = 0; i < scenario.samples; i++) {
                    int r0 = memory.get(JAVA_INT, scenario.resultsAt() + i * 16L);
                    int r1 = memory.get(JAVA_INT, scenario.resultsAt() + i * 16L + 4);
                    if (r0 == NONE || r1 == NONE) {
                        continue; // not run by both
                    }
                    int arbiter = scenario.arbiter(scenario.cell(memory, i));
                    boolean bad = r0 == THREW || r1 == THREW || scenario.forbidden(r0, r1, arbiter);
                    outcomes.merge(r0 + ", " + r1 + ", " + arbiter + (bad ? "  FORBIDDEN" : ""), 1L, Long::sum);
                    forbidden += bad ? 1 : 0;
                    samples++;
                    overlapped += (memory.get(JAVA_LONG, scenario.resultsAt() + i * 16L + 8) != 0) ? 1 : 0;
                }
                report.append("\n## ").append(scenario).append(scenario.broken ? " (broken variant)" : "")
                        .append(": ").append(samples).append(" samples (").append(overlapped)
                        .append(" with both processes inside at once), ").append(forbidden).append(" forbidden\n\n")
                        .append("```\n");
                outcomes.forEach((outcome, count) -> report.append(String.format("%12d  %s%n", count, outcome)));
                report.append("```\n");
                if (!scenario.broken && forbidden > 0) {
                    wrong.add(scenario + ": " + forbidden + " forbidden outcomes in " + samples + " samples (expected"
                            + " none)");
                }
                if (scenario.broken && forbidden == 0 && overlapped >= MIN_OVERLAP) {
                    wrong.add(scenario + ": no forbidden outcome in " + samples + " samples, " + overlapped
                            + " of them with both processes inside at once (expected some: a broken variant must be"
                            + " caught)");
                } else if (scenario.broken && forbidden == 0) { // a loaded machine ran the children by turns
                    report.append("inconclusive: too few samples had both processes inside at once\n");
                }
                if (samples < (scenario == Scenario.LOCK_TAKEOVER ? 5 : 500)) {
                    wrong.add(scenario + ": only " + samples + " samples ran (the children hardly overlapped)");
                }
            }
        } finally {
            for (SharedMemory memory : memories) {
                if (memory != null) {
                    memory.unlink();
                    memory.close();
                }
            }
        }
        Path dir = Files.createDirectories(Path.of("target", "litmus"));
        Files.writeString(dir.resolve("cross-process-report.md"), report, StandardCharsets.UTF_8);
        System.out.println(report);
        assertTrue(wrong.isEmpty(), String.join("\n", wrong) + "\n" + report);
    }

    // ---- the multi-producer, multi-consumer queue

    private static final int QUEUE_MESSAGES = 300_000; // per producer, at most
    private static final long QUEUE_MILLIS = 1500;
    private static final long PUTS = 0; // + 64 * producer: messages put, once done (+ 1 so that 0 means running)
    private static final long TAKES = 128; // + 64 * consumer: messages taken
    private static final long TAKEN = 256; // consumer c's ids from TAKEN + c * QUEUE_MESSAGES * 8

    /**
     * One child: a producer thread putting ids {@code actor << 24 | k} and this thread taking whatever comes (no
     * wait), recording the ids it took in order; it stops once both producers are done and the queue looks empty
     * (the parent takes what is left).
     */
    static void queueActor(int actor, String name, SharedMemory shared) {
        MemorySegment results = shared.segment();
        QueueChannel queue = QueueChannel.attach(name);
        try {
            long deadline = System.nanoTime() + QUEUE_MILLIS * 1_000_000L;
            Thread producer = new Thread(() -> {
                int k = 0;
                try {
                    byte[] message = new byte[4];
                    for (; k < QUEUE_MESSAGES && System.nanoTime() - deadline < 0; k++) {
                        int id = actor << 24 | k;
                        message[0] = (byte) (id >>> 24);
                        message[1] = (byte) (id >>> 16);
                        message[2] = (byte) (id >>> 8);
                        message[3] = (byte) id;
                        if (!queue.put(message, -1, () -> false)) {
                            throw new AssertionError("an unbounded put refused");
                        }
                    }
                } catch (InterruptedException | IOException e) {
                    throw new AssertionError(e);
                } finally {
                    LONG.setRelease(results, PUTS + 64L * actor, k + 1L); // after its last put
                }
            });
            producer.start();
            long taken = 0;
            long giveUp = deadline + 30_000_000_000L;
            while (System.nanoTime() - giveUp < 0) {
                byte[] message = queue.get(0, () -> false);
                if (message != null) {
                    int id = (message[0] & 0xFF) << 24 | (message[1] & 0xFF) << 16 | (message[2] & 0xFF) << 8
                            | message[3] & 0xFF;
                    results.set(JAVA_INT, TAKEN + ((long) actor * 2 * QUEUE_MESSAGES + taken) * 4, id);
                    taken++;
                } else if ((long) LONG.getAcquire(results, PUTS) != 0 && (long) LONG.getAcquire(results, PUTS + 64) != 0) {
                    break; // both producers done and nothing left for this consumer now
                } else {
                    Thread.onSpinWait();
                }
            }
            producer.join();
            LONG.setRelease(results, TAKES + 64L * actor, taken);
        } catch (InterruptedException | IOException e) {
            throw new AssertionError(e);
        } finally {
            queue.close();
        }
    }

    /**
     * Two JVMs, each a producer and a consumer on one queue (so two producers race for the producers' lock and two
     * consumers for the consumers'; a first ring of 4 KiB, so the queue chains new rings and unlinks drained ones
     * as it goes): every record put is taken exactly once, none lost, none twice, none made up, and each consumer
     * takes each producer's records in the order they were put.
     */
    @Test
    void shouldHandEveryRecordOfTwoProducingJvmsToExactlyOneOfTwoConsumingJvms() throws Exception {
        try (Children children = new Children(); QueueChannel queue = QueueChannel.create(0, 4096, false);
                SharedMemory shared = SharedMemory.create(TAKEN + 2L * 2 * QUEUE_MESSAGES * 4)) {
            String name = queue.name();
            try {
                JvmProcess first = children.start(() -> queueActor(0, name, shared));
                JvmProcess second = children.start(() -> queueActor(1, name, shared));
                assertEquals(0, Children.joinWithin(first, WAIT));
                assertEquals(0, Children.joinWithin(second, WAIT));
            } finally {
                shared.unlink(); // mapped here until closed: the tally below reads it
            }
            MemorySegment results = shared.segment();
            long[] puts = {results.get(JAVA_LONG, PUTS) - 1, results.get(JAVA_LONG, PUTS + 64) - 1};
            int[][] seen = {new int[(int) puts[0]], new int[(int) puts[1]]};
            long garbage = 0;
            long disorder = 0;
            long[] takes = new long[3];
            for (int c = 0; c < 3; c++) { // the two consumers, then what the parent takes
                int[] last = {-1, -1};
                for (long n = 0; ; n++) {
                    int id;
                    if (c < 2) {
                        if (n == results.get(JAVA_LONG, TAKES + 64L * c)) {
                            break;
                        }
                        id = results.get(JAVA_INT, TAKEN + ((long) c * 2 * QUEUE_MESSAGES + n) * 4);
                    } else {
                        byte[] message = queue.get(0, () -> false);
                        if (message == null) {
                            break;
                        }
                        id = (message[0] & 0xFF) << 24 | (message[1] & 0xFF) << 16 | (message[2] & 0xFF) << 8
                                | message[3] & 0xFF;
                    }
                    takes[c]++;
                    int producer = id >>> 24;
                    int k = id & 0xFF_FFFF;
                    if (producer > 1 || k >= puts[producer]) {
                        garbage++;
                        continue;
                    }
                    seen[producer][k]++;
                    disorder += k > last[producer] ? 0 : 1;
                    last[producer] = k;
                }
            }
            long lost = Arrays.stream(seen).flatMapToInt(Arrays::stream).filter(n -> n == 0).count();
            long twice = Arrays.stream(seen).flatMapToInt(Arrays::stream).filter(n -> n > 1).count();
            String tally = "puts=" + Arrays.toString(puts) + " takes (consumer 0, consumer 1, parent)="
                    + Arrays.toString(takes) + " lost=" + lost + " twice=" + twice + " garbage=" + garbage
                    + " out of order=" + disorder;
            Path dir = Files.createDirectories(Path.of("target", "litmus"));
            Files.writeString(dir.resolve("queue-report.md"), "# Queue, 2 producer and 2 consumer JVMs\n\n" + tally
                    + "\n", StandardCharsets.UTF_8);
            System.out.println(tally);
            assertTrue(puts[0] > 1000 && puts[1] > 1000 && takes[0] > 0 && takes[1] > 0, tally);
            assertEquals(0, lost + twice + garbage + disorder, tally);
        }
    }
}

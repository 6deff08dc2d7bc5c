package io.github.jmultiprocessing;

import io.github.jmultiprocessing.testing.CheckedMessages;
import io.github.jmultiprocessing.testing.FaultTally.Count;
import io.github.jmultiprocessing.testing.FaultTally;
import io.github.jmultiprocessing.testing.FaultTrials;
import io.github.jmultiprocessing.testing.TrialLog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault suite, issue 14: a consumer process killed ({@code kill -9}) in the middle of taking large messages
 * (64 KiB to 1 MiB) from a {@link SharedQueue}, a bounded one or a {@link SharedJoinableQueue}, while the trial's
 * main JVM puts and takes too (a producer thread and a consumer thread there). The other consumer goes on (its next
 * take after the death is the recovery), takes every message left, none twice, none garbage.
 *
 * <p>Allowance: at most one message lost per consumer killed, the one it had taken (or was taking: a get is counted
 * before the message is copied out) when it died: the queue cannot give back a message a process took and died
 * with. CPython's allowance is the same or worse: its {@code get} takes the message off the pipe under the readers'
 * lock and a consumer killed there loses it, and one killed holding that lock blocks every other consumer for good.
 * A trial that loses more than one also counts a FAILURE.
 */
class QueueConsumerFaultIT {

    private static final Duration TRIAL_BOUND = Duration.ofSeconds(60);
    /** The longest a survivor may take to move on after the death (a 2-core host shared with other builds). */
    private static final Duration HANG_BOUND = Duration.ofSeconds(5);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration AIM = Duration.ofSeconds(1);
    private static final Duration GET_TIMEOUT = Duration.ofMillis(100);
    /** Most messages put before the kill (some are taken after it); the messages put after it. */
    private static final int BEFORE = 300;
    private static final int AFTER = 4;
    private static final int TOTAL = BEFORE + AFTER;
    /** Most messages put and not yet taken (an unbounded queue would otherwise hold hundreds of MiB). */
    private static final int IN_FLIGHT = 8;
    private static final int VICTIM = 0;
    private static final int SURVIVOR = 1;
    // status slots per consumer: inside a get (1) or not, messages taken, garbage taken, started; then the stop flag
    private static final int IN_GET = 0;
    private static final int TAKEN = 1;
    private static final int GARBAGE = 2;
    private static final int STARTED = 3;
    private static final int SLOTS = 4;
    /** Messages the victim takes before its kill moment is drawn: past its first, slow, takes in a fresh JVM. */
    private static final int WARM = 3;
    private static final int STOP = 2 * SLOTS;

    /**
     * A consumer: takes until the queue is empty and the stop flag is set, counting each message's sequence number
     * in {@code seen} and each message that does not check in its garbage slot.
     */
    static void consume(SharedQueue<byte[]> queue, int me, SharedArray seen, SharedArray status) throws Exception {
        SharedJoinableQueue<byte[]> joinable = queue instanceof SharedJoinableQueue<byte[]> j ? j : null;
        status.setLong(me * SLOTS + STARTED, 1);
        while (true) {
            status.setLong(me * SLOTS + IN_GET, 1);
            byte[] message;
            try {
                message = queue.get(GET_TIMEOUT);
            } catch (QueueEmptyException e) {
                status.setLong(me * SLOTS + IN_GET, 0);
                if (status.getLong(STOP) != 0) {
                    return;
                }
                continue;
            }
            status.setLong(me * SLOTS + IN_GET, 0);
            if (joinable != null) {
                joinable.taskDone();
            }
            try {
                int seq = CheckedMessages.check(message).seq();
                if (seq < 0 || seq >= TOTAL) {
                    throw new IllegalArgumentException("seq=" + seq + " (expected 0.." + (TOTAL - 1) + ")");
                }
                seen.incrementAndGet(seq);
            } catch (IllegalArgumentException garbage) {
                System.err.println("consumer " + me + ": garbage: " + garbage.getMessage());
                status.incrementAndGet(me * SLOTS + GARBAGE);
            }
            status.incrementAndGet(me * SLOTS + TAKEN);
        }
    }

    /** One trial, in a JVM with a shared-memory directory of its own: {@code main(seed, trial)}. */
    public static final class TrialMain {

        public static void main(String[] args) throws Exception {
            long seed = Long.parseLong(args[0]);
            int trial = Integer.parseInt(args[1]);
            SplittableRandom random = new SplittableRandom(seed);
            SharedQueue<byte[]> queue = CheckedMessages.queueFor(trial);
            String what = CheckedMessages.queueName(trial, seed);
            SharedArray seen = SharedArray.rawOfLength('q', TOTAL);
            SharedArray status = SharedArray.rawOfLength('q', STOP + 1);
            JvmProcess victim = new JvmProcess(() -> consume(queue, VICTIM, seen, status));
            List<JvmProcess> children = List.of(victim);
            CompletableFuture<Object> survivor = null;
            CountDownLatch afterKill = new CountDownLatch(1);
            CheckedMessages messages = new CheckedMessages(0, seed);
            long lengthSeed = random.nextLong();
            var producer = TrialLog.within(Duration.ZERO, () -> {
                SplittableRandom lengths = new SplittableRandom(lengthSeed);
                int seq = 0;
                long until = System.nanoTime() + WAIT.toNanos();
                while ((status.getLong(VICTIM * SLOTS + STARTED) == 0
                        || status.getLong(SURVIVOR * SLOTS + STARTED) == 0) && System.nanoTime() - until < 0) {
                    Thread.sleep(1); // both consumers take from the first message on
                }
                while (afterKill.getCount() > 0 && seq < BEFORE) { // until the kill
                    while (seq - taken(status) >= IN_FLIGHT && afterKill.getCount() > 0) {
                        Thread.sleep(1);
                    }
                    queue.put(messages.make(seq++, CheckedMessages.length(lengths)));
                }
                afterKill.await();
                for (int i = 0; i < AFTER; i++) { // the survivor has something to take after the death
                    queue.put(messages.make(seq++, CheckedMessages.length(lengths)));
                }
                return seq;
            });
            boolean hung = false;
            try {
                for (JvmProcess child : children) {
                    child.setDaemon(true);
                    child.start();
                    TrialLog.pid(child.pid().orElseThrow());
                }
                survivor = TrialLog.within(Duration.ZERO, () -> { // in this JVM: another process than the victim
                    consume(queue, SURVIVOR, seen, status);
                    return null;
                });
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (status.getLong(VICTIM * SLOTS + TAKEN) < WARM && System.nanoTime() - deadline < 0
                        && !producer.isDone()) {
                    Thread.sleep(1); // the survivor may win most takes: a waking process comes late on a busy host
                }
                // The kill moment: 0-30 ms after its third take; in half the trials then at once when it next holds
                // the consumers' lock (inside a get, copying a message out), the case where the survivor must take
                // the lock over.
                long[] kill = TrialLog.killAimingAtLock(victim, queue, "consumers", 30_000_000L, AIM, random);
                boolean holding = kill[0] != 0;
                long killed = kill[1]; // recoveries count from here
                if (!victim.join(WAIT)) {
                    TrialLog.count(Count.FAILURES, 1, "the victim still runs " + WAIT + " after kill(): " + what);
                }
                long dead = System.nanoTime();
                boolean inGet = status.getLong(VICTIM * SLOTS + IN_GET) != 0;
                long takenAtDeath = status.getLong(SURVIVOR * SLOTS + TAKEN);
                TrialLog.stat("kills", 1);
                TrialLog.stat("killsInsideGet", inGet ? 1 : 0);
                TrialLog.stat("killsHoldingTheConsumersLock", holding ? 1 : 0);
                TrialLog.note("victim died after " + status.getLong(VICTIM * SLOTS + TAKEN) + " takes, "
                        + (inGet ? "inside" : "outside") + " a get" + (holding ? ", holding the consumers' lock" : "")
                        + ": " + what);
                afterKill.countDown();

                // The survivor goes on: its next take after the death (the producer puts more from now on).
                while (status.getLong(SURVIVOR * SLOTS + TAKEN) == takenAtDeath
                        && System.nanoTime() - dead < HANG_BOUND.toNanos() && !survivor.isDone()) {
                    LockSupport.parkNanos(100_000); // not a spin: two cores, the survivor needs one
                }
                long took = System.nanoTime() - killed;
                if (status.getLong(SURVIVOR * SLOTS + TAKEN) == takenAtDeath) {
                    hung = true;
                    TrialLog.count(Count.HANGS, 1, "the survivor took nothing within " + HANG_BOUND + " of the"
                            + " victim's death (" + sum(seen) + " taken, survivor alive="
                            + !survivor.isDone() + "): " + what);
                } else {
                    TrialLog.recovery(took);
                }
                int total = (Integer) producer.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                deadline = System.nanoTime() + WAIT.toNanos();
                while (sum(seen) + garbage(status) < total - 1 && System.nanoTime() - deadline < 0
                        && !survivor.isDone()) {
                    Thread.sleep(1);
                }
                status.setLong(STOP, 1);
                try {
                    survivor.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    hung = true;
                    TrialLog.count(Count.HANGS, 1, "the survivor still takes " + WAIT + " after the producer"
                            + " ended (" + sum(seen) + " of " + total + " taken): " + what);
                } catch (ExecutionException e) {
                    TrialLog.count(Count.FAILURES, 1, "the survivor threw " + e.getCause() + ": " + what);
                }
                long lost = 0;
                for (int seq = 0; seq < total; seq++) {
                    long times = seen.getLong(seq);
                    lost += times == 0 ? 1 : 0;
                    TrialLog.count(Count.LOST, times == 0 ? 1 : 0, "message " + seq + " never taken: " + what);
                    TrialLog.count(Count.DUPLICATED, Math.max(0, times - 1), "message " + seq + " taken " + times
                            + " times: " + what);
                }
                TrialLog.count(Count.FAILURES, lost > 1 ? 1 : 0, lost + " messages lost with one consumer killed"
                        + " (expected at most 1): " + what);
                TrialLog.count(Count.GARBAGE, garbage(status), "messages that did not check (see the consumers'"
                        + " stderr): " + what);
            } catch (TimeoutException e) {
                hung = true;
                TrialLog.count(Count.HANGS, 1, "the producer's puts did not end within " + WAIT + " (" + sum(seen)
                        + " taken): " + what);
            } finally {
                for (JvmProcess child : children) {
                    if (child.pid().isPresent() && child.isAlive()) {
                        child.kill();
                        child.join(WAIT);
                    }
                }
            }
            if (!hung) {
                queue.close();
                seen.close();
                status.close();
            }
            TrialLog.reapNow();
            TrialLog.done();
            System.exit(0);
        }

        private static long sum(SharedArray seen) {
            long sum = 0;
            for (int seq = 0; seq < TOTAL; seq++) {
                sum += seen.getLong(seq) > 0 ? 1 : 0;
            }
            return sum;
        }

        private static long taken(SharedArray status) {
            return status.getLong(VICTIM * SLOTS + TAKEN) + status.getLong(SURVIVOR * SLOTS + TAKEN);
        }

        private static long garbage(SharedArray status) {
            return status.getLong(VICTIM * SLOTS + GARBAGE) + status.getLong(SURVIVOR * SLOTS + GARBAGE);
        }
    }

    @Test
    @Timeout(600)
    void shouldLetTheOtherConsumersTakeEveryMessageButTheKilledOnesWhenAConsumerIsKilledMidGet() throws Exception {
        FaultTally tally = new FaultTally("consumer killed mid-get of 64 KiB-1 MiB messages, a second consumer"
                + " goes on (SharedQueue, bounded, SharedJoinableQueue)");
        int trials = FaultTrials.trials();
        // One message per consumer killed (one per trial), see the class comment.
        FaultTrials.runScenario(tally, FaultTrials.seed(), TrialMain.class, TRIAL_BOUND,
                Map.of(Count.LOST, (long) trials));
    }
}

package io.github.jmultiprocessing;

import io.github.jmultiprocessing.testing.CheckedMessages;
import io.github.jmultiprocessing.testing.FaultTally.Count;
import io.github.jmultiprocessing.testing.FaultTally;
import io.github.jmultiprocessing.testing.FaultTrials;
import io.github.jmultiprocessing.testing.TrialLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault suite, issue 14: a producer killed ({@code kill -9}) in the middle of putting large messages (64 KiB to
 * 1 MiB, larger than a queue's first 64 KiB ring, so that puts create and link further rings) into a
 * {@link SharedQueue}, a bounded one or a {@link SharedJoinableQueue}, while the trial's main JVM consumes. The
 * consumer never gets garbage (every message checks itself, {@link CheckedMessages}), never waits past its timeout,
 * gets every message whose put returned before the kill exactly once and in order, and the queue goes on working
 * for the other producers: a put by this JVM right after the death (its time is the recovery), and a second
 * producer (a thread of this JVM, another process than the victim) that keeps putting across the kill.
 */
class QueueProducerFaultIT {

    private static final Duration TRIAL_BOUND = Duration.ofSeconds(60);
    /** A get's own timeout; a get that has not returned this long after it is a hang. */
    private static final Duration GET_TIMEOUT = Duration.ofMillis(300);
    /** The longest a survivor may take to move on after the death (a 2-core host shared with other builds). */
    private static final Duration HANG_BOUND = Duration.ofSeconds(5);
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The longest wait for the victim to hold the lock, in the trials that aim at it. */
    private static final Duration AIM = Duration.ofSeconds(1);
    private static final int VICTIM = 0;
    private static final int SECOND = 1;
    private static final int PROBE = 2;
    private static final int SECOND_COUNT = 24;
    private static final Duration SECOND_PAUSE = Duration.ofMillis(2);
    // progress slots per sender: sequence number + 1 of the put begun, of the put returned
    private static final int BEGUN = 0;
    private static final int RETURNED = 1;
    private static final int SLOTS = 2;

    /**
     * A producer: puts {@code count} checked messages, {@code pauseNanos} apart, saying before and after each put
     * how far it got.
     */
    static void produce(SharedQueue<byte[]> queue, int sender, long seed, int count, long pauseNanos,
            SharedArray progress) throws InterruptedException {
        CheckedMessages messages = new CheckedMessages(sender, seed);
        SplittableRandom random = new SplittableRandom(seed);
        for (int seq = 0; seq < count; seq++) {
            byte[] message = messages.make(seq, CheckedMessages.length(random));
            progress.setLong(sender * SLOTS + BEGUN, seq + 1);
            queue.put(message);
            progress.setLong(sender * SLOTS + RETURNED, seq + 1);
            LockSupport.parkNanos(pauseNanos);
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
            SharedArray progress = SharedArray.rawOfLength('q', 3 * SLOTS);
            Consumer consumer = new Consumer(queue, queue instanceof SharedJoinableQueue<byte[]> joinable
                    ? joinable : null);
            consumer.thread.start();
            List<JvmProcess> children = new ArrayList<>();
            long victimSeed = random.nextLong();
            JvmProcess victim = new JvmProcess(() -> produce(queue, VICTIM, victimSeed, Integer.MAX_VALUE, 0,
                    progress));
            children.add(victim);
            long secondSeed = random.nextLong();
            CompletableFuture<Object> second = null;
            boolean hung = false;
            try {
                for (JvmProcess child : children) {
                    child.setDaemon(true);
                    child.start();
                    TrialLog.pid(child.pid().orElseThrow());
                }
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (progress.getLong(VICTIM * SLOTS + RETURNED) == 0 && System.nanoTime() - deadline < 0) {
                    Thread.sleep(1);
                }
                if (progress.getLong(VICTIM * SLOTS + RETURNED) == 0) {
                    TrialLog.count(Count.FAILURES, 1, "the victim put nothing within " + WAIT + ": " + what);
                }
                second = TrialLog.within(Duration.ZERO, () -> { // puts for about 50 ms, across the kill
                    produce(queue, SECOND, secondSeed, SECOND_COUNT, SECOND_PAUSE.toNanos(), progress);
                    return null;
                });
                // The kill moment: 0-40 ms into its puts; in half the trials then at once when it next holds the
                // producers' lock (inside a put, copying), the case where the others must take the lock over.
                long[] kill = TrialLog.killAimingAtLock(victim, queue, "producers", 40_000_000L, AIM, random);
                boolean holding = kill[0] != 0;
                long killed = kill[1]; // recoveries count from here
                if (!victim.join(WAIT)) {
                    TrialLog.count(Count.FAILURES, 1, "the victim still runs " + WAIT + " after kill(): " + what);
                }
                TrialLog.stat("killsHoldingTheProducersLock", holding ? 1 : 0);
                long begun = progress.getLong(VICTIM * SLOTS + BEGUN);
                long returned = progress.getLong(VICTIM * SLOTS + RETURNED);
                TrialLog.stat("kills", 1);
                TrialLog.stat("killsInsidePut", begun > returned ? 1 : 0);
                TrialLog.note("victim died after " + returned + " puts, " + (begun > returned ? "inside" : "outside")
                        + " a put" + (holding ? ", holding the producers' lock" : "") + ": " + what);

                // The queue goes on for the others: this JVM puts at once (the dead producer may hold the lock).
                byte[] probe = new CheckedMessages(PROBE, seed).make(0, CheckedMessages.length(random));
                var put = TrialLog.within(HANG_BOUND, () -> {
                    queue.put(probe);
                    return null;
                });
                long took = System.nanoTime() - killed;
                if (!put.isDone()) {
                    hung = true;
                    TrialLog.count(Count.HANGS, 1, "a put after the producer's death waited " + HANG_BOUND + ": "
                            + what);
                } else if (put.isCompletedExceptionally()) {
                    TrialLog.count(Count.FAILURES, 1, "a put after the producer's death threw "
                            + put.exceptionNow() + ": " + what);
                } else {
                    TrialLog.recovery(took);
                }
                try {
                    second.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    hung = true;
                    TrialLog.count(Count.HANGS, 1, "the second producer did not finish its " + SECOND_COUNT
                            + " puts within " + WAIT + " (" + progress.getLong(SECOND * SLOTS + RETURNED)
                            + " returned): " + what);
                } catch (ExecutionException e) {
                    TrialLog.count(Count.FAILURES, 1, "the second producer threw " + e.getCause() + ": " + what);
                }
                consumer.stop = true;
                consumer.thread.join(WAIT.toMillis());
                if (consumer.thread.isAlive() || consumer.hung) {
                    hung = true;
                    TrialLog.count(Count.HANGS, 1, "the consumer's get(" + GET_TIMEOUT + ") did not return within "
                            + HANG_BOUND + " more: " + what);
                }
                consumer.check(returned, begun,
                        progress.getLong(SECOND * SLOTS + RETURNED), put.isDone() ? 1 : 0, what);
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
                progress.close();
            }
            TrialLog.reapNow();
            TrialLog.done();
            System.exit(0);
        }
    }

    /** The trial main's consumer thread: takes with a timeout until told to stop and the queue is empty. */
    static final class Consumer implements Runnable {

        final Thread thread = Thread.ofPlatform().daemon().name("consumer").unstarted(this);
        final SharedQueue<byte[]> queue;
        final SharedJoinableQueue<byte[]> joinable;
        final List<List<Integer>> received = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        volatile boolean stop;
        volatile boolean hung;

        Consumer(SharedQueue<byte[]> queue, SharedJoinableQueue<byte[]> joinable) {
            this.queue = queue;
            this.joinable = joinable;
        }

        @Override
        public void run() {
            while (true) {
                boolean stopping = stop; // read before the get: an empty queue after it ends the loop
                long start = System.nanoTime();
                var got = TrialLog.within(GET_TIMEOUT.plus(HANG_BOUND), () -> queue.get(GET_TIMEOUT));
                if (!got.isDone()) {
                    hung = true;
                    return;
                }
                if (got.isCompletedExceptionally()) {
                    Throwable thrown = got.exceptionNow();
                    if (thrown instanceof QueueEmptyException) {
                        if (stopping) {
                            return;
                        }
                        continue;
                    }
                    problems.add("FAILURES get threw " + thrown + " after " + TrialLog.millis(System.nanoTime()
                            - start));
                    continue;
                }
                byte[] message = got.resultNow();
                if (joinable != null) {
                    joinable.taskDone();
                }
                try {
                    CheckedMessages.Checked checked = CheckedMessages.check(message);
                    if (checked.sender() < 0 || checked.sender() > PROBE) {
                        problems.add("GARBAGE sender=" + checked.sender());
                    } else {
                        received.get(checked.sender()).add(checked.seq());
                    }
                } catch (IllegalArgumentException garbage) {
                    problems.add("GARBAGE " + garbage.getMessage());
                }
            }
        }

        /**
         * Counts what was lost, duplicated, out of order or never sent: the victim's messages below
         * {@code returned} must all be there (the one at {@code returned} may be, if the kill came after it was
         * published), none at or past {@code begun} exists; the second producer's and the probe all are there.
         */
        void check(long returned, long begun, long secondReturned, int probes, String what) {
            for (String problem : problems) {
                String[] words = problem.split(" ", 2);
                TrialLog.count(Count.valueOf(words[0]), 1, words[1] + ": " + what);
            }
            checkSender("victim", received.get(VICTIM), returned, Math.max(begun, returned), what);
            checkSender("second producer", received.get(SECOND), secondReturned, secondReturned, what);
            checkSender("probe", received.get(PROBE), probes, probes, what);
        }

        private static void checkSender(String who, List<Integer> seqs, long complete, long started, String what) {
            long[] times = new long[(int) Math.max(complete, started) + 1];
            int previous = -1;
            for (int seq : seqs) {
                if (seq < 0 || seq >= started) {
                    TrialLog.count(Count.GARBAGE, 1, who + " message " + seq + " whose put never began ("
                            + started + " begun): " + what);
                    continue;
                }
                if (seq <= previous) {
                    TrialLog.count(Count.FAILURES, 1, who + " message " + seq + " after " + previous
                            + " (expected the order of its puts): " + what);
                }
                previous = seq;
                times[seq]++;
            }
            for (int seq = 0; seq < times.length; seq++) {
                if (seq < complete && times[seq] == 0) {
                    TrialLog.count(Count.LOST, 1, who + " message " + seq + " put before the kill, never received"
                            + " (" + seqs.size() + " received): " + what);
                }
                TrialLog.count(Count.DUPLICATED, Math.max(0, times[seq] - 1), who + " message " + seq + " received "
                        + times[seq] + " times: " + what);
            }
        }
    }

    @Test
    @Timeout(600)
    void shouldDeliverEveryMessagePutBeforeAProducerWasKilledMidPutAndNothingElse() throws Exception {
        FaultTally tally = new FaultTally("producer killed mid-put of 64 KiB-1 MiB messages (SharedQueue,"
                + " bounded, SharedJoinableQueue; a second producer goes on)");
        FaultTrials.runScenario(tally, FaultTrials.seed(), TrialMain.class, TRIAL_BOUND, Map.of());
    }
}

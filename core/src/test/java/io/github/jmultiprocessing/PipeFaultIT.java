package io.github.jmultiprocessing;

import io.github.jmultiprocessing.testing.CheckedMessages;
import io.github.jmultiprocessing.testing.FaultTally.Count;
import io.github.jmultiprocessing.testing.FaultTally;
import io.github.jmultiprocessing.testing.FaultTrials;
import io.github.jmultiprocessing.testing.TrialLog;
import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault suite, issue 14: the sending or the receiving process of a {@link Pipe} killed ({@code kill -9}) in the
 * middle of a message of 64 KiB to 1 MiB (larger than the pipe's 64 KiB ring, so it travels in pieces), simplex and
 * duplex pipes in turn. When the sender dies, the receiver gets every message whose send returned before the kill,
 * never a piece of the half one or garbage, then {@link EOFException} (the documented end of the stream) within a
 * bound of the death: the recovery. When the receiver dies, the sender blocked in the middle of a message gets the
 * documented {@link IOException} ("broken pipe") within a bound, and what the receiver took before it died was
 * whole and in order.
 */
class PipeFaultIT {

    private static final Duration TRIAL_BOUND = Duration.ofSeconds(60);
    /** The longest a survivor may take to move on after the death (a 2-core host shared with other builds). */
    private static final Duration HANG_BOUND = Duration.ofSeconds(5);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration AIM = Duration.ofSeconds(1);
    /** Messages sent or received before the kill moment is drawn: past the first, slow, ones of a fresh JVM. */
    private static final int WARM = 2;
    // progress slots: the sender's sequence number + 1 of the send begun, of the send returned; the receiver's
    // messages received, inside a recv (1) or not, garbage, gaps, repeats
    private static final int BEGUN = 0;
    private static final int RETURNED = 1;
    private static final int RECEIVED = 2;
    private static final int IN_RECV = 3;
    private static final int GARBAGE = 4;
    private static final int GAPS = 5;
    private static final int REPEATS = 6;
    private static final int SLOTS = 7;

    /** A sender: sends checked messages until it is killed, saying before and after each send how far it got. */
    static void sendAll(Connection conn, long seed, SharedArray progress) throws Exception {
        CheckedMessages messages = new CheckedMessages(0, seed);
        SplittableRandom random = new SplittableRandom(seed);
        for (int seq = 0; ; seq++) {
            byte[] message = messages.make(seq, CheckedMessages.length(random));
            progress.setLong(BEGUN, seq + 1);
            conn.sendBytes(message);
            progress.setLong(RETURNED, seq + 1);
        }
    }

    /** A receiver: receives until the end of the stream, counting messages, garbage, gaps and repeats. */
    static void receiveAll(Connection conn, SharedArray progress) throws Exception {
        int expected = 0;
        while (true) {
            progress.setLong(IN_RECV, 1);
            byte[] message;
            try {
                message = conn.recvBytes();
            } catch (EOFException e) {
                return;
            }
            progress.setLong(IN_RECV, 0);
            try {
                int seq = CheckedMessages.check(message).seq();
                if (seq > expected) {
                    progress.addAndGet(GAPS, seq - expected);
                } else if (seq < expected) {
                    progress.incrementAndGet(REPEATS);
                }
                expected = Math.max(expected, seq + 1);
            } catch (IllegalArgumentException garbage) {
                System.err.println("receiver: garbage: " + garbage.getMessage());
                progress.incrementAndGet(GARBAGE);
            }
            progress.incrementAndGet(RECEIVED);
        }
    }

    /** One trial, in a JVM with a shared-memory directory of its own: {@code main(seed, trial)}. */
    public static final class TrialMain {

        public static void main(String[] args) throws Exception {
            long seed = Long.parseLong(args[0]);
            int trial = Integer.parseInt(args[1]);
            SplittableRandom random = new SplittableRandom(seed);
            boolean senderDies = trial % 2 == 0;
            boolean duplex = trial / 2 % 2 == 0;
            String what = (senderDies ? "sender" : "receiver") + " killed, " + (duplex ? "duplex" : "simplex")
                    + " pipe, seed=" + seed;
            Pipe pipe = Pipe.open(duplex);
            Connection receiving = pipe.left();
            Connection sending = pipe.right();
            SharedArray progress = SharedArray.rawOfLength('q', SLOTS);
            long senderSeed = random.nextLong();
            JvmProcess victim = senderDies ? new JvmProcess(() -> sendAll(sending, senderSeed, progress))
                    : new JvmProcess(() -> receiveAll(receiving, progress));
            victim.setDaemon(true);
            boolean hung = false;
            try {
                victim.start();
                TrialLog.pid(victim.pid().orElseThrow());
                (senderDies ? sending : receiving).close(); // this process's copy: the child's is the only one
                Connection mine = senderDies ? receiving : sending;
                List<Integer> received = Collections.synchronizedList(new ArrayList<>());
                long[] ended = new long[1];
                CompletableFuture<Object> survivor = TrialLog.within(Duration.ZERO, senderDies ? () -> {
                    while (true) {
                        byte[] message;
                        try {
                            message = mine.recvBytes();
                        } catch (EOFException e) {
                            ended[0] = System.nanoTime();
                            throw e;
                        }
                        try {
                            received.add(CheckedMessages.check(message).seq());
                        } catch (IllegalArgumentException garbage) {
                            received.add(-1);
                            TrialLog.count(Count.GARBAGE, 1, garbage.getMessage() + ": " + what);
                        }
                    }
                } : () -> {
                    CheckedMessages messages = new CheckedMessages(0, senderSeed);
                    SplittableRandom lengths = new SplittableRandom(senderSeed);
                    for (int seq = 0; ; seq++) {
                        byte[] message = messages.make(seq, CheckedMessages.length(lengths));
                        progress.setLong(BEGUN, seq + 1);
                        try {
                            mine.sendBytes(message);
                        } catch (IOException e) {
                            ended[0] = System.nanoTime();
                            throw e;
                        }
                        progress.setLong(RETURNED, seq + 1);
                    }
                });
                int slot = senderDies ? RETURNED : RECEIVED;
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (progress.getLong(slot) < WARM && System.nanoTime() - deadline < 0 && !survivor.isDone()) {
                    Thread.sleep(1);
                }
                if (progress.getLong(slot) < WARM) {
                    TrialLog.count(Count.FAILURES, 1, "only " + progress.getLong(slot) + " messages within " + WAIT
                            + " (expected " + WARM + "; this end: " + survivor + "): " + what);
                }
                // The kill moment: 0-30 ms on; in half the trials then at once when a message is in the middle
                // (the sender inside a send; the receiver inside a recv while the sender is inside a send).
                LockSupport.parkNanos(random.nextLong(30_000_000L));
                if (random.nextBoolean()) {
                    long until = System.nanoTime() + AIM.toNanos();
                    while (!(progress.getLong(BEGUN) > progress.getLong(RETURNED)
                            && (senderDies || progress.getLong(IN_RECV) == 1)) && System.nanoTime() - until < 0) {
                        Thread.onSpinWait();
                    }
                }
                long killed = System.nanoTime(); // recoveries count from here
                victim.kill();
                TrialLog.injected(1);
                if (!victim.join(WAIT)) {
                    TrialLog.count(Count.FAILURES, 1, "the victim still runs " + WAIT + " after kill(): " + what);
                }
                long begun = progress.getLong(BEGUN);
                long returned = progress.getLong(RETURNED);
                boolean mid = begun > returned && (senderDies || progress.getLong(IN_RECV) == 1);
                TrialLog.stat("kills", 1);
                TrialLog.stat("killsMidMessage", mid ? 1 : 0);
                TrialLog.note("victim died after " + (senderDies ? returned + " sends" : progress.getLong(RECEIVED)
                        + " receives") + (mid ? ", in the middle of a message" : "") + ": " + what);

                try {
                    survivor.get(HANG_BOUND.toNanos(), TimeUnit.NANOSECONDS);
                    TrialLog.count(Count.FAILURES, 1, "this end ended without an exception: " + what);
                } catch (TimeoutException e) {
                    hung = true;
                    TrialLog.count(Count.HANGS, 1, "this end's " + (senderDies ? "recv" : "send") + " still waits "
                            + HANG_BOUND + " after the other end's death: " + what);
                } catch (ExecutionException e) {
                    Throwable thrown = e.getCause();
                    boolean expected = senderDies ? thrown instanceof EOFException
                            : thrown instanceof IOException && !(thrown instanceof EOFException);
                    if (!expected) {
                        TrialLog.count(Count.FAILURES, 1, "this end threw " + thrown + " (expected "
                                + (senderDies ? "EOFException" : "IOException, broken pipe") + "): " + what);
                    } else {
                        TrialLog.recovery(ended[0] - killed);
                    }
                }
                if (senderDies) {
                    List<Integer> copy;
                    synchronized (received) { // still growing if this end hung
                        copy = new ArrayList<>(received);
                    }
                    checkReceived(copy, returned, Math.max(begun, returned), what);
                } else {
                    TrialLog.count(Count.GARBAGE, progress.getLong(GARBAGE), "messages that did not check (see the"
                            + " receiver's stderr): " + what);
                    TrialLog.count(Count.LOST, progress.getLong(GAPS), "messages skipped between two received: "
                            + what);
                    TrialLog.count(Count.DUPLICATED, progress.getLong(REPEATS), "messages received again: " + what);
                    if (progress.getLong(RECEIVED) > returned + 1) {
                        TrialLog.count(Count.GARBAGE, 1, progress.getLong(RECEIVED) + " messages received, only "
                                + returned + " sent whole: " + what);
                    }
                }
            } finally {
                if (victim.isAlive()) {
                    victim.kill();
                    victim.join(WAIT);
                }
            }
            if (!hung) {
                receiving.close();
                sending.close();
                progress.close();
            }
            TrialLog.reapNow();
            TrialLog.done();
            System.exit(0);
        }

        /**
         * Counts the messages received from a killed sender: each below {@code returned} once and in order (the
         * one at {@code returned} may have arrived, if the kill came after it was sent), none at or past
         * {@code begun}.
         */
        private static void checkReceived(List<Integer> received, long returned, long begun, String what) {
            long[] times = new long[(int) begun + 1];
            int previous = -1;
            for (int seq : received) {
                if (seq == -1) {
                    continue; // counted as garbage already
                }
                if (seq < 0 || seq >= begun) {
                    TrialLog.count(Count.GARBAGE, 1, "message " + seq + " whose send never began (" + begun
                            + " begun): " + what);
                    continue;
                }
                if (seq <= previous) {
                    TrialLog.count(Count.FAILURES, 1, "message " + seq + " after " + previous + ": " + what);
                }
                previous = seq;
                times[seq]++;
            }
            for (int seq = 0; seq < times.length; seq++) {
                TrialLog.count(Count.LOST, seq < returned && times[seq] == 0 ? 1 : 0, "message " + seq + " sent"
                        + " before the kill, never received (" + received.size() + " received): " + what);
                TrialLog.count(Count.DUPLICATED, Math.max(0, times[seq] - 1), "message " + seq + " received "
                        + times[seq] + " times: " + what);
            }
        }
    }

    @Test
    @Timeout(600)
    void shouldEndTheOtherEndWithTheDocumentedExceptionWhenAPipeEndIsKilledMidMessage() throws Exception {
        FaultTally tally = new FaultTally("pipe sender or receiver killed mid-message of 64 KiB-1 MiB (in pieces;"
                + " simplex and duplex)");
        FaultTrials.runScenario(tally, FaultTrials.seed(), TrialMain.class, TRIAL_BOUND, Map.of());
    }
}

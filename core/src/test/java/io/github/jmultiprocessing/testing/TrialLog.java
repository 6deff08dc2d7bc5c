package io.github.jmultiprocessing.testing;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.internal.sync.LockWord;
import io.github.jmultiprocessing.testing.FaultTally.Count;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The trial main's side of a fault scenario (see {@link FaultTrials}): one {@code FAULT ...} line on stdout per
 * event, which the test JVM counts into the scenario's {@link FaultTally}.
 */
public final class TrialLog {

    /** What every line of the protocol starts with. */
    public static final String PREFIX = "FAULT ";

    private static final PrintStream OUT = System.out;

    private TrialLog() {
    }

    private static synchronized void line(String text) {
        OUT.println(PREFIX + text.replace('\n', ' '));
        OUT.flush();
    }

    /**
     * Adds to a column of the tally.
     *
     * @param count  the column
     * @param n      how many (0 adds nothing)
     * @param detail what happened
     */
    public static void count(Count count, long n, String detail) {
        if (n != 0) {
            line("COUNT " + count + " " + n + " " + detail);
        }
    }

    /**
     * Counts faults injected.
     *
     * @param n how many
     */
    public static void injected(long n) {
        line("INJECTED " + n);
    }

    /**
     * Records how long one recovery took.
     *
     * @param nanos the time
     */
    public static void recovery(long nanos) {
        line("RECOVERY " + nanos);
    }

    /**
     * Names a process of the trial, for the orphan and crash counts.
     *
     * @param pid its pid
     */
    public static void pid(long pid) {
        line("PID " + pid);
    }

    /**
     * Says something for the log's reader only.
     *
     * @param text what
     */
    public static void note(String text) {
        line("NOTE " + text);
    }

    /**
     * Adds to a figure the scenario sums over its trials and prints (kills that landed inside a put, say).
     *
     * @param key   the figure's name, one word
     * @param value what to add
     */
    public static void stat(String key, long value) {
        line("STAT " + key + " " + value);
    }

    /**
     * Runs a call on a daemon thread of its own and waits for it at most {@code bound}.
     *
     * @param bound the longest wait
     * @param call  the call
     * @param <T>   what it returns
     * @return the call's future, done or not (not done if this thread was interrupted while waiting)
     */
    public static <T> CompletableFuture<T> within(Duration bound,
            Callable<T> call) {
        CompletableFuture<T> future = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("trial-call").start(() -> {
            try {
                future.complete(call.call());
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        });
        try {
            future.get(bound.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // the caller looks at the future
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return future;
    }

    /** Says the trial ran to its end. */
    public static void done() {
        line("DONE");
    }

    /**
     * Lets the library reap what killed processes left in the trial's directory now, as the next start of a JVM in
     * that directory would: the ledgers of processes that are gone, and what they list. A JVM reaps once, at its
     * first use of the library; a trial main that killed children since calls the same code again.
     */
    public static void reapNow() {
        try {
            Class<?> ledger = Class.forName("io.github.jmultiprocessing.internal.shm.SegmentLedger");
            Method reap = ledger.getDeclaredMethod("reap");
            reap.setAccessible(true);
            reap.invoke(null);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("SegmentLedger.reap() threw", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("SegmentLedger.reap() not found: the fault suite's leak count needs it",
                    e);
        }
    }

    /**
     * {@return the pid holding one of a queue's locks now, 0 if none} For the trial's figures only (did the killed
     * process die holding it?): reads the lock word of the queue's channel.
     *
     * @param queue a {@code SharedQueue}
     * @param lock  {@code "producers"} or {@code "consumers"}
     */
    public static long queueLockOwner(Object queue, String lock) {
        try {
            Class<?> type = queue.getClass();
            while (!type.getSimpleName().equals("SharedQueue")) {
                type = type.getSuperclass();
            }
            Field channelField = type.getDeclaredField("channel");
            channelField.setAccessible(true);
            Object channel = channelField.get(queue);
            Field lockField = channel.getClass().getDeclaredField(lock);
            lockField.setAccessible(true);
            return LockWord.ownerPid(
                    (MemorySegment) lockField.get(channel));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the " + lock + "' lock of " + queue + " not found", e);
        }
    }

    /**
     * Kills a process that puts into or takes from a queue: after a random delay, and in half the trials (chosen
     * by {@code random}) at once when it next holds the side's lock, the case where the survivors must take the
     * lock over. Counts the fault injected.
     *
     * @param victim   the process to kill
     * @param queue    the {@code SharedQueue} it uses
     * @param lock     {@code "producers"} or {@code "consumers"}
     * @param maxDelay the longest random delay before the kill, in nanoseconds
     * @param aim      the longest wait for the victim to hold the lock, in the trials that aim at it
     * @param random   the trial's random source
     * @return whether the victim held the lock just before the kill (the survivors may take it over before this
     *         thread could look again), and when the kill was sent ({@link System#nanoTime()}), for recoveries
     */
    public static long[] killAimingAtLock(JvmProcess victim, Object queue, String lock, long maxDelay, Duration aim,
            SplittableRandom random) {
        LockSupport.parkNanos(random.nextLong(maxDelay));
        long pid = victim.pid().orElseThrow();
        if (random.nextBoolean()) {
            long until = System.nanoTime() + aim.toNanos();
            while (queueLockOwner(queue, lock) != pid && System.nanoTime() - until < 0) {
                Thread.onSpinWait();
            }
        }
        boolean holding = queueLockOwner(queue, lock) == pid;
        long killed = System.nanoTime();
        victim.kill();
        injected(1);
        return new long[] {holding ? 1 : 0, killed};
    }

    /**
     * {@return the milliseconds of a duration in nanoseconds, for details}
     *
     * @param nanos the duration
     */
    public static String millis(long nanos) {
        return Duration.ofNanos(nanos).toMillis() + " ms";
    }
}

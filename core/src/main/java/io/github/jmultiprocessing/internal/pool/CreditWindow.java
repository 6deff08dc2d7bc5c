package io.github.jmultiprocessing.internal.pool;

/**
 * How many tasks may be in flight to one worker: enough to keep it busy while results travel back, not so many
 * that slow tasks pile up at one worker while another idles. The window holds about {@link #TARGET_NANOS} of the
 * worker's work, by its measured time per task: 64 tasks of a few microseconds (a {@code chunksize=1} map), 2 of
 * a second each (as Python's pool, where a worker takes a task only when it is free, plus one in the pipe).
 *
 * <p>The time per task is measured from when the worker could start on a task (sent to it, and the result before
 * it back) to its result, so idle time never counts; an average over the last few samples, each
 * at most four times the average so far, so that one pause does not shut the window (a real change to slower
 * tasks takes a few results to show).
 */
public final class CreditWindow {

    /** The work a window should hold. */
    public static final long TARGET_NANOS = 1_000_000;
    /** The smallest window: one task running, one waiting in the pipe. */
    public static final int MIN = 2;
    /** The largest window. */
    public static final int MAX = 64;

    private int inFlight; // guarded by this
    private int window = MIN; // guarded by this
    private int cap = Integer.MAX_VALUE; // guarded by this: the window is at most this
    private double nanosPerTask; // guarded by this; 0 until measured
    private long lastResult; // guarded by this, once measured
    private boolean measured; // guarded by this: a result has come

    /**
     * Takes a credit, waiting while the window is full.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public synchronized void acquire() throws InterruptedException {
        while (inFlight >= Math.min(window, cap)) {
            wait();
        }
        inFlight++;
    }

    /** {@return true if a credit was free and is now taken} */
    public synchronized boolean tryAcquire() {
        if (inFlight >= Math.min(window, cap)) {
            return false;
        }
        inFlight++;
        return true;
    }

    /**
     * Caps the window (the pool's workers held back: one task at a time), or lifts the cap.
     *
     * @param most the most tasks in flight, at least 1; {@link Integer#MAX_VALUE} for no cap
     */
    public synchronized void cap(int most) {
        cap = Math.max(1, most);
        notifyAll();
    }

    /**
     * Returns credits of tasks that never reached the worker (no result, nothing measured).
     *
     * @param count how many
     */
    public synchronized void giveBack(int count) {
        inFlight -= count;
        notifyAll();
    }

    /**
     * Returns the credits of tasks whose results arrived, and measures the time per task: from when the worker
     * could start on them (the later of when the first was sent and when the previous result came) to now.
     *
     * @param count     how many results
     * @param now       {@link System#nanoTime()} of their arrival
     * @param firstSent {@link System#nanoTime()} when the first of them was sent
     */
    public synchronized void completed(int count, long now, long firstSent) {
        if (count > 0) {
            long started = measured && lastResult - firstSent > 0 ? lastResult : firstSent; // nanoTime may be < 0
            double sample = Math.max(0, (double) (now - started) / count);
            if (measured) { // one pause (a GC, a descheduled worker) moves it 4x at most
                sample = Math.min(sample, 4 * Math.max(nanosPerTask, 1));
            }
            nanosPerTask = measured ? 0.75 * nanosPerTask + 0.25 * sample : sample;
            measured = true;
            window = (int) Math.max(MIN, Math.min(MAX, TARGET_NANOS / Math.max(1.0, nanosPerTask)));
        }
        inFlight -= count;
        lastResult = now;
        notifyAll();
    }

    /** {@return the tasks in flight} */
    public synchronized int inFlight() {
        return inFlight;
    }

    /** {@return the current window} */
    public synchronized int window() {
        return window;
    }

    @Override
    public synchronized String toString() {
        return "CreditWindow[" + inFlight + " in flight of " + window + ", " + Math.round(nanosPerTask)
                + " ns per task]";
    }
}

package io.github.jmultiprocessing.testing;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.SerializableRunnable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The child processes a test starts, so that none outlives it: closing kills the ones still running and
 * joins them all.
 */
public final class Children implements AutoCloseable {

    private final List<JvmProcess> processes = new ArrayList<>();

    /**
     * Makes (does not start) a child.
     *
     * @param target what it runs
     * @return the child
     */
    public JvmProcess add(SerializableRunnable target) {
        return add(new JvmProcess(target));
    }

    /**
     * Takes charge of a process made elsewhere.
     *
     * @param process the process
     * @return it
     */
    public JvmProcess add(JvmProcess process) {
        processes.add(process);
        return process;
    }

    /**
     * Makes and starts a child.
     *
     * @param target what it runs
     * @return the started child
     */
    public JvmProcess start(SerializableRunnable target) {
        JvmProcess process = add(target);
        process.start();
        return process;
    }

    /**
     * Joins a child, failing if it runs longer than the timeout.
     *
     * @param process the child
     * @param timeout the longest wait
     * @return its exit code
     * @throws InterruptedException if interrupted
     */
    public static int joinWithin(JvmProcess process, Duration timeout) throws InterruptedException {
        if (!process.join(timeout)) {
            throw new AssertionError(process + " still running after " + timeout);
        }
        return process.exitCode().orElseThrow();
    }

    private static boolean isStarted(JvmProcess process) {
        try {
            return process.pid().isPresent();
        } catch (IllegalStateException closed) {
            return false; // closed: it was joined before
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (JvmProcess process : processes) {
            if (isStarted(process) && process.isAlive()) {
                process.kill();
            }
        }
        for (JvmProcess process : processes) {
            if (isStarted(process)) {
                process.join();
            }
        }
    }
}

package io.github.jmultiprocessing.internal.spawn;

import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What runs a started process (Python's {@code Popen} objects, {@code popen_spawn_posix.py},
 * {@code popen_forkserver.py}, and {@code multiprocessing.dummy}'s thread): a child JVM, or a thread for the
 * {@code thread} start method. Exit codes follow Python's conventions ({@link ExitCodes}).
 */
public sealed interface Popen permits Popen.Jvm, Popen.InThread {

    /** The signal number of SIGTERM, as in exit codes. */
    int SIGTERM = 15;
    /** The signal number of SIGKILL, as in exit codes. */
    int SIGKILL = 9;

    /** {@return the process id (this JVM's for a thread)} */
    long pid();

    /** {@return true until it ended} */
    boolean isAlive();

    /**
     * Waits until it ended (and a child's last output was relayed).
     *
     * @throws InterruptedException if interrupted
     */
    void waitFor() throws InterruptedException;

    /**
     * Waits until it ended, at most {@code nanos}.
     *
     * @param nanos the longest wait
     * @return true if it ended
     * @throws InterruptedException if interrupted
     */
    boolean waitFor(long nanos) throws InterruptedException;

    /** {@return Python's exit code; only once ended} */
    int exitCode();

    /** Asks it to end: SIGTERM to a child, an interrupt to a thread. */
    void terminate();

    /** Ends it: SIGKILL to a child, an interrupt to a thread. */
    void kill();

    /** {@return a future completed when it ended} */
    CompletableFuture<?> onExit();

    /** Lets go of what the ended child held. */
    void release();

    /**
     * A child JVM, the parent's end of its stdin, and its exit report (null if none could be named): a status of
     * 128+N reads as -N when this library sent signal N, or when the child did not report an exit of its own
     * choosing ({@link ExitCodes}).
     */
    final class Jvm implements Popen {
        private final ChildLauncher.Launched launched;
        private final ExitReport report;
        private volatile int sent; // the last signal this library sent while the child was alive, or 0

        /**
         * Runs a launched child.
         *
         * @param launched the child
         * @param report   its exit report, or null if none could be named
         */
        public Jvm(ChildLauncher.Launched launched, ExitReport report) {
            this.launched = launched;
            this.report = report;
        }

        /** {@return the started child} */
        public ChildLauncher.Launched launched() {
            return launched;
        }

        @Override
        public long pid() {
            return launched.process().pid();
        }

        @Override
        public boolean isAlive() {
            return launched.process().isAlive();
        }

        @Override
        public void waitFor() throws InterruptedException {
            launched.process().waitFor();
            launched.awaitRelayed(); // its last words are relayed before the caller goes on
        }

        @Override
        public boolean waitFor(long nanos) throws InterruptedException {
            if (!launched.process().waitFor(nanos, TimeUnit.NANOSECONDS)) {
                return false;
            }
            launched.awaitRelayed();
            return true;
        }

        @Override
        public int exitCode() {
            return ExitCodes.fromStatus(launched.process().exitValue(), () -> report != null && report.chosen(), sent);
        }

        @Override
        public void terminate() {
            if (launched.process().isAlive()) {
                sent = SIGTERM;
                launched.process().destroy();
            }
        }

        @Override
        public void kill() {
            if (launched.process().isAlive()) {
                sent = SIGKILL;
                launched.process().destroyForcibly();
            }
        }

        @Override
        public CompletableFuture<?> onExit() {
            return launched.process().onExit();
        }

        @Override
        public void release() {
            if (report != null) {
                report.delete();
            }
            try {
                launched.bootstrap().close();
            } catch (IOException ignored) {
                // the child is gone; nothing to tell it
            }
        }
    }

    /**
     * The {@code thread} start method (Python's {@code multiprocessing.dummy}): the target runs on a thread of
     * this JVM. Exit code 0 on return, 1 if it threw (the stack trace goes to stderr); {@code terminate} and
     * {@code kill} interrupt the thread, and a thread that ends after that reports -15 or -9 (a thread that
     * ignores interrupts keeps running: Python's {@code dummy} processes cannot be terminated at all).
     * {@code System.exit} in the target exits the whole JVM, as from any thread.
     */
    final class InThread implements Popen {
        private final Thread thread;
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();
        private volatile int signal;

        /**
         * Starts the thread.
         *
         * @param name   the process's name, the thread's
         * @param daemon true for a daemon thread
         * @param body   what the thread runs: the process, as the current process on that thread
         */
        public InThread(String name, boolean daemon, Body body) {
            this.thread = Thread.ofPlatform().name(name).daemon(daemon).unstarted(() -> {
                int code = 0;
                try {
                    body.run();
                } catch (Throwable e) {
                    System.err.println("Process " + name + ":");
                    e.printStackTrace();
                    code = ExitCodes.UNCAUGHT_EXCEPTION;
                }
                exit.complete(signal != 0 ? -signal : code);
            });
            thread.start();
        }

        /** What a {@code thread}-method process runs. */
        @FunctionalInterface
        public interface Body {

            /**
             * Runs the process.
             *
             * @throws Exception whatever the process's target threw: exit code 1
             */
            void run() throws Exception;
        }

        @Override
        public long pid() {
            return ProcessIdentity.pid();
        }

        @Override
        public boolean isAlive() {
            return !exit.isDone();
        }

        @Override
        public void waitFor() throws InterruptedException {
            try {
                exit.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public boolean waitFor(long nanos) throws InterruptedException {
            try {
                exit.get(nanos, TimeUnit.NANOSECONDS);
                return true;
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int exitCode() {
            return exit.join();
        }

        @Override
        public void terminate() {
            interrupt(SIGTERM);
        }

        @Override
        public void kill() {
            interrupt(SIGKILL);
        }

        private void interrupt(int number) {
            if (!exit.isDone()) {
                signal = number;
                thread.interrupt();
            }
        }

        @Override
        public CompletableFuture<?> onExit() {
            return exit;
        }

        @Override
        public void release() {
            // nothing held
        }
    }
}

package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import io.github.jmultiprocessing.internal.spawn.ChildLauncher;
import io.github.jmultiprocessing.internal.spawn.ExitCodes;
import io.github.jmultiprocessing.internal.spawn.ExitReport;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What runs a started {@link JvmProcess} (Python's {@code Popen} objects): a child JVM, or a thread for the
 * {@code thread} start method. Exit codes follow Python's conventions.
 */
sealed interface Popen permits Popen.Jvm, Popen.InThread {

    /** Signal numbers, as in exit codes. */
    int SIGTERM = 15;
    int SIGKILL = 9;

    long pid();

    boolean isAlive();

    void waitFor() throws InterruptedException;

    boolean waitFor(long nanos) throws InterruptedException;

    /** Python's exit code; only once ended. */
    int exitCode();

    void terminate();

    void kill();

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

        Jvm(ChildLauncher.Launched launched, ExitReport report) {
            this.launched = launched;
            this.report = report;
        }

        /** {@return the started child} */
        ChildLauncher.Launched launched() {
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

        InThread(JvmProcess process) {
            this.thread = Thread.ofPlatform().name(process.getName()).daemon(process.isDaemon()).unstarted(() -> {
                int code = 0;
                try {
                    Multiprocessing.runAsCurrent(process);
                } catch (Throwable e) {
                    System.err.println("Process " + process.getName() + ":");
                    e.printStackTrace();
                    code = ExitCodes.UNCAUGHT_EXCEPTION;
                }
                exit.complete(signal != 0 ? -signal : code);
            });
            thread.start();
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

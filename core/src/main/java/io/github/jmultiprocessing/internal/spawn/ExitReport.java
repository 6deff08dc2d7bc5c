package io.github.jmultiprocessing.internal.spawn;

import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import io.github.jmultiprocessing.internal.shm.SegmentLedger;
import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How a child JVM tells its parent that its own code chose its exit status, so that a status of {@code 128+N}
 * reads as {@code -N} (death by signal N, as Python reports it) only when no code of the child chose it.
 *
 * <p>Implementation notes. A JVM reports its status to the OS the same way for {@code System.exit(137)} and for a
 * death by SIGKILL ({@link Process#exitValue()} is 137 for both; the raw wait status that tells them apart is
 * reaped by the JDK's own thread as soon as the child ends, so {@code /proc} and {@code waitid} could only race
 * for it), and a JVM that gets SIGTERM exits with status 143 itself, after its shutdown hooks. So the child
 * reports, with a file: the parent names one per child, {@code jmp-exit-<parent pid>-<parent start>.<n>} beside
 * the segments, in the {@link BootstrapFrame}; the child registers a shutdown hook that creates that (empty) file
 * when the JVM exits through {@code System.exit} or {@code Runtime.exit}, unless the JVM's handler of a signal
 * began the exit ({@link #exitChosenByCode()}). The parent looks for the file only for a status in 129..192 that
 * it did not cause itself, once the child has ended (the child's file creation happens before its exit, which
 * happens before the parent's wait returns), and deletes it when it lets go of the child. The files are a family
 * of the parent's in its {@link SegmentLedger}: what a parent leaves (killed, or exiting before it reaped a
 * child) is unlinked at its exit or by the next JVM that reaps. A family, not a shared-heap block: a parent that
 * starts children pays no shared heap (its first arena costs a cold JVM tens of milliseconds), and a child that
 * returns from its target, or throws, writes nothing.
 *
 * <p>What each ending reads as: a return (0) or an uncaught exception (1) need no report; {@code System.exit(n)}
 * reads {@code n}, also 129..192; SIGTERM, SIGINT and SIGHUP (the JVM's handler exits with 128+N and no report is
 * made) and SIGKILL or a crash signal (no hook runs) read {@code -N}, whoever sent them. Non-invariants:
 * {@code Runtime.halt(128+N)} runs no hook and reads as {@code -N}; a child whose parent could not record the
 * family (a full or read-only directory) reads every 129..192 status as {@code -N}, as before reports existed; an
 * exit that a signal's handler and code both begin (a SIGTERM while {@code System.exit} runs its hooks) reads as
 * chosen unless the library sent that signal itself.
 */
public final class ExitReport {

    private static final String PREFIX = "jmp-exit-";
    private static final AtomicLong COUNTER = new AtomicLong();
    private static volatile String family; // this JVM's family prefix, once recorded in its ledger
    private static volatile boolean exitingAsTerminated; // the library's own exit standing for a SIGTERM

    private final String name;

    private ExitReport(String name) {
        this.name = name;
    }

    /**
     * {@return a new report for a child about to start, or null if this JVM cannot record the reports' family}
     * (the child then starts all the same, and its statuses read as they did before reports existed)
     */
    public static ExitReport next() {
        String prefix = family;
        if (prefix == null) {
            synchronized (ExitReport.class) {
                if (family == null) {
                    String mine = PREFIX + ProcessIdentity.pid() + "-" + ProcessIdentity.startTime();
                    try {
                        SegmentLedger.recordFamily(mine, ProcessIdentity.pid(), ProcessIdentity.startTime());
                    } catch (RuntimeException e) { // a full or read-only directory: UncheckedIOException
                        return null;
                    }
                    family = mine;
                }
                prefix = family;
            }
        }
        return new ExitReport(prefix + "." + COUNTER.incrementAndGet());
    }

    /** {@return the report's name, for the child's frame} */
    public String name() {
        return name;
    }

    /** {@return true if the child's own code chose its exit status}; asked once the child has ended */
    public boolean chosen() {
        return Files.exists(path(name)); // the child created it before it exited, which the caller waited for
    }

    /** Deletes the report, if the child made one; once the child has ended. */
    public void delete() {
        try {
            Files.deleteIfExists(path(name));
        } catch (IOException | RuntimeException e) {
            // left to the family's cleanup at this JVM's exit
        }
    }

    // ---- the child's side

    /**
     * Arms the report in a child: a shutdown hook makes it if the JVM exits through an exit its code chose.
     *
     * @param name the report's name, from the frame
     */
    static void armInChild(String name) {
        Runtime.getRuntime().addShutdownHook(new Hook(name));
    }

    /** The child's shutdown hook; a class, not a lambda: a child's start links no lambda shape for it. */
    private static final class Hook extends Thread {
        private final String report;

        Hook(String report) {
            super("jmultiprocessing-exit-report");
            this.report = report;
        }

        @Override
        public void run() {
            if (!exitingAsTerminated && exitChosenByCode()) {
                create(report);
            }
        }
    }

    /** Marks the exit about to begin as the library's stand-in for a SIGTERM: it reads as {@code -15}. */
    static void exitingAsTerminated() {
        exitingAsTerminated = true;
    }

    /**
     * {@return true if the JVM exits through {@code System.exit} or {@code Runtime.exit} called by code} Read
     * while the shutdown hooks run, from the stacks of two threads at most: the JVM's handler of SIGTERM, SIGINT
     * or SIGHUP runs on a thread named {@code SIG<name> handler}, which waits in {@code java.lang.Shutdown} until
     * the hooks end, with {@code java.lang.Terminator} (or {@code jdk.internal.misc.Signal}) below it; the end of
     * {@code main} runs them on {@code DestroyJavaVM}, in {@code Shutdown.shutdown} (status 0: no report needed).
     * A walk of every thread's stack would cost each child's exit 0.2-1.5 ms.
     */
    static boolean exitChosenByCode() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int count = root.enumerate(threads, true);
        for (int i = 0; i < count; i++) {
            String threadName = threads[i].getName();
            if (threadName.startsWith("SIG") && threadName.endsWith(" handler") && exitsForASignal(threads[i])) {
                return false;
            }
            if (threadName.equals("DestroyJavaVM") && inShutdown(threads[i], "shutdown")) {
                return false;
            }
        }
        return true;
    }

    /** {@return true if the thread is a signal's handler that is exiting the JVM} */
    private static boolean exitsForASignal(Thread thread) {
        boolean exiting = false;
        boolean signal = false;
        for (StackTraceElement frame : thread.getStackTrace()) {
            exiting |= frame.getClassName().equals("java.lang.Shutdown");
            signal |= frame.getClassName().startsWith("java.lang.Terminator")
                    || frame.getClassName().startsWith("jdk.internal.misc.Signal");
        }
        return exiting && signal;
    }

    private static boolean inShutdown(Thread thread, String method) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getClassName().equals("java.lang.Shutdown") && frame.getMethodName().equals(method)) {
                return true;
            }
        }
        return false;
    }

    private static void create(String name) {
        try {
            Files.createFile(path(name), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
        } catch (IOException | RuntimeException e) {
            // no directory, or the parent's family is gone (it ended first): nobody will read the report
        }
    }

    private static Path path(String name) {
        return ShmDirectory.pathOf(name);
    }
}

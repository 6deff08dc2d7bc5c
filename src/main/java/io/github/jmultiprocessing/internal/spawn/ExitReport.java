package io.github.jmultiprocessing.internal.spawn;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.github.jmultiprocessing.internal.shm.HeapBlock;
import io.github.jmultiprocessing.internal.shm.SharedHeap;
import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * How a child JVM tells its parent that it chose its own exit status, so that a status of {@code 128+N} reads as
 * {@code -N} (death by signal N, as Python reports it) only when no code of the child chose it.
 *
 * <p>Implementation notes. A JVM reports its status to the OS the same way for {@code System.exit(137)} and for a
 * death by SIGKILL ({@link Process#exitValue()} is 137 for both; the raw wait status that tells them apart is
 * reaped by the JDK's own thread as soon as the child ends, so {@code /proc} and {@code waitid} can only race
 * for it), and a JVM that gets SIGTERM exits with status 143 itself, after its shutdown hooks. So the child
 * reports: the parent allocates one block of its shared heap per child ({@link ExitReportLayout}) and names it
 * in the {@link BootstrapFrame}; the child registers a shutdown hook that, unless the JVM exits because its handler
 * of a signal began the exit ({@link #exitChosenByCode()}), writes {@link ExitReportLayout#CHOSEN} into the block
 * through the segment's file (also at the end of {@code main}, status 0, where it changes nothing). The parent reads it after the child has ended: the child's write to the file
 * happens before its exit, which happens before the parent's wait returns (the kernel orders them); the parent's
 * read is a volatile one for the Java memory model's sake.
 *
 * <p>What each ending reads as: a return (0) or an uncaught exception (1) need no report; {@code System.exit(n)}
 * reads {@code n}, also 129..192; SIGTERM, SIGINT and SIGHUP (the JVM's handler exits with 128+N, and no report is
 * written) and SIGKILL or a crash signal (no hook runs) read {@code -N}, whoever sent them. Non-invariants:
 * {@code Runtime.halt(128+N)} runs no hook and reads as {@code -N}; a child whose parent's heap had no room for
 * the block (a full {@code /dev/shm}) reads every 129..192 status as {@code -N}, as before reports existed; an
 * exit that a signal handler and a code path both begin (a SIGTERM while {@code System.exit} runs its hooks)
 * reads as chosen unless the library sent that signal itself.
 */
public final class ExitReport implements AutoCloseable {

    private static final VarHandle STATE = ExitReportLayout.LAYOUT.varHandle(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("state"));
    private static volatile boolean exitingAsTerminated; // the library's own exit standing for a SIGTERM

    private final HeapBlock block;
    private final SharedHeap.Claim claim;

    private ExitReport(HeapBlock block) {
        this.block = block;
        this.claim = SharedHeap.claim(this, block);
    }

    /**
     * {@return a new report for a child about to start, or null if the shared heap has no room for it} (the child
     * then starts all the same, and its statuses read as they did before reports existed)
     */
    public static ExitReport allocate() {
        try {
            return new ExitReport(SharedHeap.allocate(ExitReportLayout.SIZE, Long.BYTES));
        } catch (RuntimeException e) { // a full or read-only directory: UncheckedIOException
            return null;
        }
    }

    /** {@return the segment of the parent's heap that holds the report} */
    public String segmentName() {
        return block.segmentName();
    }

    /** {@return the report's offset in its segment} */
    public long offset() {
        return block.offset();
    }

    /** {@return true if the child's own code chose its exit status}; read once the child has ended */
    public boolean chosen() {
        // Volatile: pairs, in Java terms, with the child's write that the kernel ordered before its exit.
        return (long) STATE.getVolatile(block.memory(), 0L) == ExitReportLayout.CHOSEN;
    }

    /** Gives the block back to the heap; once the child has ended. */
    @Override
    public void close() {
        claim.close();
    }

    // ---- the child's side

    /**
     * Arms the report in a child: a shutdown hook writes it if the JVM exits through an exit its code chose.
     *
     * @param segmentName the parent's heap segment, from the frame
     * @param offset      the report's offset in it
     */
    static void armInChild(String segmentName, long offset) {
        Thread hook = new Thread(() -> {
            if (!exitingAsTerminated && exitChosenByCode()) {
                write(segmentName, offset);
            }
        }, "jmultiprocessing-exit-report");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Marks the exit about to begin as the library's stand-in for a SIGTERM: it reads as {@code -15}. */
    static void exitingAsTerminated() {
        exitingAsTerminated = true;
    }

    /**
     * {@return true unless the JVM exits because of a signal} Read while the shutdown hooks run: the JVM's handler
     * of SIGTERM, SIGINT or SIGHUP runs on a thread named {@code SIG<name> handler}, which waits in
     * {@code Shutdown.exit} until they end, with {@code java.lang.Terminator} (or a handler registered through
     * {@code jdk.internal.misc.Signal}) below it; a handler of another signal, running meanwhile, is not in
     * {@code Shutdown}. Otherwise the exit is {@code System.exit}, {@code Runtime.exit}
     * or the end of {@code main} (status 0, for which the report changes nothing). Only the threads so named have
     * their stacks read: a walk of every stack costs a child's exit ~0.2-1.5 ms.
     */
    static boolean exitChosenByCode() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int count = root.enumerate(threads, true);
        for (int i = 0; i < count; i++) {
            String name = threads[i].getName();
            if (name.startsWith("SIG") && name.endsWith(" handler") && handlesASignal(threads[i])) {
                return false;
            }
        }
        return true;
    }

    /** {@return true if the thread is a signal's handler that is exiting the JVM} */
    private static boolean handlesASignal(Thread thread) {
        boolean exiting = false;
        boolean signal = false;
        for (StackTraceElement frame : thread.getStackTrace()) {
            exiting |= frame.getClassName().equals("java.lang.Shutdown");
            signal |= frame.getClassName().startsWith("java.lang.Terminator")
                    || frame.getClassName().startsWith("jdk.internal.misc.Signal");
        }
        return exiting && signal;
    }

    private static void write(String segmentName, long offset) {
        ByteBuffer word = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder());
        word.putLong(0, ExitReportLayout.CHOSEN);
        try (FileChannel file = FileChannel.open(ShmDirectory.pathOf(segmentName), StandardOpenOption.WRITE)) {
            // A positional write to the file the parent maps: the page is shared, the kernel orders it before
            // this process's exit, which the parent waits for before it reads.
            file.write(word, offset + ExitReportLayout.STATE);
        } catch (IOException | RuntimeException e) {
            // the parent's heap is gone (it ended first): nobody will read the report
        }
    }
}

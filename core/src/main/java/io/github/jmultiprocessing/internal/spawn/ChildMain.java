package io.github.jmultiprocessing.internal.spawn;

import io.github.jmultiprocessing.internal.events.Recording;
import io.github.jmultiprocessing.internal.shm.SegmentLedger;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The entry point of a child JVM: reads its {@link BootstrapFrame} from stdin, deserializes the target and runs
 * it, then exits like a Python child: 0 on return, once its non-daemon threads have ended; 1 with the stack trace
 * on stderr if it threw (any exception, checked ones too); {@code n} after {@code System.exit(n)}, which it reports
 * ({@link ExitReport}). After the frame, {@code System.in} reads as empty, as a Python child's stdin is
 * {@code /dev/null}; the pipe itself stays open to watch the parent ({@link #parentEnded()}).
 */
public final class ChildMain {

    /** First argument of a {@code forkserver} standby; the other arguments name classes to preload. */
    public static final String STANDBY = "--standby";

    /** First argument of an AOT cache training run; the other arguments name classes to prepare. */
    public static final String TRAIN = "--train";

    /** First argument of a builder of an AOT cache (see {@link AotCache}). */
    public static final String BUILD_AOT = "--build-aot";

    private static volatile InputStream parentPipe; // stdin after the frame, in a child; else null
    private static boolean watching; // guarded by ChildMain.class

    /**
     * Completed once this child's parent has ended: its end of the stdin pipe closed. A holder, so that a child
     * that never asks loads no {@link CompletableFuture} (its first use costs a cold JVM milliseconds).
     */
    private static final class ParentEnded {
        static final CompletableFuture<Void> FUTURE = new CompletableFuture<>();
        /** Counted down once {@link #FUTURE}'s completion has reached every stage that depended on it then. */
        static final CountDownLatch PROPAGATED = new CountDownLatch(1);
    }

    private ChildMain() {
    }

    /**
     * Runs the child.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        SegmentLedger.reapStaleInBackground(); // every library JVM start cleans up after killed ones
        InputStream stdin = new BufferedInputStream(System.in, 1 << 16);
        if (args.length > 0 && args[0].equals(BUILD_AOT)) {
            AotCache.build(Arrays.asList(args).subList(1, args.length));
            System.exit(0);
            return;
        }
        if (args.length > 0 && args[0].equals(TRAIN)) {
            Warmup.prepare(InputStream.nullInputStream(), Arrays.asList(args).subList(1, args.length));
            System.exit(0);
            return;
        }
        boolean standby = args.length > 0 && args[0].equals(STANDBY);
        if (standby) {
            Warmup.prepare(stdin, Arrays.asList(args).subList(1, args.length));
            stdin.mark(1);
            try {
                if (stdin.read() < 0) {
                    System.exit(0); // the parent ended without needing this standby
                }
                stdin.reset();
            } catch (IOException e) {
                System.exit(0);
            }
        }
        BootstrapFrame frame = null;
        Callable<?> target;
        try {
            frame = BootstrapFrame.readFrom(stdin);
            target = target(frame);
        } catch (IOException | ClassNotFoundException | ClassCastException | LinkageError e) {
            if (frame == null ? parentGone(ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L))
                    : parentGone(frame.parentPid())) {
                System.exit(ExitCodes.UNCAUGHT_EXCEPTION); // nobody to tell: say nothing on a terminal not ours
            }
            PrintStream err = standardError();
            err.println("jmultiprocessing child: cannot read its bootstrap: " + e);
            e.printStackTrace(err);
            err.flush();
            System.exit(ExitCodes.UNCAUGHT_EXCEPTION);
            return;
        }
        System.setIn(InputStream.nullInputStream());
        if (!frame.report().isEmpty()) {
            ExitReport.armInChild(frame.report());
        }
        parentPipe = stdin;
        if (frame.daemon()) {
            watchParent(true);
        }
        Recording.processReady(frame.name(), standby ? "forkserver" : "spawn", frame.startedMicros());
        try {
            target.call();
        } catch (Throwable e) {
            PrintStream err = standardError();
            err.println("Process " + frame.name() + ":");
            e.printStackTrace(err);
            flushStandardStreams();
            System.exit(ExitCodes.UNCAUGHT_EXCEPTION);
        }
        flushStandardStreams();
        // Returning (not System.exit) lets the JVM wait for the target's non-daemon threads, as Python does.
    }

    /** {@return true if the parent has ended (its pid is gone or no longer its child's parent)} */
    private static boolean parentGone(long parentPid) {
        return ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) != parentPid
                || !ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * {@return {@link System#err}, or the process's real stderr if the target set it to null} A target may have
     * replaced it with a buffered stream: its trace is flushed there ({@link #flushStandardStreams}).
     */
    private static PrintStream standardError() {
        PrintStream err = System.err;
        return err != null ? err : new PrintStream(new FileOutputStream(FileDescriptor.err), true);
    }

    /**
     * Flushes {@link System#out} and {@link System#err} as the target left them (replaced by buffered streams,
     * or null): what it printed is not lost when the JVM exits, and a null stream is no error.
     */
    private static void flushStandardStreams() {
        PrintStream out = System.out;
        if (out != null) {
            out.flush();
        }
        PrintStream err = System.err;
        if (err != null) {
            err.flush();
        }
    }

    /**
     * Reads what a frame's child runs; shared with the rehearsal of this path in standbys and AOT training runs,
     * so that they prepare exactly the code a child runs. A {@link BootstrapFrame#COMPACT} payload starts with the
     * name of the class whose initialization registers its reader ({@link #setCompactReader}); the rest is the
     * reader's. A {@link BootstrapFrame#SERIALIZED} one is a Java serialization stream.
     *
     * @param frame the frame, from the parent over a private pipe
     * @return the target
     * @throws IOException            if the payload does not read
     * @throws ClassNotFoundException if a class of the target is missing
     * @throws ClassCastException     if the payload is not a {@link Callable}
     */
    public static Callable<?> target(BootstrapFrame frame) throws IOException, ClassNotFoundException {
        byte[] payload = frame.payload();
        if (frame.kind() == BootstrapFrame.COMPACT) {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
            String readerClass = in.readUTF();
            Class.forName(readerClass, true, ChildMain.class.getClassLoader()); // registers the reader
            CompactReader reader = compactReader;
            if (reader == null) {
                throw new IOException(readerClass + " registered no reader of compact bootstraps");
            }
            int offset = payload.length - in.available();
            return reader.read(payload, offset, payload.length - offset);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(payload))) {
            return (Callable<?>) in.readObject();
        }
    }

    /** Reads a compact bootstrap payload (after its reader's class name). */
    @FunctionalInterface
    public interface CompactReader {
        /**
         * {@return what the child runs}
         *
         * @param bytes  the payload
         * @param offset where the reader's part starts
         * @param length its length
         * @throws IOException            if it does not read
         * @throws ClassNotFoundException if a class is missing here
         */
        Callable<?> read(byte[] bytes, int offset, int length) throws IOException, ClassNotFoundException;
    }

    private static volatile CompactReader compactReader;

    /**
     * Sets the reader of compact bootstraps (by the layer above, which owns the process objects, when its class
     * named in the payload initializes).
     *
     * @param reader the reader
     */
    public static void setCompactReader(CompactReader reader) {
        compactReader = reader;
    }

    /**
     * {@return a future completed once this child's parent has ended} (Python's {@code parent_process().sentinel}):
     * its end of this child's stdin pipe closed, which happens when the parent process is gone, however it ended
     * (the parent keeps the pipe open as long as this child runs, and no other process holds it). The first call
     * starts a thread that reads the pipe until then; in a JVM that is not a child the future never completes.
     * Completing or cancelling the returned future changes nothing here.
     */
    public static CompletableFuture<Void> parentEnded() {
        if (parentPipe != null) {
            watchParent(false);
        }
        return ParentEnded.FUTURE.copy();
    }

    /**
     * Waits for this child's parent to end, and for every future that {@link #parentEnded()} gave out before to
     * complete: a caller that joined the parent then finds an {@code onExit()} future taken earlier done. In a JVM
     * that is not a child it never returns true.
     *
     * @param nanos the longest wait, or negative for no limit
     * @return true if the parent has ended, false on a timeout
     * @throws InterruptedException if interrupted while waiting
     */
    public static boolean awaitParentEnded(long nanos) throws InterruptedException {
        if (parentPipe != null) {
            watchParent(false);
        }
        if (nanos < 0) {
            ParentEnded.PROPAGATED.await();
            return true;
        }
        return ParentEnded.PROPAGATED.await(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Reads stdin until the parent's end of the pipe closes, then completes {@link ParentEnded#FUTURE}; a daemon
     * child then ends, as if terminated. A class, not a lambda: a pool worker's start links no lambda shape for it.
     */
    private record ParentWatch(InputStream stdin, boolean daemon) implements Runnable {
        @Override
        public void run() {
            try {
                while (stdin.read() >= 0) {
                    // the parent sends nothing more; read until it is gone
                }
            } catch (IOException ignored) {
                // treated as the parent being gone
            }
            ParentEnded.FUTURE.complete(null); // completes the stages that depend on it, on this thread
            ParentEnded.PROPAGATED.countDown();
            if (daemon) {
                ExitReport.exitingAsTerminated(); // reads as -15, as if terminated
                System.exit(ExitCodes.SIGTERM_STATUS);
            }
        }
    }

    /**
     * Starts, once, the thread that reads stdin until the parent's end of the pipe closes, then completes
     * {@link ParentEnded#FUTURE}; a daemon child then ends, as if terminated.
     */
    private static void watchParent(boolean daemon) {
        synchronized (ChildMain.class) {
            if (watching) {
                return;
            }
            watching = true;
        }
        Thread watcher = new Thread(new ParentWatch(parentPipe, daemon), "jmultiprocessing-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}

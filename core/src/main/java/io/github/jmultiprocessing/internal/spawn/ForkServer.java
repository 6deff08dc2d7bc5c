package io.github.jmultiprocessing.internal.spawn;

import io.github.jmultiprocessing.internal.shm.LibraryThreads;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The {@code forkserver} start method for JVMs, which cannot fork: a standby child JVM is started ahead of
 * time, warms up ({@link Warmup}) and waits on its stdin; {@link #launch} hands it a bootstrap and starts the
 * next standby in the background. A child so started behaves as a {@code spawn}ed one; it just starts sooner.
 *
 * <p>A standby reads the system properties and options of when it was started. It serves only a child of the
 * same {@link LaunchSpec} (java, options, class path); a child of another spec gets a standby started for it, and
 * the next standby is kept for that spec (one standby at a time). When this JVM exits, a standby reads end of
 * file on its stdin and exits quietly.
 */
public final class ForkServer {

    private static final ExecutorService STARTER = Executors.newSingleThreadExecutor(
            LibraryThreads.factory("forkserver"));

    private static List<String> bootstrapClasses = List.of(); // guarded by ForkServer.class
    private static ChildLauncher.Launched standby; // guarded by ForkServer.class
    private static List<String> preload = List.of(); // guarded by ForkServer.class
    private static boolean closed; // guarded by ForkServer.class
    private static volatile Runnable rehearsal = () -> { };

    private ForkServer() {
    }

    /**
     * Sets the classes standbys preload; applies to standbys started from now on.
     *
     * @param classNames binary class names
     */
    public static synchronized void setPreload(List<String> classNames) {
        preload = List.copyOf(classNames);
    }

    /**
     * Names the classes every child deserializes before its target runs (given by the layer above, which owns
     * them); standbys prepare them while they wait.
     *
     * @param classNames binary class names
     */
    public static synchronized void setBootstrapClasses(List<String> classNames) {
        bootstrapClasses = List.copyOf(classNames);
    }

    /**
     * Sets the rehearsal of a child's start that standbys and AOT cache training runs perform (given by the layer
     * above, which owns the process objects): the frame, deserialization and a typical target, in the preparing
     * JVM itself.
     *
     * @param action the rehearsal; it must not make the JVM a child
     */
    public static void setRehearsal(Runnable action) {
        rehearsal = Objects.requireNonNull(action, "action");
    }

    static Runnable rehearsal() {
        return rehearsal;
    }

    static synchronized List<String> bootstrapClasses() {
        return bootstrapClasses;
    }

    private static List<String> standbyPreload() {
        List<String> all = new ArrayList<>(bootstrapClasses);
        all.addAll(preload);
        return all;
    }

    /**
     * Starts a standby of this spec now if there is none, so the first {@link #launch} is fast too.
     *
     * @param spec how the standby is started
     */
    public static synchronized void warm(LaunchSpec spec) {
        if (!closed && (standby == null || !standby.process().isAlive() || !standby.spec().equals(spec))) {
            if (standby != null) {
                letGo(standby); // a dead or other standby's pipe: one file descriptor each
            }
            standby = null;
            standby = ChildLauncher.startStandby(standbyPreload(), spec);
        }
    }

    /**
     * Runs the frame in a standby of its spec (started now if none is ready) and starts the next standby in the
     * background.
     *
     * @param frame what the child runs
     * @param spec  how it is started
     * @return the child
     * @throws IllegalStateException if this JVM is exiting
     */
    public static ChildLauncher.Launched launch(BootstrapFrame frame, LaunchSpec spec) {
        ChildLauncher.Launched child;
        synchronized (ForkServer.class) {
            if (closed) {
                throw new IllegalStateException("cannot start " + frame.name() + ": this JVM is exiting");
            }
            if (standby != null && (!standby.process().isAlive() || !standby.spec().equals(spec))) {
                letGo(standby);
                standby = null;
            }
            child = standby != null ? standby : ChildLauncher.startStandby(standbyPreload(), spec);
            standby = null;
        }
        ChildLauncher.handOver(child, frame);
        STARTER.execute(() -> {
            try {
                warm(spec);
            } catch (RuntimeException e) {
                // the next launch starts one itself
            }
        });
        return child;
    }

    /** Lets the waiting standby, if any, go (at exit). */
    public static synchronized void shutdown() {
        closed = true;
        if (standby != null) {
            letGo(standby);
            standby = null;
        }
    }

    /**
     * Closes a standby's stdin: end of file makes it exit once warmed up, unlinking what its rehearsal created (a
     * kill would leave those files to the next JVM's reaping; a SIGTERM during JVM start-up prints a VM error).
     */
    private static void letGo(ChildLauncher.Launched unused) {
        try {
            unused.bootstrap().close();
        } catch (IOException e) {
            unused.process().destroyForcibly();
        }
    }
}

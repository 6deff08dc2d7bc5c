package io.github.jmultiprocessing.internal.spawn;

import io.github.jmultiprocessing.internal.config.Configuration;
import io.github.jmultiprocessing.internal.shm.LibraryThreads;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The {@code forkserver} start method for JVMs, which cannot fork: standby child JVMs are started ahead of time,
 * warm up ({@link Warmup}) and wait on their stdin, using no CPU; {@link #launch} hands the oldest one a bootstrap
 * and starts a replacement in the background once no child was handed out for 100 ms (off a burst's critical
 * path). A child so started behaves as a {@code spawn}ed one; it just starts
 * sooner.
 *
 * <p>How many. {@code jmultiprocessing.forkserver.standbys} standbys are kept (default: the machine's CPUs, at
 * least 1 and at most
 * {@value #DEFAULT_MOST}; each idle standby takes about as much memory as an idle child): a burst of that many
 * starts all find a standby ready; later ones in the burst wait for a replacement's JVM to boot. The property is
 * read at each start, so a program may change it as it goes.
 *
 * <p>A standby reads the system properties and options of when it was started. It serves only a child of the
 * same {@link LaunchSpec} (java, options, class path); a child of another spec gets a standby started for it, and
 * from then on the standbys kept are of that spec. When this JVM exits, a standby reads end of file on its stdin
 * and exits quietly.
 */
public final class ForkServer {

    /** The most standbys kept by default, whatever the number of CPUs. */
    static final int DEFAULT_MOST = 4;

    private static final int MOST = 64;

    /**
     * Replacements start once no child was handed out for this long: a replacement's JVM boot and warm-up take a
     * CPU for ~100 ms, which the children of a burst need (on 2 CPUs, replacing each standby as it was taken made
     * a burst of 4 ~2x slower per child).
     */
    static final long REPLENISH_QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private static final ScheduledExecutorService STARTER = Executors.newSingleThreadScheduledExecutor(
            LibraryThreads.factory("forkserver"));
    private static volatile long lastLaunch; // System.nanoTime() of the last launch
    private static volatile LaunchSpec lastSpec; // the spec of the last launch
    private static final java.util.concurrent.atomic.AtomicBoolean REPLENISHING =
            new java.util.concurrent.atomic.AtomicBoolean(); // a replenishment is scheduled

    private static List<String> bootstrapClasses = List.of(); // guarded by ForkServer.class
    private static final ArrayDeque<ChildLauncher.Launched> STANDBYS = new ArrayDeque<>(); // guarded, oldest first
    private static LaunchSpec standbySpec; // guarded by ForkServer.class: the spec of the standbys kept
    private static List<String> standbyProperties; // guarded by ForkServer.class: the properties they booted with
    private static List<String> preload = List.of(); // guarded by ForkServer.class
    private static boolean closed; // guarded by ForkServer.class
    private static final List<Runnable> REHEARSALS = new java.util.concurrent.CopyOnWriteArrayList<>();

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
     * Adds a rehearsal of a child's start that standbys and AOT cache training runs perform (given by the layer
     * above, which owns the process objects): the frame, the reading of the bootstrap and a typical target, or a
     * pool worker's first task, in the preparing JVM itself. A class named in {@link #setBootstrapClasses} adds it
     * as it initializes.
     *
     * @param action the rehearsal; it must not make the JVM a child
     */
    public static void addRehearsal(Runnable action) {
        REHEARSALS.add(Objects.requireNonNull(action, "action"));
    }

    /** Runs the rehearsals; one that fails does not stop the others (a rehearsal only). */
    static void rehearse() {
        for (Runnable rehearsal : REHEARSALS) {
            try {
                rehearsal.run();
            } catch (RuntimeException e) {
                // a rehearsal only: a real start reports real problems
            }
        }
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
     * {@return how many standbys to keep} ({@code jmultiprocessing.forkserver.standbys})
     *
     * @throws IllegalArgumentException if the property is not a number from 1 to 64
     */
    public static int wanted() {
        String value = Configuration.FORKSERVER_STANDBYS.value();
        if (value == null || value.isBlank()) {
            return Math.max(1, Math.min(DEFAULT_MOST, Runtime.getRuntime().availableProcessors()));
        }
        try {
            int count = Integer.parseInt(value.strip());
            if (count >= 1 && count <= MOST) {
                return count;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(Configuration.FORKSERVER_STANDBYS.property() + "=" + value
                + " (expected a number of standbys from 1"
                + " to " + MOST + ")");
    }

    /**
     * Starts standbys of this spec now until {@link #wanted()} are kept, so that the first {@link #launch}es are
     * fast too; standbys of another spec are let go.
     *
     * @param spec how the standbys are started
     */
    public static synchronized void warm(LaunchSpec spec) {
        if (closed) {
            return;
        }
        keepOnly(spec);
        int wanted = wanted();
        while (STANDBYS.size() < wanted) {
            STANDBYS.addLast(ChildLauncher.startStandby(standbyPreload(), spec));
        }
        while (STANDBYS.size() > wanted) {
            letGo(STANDBYS.pollLast()); // the youngest: least warmed up
        }
    }

    /**
     * Lets go of the standbys that are dead, of another spec, or booted with other configuration properties (a
     * standby reads them when it boots: one set since then must reach the children); from now on standbys are of
     * this spec and these properties.
     */
    private static void keepOnly(LaunchSpec spec) {
        List<String> properties = ChildLauncher.propertyOptions();
        if (!spec.equals(standbySpec) || !properties.equals(standbyProperties)) {
            STANDBYS.forEach(ForkServer::letGo);
            STANDBYS.clear();
            standbySpec = spec;
            standbyProperties = properties;
        }
        STANDBYS.removeIf(standby -> {
            if (standby.process().isAlive()) {
                return false;
            }
            letGo(standby); // its pipe: one file descriptor
            return true;
        });
    }

    /**
     * Runs the frame in the oldest standby of its spec (one started now if none is ready) and starts a replacement
     * in the background.
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
            keepOnly(spec);
            child = STANDBYS.pollFirst();
            if (child == null) {
                child = ChildLauncher.startStandby(standbyPreload(), spec);
            }
        }
        ChildLauncher.handOver(child, frame);
        lastSpec = spec;
        lastLaunch = System.nanoTime();
        if (REPLENISHING.compareAndSet(false, true)) {
            replenishWhenQuiet();
        }
        return child;
    }

    /**
     * Starts the replacements (of the last launch's spec) once no child was handed out for
     * {@link #REPLENISH_QUIET_NANOS}; one such task at a time.
     */
    private static void replenishWhenQuiet() {
        try {
            STARTER.schedule(() -> {
                if (System.nanoTime() - lastLaunch < REPLENISH_QUIET_NANOS) {
                    replenishWhenQuiet(); // launched again meanwhile: wait for the quiet after it
                    return;
                }
                REPLENISHING.set(false); // a launch from now on schedules again
                try {
                    warm(lastSpec);
                } catch (RuntimeException e) {
                    // the next launch starts one itself
                }
            }, REPLENISH_QUIET_NANOS, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            REPLENISHING.set(false); // shutting down
        }
    }

    /** Lets the waiting standbys go (at exit). */
    public static synchronized void shutdown() {
        closed = true;
        STANDBYS.forEach(ForkServer::letGo);
        STANDBYS.clear();
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

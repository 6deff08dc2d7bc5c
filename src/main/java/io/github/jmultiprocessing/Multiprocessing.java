package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.shm.SegmentLedger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The module-level functions of Python's {@code multiprocessing}: {@link #cpuCount()},
 * {@link #currentProcess()}, {@link #parentProcess()}, {@link #activeChildren()}.
 *
 * <p>When a process ends, as in Python, daemon children still running are terminated and the other children
 * are joined: a child JVM does so when its target returns or throws, the main JVM at exit (also when it exits
 * on SIGTERM, unlike Python's main process, which dies at once); then the segments the JVM created are
 * unlinked. A child JVM ended by {@link JvmProcess#terminate()} only terminates its daemon children.
 */
public final class Multiprocessing {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Set<JvmProcess> CHILDREN = ConcurrentHashMap.newKeySet();
    private static volatile JvmProcess current;
    private static volatile JvmProcess parent;

    static {
        SegmentLedger.beforeExit(() -> endChildren(!isChild()));
    }

    private Multiprocessing() {
    }

    /** {@return the number of CPUs this JVM may use (Python's {@code os.cpu_count()})} */
    public static int cpuCount() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * The process object of this JVM: {@code MainProcess} in a JVM not started by the library, the
     * {@link JvmProcess} being run in a child.
     *
     * @return the current process
     */
    public static JvmProcess currentProcess() {
        JvmProcess process = current;
        if (process == null) {
            synchronized (Multiprocessing.class) {
                process = current;
                if (process == null) {
                    byte[] authkey = new byte[32];
                    new SecureRandom().nextBytes(authkey);
                    process = new JvmProcess(ProcessHandle.current().pid(), "MainProcess", new int[0], false, authkey);
                    current = process;
                }
            }
        }
        return process;
    }

    /** {@return the parent's process object in a child; empty in the main process} */
    public static Optional<JvmProcess> parentProcess() {
        return Optional.ofNullable(parent);
    }

    /**
     * The children of this process that are still running; children that have ended are reaped (joined) as a
     * side effect, as in Python.
     *
     * @return the running children
     */
    public static List<JvmProcess> activeChildren() {
        List<JvmProcess> alive = new ArrayList<>();
        for (JvmProcess child : CHILDREN) {
            if (child.isAlive()) {
                alive.add(child);
            }
        }
        return alive;
    }

    // ---- package-private plumbing

    static int[] nextIdentity() {
        int[] base = currentProcess().identity();
        int[] identity = java.util.Arrays.copyOf(base, base.length + 1);
        identity[base.length] = COUNTER.incrementAndGet();
        return identity;
    }

    static boolean isChild() {
        return parent != null;
    }

    static void registerChild(JvmProcess child) {
        CHILDREN.add(child);
    }

    static void unregisterChild(JvmProcess child) {
        CHILDREN.remove(child);
    }

    static void enterChild(JvmProcess process, long parentPid, String parentName, int[] parentIdentity) {
        process.becomeCurrent();
        synchronized (Multiprocessing.class) {
            current = process;
            parent = new JvmProcess(parentPid, parentName, parentIdentity, false, new byte[0]);
        }
    }

    /** Terminates daemon children and, if {@code join}, waits for the others. */
    static void endChildren(boolean join) {
        for (JvmProcess child : CHILDREN) {
            if (child.isDaemon()) {
                try {
                    child.terminate();
                } catch (IllegalStateException ignored) {
                    // closed or ended meanwhile
                }
            }
        }
        if (!join) {
            return;
        }
        for (JvmProcess child : CHILDREN) {
            try {
                child.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IllegalStateException ignored) {
                // closed meanwhile
            }
        }
    }
}

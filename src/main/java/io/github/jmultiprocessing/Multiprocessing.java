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
 * <p>At normal JVM exit, as in Python, daemon children still running are terminated and the other children are
 * joined; then the segments this JVM created are unlinked.
 */
public final class Multiprocessing {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Set<JvmProcess> CHILDREN = ConcurrentHashMap.newKeySet();
    private static volatile JvmProcess current;
    private static volatile JvmProcess parent;

    static {
        SegmentLedger.beforeExit(Multiprocessing::exitChildren);
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
                    process = new JvmProcess(ProcessHandle.current(), "MainProcess", new int[0], false, authkey);
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
            parent = new JvmProcess(ProcessHandle.of(parentPid).orElse(null), parentName, parentIdentity, false,
                    new byte[0]);
        }
    }

    private static void exitChildren() {
        for (JvmProcess child : CHILDREN) {
            if (child.isDaemon()) {
                try {
                    child.terminate();
                } catch (IllegalStateException ignored) {
                    // closed or ended meanwhile
                }
            }
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

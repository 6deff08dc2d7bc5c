package io.github.jmultiprocessing.internal.spawn;

import io.github.jmultiprocessing.internal.shm.LibraryThreads;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * What this JVM runs at exit, by priority (CPython's {@code util.Finalize} with an exit priority and
 * {@code _run_finalizers}): an executor's submitted work first, then pools, then managers. The process tree runs
 * them from its exit hook ({@code JvmProcess}), around its own steps.
 *
 * <p>Implementation notes. The actions are a list guarded by itself; a run takes the due ones out under the lock and
 * runs them outside it, highest priority first and, among equal ones, the latest registered first. An action that
 * throws is logged and the others still run.
 */
public final class ExitActions {

    /** Exit priority of work that must finish before the JVM exits (an executor's submitted tasks). */
    public static final int WORK = 100;
    /** Exit priority of pools: terminated at exit, after the work, before managers (Python's 15). */
    public static final int POOLS = 15;
    /** Exit priority of managers: shut down last (Python's 0). */
    public static final int MANAGERS = 0;

    /** An action at exit, for its owner. */
    private record Action(Object owner, int priority, Runnable action) {
    }

    private static final List<Action> ACTIONS = new ArrayList<>(); // guarded by itself
    private static volatile Boolean workCanFinish; // null until asked, at exit

    private ExitActions() {
    }

    /**
     * Registers an action to run at JVM exit: higher priorities first, among equal ones the latest registered first.
     *
     * @param owner    what it is for (see {@link #cancel})
     * @param priority its priority, e.g. {@link #POOLS}
     * @param action   the action
     */
    public static void register(Object owner, int priority, Runnable action) {
        synchronized (ACTIONS) {
            ACTIONS.add(new Action(owner, priority, action));
        }
    }

    /**
     * Forgets the exit actions of an owner that ended by itself.
     *
     * @param owner the owner given to {@link #register}
     */
    public static void cancel(Object owner) {
        synchronized (ACTIONS) {
            ACTIONS.removeIf(action -> action.owner() == owner);
        }
    }

    /**
     * Runs the actions with priorities in [low, high], highest first, the latest registered first; each once.
     *
     * @param low  the lowest priority to run
     * @param high the highest priority to run
     */
    public static void run(int low, int high) {
        List<Action> due = new ArrayList<>();
        synchronized (ACTIONS) {
            for (Action action : ACTIONS) {
                if (action.priority() >= low && action.priority() <= high) {
                    due.add(action);
                }
            }
            ACTIONS.removeAll(due);
        }
        if (due.isEmpty()) {
            return; // a child JVM, say: no lambda or comparator to link on its way out
        }
        Collections.reverse(due);
        due.sort(Comparator.comparingInt(Action::priority).reversed()); // stable: latest first kept
        for (Action action : due) {
            try {
                action.action().run();
            } catch (RuntimeException e) {
                System.getLogger(ExitActions.class.getName()).log(System.Logger.Level.WARNING,
                        "an exit action of " + action.owner() + " failed", e);
            }
        }
    }

    /**
     * {@return true if work this JVM's pools run can still finish now that the JVM exits}: false when the exit was
     * asked for by a signal (SIGTERM, SIGINT, SIGHUP: a Python process ends at once on SIGTERM, and waiting for
     * work there would keep {@code kill} and {@code docker stop} waiting for its length), or by {@code System.exit}
     * from a thread that work depends on: one of the library's own threads (a continuation of an executor's future
     * runs on a pool's receiver, a callback on its callback thread) or the thread of a {@code thread}-method
     * process (a pool worker of that method). Such a thread stays blocked in {@code System.exit} for good, so what
     * waits on it would wait for good. Worked out once, at exit, from the threads' stacks.
     *
     * @param processThreads the threads running a {@code thread}-method process now
     */
    public static boolean workCanFinish(Set<Thread> processThreads) {
        Boolean can = workCanFinish;
        if (can == null) {
            can = Boolean.TRUE;
            for (var entry : Thread.getAllStackTraces().entrySet()) {
                Thread thread = entry.getKey();
                boolean exiting = false;
                boolean signal = false;
                for (StackTraceElement frame : entry.getValue()) {
                    exiting |= frame.getClassName().equals("java.lang.Shutdown");
                    signal |= frame.getClassName().startsWith("java.lang.Terminator");
                }
                if (exiting && (signal || thread.getName().startsWith(LibraryThreads.PREFIX)
                        || processThreads.contains(thread))) {
                    can = Boolean.FALSE;
                }
            }
            workCanFinish = can;
        }
        return can;
    }

    /**
     * {@return true if {@code thread} is blocked in {@code System.exit} (or in the JVM's exit after a signal)}
     *
     * @param thread the thread
     */
    public static boolean isExitingThread(Thread thread) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getClassName().equals("java.lang.Shutdown")) {
                return true;
            }
        }
        return false;
    }
}

package io.github.jmultiprocessing.internal.shm;

import java.lang.ref.Cleaner;

/**
 * The library's own background threads: daemon platform threads named {@code jmultiprocessing-...}, in the root
 * thread group, and the one {@link Cleaner} of the library.
 *
 * <p>Implementation notes. A thread inherits the thread group of the thread that creates it; a host that runs
 * the user's program in a thread group of its own ({@code mvn exec:java}) waits, at the program's end, for the
 * threads of that group, interrupts them and then waits 15 s more for those that live on (a cleaner, a pool's
 * threads while its workers run). The library's threads end with what they serve, or at JVM exit, so they are
 * created in the root group, where a host does not count them as the program's.
 */
public final class LibraryThreads {

    /** The thread name prefix of every library thread. */
    public static final String PREFIX = "jmultiprocessing-";

    private static final ThreadGroup ROOT = root();

    /** The library's cleaner, made on first use: one thread for every object whose shared resources it lets go. */
    private static final class Cleaners {
        static final Cleaner CLEANER = Cleaner.create(factory("cleaner"));
    }

    private LibraryThreads() {
    }

    /**
     * {@return a new daemon thread in the root group named {@code jmultiprocessing-<name>}, not started}
     *
     * @param name   what the thread does, after the prefix
     * @param action what it runs
     */
    public static Thread unstarted(String name, Runnable action) {
        return unstarted(name, 0, action);
    }

    /**
     * {@return a new daemon thread in the root group named {@code jmultiprocessing-<name>}, not started}
     *
     * @param name      what the thread does, after the prefix
     * @param stackSize the stack size in bytes, 0 for the JVM's default
     * @param action    what it runs
     */
    public static Thread unstarted(String name, long stackSize, Runnable action) {
        // No Thread.Builder and no string concatenation: a child JVM starts its reaper thread first thing, and
        // both cost it milliseconds of class loading and method-handle spinning before its target runs.
        Thread thread = new Thread(ROOT, action, name.startsWith(PREFIX) ? name : PREFIX.concat(name), stackSize);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * {@return a new daemon thread in the root group named {@code jmultiprocessing-<name>}, started}
     *
     * @param name   what the thread does, after the prefix
     * @param action what it runs
     */
    public static Thread start(String name, Runnable action) {
        Thread thread = unstarted(name, action);
        thread.start();
        return thread;
    }

    /**
     * {@return a factory of such threads, each named {@code jmultiprocessing-<name>}}
     *
     * @param name what the threads do
     */
    public static java.util.concurrent.ThreadFactory factory(String name) {
        return new Factory(name);
    }

    /** The factory of {@link #factory}: a class, not a lambda, for the same reason as {@link #unstarted}. */
    private record Factory(String name) implements java.util.concurrent.ThreadFactory {
        @Override
        public Thread newThread(Runnable action) {
            return unstarted(name, action);
        }
    }

    /** {@return the library's cleaner (its thread starts on first use, not in every JVM that loads this class)} */
    public static Cleaner cleaner() {
        return Cleaners.CLEANER;
    }

    private static ThreadGroup root() {
        ThreadGroup group = Thread.currentThread().getThreadGroup();
        while (group.getParent() != null) {
            group = group.getParent();
        }
        return group;
    }
}

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

    /** The library's cleaner: one thread for every object whose shared resources it lets go. */
    public static final Cleaner CLEANER = Cleaner.create(factory("cleaner"));

    private LibraryThreads() {
    }

    /**
     * {@return a builder of daemon platform threads in the root group named {@code jmultiprocessing-<name>}}
     *
     * @param name what the thread does, after the prefix
     */
    public static Thread.Builder.OfPlatform builder(String name) {
        return Thread.ofPlatform().group(ROOT).daemon().name(name.startsWith(PREFIX) ? name : PREFIX + name);
    }

    /**
     * {@return a factory of such threads, each named {@code jmultiprocessing-<name>}}
     *
     * @param name what the threads do
     */
    public static java.util.concurrent.ThreadFactory factory(String name) {
        return builder(name).factory();
    }

    private static ThreadGroup root() {
        ThreadGroup group = Thread.currentThread().getThreadGroup();
        while (group.getParent() != null) {
            group = group.getParent();
        }
        return group;
    }
}

package io.github.jmultiprocessing.ignite;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Closes a node this library started in this JVM once the program's {@code main} has returned and only the node's
 * own threads keep the JVM alive: Ignite's threads are not daemon threads, so a program that returns from
 * {@code main} without closing its cluster would otherwise never exit (the JVM then runs {@code DestroyJavaVM},
 * waiting for them). A daemon thread looks every 200 ms; any other live non-daemon thread (the program's own) keeps
 * the node open, but not the threads of another node this library watches (a local cluster's client and a client
 * joined to another cluster both close).
 */
final class ExitWatcher {

    /** The thread-name marks of the nodes being watched ("%instance%"). */
    private static final Set<String> WATCHED = ConcurrentHashMap.newKeySet();

    private ExitWatcher() {
    }

    /**
     * Starts watching.
     *
     * @param instance the node's instance name (Ignite names its threads "...%instance%")
     * @param close    what closes it
     * @param closed   true once it was closed otherwise (the watcher stops)
     */
    static void closeAfterMain(String instance, Runnable close, BooleanSupplier closed) {
        String mine = "%" + instance + "%";
        WATCHED.add(mine);
        Thread watcher = new Thread(() -> {
            try {
                watch(close, closed);
            } finally {
                WATCHED.remove(mine);
            }
        }, "jmultiprocessing-ignite " + instance + " exit watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static void watch(Runnable close, BooleanSupplier closed) {
        while (!closed.getAsBoolean()) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            boolean mainReturned = false;
            boolean others = false;
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (thread.getName().equals("DestroyJavaVM")) {
                    mainReturned = true;
                } else if (!thread.isDaemon() && thread.isAlive()
                        && WATCHED.stream().noneMatch(thread.getName()::contains)) {
                    others = true;
                }
            }
            if (mainReturned && !others) {
                close.run();
                return;
            }
        }
    }
}

package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.JavaMain;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every thread the library starts is named {@code jmultiprocessing-...}: a program JVM of its own uses a pool, a
 * manager, a queue with a child, a listener and the forkserver, then lists its threads; all but the JVM's own and
 * {@code main} carry the prefix.
 */
class ThreadNamesIT {

    /** The JVM's and the JDK's own threads (with the JDK's reapers of child processes, below). */
    private static final Set<String> JDK = Set.of("main", "Reference Handler", "Finalizer", "Signal Dispatcher",
            "Notification Thread", "Common-Cleaner", "Attach Listener", "process reaper", "DestroyJavaVM");

    /** Uses what starts threads, then prints the name of every live thread, one a line, after "threads:". */
    public static final class ThreadsMain {
        public static void main(String[] args) throws Exception {
            try (ProcessPool pool = new ProcessPool(2)) {
                pool.map(x -> x + 1, List.of(1, 2, 3), 1);
                pool.applyAsync(() -> 1, v -> { }, e -> { }).get(Duration.ofSeconds(60));
                Manager manager = new Manager();
                manager.start();
                Map<String, Integer> dict = manager.dict();
                dict.put("a", 1);
                SharedQueue<String> queue = new SharedQueue<>();
                JvmProcess child = Multiprocessing.getContext("forkserver").process(() -> queue.put("hi"), "c");
                child.start();
                queue.get();
                child.join();
                try (Listener listener = new Listener(new java.net.InetSocketAddress("127.0.0.1", 0),
                        "secret".getBytes())) {
                    System.out.println("listening " + (listener.address() != null));
                    System.out.println("threads:");
                    for (Thread thread : Thread.getAllStackTraces().keySet()) {
                        System.out.println(thread.getName());
                    }
                }
                manager.shutdown();
            }
        }
    }

    @Test
    void shouldNameEveryLibraryThreadWithThePrefix() throws Exception {
        try (JavaMain main = JavaMain.start(ThreadsMain.class)) {
            assertEquals(0, main.waitFor(Duration.ofSeconds(120)), main.output());
            String output = main.output();
            int at = output.indexOf("threads:\n");
            assertTrue(at >= 0, output);
            Set<String> others = new TreeSet<>();
            Set<String> ours = new TreeSet<>();
            for (String name : output.substring(at + "threads:\n".length()).lines().toList()) {
                if (name.startsWith("jmultiprocessing-")) {
                    ours.add(name);
                } else if (!JDK.contains(name) && !name.startsWith("C1 CompilerThread")
                        && !name.startsWith("C2 CompilerThread") && !name.startsWith("process reaper")
                        && !name.startsWith("ForkJoinPool-") && !name.equals("VirtualThread-unblocker")) {
                    // (the last two: the JDK's scheduler of virtual threads, which the library's handshakes use)
                    others.add(name);
                }
            }
            assertEquals(Set.of(), others, "threads without the prefix; the library's: " + ours);
            assertTrue(ours.size() >= 5, "the pool's, the manager's, the forkserver's ...: " + ours);
        }
    }
}

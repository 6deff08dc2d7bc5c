package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.JavaMain;
import io.github.jmultiprocessing.testing.Poll;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Daemon children end with their parent, however it ends; other children are joined at normal exit. */
class DaemonIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** Starts a daemon child and a non-daemon child, prints their pids, then exits or waits to be killed. */
    public static final class ParentMain {
        public static void main(String[] args) throws Exception {
            JvmProcess daemon = new JvmProcess(JvmProcessIT::sleepForever);
            daemon.setDaemon(true);
            daemon.start();
            SharedValue done = SharedValue.raw('i');
            JvmProcess worker = new JvmProcess(() -> finishSlowly(done));
            worker.start();
            System.out.println("daemon " + daemon.pid().orElseThrow());
            System.out.println("worker " + worker.pid().orElseThrow());
            System.out.flush();
            if (args.length > 0 && args[0].equals("wait")) {
                Thread.sleep(Duration.ofMinutes(10));
            }
        }
    }

    static void finishSlowly(SharedValue done) {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.out.println("worker finished");
    }

    private static long pidOf(String output, String kind) {
        Matcher m = Pattern.compile(kind + " (\\d+)").matcher(output);
        assertTrue(m.find(), output);
        return Long.parseLong(m.group(1));
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void shouldTerminateDaemonsAndJoinWorkersAtNormalExit() throws Exception {
        try (JavaMain parent = JavaMain.start(ParentMain.class)) {
            assertEquals(0, parent.waitFor(WAIT), parent.output());
            String output = parent.output();
            assertTrue(output.contains("worker finished"), "the non-daemon child must be joined: " + output);
            long daemon = pidOf(output, "daemon");
            Poll.until("the daemon child to end", WAIT, () -> !alive(daemon));
        }
    }

    @Test
    void shouldEndDaemonsWhenTheParentIsKilled() throws Exception {
        try (JavaMain parent = JavaMain.start(ParentMain.class, "wait")) {
            Poll.until("the parent to start its children", WAIT, () -> parent.output().contains("worker "));
            long daemon = pidOf(parent.output(), "daemon");
            long worker = pidOf(parent.output(), "worker");
            assertTrue(alive(daemon));
            parent.process().destroyForcibly();
            Poll.until("the daemon child to notice its parent died", WAIT, () -> !alive(daemon));
            Poll.until("the worker to finish by itself", WAIT, () -> !alive(worker));
        }
    }
}

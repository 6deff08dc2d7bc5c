package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.JavaMain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library's JFR events, recorded by a program JVM of its own started with {@code -XX:StartFlightRecording}
 * (the JDK's default settings): a child's start and exit, pool tasks, a pool worker lost, a lock wait above its
 * threshold, a manager call above its threshold; read back from the recording file.
 */
class JfrEventsIT {

    /** Does what each event records. */
    public static final class RecordedMain {
        public static void main(String[] args) throws Exception {
            JvmProcess child = new JvmProcess(() -> { }, "recorded-child");
            child.start();
            child.join();
            try (ProcessPool pool = new ProcessPool(1)) {
                pool.apply(() -> 7);
                try {
                    pool.apply(() -> {
                        System.exit(3);
                        return 0;
                    });
                } catch (WorkerLostException expected) {
                    System.out.println("worker lost");
                }
            }
            try (SharedLock lock = new SharedLock()) {
                java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
                Thread holder = new Thread(() -> {
                    lock.acquire();
                    held.countDown();
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        lock.release();
                    }
                });
                holder.start();
                held.await();
                lock.acquire(); // waits ~200 ms for the holder
                lock.release();
                holder.join();
            }
            try (Manager manager = new Manager()) {
                manager.start();
                System.out.println("event set " + manager.event().await(Duration.ofMillis(100)));
            }
        }
    }

    @Test
    void shouldRecordTheLibrarysEvents(@TempDir Path dir) throws Exception {
        Path recording = dir.resolve("recording.jfr");
        try (JavaMain main = JavaMain.start(System.getProperty("java.class.path"),
                List.of("-XX:StartFlightRecording:filename=" + recording + ",settings=default"), RecordedMain.class)) {
            assertEquals(0, main.waitFor(Duration.ofSeconds(120)), main.output());
            assertTrue(main.output().contains("worker lost"), main.output());
        }
        Map<String, Integer> counts = new TreeMap<>();
        StringBuilder seen = new StringBuilder();
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            String type = event.getEventType().getName();
            if (type.startsWith("io.github.jmultiprocessing.")) {
                counts.merge(type.substring("io.github.jmultiprocessing.".length()), 1, Integer::sum);
                seen.append(event).append('\n');
            }
        }
        String all = seen.toString();
        for (String type : List.of("ProcessStart", "ProcessExit", "PoolTask", "WorkerLost", "LockWait",
                "ManagerCall")) {
            assertTrue(counts.containsKey(type), type + " recorded; all: " + counts + "\n" + all);
        }
        assertTrue(all.contains("process = \"recorded-child\"") && all.contains("startMethod = \"spawn\""), all);
        assertTrue(all.contains("exitCode = 3"), "the worker's exit, as its pool saw it: " + all);
        assertTrue(all.contains("method = \"await\""), all);
    }
}

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
 * (the JDK's default settings): a child's start, readiness and exit, pool tasks, a pool worker lost, a lock wait
 * and a queue wait above their thresholds, a manager call above its threshold; read back from the recording file.
 * A child given the option records its own readiness.
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
            try (SharedQueue<String> queue = new SharedQueue<>()) {
                System.out.println("empty get " + queue.get(Duration.ofMillis(60))); // times out: QueueWait, get
            } catch (QueueEmptyException expected) {
                System.out.println("queue empty");
            }
            JvmProcess thread = Multiprocessing.getContext(Multiprocessing.THREAD).process(() -> { }, "in-a-thread");
            thread.start();
            thread.join();
            // A child that records itself: its ProcessReady event is in its own recording.
            ChildJvm recording = ChildJvm.defaults().withOptions("-XX:StartFlightRecording:filename=" + args[0]
                    + ",settings=default");
            JvmProcess recorded = new JvmProcess(() -> { }, "recording-child");
            recorded.setChildJvm(recording);
            recorded.start();
            recorded.join();
            System.out.println("recording child exit " + recorded.exitCode().orElse(-99));
        }
    }

    @Test
    void shouldRecordTheLibrarysEvents(@TempDir Path dir) throws Exception {
        Path recording = dir.resolve("recording.jfr");
        Path childRecording = dir.resolve("child-%p.jfr"); // %p: each JVM's pid, as a user names them
        try (JavaMain main = JavaMain.start(System.getProperty("java.class.path"),
                List.of("-XX:StartFlightRecording:filename=" + recording + ",settings=default"), RecordedMain.class,
                childRecording.toString())) {
            assertEquals(0, main.waitFor(Duration.ofSeconds(120)), main.output());
            assertTrue(main.output().contains("worker lost"), main.output());
            assertTrue(main.output().contains("queue empty"), main.output());
            assertTrue(main.output().contains("recording child exit 0"), main.output());
        }
        Map<String, Integer> counts = new TreeMap<>();
        String all = read(recording, counts);
        for (String type : List.of("ProcessStart", "ProcessReady", "ProcessExit", "PoolTask", "WorkerLost",
                "LockWait", "ManagerCall", "QueueWait")) {
            assertTrue(counts.containsKey(type), type + " recorded; all: " + counts + "\n" + all);
        }
        assertTrue(all.contains("process = \"recorded-child\"") && all.contains("startMethod = \"spawn\""), all);
        assertTrue(all.contains("exitCode = 3"), "the worker's exit, as its pool saw it: " + all);
        assertTrue(all.contains("method = \"await\""), all);
        assertTrue(all.contains("operation = \"get\"") && all.contains("done = false"), "the empty get: " + all);
        assertTrue(all.contains("process = \"in-a-thread\"") && all.contains("startMethod = \"thread\""),
                "the thread start method's readiness, in this JVM: " + all);

        List<Path> childFiles;
        try (var files = java.nio.file.Files.list(dir)) {
            childFiles = files.filter(f -> f.getFileName().toString().startsWith("child-")).toList();
        }
        // one file: the recording child's (not an AOT cache build's, nor the check that its options boot)
        assertEquals(1, childFiles.size(), "recordings: " + childFiles);
        Map<String, Integer> childCounts = new TreeMap<>();
        String child = read(childFiles.getFirst(), childCounts);
        assertEquals(1, childCounts.getOrDefault("ProcessReady", 0), "the child's own readiness: " + child);
        RecordedEvent ready = RecordingFile.readAllEvents(childFiles.getFirst()).stream()
                .filter(e -> e.getEventType().getName().equals("io.github.jmultiprocessing.ProcessReady"))
                .findFirst().orElseThrow();
        assertEquals("recording-child", ready.getString("process"));
        assertEquals("spawn", ready.getString("startMethod"));
        Duration sinceStart = ready.getDuration("sinceStart");
        assertTrue(sinceStart.compareTo(Duration.ofMillis(1)) > 0 && sinceStart.compareTo(Duration.ofSeconds(60)) < 0,
                "time to ready: from the parent's start() to the child's target, " + sinceStart);
    }

    /** {@return the library's events in a recording, printed} and counts them by type into {@code counts} */
    private static String read(Path recording, Map<String, Integer> counts) throws java.io.IOException {
        StringBuilder seen = new StringBuilder();
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            String type = event.getEventType().getName();
            if (type.startsWith("io.github.jmultiprocessing.")) {
                counts.merge(type.substring("io.github.jmultiprocessing.".length()), 1, Integer::sum);
                seen.append(event).append('\n');
            }
        }
        return seen.toString();
    }
}

package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.queue.QueueChannel;
import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import io.github.jmultiprocessing.testing.Children;
import io.github.jmultiprocessing.testing.JavaMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The segments of closed queues, pipes, pools and managers are unlinked once no process holds them. */
class SegmentReclaimIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** Runs rounds of pool + manager + queue create/close, printing the files in its directory after each. */
    static final class RoundsMain {
        public static void main(String[] args) throws Exception {
            int rounds = Integer.parseInt(args[0]);
            Path directory = Path.of(System.getProperty("jmultiprocessing.shm.dir"));
            for (int round = 1; round <= rounds; round++) {
                SharedQueue<Integer> queue = new SharedQueue<>();
                try (ProcessPool pool = new ProcessPool(1)) {
                    List<Integer> put = pool.map(x -> {
                        queue.add(x); // the queue travels to the worker with the function
                        return x;
                    }, List.of(1, 2));
                    if (!put.equals(List.of(1, 2))) {
                        throw new AssertionError(put);
                    }
                }
                try (Manager manager = new Manager()) {
                    manager.start();
                    Map<String, Integer> dict = manager.dict();
                    dict.put("round", round);
                }
                if (queue.get() + queue.get() != 3) {
                    throw new AssertionError("queue");
                }
                queue.close();
                try (Stream<Path> files = Files.list(directory)) {
                    System.out.println("round " + round + " files " + files.map(p -> p.getFileName().toString())
                            .sorted().toList());
                }
            }
        }
    }

    @Test
    @Timeout(300)
    void shouldLeaveNoMoreFilesAfterAHundredRoundsOfPoolManagerAndQueueThanAfterOne() throws Exception {
        Path directory = Files.createTempDirectory("jmp-rounds");
        try (JavaMain rounds = JavaMain.start(System.getProperty("java.class.path"),
                List.of("-Djmultiprocessing.shm.dir=" + directory), RoundsMain.class, "100")) {
            assertEquals(0, rounds.waitFor(Duration.ofSeconds(280)), rounds.output());
            List<String> lines = rounds.output().lines().filter(l -> l.startsWith("round ")).toList();
            assertEquals(100, lines.size(), rounds.output());
            String first = lines.getFirst();
            String last = lines.getLast();
            assertTrue(count(last) <= count(first), "after round 1: " + first + "\nafter round 100: " + last);
            // a pool's workers each have a started word in the shared heap: its arena stays for the JVM's next use
            String list = first.substring(first.indexOf('[') + 1, first.lastIndexOf(']')).strip();
            assertEquals(1, list.split(", ").length - (list.contains("jmp-heap-") ? 1 : 0),
                    "one ledger (and the shared heap's arena) and nothing else expected: " + first);
            assertTrue(list.contains("jmp-ledger-"), first);
        } finally {
            delete(directory);
        }
    }

    /**
     * Makes a queue channel (which, unlike a {@code SharedQueue}, has no exit action of its own: its rings are
     * unlinked as a family by the library's exit clean-up), then, from a shutdown hook of its own that runs after
     * that clean-up, puts a message too big for the queue's ring: the put needs a new ring while the JVM exits.
     */
    static final class PutWhileExitingMain {
        public static void main(String[] args) throws Exception {
            QueueChannel queue = QueueChannel.create(0, 1024, false, false);
            queue.put(new byte[16], 0, () -> false);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Thread.sleep(1_000); // the library's own exit hook has unlinked this JVM's segments by now
                    queue.put(new byte[1 << 20], 0, () -> false);
                    System.out.println("put during exit: went through");
                } catch (IOException | RuntimeException | InterruptedException e) {
                    System.out.println("put during exit: " + e);
                }
                // An untracked SharedMemory is the user's to unlink: made at exit as at any other time (Python too).
                try (SharedMemory user = SharedMemory.create("jmp-user-at-exit-" + ProcessHandle.current().pid(), 64,
                        false)) {
                    System.out.println("untracked SharedMemory during exit: made");
                    user.unlink();
                } catch (RuntimeException e) {
                    System.out.println("untracked SharedMemory during exit: " + e);
                }
            }));
            System.out.println("queue " + queue.name());
        }
    }

    @Test
    void shouldNotLeaveARingMadeWhileTheJvmExits() throws Exception {
        // Found when a JVM killed with SIGTERM while its thread filled a queue left 28 rings of 16 MiB in /dev/shm:
        // a queue's rings are unlinked as a family at exit, and a ring made after that was never unlinked.
        Path directory = Files.createTempDirectory("jmp-exiting");
        try (JavaMain main = JavaMain.start(System.getProperty("java.class.path"),
                List.of("-Djmultiprocessing.shm.dir=" + directory), PutWhileExitingMain.class)) {
            assertEquals(0, main.waitFor(WAIT), main.output());
            assertTrue(main.output().contains("put during exit: "), main.output());
            assertTrue(main.output().contains("untracked SharedMemory during exit: made"), main.output());
            try (Stream<Path> files = Files.list(directory)) {
                assertEquals(List.of(), files.map(f -> f.getFileName().toString()).toList(), main.output());
            }
        } finally {
            delete(directory);
        }
    }

    private static int count(String line) {
        String list = line.substring(line.indexOf('[') + 1, line.lastIndexOf(']')).strip();
        return list.isEmpty() ? 0 : list.split(", ").length;
    }

    static void putAndWait(SharedQueue<String> queue, SharedEvent go) {
        queue.add("from the child");
        try {
            go.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldUnlinkAQueueOnceTheLastProcessHoldingItEnds() throws Exception {
        SharedQueue<String> queue = new SharedQueue<>();
        String name = queue.channel().name();
        SharedEvent go = new SharedEvent();
        try (Children children = new Children()) {
            JvmProcess child = children.start(() -> putAndWait(queue, go));
            assertEquals("from the child", queue.get(WAIT));
            queue.close();
            assertTrue(Files.exists(ShmDirectory.pathOf(name)), "unlinked while the child held it");
            go.set();
            assertEquals(0, Children.joinWithin(child, WAIT));
            assertFalse(Files.exists(ShmDirectory.pathOf(name)), "left after every holder ended");
            assertFalse(Files.exists(ShmDirectory.pathOf(name + ".0")), "a ring left after every holder ended");
        }
    }

    static void echoOnce(Connection conn) {
        try {
            conn.send(conn.recv());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldUnlinkAPipeOnceEveryProcessClosedBothEnds() throws Exception {
        Pipe pipe = Pipe.open();
        String name = pipe.left().segmentName();
        try (Children children = new Children()) {
            Connection theirs = pipe.right();
            JvmProcess child = children.start(() -> echoOnce(theirs));
            theirs.close(); // the child holds its own copy
            pipe.left().send("ping");
            assertEquals("ping", pipe.left().recv());
            assertTrue(Files.exists(ShmDirectory.pathOf(name)), "unlinked while the child held an end");
            assertEquals(0, Children.joinWithin(child, WAIT));
            assertTrue(Files.exists(ShmDirectory.pathOf(name)), "unlinked while this process held an end");
            pipe.left().close();
            assertFalse(Files.exists(ShmDirectory.pathOf(name)), "left after both ends were closed everywhere");
        }
    }

    private static void delete(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

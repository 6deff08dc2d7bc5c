package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Multiprocessing#wait} over connections and queues (processes: JvmProcessIT, WaitIT). */
class WaitTest {

    private static final Duration SHORT = Duration.ofMillis(30);
    private static final Duration LONG = Duration.ofSeconds(10);

    @Test
    void shouldReturnTheReadyOnesInTheOrderGiven() throws Exception {
        Pipe a = Pipe.open();
        Pipe b = Pipe.open();
        try (SharedQueue<String> q = new SharedQueue<>()) {
            List<Object> objects = List.of(a.left(), q, b.left());
            long t0 = System.nanoTime();
            assertEquals(List.of(), Multiprocessing.wait(objects, SHORT), "nothing ready: empty after the timeout");
            assertTrue(System.nanoTime() - t0 >= SHORT.toNanos());
            Thread sender = Thread.ofPlatform().daemon().start(() -> {
                try {
                    Thread.sleep(50);
                    b.right().send("late");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals(List.of(b.left()), Multiprocessing.wait(objects, LONG), "wakes when a message comes");
            sender.join(LONG.toMillis());
            q.put("x");
            a.right().close(); // the end of a's stream: ready too, recv would not block
            assertEquals(List.of(a.left(), q, b.left()), Multiprocessing.wait(objects, null));
            assertEquals("late", b.left().recv(), "wait does not consume");
        } finally {
            a.left().close();
            b.left().close();
            b.right().close();
        }
    }

    @Test
    void shouldFindAShutDownQueueReadyAsItsGetWouldNotBlock() throws Exception {
        try (SharedQueue<String> queue = new SharedQueue<>(); SharedSimpleQueue<String> simple = new SharedSimpleQueue<>()) {
            queue.shutdown();
            simple.shutdown();
            long t0 = System.nanoTime();
            assertEquals(List.of(queue, simple), Multiprocessing.wait(List.of(queue, simple), LONG));
            assertTrue(System.nanoTime() - t0 < LONG.toNanos() / 2, "at once, not after the timeout");
            assertThrows(QueueShutDownException.class, queue::get, "get throws at once: nothing to wait for");
        }
    }

    @Test
    void shouldRefuseWhatCannotBeWaitedFor() throws Exception {
        Pipe simplex = Pipe.open(false);
        try {
            assertThrows(IllegalArgumentException.class, () -> Multiprocessing.wait(List.of("a string"), SHORT));
            assertThrows(IllegalArgumentException.class, () -> Multiprocessing.wait(List.of(simplex.right()), SHORT),
                    "a sending-only end");
            simplex.left().close();
            assertThrows(IllegalStateException.class, () -> Multiprocessing.wait(List.of(simplex.left()), SHORT),
                    "an end closed here");
            assertThrows(IllegalStateException.class,
                    () -> Multiprocessing.wait(List.of(new JvmProcess(() -> { })), SHORT), "not started");
        } finally {
            simplex.right().close();
        }
    }
}

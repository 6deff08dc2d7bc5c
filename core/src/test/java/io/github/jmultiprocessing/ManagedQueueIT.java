package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.Children;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A manager's queue shut down while a client in another process waits in it. */
class ManagedQueueIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** Says it is about to wait, then waits in get() and reports how it ended and how long it waited. */
    static void getUntilShutDown(ManagedQueue<Integer> queue, SharedQueue<String> report) {
        report.add("waiting");
        long start = System.nanoTime();
        String end;
        try {
            end = "got " + queue.get();
        } catch (QueueShutDownException e) {
            end = "ShutDown";
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        report.add(end + " after " + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    @Test
    void shouldWakeAChildWaitingInAManagedQueueWhenTheParentShutsItDown() throws Exception {
        try (Children children = new Children(); Manager manager = Multiprocessing.manager();
                SharedQueue<String> report = new SharedQueue<>()) {
            ManagedQueue<Integer> queue = manager.queue();
            JvmProcess child = children.start(() -> getUntilShutDown(queue, report));
            assertEquals("waiting", report.get(WAIT));
            // Not synchronization: the child's get ends with ShutDown whether or not it is waiting yet; the pause
            // makes it likely that it is, and the time it reports shows that it was.
            Thread.sleep(500);
            queue.shutdown();
            String end = report.get(WAIT);
            assertTrue(end.startsWith("ShutDown after "), end);
            assertTrue(Long.parseLong(end.replaceAll("\\D", "")) >= 400, "the child was waiting: " + end);
            assertEquals(0, Children.joinWithin(child, WAIT));
            assertTrue(queue.isShutdown());
            assertThrows(QueueShutDownException.class, () -> queue.put(1), "the server's exception, its own type");
        }
    }
}

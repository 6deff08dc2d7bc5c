package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A thread whose interrupt status is set can still make and attach shared objects (a {@code FileChannel} closes
 * itself on an interrupted thread, which must not reach the caller as an error about a file), keeps its status,
 * and leaves the library working for every other thread (the ledger of this JVM's segments stays open).
 */
class InterruptedCallerTest {

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void shouldCreateAndAttachSegmentsOnAnInterruptedThreadAndKeepItsStatus() {
        Thread.currentThread().interrupt();
        try (SharedMemory created = SharedMemory.create(4096);
                SharedMemory attached = SharedMemory.attach(created.name())) {
            created.segment().set(java.lang.foreign.ValueLayout.JAVA_INT, 0, 42);
            assertEquals(42, attached.segment().get(java.lang.foreign.ValueLayout.JAVA_INT, 0));
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt status is kept");
            created.unlink();
        }
        assertTrue(Thread.interrupted());
        try (SharedMemory after = SharedMemory.create(4096)) { // the ledger still records, on a plain thread
            after.unlink();
        }
    }

    @Test
    void shouldPutAndGetOnAnInterruptedThreadWhenNoWaitIsNeeded() throws Exception {
        try (SharedQueue<String> queue = new SharedQueue<>()) {
            Thread.currentThread().interrupt();
            queue.putNowait("first"); // attaches the ring lazily on this thread
            assertEquals("first", queue.getNowait());
            assertTrue(Thread.interrupted(), "the interrupt status is kept");
            queue.put("second");
            assertEquals("second", queue.get(Duration.ofSeconds(10)));
        }
    }
}

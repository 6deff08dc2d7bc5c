package io.github.jmultiprocessing.internal.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.jmultiprocessing.JvmProcess;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A cold JVM links the futex call on a thread of its own: its first waits do not wait for the link (40-75 ms),
 * they park in pure Java and start it; once linked, waits sleep on the futex. Checked in a child JVM, where
 * nothing has linked it yet.
 */
class FutexLinkIT {

    private static final int NOT_LINKED_AT_START = 0;

    /** The child's checks; its exit code says which failed (0: none). */
    static void checkInChild() throws InterruptedException {
        if (!Futex.AVAILABLE) {
            System.exit(10); // the parent has it: a child must too
        }
        if (Futex.linked()) {
            System.exit(11); // a target that captures nothing starts no link
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment word = arena.allocate(8, 8);
            // the count still holds what the waiter saw: a futex wait would sleep the whole slice, this one parks
            // (at most 20 us in its first round) and returns
            long start = System.nanoTime();
            WaitCore.await(word, 0, 0, Duration.ofSeconds(30).toNanos(), 0);
            if (System.nanoTime() - start > Duration.ofSeconds(20).toNanos()) {
                System.exit(12); // it waited for the slice: it slept on a futex that nobody wakes
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Futex.linked()) { // the wait started the link on a thread of its own
            if (System.nanoTime() - deadline > 0) {
                System.exit(13);
            }
            Thread.sleep(5);
        }
        System.exit(NOT_LINKED_AT_START);
    }

    @Test
    void shouldParkInPureJavaUntilLinkedAndLinkInTheBackground() throws Exception {
        Assumptions.assumeTrue(Futex.AVAILABLE, "the futex path is off in this JVM");
        JvmProcess child = new JvmProcess(FutexLinkIT::checkInChild);
        child.start();
        try {
            child.join(Duration.ofSeconds(120));
        } finally {
            if (child.isAlive()) {
                child.kill();
                child.join(Duration.ofSeconds(30));
            }
        }
        assertEquals(NOT_LINKED_AT_START, child.exitCode().orElse(-1), "exit code: 10 no futex path, 11 linked at"
                + " start, 12 a wait slept its whole slice, 13 never linked");
    }
}

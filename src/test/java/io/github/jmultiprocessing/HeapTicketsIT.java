package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.shm.HeapBlock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Review of issue 12 section 4: a handle's ticket is given back once per handle sent, whatever the pool does with
 * the function it captured (decoded by several workers, or by none).
 */
class HeapTicketsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    static long pidAfterReading(SharedValue value) {
        try {
            Thread.sleep(100); // long enough for the other worker to take a chunk too
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return value.getLong() == 7 ? ProcessHandle.current().pid() : -1;
    }

    @Test
    void shouldKeepAQueuedHandleValidAfterSeveralWorkersDecodedACallsFunction() throws Exception {
        SharedValue value = SharedValue.raw('q', 7L);
        HeapBlock block = value.block();
        List<SharedValue> others = new ArrayList<>();
        SharedQueue<SharedValue> queue = new SharedQueue<>();
        try {
            queue.put(value); // a handle in flight: its ticket alone keeps the block once the parent closes it
            List<Long> pids;
            ProcessPool pool = new ProcessPool(2);
            try {
                pids = pool.map(x -> pidAfterReading(value), IntStream.range(0, 8).boxed().toList(), 1);
            } finally {
                pool.terminate();
                assertTrue(pool.join(WAIT), "the workers did not exit");
            }
            assertFalse(pids.contains(-1L), "a worker read another value: " + pids);
            assertEquals(2, new HashSet<>(pids).size(), "both workers decoded the call's function: " + pids);
            value.close(); // the workers are gone and the parent closed its object: only the queued handle is left
            assertFalse(HeapReclaimIT.freedWithin(block, others, 20_000),
                    "freed (and handed out again) with a handle to it still in the queue");
            SharedValue received = queue.get(WAIT);
            assertEquals(7L, received.getLong(), "the queued value");
            received.close();
        } finally {
            queue.close();
            others.forEach(SharedValue::close);
        }
    }

    @Test
    void shouldGiveBackAValueCapturedByAMapOfNoItems() throws Exception {
        SharedValue value = SharedValue.raw('q', 7L);
        HeapBlock block = value.block();
        List<SharedValue> others = new ArrayList<>();
        try (ProcessPool pool = new ProcessPool(1)) {
            assertEquals(List.of(), pool.map(x -> value.getLong() + (Integer) x, List.of()));
            value.close();
            boolean freed = false;
            for (int round = 0; round < 10 && !freed; round++) {
                System.gc(); // what the pool read back to give its tickets back is unreachable: collected
                Thread.sleep(50);
                freed = HeapReclaimIT.freedWithin(block, others, 5_000);
            }
            assertTrue(freed, "a function no worker ever received kept the value's block");
        } finally {
            others.forEach(SharedValue::close);
        }
    }
}

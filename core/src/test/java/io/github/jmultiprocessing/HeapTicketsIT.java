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
    /** Collects, then allocates until {@code block} is free; a few rounds. */
    private static boolean freedAfterCollections(HeapBlock block, List<SharedValue> others) throws Exception {
        for (int round = 0; round < 10; round++) {
            System.gc(); // objects read back only to give their tickets back are unreachable: collected
            Thread.sleep(50);
            if (HeapReclaimIT.freedWithin(block, others, 5_000)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void shouldGiveBackAValueAFullQueueRefused() throws Exception {
        SharedValue value = SharedValue.raw('q', 7L);
        HeapBlock block = value.block();
        List<SharedValue> others = new ArrayList<>();
        try (SharedQueue<Object> queue = new SharedQueue<>(1)) {
            queue.put("filler");
            for (int i = 0; i < 10; i++) {
                try {
                    queue.putNowait(value);
                    throw new AssertionError("a full queue took the value");
                } catch (QueueFullException expected) {
                    // nothing was put
                }
            }
            value.close();
            assertTrue(freedAfterCollections(block, others),
                    "ten refused puts kept the value's block (a ticket for each, never given back)");
        } finally {
            others.forEach(SharedValue::close);
        }
    }

    @Test
    void shouldGiveBackAValueSentIntoABrokenPipe() throws Exception {
        SharedValue value = SharedValue.raw('q', 7L);
        HeapBlock block = value.block();
        List<SharedValue> others = new ArrayList<>();
        Pipe pipe = Pipe.open(false);
        Connection writer = pipe.right();
        try {
            pipe.left().close(); // the only copy of the reading end
            for (int i = 0; i < 10; i++) {
                try {
                    writer.send(value);
                    throw new AssertionError("sent into a pipe nobody reads");
                } catch (java.io.IOException expected) {
                    // broken pipe: nothing was sent
                }
            }
            value.close();
            assertTrue(freedAfterCollections(block, others),
                    "ten sends into a broken pipe kept the value's block (a ticket for each, never given back)");
        } finally {
            writer.close();
            others.forEach(SharedValue::close);
        }
    }
    @Test
    void shouldGiveBackAValueLeftInAQueueItsLastHolderClosed() throws Exception {
        SharedValue value = SharedValue.raw('q', 7L);
        HeapBlock block = value.block();
        List<SharedValue> others = new ArrayList<>();
        try {
            SharedQueue<Object> queue = new SharedQueue<>();
            for (int i = 0; i < 3; i++) {
                queue.put(value);
            }
            queue.close(); // the only holder: the queue goes, and the three elements in it with it
            value.close();
            assertTrue(freedAfterCollections(block, others),
                    "a value left in a closed queue kept its block (its tickets never given back)");
        } finally {
            others.forEach(SharedValue::close);
        }
    }
}

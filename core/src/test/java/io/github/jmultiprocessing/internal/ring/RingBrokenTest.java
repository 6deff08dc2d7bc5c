package io.github.jmultiprocessing.internal.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.connection.PipeChannel;
import io.github.jmultiprocessing.internal.connection.PipeLayout;
import io.github.jmultiprocessing.internal.queue.QueueChannel;
import io.github.jmultiprocessing.internal.queue.QueueLayout;
import io.github.jmultiprocessing.internal.shm.MappedSegment;
import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import io.github.jmultiprocessing.internal.shm.SegmentTable;
import java.io.StreamCorruptedException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A queue or pipe whose ring a consumer finds corrupt is broken for every user of it (issue 14): a producer blocked on
 * a full queue or pipe, and every later put, get, send, receive and poll, throw a {@link CorruptRingException} within
 * a bounded time instead of waiting for good. And the pipe's gaps: a checksum mismatch inside a message in pieces,
 * a stuck ring seen by an untimed poll, the pipe layout's version.
 */
class RingBrokenTest {

    private static final long HEAD = 128;
    private static final long DATA = 640;
    private static final long RINGS = PipeLayout.RINGS;

    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "ring-broken-test");
        thread.setDaemon(true);
        return thread;
    });

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    /** {@return what {@code call} threw within {@code seconds}; fails if it returned or went on waiting} */
    private Throwable thrownWithin(int seconds, Callable<?> call, String what) throws InterruptedException {
        Future<?> future = threads.submit(call);
        try {
            Object value = future.get(seconds, TimeUnit.SECONDS);
            throw new AssertionError(what + " returned " + value + " (expected an exception)");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new AssertionError(what + " still waiting after " + seconds + " s with no exception");
        }
    }

    private static void assertBroken(Throwable thrown) {
        assertInstanceOf(CorruptRingException.class, thrown);
        assertTrue(thrown.getMessage().contains("corrupt"), thrown.getMessage());
    }

    private static byte[] message(int length, int seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void shouldFailAProducerBlockedOnAFullQueueOnceAConsumerFindsItCorrupt() throws Exception {
        try (QueueChannel consumer = QueueChannel.create(2, 1024, false);
                QueueChannel producer = QueueChannel.attach(consumer.name())) {
            assertTrue(producer.put(new byte[100], 0, () -> false));
            assertTrue(producer.put(new byte[100], 0, () -> false));
            Future<Boolean> blocked = threads.submit(() -> producer.put(new byte[100], -1, () -> false));
            Thread.sleep(50); // not needed for the outcome: the put waits whenever it starts
            assertFalse(blocked.isDone(), "the queue is full: the put waits");
            MappedSegment ring = SegmentTable.attach(consumer.name() + ".0");
            try {
                ring.segment().set(JAVA_LONG, QueueLayout.RING + HEAD, 16L); // the head, into the first payload
            } finally {
                SegmentTable.release(ring);
            }
            Throwable found = thrownWithin(5, () -> consumer.get(-1, () -> false), "the consumer's get");
            assertBroken(found);
            long start = System.nanoTime();
            Throwable told;
            try {
                blocked.get(5, TimeUnit.SECONDS);
                throw new AssertionError("the blocked put returned (expected an exception)");
            } catch (ExecutionException e) {
                told = e.getCause();
            } catch (TimeoutException e) {
                throw new AssertionError("the producer blocked on the full queue still waits 5 s after the consumer"
                        + " found it corrupt");
            }
            assertBroken(told);
            assertTrue(consumer.isBroken() && producer.isBroken());
            // Woken by the break's signal, or by its own look once a 10 ms slice: 2 s leaves room for a loaded machine.
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "told within 2 s");
            assertTrue(told.getMessage().contains("broken (process " + ProcessIdentity.pid()), told.getMessage());
            try (QueueChannel later = QueueChannel.attach(consumer.name())) { // another process, later
                assertBroken(thrownWithin(5, () -> later.put(new byte[1], -1, () -> false), "a later put"));
                assertBroken(thrownWithin(5, () -> later.get(-1, () -> false), "a later get"));
                assertBroken(thrownWithin(5, () -> later.get(0, () -> false), "a later get that does not wait"));
                assertBroken(thrownWithin(5, later::peek, "a later peek"));
            }
        }
    }

    @Test
    void shouldStayBrokenForEveryConsumerEvenIfTheBytesAreRepaired() throws Exception {
        try (QueueChannel queue = QueueChannel.create(0, 1024, false);
                QueueChannel other = QueueChannel.attach(queue.name())) {
            Future<byte[]> waiting = threads.submit(() -> other.get(-1, () -> false));
            assertTrue(queue.put(new byte[100], 0, () -> false));
            assertEquals(100, waiting.get(5, TimeUnit.SECONDS).length);
            waiting = threads.submit(() -> other.get(-1, () -> false)); // waits on an empty queue
            assertTrue(queue.put(new byte[100], 0, () -> false));
            assertEquals(100, waiting.get(5, TimeUnit.SECONDS).length);
            for (int i = 0; i < 2; i++) {
                assertTrue(queue.put(new byte[100], 0, () -> false));
            }
            MappedSegment ring = SegmentTable.attach(queue.name() + ".0");
            try {
                long header = ring.segment().get(JAVA_LONG, QueueLayout.RING + DATA + 224);
                ring.segment().set(JAVA_LONG, QueueLayout.RING + DATA + 224, 0L); // the header of the next record at the head
                assertBroken(thrownWithin(5, () -> queue.get(-1, () -> false), "the get that finds it"));
                ring.segment().set(JAVA_LONG, QueueLayout.RING + DATA + 224, header); // the bytes look right again
            } finally {
                SegmentTable.release(ring);
            }
            Throwable thrown = thrownWithin(5, () -> other.get(-1, () -> false), "another consumer's get");
            assertBroken(thrown);
            assertTrue(thrown.getMessage().contains("broken"), thrown.getMessage());
            assertBroken(thrownWithin(5, () -> other.put(new byte[1], 0, () -> false), "a put"));
        }
    }

    @Test
    void shouldEndAJoinWaitingOnAJoinableQueueOnceItIsFoundCorrupt() throws Exception {
        try (QueueChannel queue = QueueChannel.create(0, 1024, true)) {
            for (int i = 0; i < 3; i++) {
                assertTrue(queue.put(new byte[100], 0, () -> false));
            }
            Future<Boolean> join = threads.submit(() -> queue.join(-1)); // three tasks that will never be done
            MappedSegment ring = SegmentTable.attach(queue.name() + ".0");
            try {
                ring.segment().set(JAVA_LONG, QueueLayout.RING + HEAD, 16L);
            } finally {
                SegmentTable.release(ring);
            }
            assertBroken(thrownWithin(5, () -> queue.get(-1, () -> false), "the get that finds it"));
            try {
                join.get(5, TimeUnit.SECONDS);
                throw new AssertionError("join returned (expected an exception: the tasks will never be done)");
            } catch (ExecutionException e) {
                assertBroken(e.getCause());
            } catch (TimeoutException e) {
                throw new AssertionError("join still waits 5 s after the queue was found corrupt");
            }
        }
    }

    /** A simplex pipe in memory of this process: end 1 sends, end 0 receives; both held by this process. */
    private static PipeChannel[] pipe(MemorySegment memory, int capacity, boolean checksum) throws Exception {
        PipeChannel.format(memory, capacity, false, checksum);
        PipeChannel receiver = PipeChannel.open(memory, 0);
        PipeChannel sender = PipeChannel.open(memory, 1);
        receiver.holders().add(ProcessIdentity.pid(), 1);
        sender.holders().add(ProcessIdentity.pid(), 1);
        return new PipeChannel[] {receiver, sender};
    }

    @Test
    void shouldFailASenderWaitingForRoomOnceTheReceiverFindsThePipeCorrupt() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(PipeChannel.size(1024, false), 128);
            PipeChannel[] ends = pipe(memory, 1024, false);
            PipeChannel receiver = ends[0];
            PipeChannel sender = ends[1];
            byte[] m = new byte[100]; // records of 112 bytes: 9 fill the 1,024-byte ring
            for (int i = 0; i < 9; i++) {
                sender.send(m, 0, m.length, () -> false);
            }
            assertFalse(sender.fitsNow(m.length));
            Future<?> blocked = threads.submit(() -> {
                sender.send(m, 0, m.length, () -> false);
                return null;
            });
            Thread.sleep(50);
            assertFalse(blocked.isDone(), "the pipe is full: the send waits");
            memory.set(JAVA_LONG, RINGS + HEAD, 16L); // the head, into the first payload
            assertBroken(thrownWithin(5, () -> receiver.recv(() -> false), "the receive that finds it"));
            Throwable told;
            try {
                blocked.get(5, TimeUnit.SECONDS);
                throw new AssertionError("the blocked send returned (expected an exception)");
            } catch (ExecutionException e) {
                told = e.getCause();
            } catch (TimeoutException e) {
                throw new AssertionError("the sender waiting for room still waits 5 s after the receiver found the"
                        + " pipe corrupt");
            }
            assertBroken(told);
            assertTrue(receiver.isBroken() && sender.isBroken());
            PipeChannel later = PipeChannel.open(memory, 0);
            assertBroken(thrownWithin(5, () -> later.recv(() -> false), "a later receive"));
            assertBroken(thrownWithin(5, () -> later.poll(-1, () -> false), "a later poll"));
            assertBroken(thrownWithin(5, () -> {
                sender.send(m, 0, 1, () -> false);
                return null;
            }, "a later send"));
        }
    }

    @Test
    void shouldTellAnUntimedPollThatThePipesRingIsStuck() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(PipeChannel.size(1024, false), 128);
            PipeChannel[] ends = pipe(memory, 1024, false);
            for (int i = 0; i < 3; i++) {
                ends[1].send(new byte[100], 0, 100, () -> false);
            }
            memory.set(JAVA_LONG, RINGS + DATA, 0L); // the header at the head zeroed: the tail is past it
            assertBroken(thrownWithin(5, () -> ends[0].poll(-1, () -> false), "an untimed poll"));
            assertTrue(ends[0].isBroken());
        }
    }

    @Test
    void shouldGoOnWithTheNextMessageWhenAPieceOfALargeOneFailsItsChecksum() throws Exception {
        for (int piece = 0; piece < 2; piece++) { // the first piece (with the total length), then the second
            try (Arena arena = Arena.ofShared()) {
                MemorySegment memory = arena.allocate(PipeChannel.size(4096, false), 128);
                PipeChannel[] ends = pipe(memory, 4096, true);
                byte[] big = message(5000, 3); // records of 2048 bytes at 0 and 2048, a third one after a wrap
                byte[] small = message(50, 4);
                Future<?> sending = threads.submit(() -> { // the ring holds less than the message: a sender thread
                    ends[1].send(big, 0, big.length, () -> false);
                    ends[1].send(small, 0, small.length, () -> false);
                    ends[1].send(big, 0, big.length, () -> false);
                    return null;
                });
                MemorySegment ring = memory.asSlice(RINGS, SpscRing.size(4096));
                long record = piece * 2048L; // both are published before anything is read
                waitPublished(ring, record);
                ring.set(JAVA_BYTE, DATA + record + 108, (byte) (ring.get(JAVA_BYTE, DATA + record + 108) ^ 0x10));
                StreamCorruptedException e = assertThrows(StreamCorruptedException.class,
                        () -> ends[0].recv(() -> false));
                assertFalse(e instanceof CorruptRingException, "a checksum mismatch, not a break: " + e);
                assertTrue(e.getMessage().contains("checksum"), e.getMessage());
                assertArrayEquals(small, ends[0].recv(() -> false), "the next message, after piece " + piece
                        + " of the one before failed its checksum");
                assertArrayEquals(big, ends[0].recv(() -> false), "and the one after it, whole");
                sending.get(5, TimeUnit.SECONDS);
                assertFalse(ends[0].isBroken());
            }
        }
    }

    private static void waitPublished(MemorySegment ring, long record) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ring.get(JAVA_LONG, DATA + record) == 0) {
            assertTrue(System.nanoTime() < deadline, "record at " + record + " not published within 5 s");
            Thread.sleep(1);
        }
    }

    @Test
    void shouldRefuseAPipeOfAnotherLayoutVersion() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(PipeChannel.size(1024, true), 128);
            PipeChannel.format(memory, 1024, true, false);
            PipeChannel.open(memory, 0);
            memory.set(JAVA_INT, 8, 2); // the segment header's layout version: 2, before pipes had the header
            StreamCorruptedException e = assertThrows(StreamCorruptedException.class, () -> PipeChannel.open(memory,
                    1));
            assertTrue(e.getMessage().contains("layout version=2 (expected 3)"), e.getMessage());
        }
    }

    @Test
    void shouldKeepTheBrokenWordsInTheFirstSlotAfterTheSegmentHeader() {
        assertTrue(PipeLayout.BROKEN >= 128 && PipeLayout.BROKEN + 4 <= 256, "pipe: in the first slot");
        assertTrue(QueueLayout.BROKEN >= 128 && QueueLayout.BROKEN + 4 <= 256, "queue: in the first slot");
    }
}

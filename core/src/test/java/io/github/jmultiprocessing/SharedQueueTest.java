package io.github.jmultiprocessing;

import org.junit.jupiter.api.Nested;
import java.util.concurrent.BlockingQueue;
import io.github.jmultiprocessing.testing.BlockingQueueContract;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class SharedQueueTest implements BlockingQueueContract {

    @Override
    public BlockingQueue<Integer> newQueue(int capacity) {
        return new SharedQueue<>(capacity);
    }

    /** The contract with a codec: elements written and read in place. */
    @Nested
    class WithCodec implements BlockingQueueContract {
        @Override
        public BlockingQueue<Integer> newQueue(int capacity) {
            return new SharedQueue<>(capacity, Codec.ints());
        }
    }

    /** The contract of the joinable queue (a put counts a task, which the contract does not see). */
    @Nested
    class Joinable implements BlockingQueueContract {
        @Override
        public BlockingQueue<Integer> newQueue(int capacity) {
            return new SharedJoinableQueue<>(capacity);
        }
    }

    /** The contract with a checksum on every message. */
    @Nested
    class Checksummed implements BlockingQueueContract {
        @Override
        public BlockingQueue<Integer> newQueue(int capacity) {
            return new SharedQueue<>(capacity, MessageChecksum.CRC32C);
        }
    }

    private static final Duration SHORT = Duration.ofMillis(20);

    @Test
    void shouldUnlinkTheQueueWhenItsLastHolderClosesIt() throws Exception {
        SharedQueue<Integer> queue = new SharedQueue<>();
        String name = queue.channel().name();
        queue.put(1); // messages still in it do not keep it: nobody can reach them any more
        SharedQueue<Integer> second = roundTrip(queue); // a second object of it in this process
        queue.close();
        assertTrue(java.nio.file.Files.exists(ShmDirectory.pathOf(name)), "unlinked while an object held it");
        assertEquals(1, second.get());
        second.close();
        assertFalse(java.nio.file.Files.exists(ShmDirectory.pathOf(name)), "left after its last holder closed it");
        assertFalse(java.nio.file.Files.exists(ShmDirectory.pathOf(name + ".0")), "its ring left behind");
    }

    @Test
    void shouldKeepTheQueueWhileAHandleIsInFlight() throws Exception {
        SharedQueue<Integer> queue = new SharedQueue<>();
        String name = queue.channel().name();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(queue);
        }
        queue.close(); // no object left, but a handle is out
        assertTrue(java.nio.file.Files.exists(ShmDirectory.pathOf(name)), "unlinked with a handle in flight");
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            @SuppressWarnings("unchecked")
            SharedQueue<Integer> received = (SharedQueue<Integer>) in.readObject();
            received.put(5);
            assertEquals(5, received.get());
            received.close();
        }
        assertFalse(java.nio.file.Files.exists(ShmDirectory.pathOf(name)), "left after the receiver closed it");
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T object) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    @Test
    void shouldBehaveAsPythonsQueueWithinAProcess() throws Exception {
        try (SharedQueue<Object> q = new SharedQueue<>()) {
            assertTrue(q.empty());
            assertFalse(q.full());
            q.put(1);
            q.put("two");
            q.putNowait(List.of(3));
            assertEquals(3, q.qsize());
            assertEquals(1, q.get());
            assertEquals("two", q.get(SHORT));
            assertEquals(List.of(3), q.getNowait());
            assertThrows(QueueEmptyException.class, q::getNowait);
            assertThrows(QueueEmptyException.class, () -> q.get(SHORT));
            assertNull(q.poll());
            assertNull(q.poll(10, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void shouldBoundTheCountOfABoundedQueue() throws Exception {
        try (SharedQueue<Integer> q = new SharedQueue<>(2)) {
            q.put(1);
            assertTrue(q.offer(2));
            assertTrue(q.full());
            assertEquals(0, q.remainingCapacity());
            assertFalse(q.offer(3));
            assertThrows(QueueFullException.class, () -> q.putNowait(3));
            assertThrows(QueueFullException.class, () -> q.put(3, SHORT));
            assertThrows(IllegalStateException.class, () -> q.add(3), "add on a full queue, as the JDK's");
            CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> {
                try {
                    q.put(3);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(30);
            assertFalse(blocked.isDone(), "put waits while the queue is full");
            assertEquals(1, q.take());
            blocked.get(10, TimeUnit.SECONDS);
            assertEquals(List.of(2, 3), List.of(q.take(), q.take()));
        }
        assertThrows(IllegalArgumentException.class, () -> new SharedQueue<>(-1));
    }

    @Test
    void shouldGrowPastItsFirstRingAndCarryHugeMessages() throws Exception {
        try (SharedQueue<byte[]> q = new SharedQueue<>()) {
            byte[] big = new byte[3 * SharedQueue.CAPACITY];
            new Random(7).nextBytes(big);
            for (int i = 0; i < 200; i++) { // 200 KiB of small messages: a few rings
                q.put(new byte[1000]);
            }
            q.put(big);
            q.put(new byte[] {1});
            assertEquals(202, q.size());
            for (int i = 0; i < 200; i++) {
                assertEquals(1000, q.take().length);
            }
            assertArrayEquals(big, q.take());
            assertArrayEquals(new byte[] {1}, q.take());
            assertTrue(q.empty());
        }
    }

    @Test
    void shouldKeepTheQueueIntactWhenAnElementCannotBeSent() throws Exception {
        try (SharedQueue<Object> q = new SharedQueue<>(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.put(new Object()));
            assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
            assertThrows(NullPointerException.class, () -> q.put(null));
            q.putNowait("fits: no slot was lost");
            assertEquals("fits: no slot was lost", q.take());
        }
    }

    @Test
    void shouldPeekIterateAndDrainAsABlockingQueue() throws Exception {
        try (SharedQueue<Integer> q = new SharedQueue<>()) {
            for (int i = 0; i < 5; i++) {
                q.add(i);
            }
            assertEquals(0, q.peek());
            assertEquals(0, q.element());
            List<Integer> seen = new ArrayList<>();
            q.iterator().forEachRemaining(seen::add);
            assertEquals(List.of(0, 1, 2, 3, 4), seen);
            assertTrue(q.contains(3));
            assertEquals(5, q.size(), "peek and iteration do not take");
            List<Integer> drained = new ArrayList<>();
            assertEquals(2, q.drainTo(drained, 2));
            assertEquals(3, q.drainTo(drained));
            assertEquals(List.of(0, 1, 2, 3, 4), drained);
            assertNull(q.peek());
            assertThrows(IllegalArgumentException.class, () -> q.drainTo(q));
        }
    }

    @Test
    void shouldRefuseUseOfAClosedQueueObjectAndWakeItsWaiters() throws Exception {
        SharedQueue<String> q = new SharedQueue<>();
        CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return q.take();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(30);
        assertThrows(IllegalStateException.class, q::joinThread, "joinThread before close, as in Python");
        q.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
        assertThrows(IllegalStateException.class, () -> q.put("x"));
        assertThrows(IllegalStateException.class, q::get);
        q.joinThread();
        q.cancelJoinThread();
        q.close();
    }

    @Test
    void shouldTravelAsAHandleToTheSameQueue() throws Exception {
        try (SharedJoinableQueue<String> q = new SharedJoinableQueue<>()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(q);
            }
            @SuppressWarnings("unchecked")
            SharedJoinableQueue<String> copy = (SharedJoinableQueue<String>) new ObjectInputStream(
                    new ByteArrayInputStream(bytes.toByteArray())).readObject();
            copy.put("via the copy");
            assertEquals("via the copy", q.take());
            assertFalse(q.join(SHORT), "one task unfinished");
            copy.taskDone();
            assertTrue(q.join(SHORT));
            assertThrows(IllegalStateException.class, q::taskDone, "more taskDone calls than items");
            copy.close();
        }
    }

    @Test
    void shouldOfferPythonsSimpleQueue() throws Exception {
        try (SharedSimpleQueue<String> q = new SharedSimpleQueue<>()) {
            assertTrue(q.empty());
            q.put("a");
            assertFalse(q.empty());
            assertEquals("a", q.get());
            assertThrows(QueueEmptyException.class, () -> q.get(SHORT));
        }
    }

    @Provide
    Arbitrary<List<Integer>> operations() {
        return Arbitraries.integers().between(-1, 3000).list().ofMaxSize(300);
    }

    /** Model: a negative number takes, any other puts a message of that many bytes; against an ArrayDeque. */
    @Property(tries = 30)
    void shouldMatchAnArrayDeque(@ForAll("operations") List<Integer> operations) throws Exception {
        try (SharedQueue<byte[]> q = new SharedQueue<>()) {
            ArrayDeque<byte[]> model = new ArrayDeque<>();
            int n = 0;
            for (int op : operations) {
                if (op < 0) {
                    byte[] expected = model.poll();
                    byte[] actual = q.poll();
                    if (expected == null) {
                        assertNull(actual);
                    } else {
                        assertArrayEquals(expected, actual);
                    }
                } else {
                    byte[] m = new byte[op];
                    new Random(n++).nextBytes(m);
                    model.add(m);
                    q.put(m);
                }
                assertEquals(model.size(), q.size());
                assertEquals(model.isEmpty(), q.empty());
            }
            List<byte[]> snapshot = new ArrayList<>(q);
            assertEquals(model.size(), snapshot.size());
        }
    }

    record Point(int x, int y) implements java.io.Serializable {
    }

    /** A codec for points: 8 bytes each; one with x = -1 cannot be written, one read back with y = -1 fails. */
    enum PointCodec implements Codec<Point> {
        INSTANCE;

        @Override
        public int size(Point p) {
            return 8;
        }

        @Override
        public void write(Point p, java.lang.foreign.MemorySegment dst) {
            dst.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 4, p.y());
            if (p.x() == -1) {
                throw new IllegalArgumentException("x=-1 cannot be written");
            }
            dst.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0, p.x());
        }

        @Override
        public Point read(java.lang.foreign.MemorySegment src) {
            Point p = new Point(src.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0),
                    src.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 4));
            if (p.y() == -1) {
                throw new IllegalStateException("y=-1 cannot be read");
            }
            return p;
        }
    }

    @Test
    void shouldCarryTypedElementsThroughACodecAndSurviveItsFailures() throws Exception {
        try (SharedQueue<Point> q = new SharedQueue<>(2, PointCodec.INSTANCE)) {
            q.put(new Point(1, 2));
            assertThrows(IllegalArgumentException.class, () -> q.put(new Point(-1, 5)), "the codec's exception");
            assertEquals(1, q.size(), "a failed write puts nothing and takes no place");
            q.put(new Point(3, -1));
            assertEquals(new Point(1, 2), q.peek());
            assertEquals(new Point(1, 2), q.take());
            assertThrows(IllegalStateException.class, q::take, "the codec's exception from read");
            assertTrue(q.empty(), "an element that failed to read is taken all the same");
            for (int i = 0; i < 10_000; i++) { // through several rings: written in place, read in place
                q.put(new Point(i, i * 2));
                assertEquals(new Point(i, i * 2), q.take());
            }
        }
        try (SharedQueue<Long> longs = new SharedQueue<>(0, Codec.longs());
                SharedQueue<byte[]> bytes = new SharedQueue<>(0, Codec.bytes())) {
            longs.put(Long.MIN_VALUE);
            assertEquals(Long.MIN_VALUE, longs.take());
            bytes.put(new byte[] {1, 2, 3});
            bytes.put(new byte[0]);
            assertArrayEquals(new byte[] {1, 2, 3}, bytes.take());
            assertArrayEquals(new byte[0], bytes.take());
        }
    }

    @Test
    void shouldFilterWhatItDeserializesAndGiveDrainedRingsBack() throws Exception {
        java.io.ObjectInputFilter before = Multiprocessing.getMessageFilter();
        Multiprocessing.setMessageFilter(java.io.ObjectInputFilter.Config.createFilter("!java.util.TreeMap"));
        try (SharedQueue<Object> q = new SharedQueue<>()) {
            q.put(new java.util.TreeMap<>(java.util.Map.of(1, 2)));
            q.put(new java.util.HashMap<>(java.util.Map.of(1, 2)));
            java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, q::take);
            assertTrue(e.getCause() instanceof java.io.InvalidClassException, String.valueOf(e.getCause()));
            assertEquals(java.util.Map.of(1, 2), q.take(), "the rejected one is taken; the next one is fine");
            for (int i = 0; i < 300; i++) { // 300 KiB: the queue grows into several rings
                q.put(new byte[1024]);
            }
            String name = q.channel().name();
            java.nio.file.Path dir = io.github.jmultiprocessing.internal.shm.ShmDirectory.directory();
            try (var files = java.nio.file.Files.list(dir)) {
                assertTrue(files.filter(f -> f.getFileName().toString().startsWith(name + ".")).count() > 1);
            }
            while (q.poll() != null) {
                // drain
            }
            try (var files = java.nio.file.Files.list(dir)) {
                assertEquals(1, files.filter(f -> f.getFileName().toString().startsWith(name + ".")).count(),
                        "drained rings are unlinked: only the current one is left");
            }
        } finally {
            Multiprocessing.setMessageFilter(before);
        }
    }

    // ---- shutdown (Python 3.13's Queue.shutdown)

    @Test
    void shouldRefusePutsAndDrainGetsAfterShutdown() throws Exception {
        try (SharedQueue<Integer> q = new SharedQueue<>()) {
            q.put(1);
            q.put(2);
            q.put(3);
            assertFalse(q.isShutdown());
            q.shutdown();
            assertTrue(q.isShutdown());
            assertThrows(QueueShutDownException.class, () -> q.put(4));
            assertThrows(QueueShutDownException.class, () -> q.put(4, SHORT));
            assertThrows(QueueShutDownException.class, () -> q.putNowait(4));
            assertThrows(QueueShutDownException.class, () -> q.offer(4), "offer throws rather than false");
            assertThrows(QueueShutDownException.class, () -> q.offer(4, 1, TimeUnit.SECONDS));
            assertThrows(QueueShutDownException.class, () -> q.add(4));
            assertEquals(3, q.qsize(), "nothing was added");
            assertEquals(1, q.peek());
            assertEquals(1, q.get(), "gets drain what is left");
            assertEquals(2, q.getNowait());
            assertEquals(List.of(3), new ArrayList<>(q));
            assertEquals(3, q.poll());
            long start = System.nanoTime();
            assertThrows(QueueShutDownException.class, q::get, "a get on a shut-down empty queue does not wait");
            assertThrows(QueueShutDownException.class, q::take);
            assertThrows(QueueShutDownException.class, () -> q.get(Duration.ofSeconds(30)));
            assertThrows(QueueShutDownException.class, () -> q.poll(30, TimeUnit.SECONDS));
            assertThrows(QueueShutDownException.class, q::getNowait, "ShutDown, not Empty, as in Python");
            assertThrows(QueueShutDownException.class, q::poll, "poll throws rather than null");
            assertThrows(QueueShutDownException.class, q::remove);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "no get waited its timeout");
            assertNull(q.peek());
            assertEquals(0, q.drainTo(new ArrayList<>()), "drainTo takes what is left: nothing");
            q.clear();
            assertTrue(q.empty());
            q.shutdown(); // again: nothing more
            assertTrue(q.toString().contains("shut down"), q.toString());
        }
    }

    @Test
    void shouldDrainThroughDrainToAndClearOnAShutDownQueue() throws Exception {
        try (SharedQueue<Integer> q = new SharedQueue<>(); SharedQueue<Integer> r = new SharedQueue<>()) {
            for (int i = 0; i < 5; i++) {
                q.put(i);
                r.put(i);
            }
            q.shutdown();
            r.shutdown();
            List<Integer> drained = new ArrayList<>();
            assertEquals(5, q.drainTo(drained));
            assertEquals(List.of(0, 1, 2, 3, 4), drained);
            r.clear();
            assertEquals(0, r.size());
        }
    }

    @Test
    void shouldEmptyTheQueueOnImmediateShutdown() throws Exception {
        try (SharedQueue<Integer> q = new SharedQueue<>(10)) {
            for (int i = 0; i < 10; i++) {
                q.put(i);
            }
            assertTrue(q.full());
            q.shutdown(true);
            assertTrue(q.empty());
            assertEquals(0, q.qsize());
            assertThrows(QueueShutDownException.class, q::get, "gets throw at once");
            assertThrows(QueueShutDownException.class, () -> q.put(1));
        }
    }

    @Test
    void shouldEmptyTheQueueOnAnImmediateShutdownAfterAPlainOne() throws Exception {
        try (SharedQueue<Integer> q = new SharedQueue<>()) {
            q.put(1);
            q.put(2);
            q.shutdown();
            assertEquals(1, q.get());
            q.shutdown(true);
            assertThrows(QueueShutDownException.class, q::get);
        }
    }

    @Test
    void shouldCountDroppedElementsAsDoneOnImmediateShutdownOfAJoinableQueue() throws Exception {
        try (SharedJoinableQueue<Integer> q = new SharedJoinableQueue<>()) {
            for (int i = 0; i < 4; i++) {
                q.put(i);
            }
            assertEquals(0, q.get()); // taken, not done yet
            CompletableFuture<Boolean> joined = CompletableFuture.supplyAsync(() -> {
                try {
                    return q.join(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            q.shutdown(true); // the three left are dropped and counted done, as CPython's task_done for each
            assertFalse(q.join(SHORT), "the one taken is still unfinished");
            assertFalse(joined.isDone());
            q.taskDone();
            assertTrue(joined.get(30, TimeUnit.SECONDS), "join ends once the one taken is done too");
            assertTrue(q.join(SHORT));
            assertThrows(IllegalStateException.class, q::taskDone, "no task left to mark done");
        }
    }

    @Test
    void shouldLeaveTheTaskCountAloneOnAPlainShutdownOfAJoinableQueue() throws Exception {
        try (SharedJoinableQueue<Integer> q = new SharedJoinableQueue<>()) {
            q.put(1);
            q.shutdown();
            assertFalse(q.join(SHORT), "the element left is unfinished");
            assertEquals(1, q.get());
            q.taskDone();
            assertTrue(q.join(SHORT));
        }
    }

    private static int word(SharedQueue<?> queue, long offset) {
        var header = io.github.jmultiprocessing.internal.shm.SegmentTable.attach(queue.channel().name());
        try {
            return header.segment().get(java.lang.foreign.ValueLayout.JAVA_INT, offset);
        } finally {
            io.github.jmultiprocessing.internal.shm.SegmentTable.release(header);
        }
    }

    @Test
    void shouldWakeWaitingGettersAndPuttersWithShutDown() throws Exception {
        var threads = java.util.concurrent.Executors.newFixedThreadPool(3); // the common pool may have one thread
        try (SharedQueue<Integer> empty = new SharedQueue<>(); SharedQueue<Integer> full = new SharedQueue<>(1)) {
            full.put(0);
            CompletableFuture<Integer> getter = CompletableFuture.supplyAsync(() -> {
                try {
                    return empty.get();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            CompletableFuture<Boolean> timedGetter = CompletableFuture.supplyAsync(() -> {
                try {
                    return empty.poll(60, TimeUnit.SECONDS) != null;
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            CompletableFuture<Void> putter = CompletableFuture.runAsync(() -> {
                try {
                    full.put(1);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            io.github.jmultiprocessing.testing.Poll.until("two getters asleep", Duration.ofSeconds(30),
                    () -> word(empty, io.github.jmultiprocessing.internal.queue.QueueLayout.DATA_WAITERS) == 2);
            io.github.jmultiprocessing.testing.Poll.until("a putter asleep", Duration.ofSeconds(30),
                    () -> word(full, io.github.jmultiprocessing.internal.queue.QueueLayout.NOT_FULL_WAITERS) == 1);
            assertFalse(getter.isDone() || timedGetter.isDone() || putter.isDone());
            empty.shutdown();
            full.shutdown();
            for (CompletableFuture<?> waiter : List.of(getter, timedGetter, putter)) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> waiter.get(30, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof QueueShutDownException, String.valueOf(e.getCause()));
            }
            assertEquals(0, full.get(), "the element put before the shutdown is still there");
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void shouldSeeAShutdownMadeThroughAnotherObjectOfTheQueue() throws Exception {
        try (SharedQueue<Integer> q = new SharedQueue<>(); SharedQueue<Integer> other = roundTrip(q);
                SharedSimpleQueue<Integer> simple = new SharedSimpleQueue<>()) {
            q.put(1);
            other.shutdown();
            assertTrue(q.isShutdown());
            assertThrows(QueueShutDownException.class, () -> q.put(2));
            assertEquals(1, q.get());
            assertThrows(QueueShutDownException.class, other::get);
            simple.put(1);
            simple.shutdown();
            assertTrue(simple.isShutdown());
            assertThrows(QueueShutDownException.class, () -> simple.put(2));
            assertEquals(1, simple.get());
            assertThrows(QueueShutDownException.class, simple::get);
        }
    }

    @Test
    void shouldGiveBackTheTicketsOfElementsDroppedByAnImmediateShutdown() throws Exception {
        SharedQueue<Integer> inner = new SharedQueue<>();
        String name = inner.channel().name();
        try (SharedQueue<Object> q = new SharedQueue<>()) {
            q.put(inner); // its handle holds a ticket on the inner queue until it is read
            q.shutdown(true); // reads the handle: an object of the inner queue, held until collected
            inner.close();
            // Without the read, the ticket would keep the inner queue until this JVM exits.
            io.github.jmultiprocessing.testing.Poll.until("the inner queue unlinked", Duration.ofSeconds(30), () -> {
                System.gc();
                return !java.nio.file.Files.exists(ShmDirectory.pathOf(name));
            });
        }
    }

    @Test
    void shouldRefuseShutdownOnAClosedQueueObject() {
        SharedQueue<Integer> q = new SharedQueue<>();
        q.close();
        assertThrows(IllegalStateException.class, q::shutdown);
    }

    // ---- the interface the three queues share

    private static List<Integer> roundThrough(MultiprocessingQueue<Integer> q) throws InterruptedException {
        try (q) {
            q.put(1);
            q.put(2);
            assertFalse(q.empty());
            List<Integer> taken = new ArrayList<>(List.of(q.get(), q.get(SHORT)));
            assertTrue(q.empty());
            assertThrows(QueueEmptyException.class, () -> q.get(SHORT));
            q.put(3);
            q.shutdown();
            assertTrue(q.isShutdown());
            assertThrows(QueueShutDownException.class, () -> q.put(4));
            taken.add(q.get());
            assertThrows(QueueShutDownException.class, q::get);
            return taken;
        }
    }

    @Test
    void shouldUseTheThreeQueuesThroughTheInterfaceTheyShare() throws Exception {
        assertEquals(List.of(1, 2, 3), roundThrough(new SharedQueue<>()));
        assertEquals(List.of(1, 2, 3), roundThrough(new SharedSimpleQueue<>()));
        assertEquals(List.of(1, 2, 3), roundThrough(new SharedJoinableQueue<>()));
        assertEquals(List.of(1, 2, 3), roundThrough(new SharedQueue<>(10, Codec.ints())));
    }
}

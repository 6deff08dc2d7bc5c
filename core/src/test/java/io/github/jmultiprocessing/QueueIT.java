package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.Children;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Queues across real child JVMs: many producers and consumers, faults, huge messages, joinable queues. */
class QueueIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String DONE = "done";

    /** A message: producer, sequence number, then filler bytes derived from both. */
    static byte[] message(int producer, int seq, int length) {
        byte[] m = new byte[Math.max(8, length)];
        new Random(producer * 1_000_003L + seq).nextBytes(m);
        m[0] = (byte) producer;
        m[1] = (byte) (seq >>> 16);
        m[2] = (byte) (seq >>> 8);
        m[3] = (byte) seq;
        return m;
    }

    static int lengthOf(int producer, int seq, int maxLength) {
        return new Random(31L * producer + seq).nextInt(maxLength + 1);
    }

    static void produce(SharedQueue<Object> queue, int producer, int count, int maxLength) {
        for (int seq = 0; seq < count; seq++) {
            queue.add(message(producer, seq, lengthOf(producer, seq, maxLength)));
        }
    }

    /** Takes until it sees DONE; reports (producer, seq) of each message in the order taken. */
    static void consume(SharedQueue<Object> queue, SharedQueue<Object> report) {
        List<Integer> taken = new ArrayList<>();
        try {
            for (Object m; !DONE.equals(m = queue.get()); ) {
                byte[] bytes = (byte[]) m;
                int producer = bytes[0];
                int seq = ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
                if (!Arrays.equals(bytes, message(producer, seq, bytes.length))) {
                    throw new AssertionError("message " + producer + "/" + seq + " corrupt");
                }
                taken.add(producer << 20 | seq);
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        report.add(taken.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * Every message is taken exactly once, and each consumer takes each producer's messages in the order they were
     * put, whatever the numbers of producer and consumer processes and the message sizes (up to several rings).
     */
    @Property(tries = 4)
    void shouldDeliverEveryMessageOnceInPerProducerOrder(@ForAll @IntRange(min = 1, max = 3) int producers,
            @ForAll @IntRange(min = 1, max = 3) int consumers, @ForAll @IntRange(min = 0, max = 200_000) int maxLength)
            throws Exception {
        int count = 300;
        try (Children children = new Children(); SharedQueue<Object> queue = new SharedQueue<>();
                SharedQueue<Object> report = new SharedQueue<>()) {
            List<JvmProcess> consuming = new ArrayList<>();
            for (int c = 0; c < consumers; c++) {
                consuming.add(children.start(() -> consume(queue, report)));
            }
            List<JvmProcess> producing = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int producer = p;
                producing.add(children.start(() -> produce(queue, producer, count, maxLength)));
            }
            for (JvmProcess p : producing) {
                assertEquals(0, Children.joinWithin(p, WAIT));
            }
            for (int c = 0; c < consumers; c++) {
                queue.add(DONE);
            }
            Map<Integer, Integer> seen = new HashMap<>();
            for (int c = 0; c < consumers; c++) {
                int[] taken = (int[]) report.get(WAIT);
                int[] last = new int[producers];
                Arrays.fill(last, -1);
                for (int id : taken) {
                    int producer = id >>> 20;
                    int seq = id & 0xfffff;
                    assertTrue(seq > last[producer], "producer " + producer + " out of order: " + seq + " after "
                            + last[producer]);
                    last[producer] = seq;
                    assertEquals(null, seen.put(id, c), "message " + producer + "/" + seq + " taken twice");
                }
            }
            assertEquals(producers * count, seen.size(), "every message taken");
            for (JvmProcess c : consuming) {
                assertEquals(0, Children.joinWithin(c, WAIT));
            }
            assertTrue(queue.empty());
        }
    }

    static void putAndExit(SharedQueue<Object> queue, int count) {
        for (int i = 0; i < count; i++) {
            queue.add(i);
        }
        // returns at once: every element is already in shared memory
    }

    @Test
    void shouldLoseNothingWhenAProducerExitsRightAfterPutting() throws Exception {
        try (Children children = new Children(); SharedQueue<Object> queue = new SharedQueue<>()) {
            JvmProcess p = children.start(() -> putAndExit(queue, 20_000));
            assertEquals(0, Children.joinWithin(p, WAIT), "joining before draining does not deadlock");
            for (int i = 0; i < 20_000; i++) {
                assertEquals(i, queue.getNowait());
            }
            assertTrue(queue.empty());
        }
    }

    static void putHuge(SharedQueue<Object> queue, byte[] huge) {
        try {
            queue.put(huge);
            queue.put(DONE); // waits: the queue holds one message
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldCarryA64MiBMessageFromAChild() throws Exception {
        byte[] huge = new byte[64 << 20];
        new Random(64).nextBytes(huge);
        try (Children children = new Children(); SharedQueue<Object> queue = new SharedQueue<>(1)) {
            JvmProcess p = children.start(() -> putHuge(queue, huge));
            assertArrayEquals(huge, (byte[]) queue.get(WAIT));
            assertEquals(DONE, queue.get(WAIT));
            assertEquals(0, Children.joinWithin(p, WAIT));
        }
    }

    static void putForever(SharedQueue<Object> queue, int producer) {
        try {
            for (int seq = 0; ; seq++) {
                queue.put(message(producer, seq, 1 << 20)); // waits while the bounded queue is full
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static void takeForever(SharedQueue<Object> queue) {
        try {
            while (true) {
                queue.take();
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldGoOnAfterAProducerAndAConsumerAreKilledInTheMiddleOfTheirWork() throws Exception {
        try (Children children = new Children(); SharedQueue<Object> queue = new SharedQueue<>(8)) {
            JvmProcess producer = children.start(() -> putForever(queue, 1));
            JvmProcess consumer = children.start(() -> takeForever(queue));
            Thread.sleep(1500); // both are busy with 1 MiB messages: a kill lands in a put or a take, often locked
            producer.kill();
            consumer.kill();
            Children.joinWithin(producer, WAIT);
            Children.joinWithin(consumer, WAIT);
            JvmProcess next = children.start(() -> putAndExit(queue, 3));
            int lastSeq = -1;
            List<Object> after = new ArrayList<>();
            while (after.size() < 3) {
                Object m = queue.get(WAIT); // never a hang: a dead holder's lock is taken over
                if (m instanceof byte[] bytes) {
                    assertTrue(after.isEmpty(), "the killed producer's messages come before the next one's");
                    int seq = ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
                    assertArrayEquals(message(1, seq, 1 << 20), bytes, "a whole message, never garbage");
                    assertTrue(seq > lastSeq);
                    lastSeq = seq;
                } else {
                    after.add(m);
                }
            }
            assertEquals(List.of(0, 1, 2), after);
            assertEquals(0, Children.joinWithin(next, WAIT));
        }
    }

    static void work(SharedJoinableQueue<Integer> tasks, SharedQueue<Integer> results) {
        try {
            while (true) {
                int task = tasks.get();
                results.add(task * task);
                tasks.taskDone();
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldJoinOnceEveryTaskIsDoneInAnotherProcess() throws Exception {
        try (Children children = new Children(); SharedJoinableQueue<Integer> tasks = new SharedJoinableQueue<>();
                SharedQueue<Integer> results = new SharedQueue<>()) {
            JvmProcess worker = children.add(() -> work(tasks, results));
            worker.setDaemon(true);
            worker.start();
            for (int i = 0; i < 100; i++) {
                tasks.put(i);
            }
            assertTrue(tasks.join(WAIT), "every task done");
            assertEquals(100, results.size(), "join returned after the results were put");
            long sum = 0;
            for (int i = 0; i < 100; i++) {
                sum += results.take();
            }
            assertEquals(328_350, sum);
            worker.terminate();
        }
    }

    static void putLongs(SharedQueue<Long> queue, int count) {
        try {
            for (long i = 0; i < count; i++) {
                queue.put(i * 1_000_000_007L); // waits while the bounded queue is full
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldCarryATypedQueueAndItsCodecToAChild() throws Exception {
        try (Children children = new Children(); SharedQueue<Long> queue = new SharedQueue<>(100, Codec.longs())) {
            JvmProcess p = children.start(() -> putLongs(queue, 50_000));
            for (long i = 0; i < 50_000; i++) {
                assertEquals(i * 1_000_000_007L, queue.get(WAIT));
            }
            assertEquals(0, Children.joinWithin(p, WAIT));
        }
    }

    // ---- shutdown across processes

    /** Takes until the queue is shut down; reports what it took, and that it ended with ShutDown. */
    static void getUntilShutDown(SharedQueue<Integer> queue, SharedQueue<String> report) {
        List<Integer> taken = new ArrayList<>();
        try {
            while (true) {
                taken.add(queue.get());
            }
        } catch (QueueShutDownException e) {
            report.add("getter: ShutDown after " + taken);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Puts into a full queue until it is shut down. */
    static void putUntilShutDown(SharedQueue<Integer> full, SharedQueue<String> report) {
        try {
            full.put(1);
            report.add("putter: put");
        } catch (QueueShutDownException e) {
            report.add("putter: ShutDown");
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
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
    void shouldWakeAGetterAndAPutterBlockedInChildrenWhenTheParentShutsTheQueuesDown() throws Exception {
        try (Children children = new Children(); SharedQueue<Integer> empty = new SharedQueue<>();
                SharedQueue<Integer> full = new SharedQueue<>(1); SharedQueue<String> report = new SharedQueue<>()) {
            full.put(0);
            JvmProcess getter = children.start(() -> getUntilShutDown(empty, report));
            JvmProcess putter = children.start(() -> putUntilShutDown(full, report));
            // Both children are asleep in their queue's waiting word (the waiter counts of QueueLayout).
            io.github.jmultiprocessing.testing.Poll.until("a child waiting in get", WAIT,
                    () -> word(empty, io.github.jmultiprocessing.internal.queue.QueueLayout.DATA_WAITERS) > 0);
            empty.put(1);
            empty.put(2);
            io.github.jmultiprocessing.testing.Poll.until("the child took both and waits again", WAIT,
                    () -> empty.empty()
                            && word(empty, io.github.jmultiprocessing.internal.queue.QueueLayout.DATA_WAITERS) > 0);
            io.github.jmultiprocessing.testing.Poll.until("a child waiting in put", WAIT,
                    () -> word(full, io.github.jmultiprocessing.internal.queue.QueueLayout.NOT_FULL_WAITERS) > 0);
            assertTrue(getter.isAlive() && putter.isAlive());
            long start = System.nanoTime();
            empty.shutdown();
            full.shutdown();
            java.util.Set<String> reports = new java.util.HashSet<>(List.of(report.get(WAIT), report.get(WAIT)));
            long wokeMicros = (System.nanoTime() - start) / 1_000;
            assertEquals(java.util.Set.of("getter: ShutDown after [1, 2]", "putter: ShutDown"), reports);
            assertEquals(0, Children.joinWithin(getter, WAIT));
            assertEquals(0, Children.joinWithin(putter, WAIT));
            assertEquals(0, full.get(), "the element put before the shutdown is still there to take");
            org.junit.jupiter.api.Assertions.assertThrows(QueueShutDownException.class, full::get);
            System.out.println("QueueIT: shutdown -> both children's reports in " + wokeMicros + " us");
        }
    }

    /** Takes one task, marks it done and shuts the queue down at once (dropping the rest). */
    static void takeOneAndShutDownImmediately(SharedJoinableQueue<Integer> tasks, SharedQueue<Integer> report) {
        try {
            int first = tasks.get();
            tasks.taskDone();
            tasks.shutdown(true);
            report.add(first);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldEndAJoinInTheParentWhenAChildShutsAJoinableQueueDownImmediately() throws Exception {
        try (Children children = new Children(); SharedJoinableQueue<Integer> tasks = new SharedJoinableQueue<>();
                SharedQueue<Integer> report = new SharedQueue<>()) {
            for (int i = 0; i < 5; i++) {
                tasks.put(i);
            }
            JvmProcess child = children.add(() -> takeOneAndShutDownImmediately(tasks, report));
            assertTrue(!tasks.join(Duration.ZERO), "five tasks unfinished");
            child.start();
            assertTrue(tasks.join(WAIT), "the four dropped are counted done, the one taken was marked done");
            assertEquals(0, report.get(WAIT));
            assertEquals(0, Children.joinWithin(child, WAIT));
            assertTrue(tasks.isShutdown());
            assertTrue(tasks.empty());
            org.junit.jupiter.api.Assertions.assertThrows(QueueShutDownException.class, tasks::get);
            org.junit.jupiter.api.Assertions.assertThrows(QueueShutDownException.class, () -> tasks.put(5));
        }
    }

    /** Puts through the interface the three queues share. */
    static void putThree(MultiprocessingQueue<Integer> queue) {
        try {
            for (int i = 1; i <= 3; i++) {
                queue.put(i);
            }
            queue.shutdown();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldCarryASimpleQueueAsAMultiprocessingQueueToAChildAndSeeItsShutdown() throws Exception {
        try (Children children = new Children(); SharedSimpleQueue<Integer> simple = new SharedSimpleQueue<>()) {
            MultiprocessingQueue<Integer> queue = simple;
            JvmProcess child = children.start(() -> putThree(queue));
            List<Integer> taken = new ArrayList<>();
            try {
                while (true) {
                    taken.add(queue.get(WAIT));
                }
            } catch (QueueShutDownException e) {
                // the child shut it down after its three puts
            }
            assertEquals(List.of(1, 2, 3), taken);
            assertEquals(0, Children.joinWithin(child, WAIT));
        }
    }

    /** Puts 0, 1, 2, ... until the queue is shut down; reports how many puts succeeded. */
    static void countUntilShutDown(SharedQueue<Integer> queue, SharedQueue<Integer> report) {
        int n = 0;
        try {
            while (true) {
                queue.put(n);
                n++;
            }
        } catch (QueueShutDownException e) {
            report.add(n);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A shutdown racing a producer in another process loses nothing and lets nothing in after it: what the consumer
     * takes, before and after the shutdown, is exactly the producer's successful puts, in order.
     */
    @Test
    void shouldAccountForEveryPutOfAChildRacingTheParentsShutdown() throws Exception {
        try (Children children = new Children(); SharedQueue<Integer> queue = new SharedQueue<>(100);
                SharedQueue<Integer> report = new SharedQueue<>()) {
            JvmProcess producer = children.start(() -> countUntilShutDown(queue, report));
            int expected = 0;
            for (; expected < 20_000; expected++) { // the producer runs ahead and waits on the bound now and then
                assertEquals(expected, queue.get(WAIT));
            }
            queue.shutdown();
            try {
                while (true) {
                    assertEquals(expected, queue.get(WAIT), "in order, none lost");
                    expected++;
                }
            } catch (QueueShutDownException e) {
                // drained: every put that got in before the shutdown was taken
            }
            assertEquals(expected, report.get(WAIT), "the producer's successful puts, all taken");
            assertEquals(0, Children.joinWithin(producer, WAIT));
        }
    }
}

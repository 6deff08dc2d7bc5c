package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.shm.HeapBlock;
import io.github.jmultiprocessing.internal.shm.SharedHeap;
import io.github.jmultiprocessing.testing.Children;
import io.github.jmultiprocessing.testing.JavaMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The shared heap gives memory back while the program runs, and never under a process that still uses it. */
class HeapReclaimIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long BOUND = 16L << 20;

    /** Creates and drops a million value + lock pairs, printing the most heap-arena bytes seen in its directory. */
    static final class ChurnMain {
        public static void main(String[] args) throws IOException {
            int cycles = Integer.parseInt(args[0]);
            Path directory = Path.of(System.getProperty("jmultiprocessing.shm.dir"));
            long most = 0;
            long start = System.nanoTime();
            for (int i = 0; i < cycles; i++) {
                SharedValue value = SharedValue.of('i', i);
                value.incrementAndGet();
                SharedLock lock = new SharedLock();
                lock.lock();
                lock.unlock();
                if (i % 1024 == 0) {
                    most = Math.max(most, heapBytes(directory));
                }
            }
            most = Math.max(most, heapBytes(directory));
            System.out.println("most=" + most + " seconds=" + (System.nanoTime() - start) / 1e9);
        }
    }

    static long heapBytes(Path directory) throws IOException {
        long bytes = 0;
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.getFileName().toString().startsWith("jmp-heap-")) {
                    try {
                        bytes += Files.size(file);
                    } catch (IOException gone) {
                        // unlinked while listed
                    }
                }
            }
        }
        return bytes;
    }

    @Test
    void shouldStayUnderAFixedBoundOverAMillionCreateAndDropCycles() throws Exception {
        Path directory = Files.createTempDirectory("jmp-churn");
        try (JavaMain churn = JavaMain.start(System.getProperty("java.class.path"),
                List.of("-Xmx256m", "-Djmultiprocessing.shm.dir=" + directory), ChurnMain.class, "1000000")) {
            assertEquals(0, churn.waitFor(Duration.ofSeconds(110)), churn.output());
            String line = churn.output().lines().filter(l -> l.startsWith("most=")).findFirst()
                    .orElseThrow(() -> new AssertionError(churn.output()));
            long most = Long.parseLong(line.substring(5, line.indexOf(' ')));
            assertTrue(most <= BOUND, "heap arenas reached " + most + " bytes (expected at most " + BOUND + "): "
                    + line);
            try (Stream<Path> left = Files.list(directory)) {
                assertEquals(List.of(), left.toList(), "left behind after exit");
            }
        } finally {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static void useUntilTold(SharedValue value, SharedEvent ready, SharedEvent go, SharedValue verdict) {
        value.setLong(1000);
        ready.set();
        try {
            go.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        verdict.setInt(value.getLong() == 1000 ? 1 : 2); // 2: another object overwrote the block
        value.setLong(2000);
    }

    @Test
    void shouldKeepABlockDroppedInTheParentValidUntilTheChildEnds() throws Exception {
        SharedValue value = SharedValue.raw('q');
        HeapBlock block = value.block();
        SharedEvent ready = new SharedEvent();
        SharedEvent go = new SharedEvent();
        SharedValue verdict = SharedValue.raw('i');
        List<SharedValue> others = new ArrayList<>();
        try (Children children = new Children()) {
            JvmProcess child = children.start(() -> useUntilTold(value, ready, go, verdict));
            assertTrue(ready.await(WAIT), "the child did not attach the value");
            value.close(); // the parent's only object of it
            assertThrows(IllegalStateException.class, value::getLong);
            assertTrue(SharedHeap.inUse(block), "freed while the child held it");
            for (int i = 0; i < 2000; i++) { // a freed 64-byte block would be handed out again at once
                SharedValue other = SharedValue.raw('q', -1L);
                others.add(other);
                assertFalse(sameBlock(other.block(), block), "reused while the child held it");
            }
            go.set();
            assertEquals(0, Children.joinWithin(child, WAIT));
            assertEquals(1, verdict.getInt(), "the child saw its value overwritten");
            assertTrue(freedWithin(block, others, 50_000), "not given back after the child ended");
        } finally {
            others.forEach(SharedValue::close);
        }
    }

    static void attachAndWait(SharedValue value, SharedEvent ready) {
        value.getLong();
        ready.set();
        JvmProcessIT.sleepForever();
    }

    @Test
    void shouldDropTheShareOfAKilledProcess() throws Exception {
        SharedValue value = SharedValue.raw('q');
        HeapBlock block = value.block();
        SharedEvent ready = new SharedEvent();
        List<SharedValue> others = new ArrayList<>();
        try (Children children = new Children()) {
            JvmProcess child = children.start(() -> attachAndWait(value, ready));
            assertTrue(ready.await(WAIT), "the child did not attach the value");
            value.close();
            child.kill();
            assertEquals(-9, Children.joinWithin(child, WAIT));
            assertTrue(SharedHeap.inUse(block), "freed before the child was found dead");
            assertTrue(freedWithin(block, others, 50_000), "the killed child's share was never dropped");
        } finally {
            others.forEach(SharedValue::close);
        }
    }

    static void closeWhenTold(SharedValue value, SharedEvent ready, SharedEvent go) {
        value.getLong();
        ready.set();
        try {
            go.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        value.close();
        JvmProcessIT.sleepForever(); // lives on with its object closed, until the parent has checked
    }

    @Test
    void shouldFreeABlockOnlyOnceEveryProcessClosedIt() throws Exception {
        SharedValue value = SharedValue.raw('q');
        HeapBlock block = value.block();
        SharedEvent ready = new SharedEvent();
        SharedEvent go = new SharedEvent();
        List<SharedValue> others = new ArrayList<>();
        try (Children children = new Children()) {
            JvmProcess child = children.start(() -> closeWhenTold(value, ready, go));
            assertTrue(ready.await(WAIT), "the child did not attach the value");
            value.close();
            assertTrue(SharedHeap.inUse(block), "freed while the child held it");
            go.set();
            assertTrue(freedWithin(block, others, 50_000), "not given back once both processes closed it");
            assertTrue(child.isAlive(), "the child ended: its exit, not its close, freed the block");
        } finally {
            others.forEach(SharedValue::close);
        }
    }

    static boolean sameBlock(HeapBlock a, HeapBlock b) {
        return a.segmentName().equals(b.segmentName()) && a.offset() == b.offset();
    }

    /**
     * Allocates (and keeps) 64-byte values, which sweeps the heap now and then, until {@code block} is free (or
     * handed out again); true if it was within {@code most} allocations.
     */
    static boolean freedWithin(HeapBlock block, List<SharedValue> others, int most)
            throws InterruptedException {
        for (int i = 0; i < most; i++) {
            if (!SharedHeap.inUse(block)) {
                return true;
            }
            SharedValue other = SharedValue.raw('q');
            others.add(other);
            if (sameBlock(other.block(), block)) {
                return true;
            }
            if (i % 1000 == 999) {
                Thread.sleep(10); // the child's close may still be on its way
            }
        }
        return false;
    }

    private static <T extends Throwable> void assertThrows(Class<T> type,
            org.junit.jupiter.api.function.Executable executable) {
        org.junit.jupiter.api.Assertions.assertThrows(type, executable);
    }
}

package io.github.jmultiprocessing.bench;

import io.github.jmultiprocessing.Codec;
import io.github.jmultiprocessing.SharedQueue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The software cost of one put and one take on a {@link SharedQueue}, from a single thread (no other process, so no
 * cache line crosses a core): the object path (codec fast path for boxed values and arrays) and the typed path
 * ({@link Codec#longs()}), against {@link ArrayBlockingQueue} on the Java heap. The cross-process figures are
 * {@link io.github.jmultiprocessing.bench.harness.QueueHarness}'s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SharedQueueBenchmark {

    private SharedQueue<Object> objects;
    private SharedQueue<Long> longs;
    private ArrayBlockingQueue<Object> heap;
    private final byte[] kib = new byte[1024];
    private long next;

    @Setup(Level.Trial)
    public void setUp() {
        objects = new SharedQueue<>();
        longs = new SharedQueue<>(0, Codec.longs());
        heap = new ArrayBlockingQueue<>(1024);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        objects.close();
        longs.close();
    }

    /** {@code put(Long)} then {@code take()} through the object path (8-byte value, 9 bytes with its tag). */
    @Benchmark
    public Object objectLongPutTake() throws InterruptedException {
        objects.put(next++);
        return objects.take();
    }

    /** {@code put(byte[1024])} then {@code take()} through the object path. */
    @Benchmark
    public Object objectKibPutTake() throws InterruptedException {
        objects.put(kib);
        return objects.take();
    }

    /** {@code put(Long)} then {@code take()} through {@link Codec#longs()}: written and read in place. */
    @Benchmark
    public Object typedLongPutTake() throws InterruptedException {
        longs.put(next++);
        return longs.take();
    }

    /** The same pair on {@link ArrayBlockingQueue}, for scale. */
    @Benchmark
    public Object arrayBlockingQueuePutTake() throws InterruptedException {
        heap.put(next++);
        return heap.take();
    }
}

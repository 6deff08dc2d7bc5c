package io.github.jmultiprocessing.bench;

import io.github.jmultiprocessing.SharedValue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What does one access to a {@link SharedValue} cost from a single thread: a synchronized value (Python's
 * {@code Value('i')}, every access under its lock) and a raw one (Python's {@code RawValue}, lock-free atomics),
 * against {@link AtomicLong} on the Java heap?
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SharedValueBenchmark {

    private SharedValue lockedInt;
    private SharedValue rawLong;
    private AtomicLong atomicLong;

    @Setup(Level.Trial)
    public void setUp() {
        lockedInt = SharedValue.of('i');
        rawLong = SharedValue.raw('q');
        atomicLong = new AtomicLong();
    }

    /** {@code SharedValue.of('i').getInt()}: acquire, read, release (Python's {@code v.value}). */
    @Benchmark
    public int lockedGetInt() {
        return lockedInt.getInt();
    }

    /**
     * {@code SharedValue.of('i').incrementAndGet()} under the value's lock. Wraps at 2^31 as documented; the
     * benchmark does not care.
     */
    @Benchmark
    public long lockedIncrementAndGet() {
        return lockedInt.incrementAndGet();
    }

    /** {@code SharedValue.raw('q').incrementAndGet()}: one lock-free atomic add on shared memory. */
    @Benchmark
    public long rawIncrementAndGet() {
        return rawLong.incrementAndGet();
    }

    /** JDK baseline: {@code AtomicLong.incrementAndGet()} on the Java heap. */
    @Benchmark
    public long atomicLongIncrementAndGet() {
        return atomicLong.incrementAndGet();
    }
}

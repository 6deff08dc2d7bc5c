package io.github.jmultiprocessing.bench;

import io.github.jmultiprocessing.SharedLock;
import io.github.jmultiprocessing.internal.config.Configuration;
import io.github.jmultiprocessing.internal.sync.Futex;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Does the futex wait path of {@link SharedLock} beat the pure-Java backoff path when two threads of one JVM
 * fight over the lock, and how do both compare with {@link ReentrantLock}?
 *
 * <p>Each operation is acquire, increment a counter, release, by two threads at once ({@code @GroupThreads(2)});
 * the score is the group's throughput. {@code futex=false} sets the system property
 * {@code jmultiprocessing.futex=false} before the library is touched in the fork, so the library's
 * {@code Futex.AVAILABLE} (read once, in a static initializer) is false there; the setup checks that the fork
 * really runs the path the parameter names (run with forks, never {@code -f 0}). The {@code ReentrantLock}
 * baseline does not depend on the parameter and simply runs once per value.
 *
 * <p>Cross-process contention (2 child JVMs) is measured by {@code LockHarness}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SharedLockContendedBenchmark {

    /** The state both threads of a group share. */
    @State(Scope.Group)
    public static class Shared {

        /** {@code true}: futex waits (where available); {@code false}: the pure-Java park-with-backoff path. */
        @Param({"true", "false"})
        public String futex;

        SharedLock sharedLock;
        ReentrantLock reentrantLock;
        long counter; // guarded by whichever lock the group benchmarks

        @Setup(Level.Trial)
        public void setUp() {
            // Must precede the first use of the library's sync classes in this fork (see the class notes).
            System.setProperty(Configuration.FUTEX.property(), futex);
            boolean wanted = Boolean.parseBoolean(futex);
            if (Futex.AVAILABLE != wanted) {
                throw new IllegalStateException("futex=" + futex + " but Futex.AVAILABLE=" + Futex.AVAILABLE
                        + " (expected a fresh fork with --enable-native-access=ALL-UNNAMED on Linux)");
            }
            sharedLock = new SharedLock();
            reentrantLock = new ReentrantLock();
        }
    }

    /** Two threads: {@code SharedLock} acquire, increment, release. */
    @Benchmark
    @Group("sharedLock")
    @GroupThreads(2)
    public void sharedLock(Shared shared) {
        SharedLock lock = shared.sharedLock;
        lock.acquire();
        try {
            shared.counter++;
        } finally {
            lock.release();
        }
    }

    /** JDK baseline, two threads: {@code ReentrantLock} lock, increment, unlock. */
    @Benchmark
    @Group("reentrantLock")
    @GroupThreads(2)
    public void reentrantLock(Shared shared) {
        ReentrantLock lock = shared.reentrantLock;
        lock.lock();
        try {
            shared.counter++;
        } finally {
            lock.unlock();
        }
    }
}

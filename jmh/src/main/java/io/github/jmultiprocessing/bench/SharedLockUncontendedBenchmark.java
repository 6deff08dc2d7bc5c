package io.github.jmultiprocessing.bench;

import io.github.jmultiprocessing.SharedLock;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
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
 * What does an uncontended {@link SharedLock} acquire+release cost, against the floor (a raw CAS lock word in a
 * mapped {@code /dev/shm} file) and the JDK's {@link ReentrantLock}?
 *
 * <p>DESIGN.md section 4 target: at most 2x the raw CAS pair, at most 0.5x CPython's {@code mp.Lock}
 * (about 40 ns bare, 211 ns as {@code with lock:}; the harness measures CPython in the same run).
 *
 * <p>Two raw baselines: {@link #rawCasAcquireSetRelease} is the classic spinlock (CAS in, release store out, the
 * "CAS spinlock on a segment" peer of DESIGN.md); {@link #rawCasAcquireCasRelease} releases with a CAS too, as a
 * lock must that any process may release and that checks it was held, which is what {@code SharedLock} does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SharedLockUncontendedBenchmark {

    private static final VarHandle LONG_VH = ValueLayout.JAVA_LONG.varHandle();

    private SharedLock sharedLock;
    private ReentrantLock reentrantLock;
    private Arena arena;
    private MemorySegment rawWord;
    private long token;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        sharedLock = new SharedLock();
        reentrantLock = new ReentrantLock();
        // The raw baseline's own lock word: a 4 KiB /dev/shm file, mapped shared, unlinked at once (the mapping
        // stays valid), so nothing is left behind even if the fork is killed.
        Path dir = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        Path file = dir.resolve("jmh-rawcas-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            channel.truncate(4096);
            rawWord = channel.map(FileChannel.MapMode.READ_WRITE, 0, 4096, arena);
        } finally {
            Files.deleteIfExists(file);
        }
        token = (ProcessHandle.current().pid() << 32) | (Thread.currentThread().threadId() & 0xFFFF_FFFFL);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (sharedLock.isLocked()) {
            throw new IllegalStateException("SharedLock left locked after the trial");
        }
        arena.close();
    }

    /** {@code lock.acquire(); lock.release();} — Python's {@code lock.acquire(); lock.release()}. */
    @Benchmark
    public void sharedLockAcquireRelease() {
        sharedLock.acquire();
        sharedLock.release();
    }

    /** {@code try (var h = lock.locked()) {}} — Python's {@code with lock: pass}. */
    @Benchmark
    @SuppressWarnings("try") // the resource is the point: its close() is the release
    public void sharedLockLockedBlock() {
        try (var _ = sharedLock.locked()) {
            // empty critical section
        }
    }

    /** Floor: CAS 0 -> token on a mapped /dev/shm word, then a release store of 0. */
    @Benchmark
    public void rawCasAcquireSetRelease() {
        MemorySegment word = rawWord;
        if (!LONG_VH.compareAndSet(word, 0L, 0L, token)) {
            throw new IllegalStateException("raw lock word was held");
        }
        LONG_VH.setRelease(word, 0L, 0L); // publishes the (empty) critical section to the next CAS
    }

    /** Floor for a lock released by CAS (as any-process release needs): CAS in, CAS out. */
    @Benchmark
    public void rawCasAcquireCasRelease() {
        MemorySegment word = rawWord;
        long me = token;
        if (!LONG_VH.compareAndSet(word, 0L, 0L, me) || !LONG_VH.compareAndSet(word, 0L, me, 0L)) {
            throw new IllegalStateException("raw lock word changed under an uncontended benchmark");
        }
    }

    /** JDK baseline: {@code ReentrantLock} lock+unlock (in-process only). */
    @Benchmark
    public void reentrantLockLockUnlock() {
        reentrantLock.lock();
        reentrantLock.unlock();
    }
}

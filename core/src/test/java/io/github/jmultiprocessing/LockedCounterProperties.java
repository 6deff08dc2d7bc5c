package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.jmultiprocessing.testing.Children;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** A counter incremented under a {@link SharedLock} is exact, whoever increments it. */
class LockedCounterProperties {

    static void increment(SharedValue counter, SharedLock lock, int times) {
        for (int i = 0; i < times; i++) {
            try (var _ = lock.locked()) {
                counter.setInt(counter.getInt() + 1);
            }
        }
    }

    @Property(tries = 200)
    boolean shouldCountExactlyAcrossThreads(@ForAll @IntRange(min = 1, max = 4) int threads,
            @ForAll @IntRange(min = 1, max = 500) int increments) throws InterruptedException {
        SharedLock lock = new SharedLock();
        SharedValue counter = SharedValue.raw('i');
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            running.add(Thread.ofPlatform().start(() -> increment(counter, lock, increments)));
        }
        for (Thread thread : running) {
            thread.join(60_000);
        }
        return counter.getInt() == threads * increments && !lock.isLocked();
    }

    @Property(tries = 8)
    void shouldCountExactlyAcrossProcesses(@ForAll @IntRange(min = 1, max = 4) int processes,
            @ForAll @IntRange(min = 1, max = 500) int increments) throws InterruptedException {
        SharedLock lock = new SharedLock();
        SharedValue counter = SharedValue.of('i', 0);
        try (Children children = new Children()) {
            List<JvmProcess> started = new ArrayList<>();
            for (int p = 0; p < processes; p++) {
                started.add(children.start(() -> increment(counter, lock, increments)));
            }
            for (JvmProcess process : started) {
                assertEquals(0, Children.joinWithin(process, Duration.ofSeconds(60)));
            }
        }
        assertEquals(processes * increments, counter.getInt());
    }
}

package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.Children;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** SharedSemaphore and SharedBoundedSemaphore behave as java.util.concurrent.Semaphore (plus Python's bound). */
class SemaphoreProperties {

    @Provide
    Arbitrary<List<Integer>> operations() {
        return Arbitraries.integers().between(-1, 3).list().ofMaxSize(60); // -1 tryAcquire, 0 value, n release(n)
    }

    @Property(tries = 300)
    void shouldMatchTheJdkSemaphore(@ForAll @IntRange(min = 0, max = 4) int permits,
            @ForAll("operations") List<Integer> operations, @ForAll boolean bounded) {
        SharedSemaphore shared = bounded ? new SharedBoundedSemaphore(permits) : new SharedSemaphore(permits);
        Semaphore model = new Semaphore(permits);
        for (int op : operations) {
            if (op < 0) {
                assertEquals(model.tryAcquire(), shared.tryAcquire());
            } else if (op == 0) {
                assertEquals(model.availablePermits(), shared.getValue());
            } else if (bounded && model.availablePermits() + op > permits) {
                assertThrows(IllegalStateException.class, () -> shared.release(op));
            } else {
                model.release(op);
                shared.release(op);
            }
        }
        assertEquals(model.availablePermits(), shared.getValue());
    }

    static void occupy(SharedSemaphore semaphore, SharedValue inside, SharedValue maxInside, int times) {
        for (int i = 0; i < times; i++) {
            try (var _ = semaphore.acquired()) {
                long now = inside.incrementAndGet();
                long max;
                while (now > (max = maxInside.getLong()) && !maxInside.compareAndSet(max, now)) {
                    Thread.onSpinWait();
                }
                if (i % 7 == 0) {
                    Thread.yield();
                }
                inside.addAndGet(-1);
            }
        }
    }

    @Property(tries = 50)
    void shouldNeverAdmitMoreThanItsPermitsAcrossThreads(@ForAll @IntRange(min = 1, max = 3) int permits,
            @ForAll @IntRange(min = 1, max = 5) int threads, @ForAll @IntRange(min = 1, max = 300) int times)
            throws InterruptedException {
        SharedSemaphore semaphore = new SharedBoundedSemaphore(permits);
        SharedValue inside = SharedValue.raw('q');
        SharedValue maxInside = SharedValue.raw('q');
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            running.add(Thread.ofPlatform().start(() -> occupy(semaphore, inside, maxInside, times)));
        }
        for (Thread thread : running) {
            thread.join(60_000);
        }
        assertTrue(maxInside.getLong() <= permits, "max inside " + maxInside.getLong() + " of " + permits);
        assertEquals(permits, semaphore.getValue());
    }

    @Property(tries = 5)
    void shouldNeverAdmitMoreThanItsPermitsAcrossProcesses(@ForAll @IntRange(min = 1, max = 2) int permits,
            @ForAll @IntRange(min = 1, max = 3) int processes, @ForAll @IntRange(min = 1, max = 300) int times)
            throws InterruptedException {
        SharedSemaphore semaphore = new SharedSemaphore(permits);
        SharedValue inside = SharedValue.raw('q');
        SharedValue maxInside = SharedValue.raw('q');
        try (Children children = new Children()) {
            List<JvmProcess> started = new ArrayList<>();
            for (int p = 0; p < processes; p++) {
                started.add(children.start(() -> occupy(semaphore, inside, maxInside, times)));
            }
            for (JvmProcess process : started) {
                assertEquals(0, Children.joinWithin(process, Duration.ofSeconds(60)));
            }
        }
        assertTrue(maxInside.getLong() <= permits, "max inside " + maxInside.getLong() + " of " + permits);
        assertEquals(permits, semaphore.getValue());
    }
}

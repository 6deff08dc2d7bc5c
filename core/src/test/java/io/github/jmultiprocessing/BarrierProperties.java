package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.jmultiprocessing.testing.Children;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** SharedBarrier trips like java.util.concurrent.CyclicBarrier: every round, every party, one action. */
class BarrierProperties {

    static void rounds(SharedBarrier barrier, SharedArray indexes, int party, int rounds) {
        for (int round = 0; round < rounds; round++) {
            try {
                int index = barrier.await(Duration.ofSeconds(30));
                indexes.setLong(round * 8 + party, index);
            } catch (BrokenBarrierException | InterruptedException e) {
                indexes.setLong(round * 8 + party, -1);
            }
        }
    }

    @Property(tries = 40)
    void shouldTripEveryRoundLikeCyclicBarrier(@ForAll @IntRange(min = 1, max = 4) int parties,
            @ForAll @IntRange(min = 1, max = 6) int rounds) throws Exception {
        SharedValue actions = SharedValue.raw('i');
        SharedBarrier barrier = new SharedBarrier(parties, () -> actions.incrementAndGet(), null);
        SharedArray indexes = SharedArray.ofLength('q', rounds * 8);
        AtomicInteger modelActions = new AtomicInteger();
        CyclicBarrier model = new CyclicBarrier(parties, modelActions::incrementAndGet);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < parties; p++) {
            int party = p;
            threads.add(Thread.ofPlatform().start(() -> {
                rounds(barrier, indexes, party, rounds);
                for (int round = 0; round < rounds; round++) {
                    try {
                        model.await();
                    } catch (InterruptedException | BrokenBarrierException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join(60_000);
        }
        assertEquals(modelActions.get(), actions.getInt());
        assertRoundsComplete(indexes, parties, rounds);
    }

    @Property(tries = 4)
    void shouldTripEveryRoundAcrossProcesses(@ForAll @IntRange(min = 2, max = 3) int parties,
            @ForAll @IntRange(min = 1, max = 4) int rounds) throws Exception {
        SharedValue actions = SharedValue.raw('i');
        SharedBarrier barrier = new SharedBarrier(parties, () -> actions.incrementAndGet(), null);
        SharedArray indexes = SharedArray.ofLength('q', rounds * 8);
        try (Children children = new Children()) {
            List<JvmProcess> started = new ArrayList<>();
            for (int p = 1; p < parties; p++) {
                int party = p;
                started.add(children.start(() -> rounds(barrier, indexes, party, rounds)));
            }
            rounds(barrier, indexes, 0, rounds);
            for (JvmProcess process : started) {
                assertEquals(0, Children.joinWithin(process, Duration.ofSeconds(60)));
            }
        }
        assertEquals(rounds, actions.getInt());
        assertRoundsComplete(indexes, parties, rounds);
    }

    private static void assertRoundsComplete(SharedArray indexes, int parties, int rounds) {
        Set<Long> expected = new TreeSet<>();
        for (long i = 0; i < parties; i++) {
            expected.add(i);
        }
        for (int round = 0; round < rounds; round++) {
            Set<Long> seen = new TreeSet<>();
            for (int party = 0; party < parties; party++) {
                seen.add(indexes.getLong(round * 8 + party));
            }
            assertEquals(expected, seen, "arrival indexes of round " + round);
        }
    }
}

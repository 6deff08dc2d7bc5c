package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SharedBarrierTest {

    static final AtomicInteger ACTIONS = new AtomicInteger();

    @Test
    void shouldReleaseAllPartiesTogetherAndRunTheAction() throws Exception {
        int before = ACTIONS.get();
        SharedBarrier barrier = new SharedBarrier(3, ACTIONS::incrementAndGet, null);
        Set<Integer> indexes = ConcurrentHashMap.newKeySet();
        List<Thread> threads = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 3; i++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        indexes.add(barrier.await(Duration.ofSeconds(30)));
                    } catch (BrokenBarrierException | InterruptedException e) {
                        indexes.add(-1);
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join(30_000);
            }
        }
        assertEquals(Set.of(0, 1, 2), indexes);
        assertEquals(before + 2, ACTIONS.get());
        assertEquals(3, barrier.getParties());
        assertEquals(0, barrier.getNumberWaiting());
    }

    @Test
    void shouldBreakForAllWhenOnePartyTimesOut() throws Exception {
        SharedBarrier barrier = new SharedBarrier(3);
        AtomicInteger broken = new AtomicInteger();
        Thread patient = Thread.ofPlatform().start(() -> {
            try {
                barrier.await(Duration.ofSeconds(30));
            } catch (BrokenBarrierException e) {
                broken.incrementAndGet();
            } catch (InterruptedException ignored) {
                // fails the assertion below
            }
        });
        Poll.until("the patient party", Duration.ofSeconds(30), () -> barrier.getNumberWaiting() == 1);
        assertThrows(BrokenBarrierException.class, () -> barrier.await(Duration.ofMillis(30)));
        patient.join(30_000);
        assertEquals(1, broken.get());
        assertTrue(barrier.isBroken());
        assertThrows(BrokenBarrierException.class, barrier::await);
        barrier.reset();
        assertFalse(barrier.isBroken());
    }

    @Test
    void shouldTripManyTimesWithMoreThreadsThanParties() throws Exception {
        SharedBarrier barrier = new SharedBarrier(2);
        AtomicInteger broken = new AtomicInteger();
        AtomicInteger arrivals = new AtomicInteger(); // 800 in all, an even number: every arrival has a partner
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (arrivals.getAndIncrement() < 800) {
                    try {
                        barrier.await(Duration.ofSeconds(30));
                    } catch (BrokenBarrierException | InterruptedException e) {
                        broken.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join(60_000);
        }
        assertEquals(0, broken.get());
        assertFalse(barrier.isBroken());
    }

    static void slowAction() {
        try {
            Thread.sleep(600);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shouldReleaseAPartyWhoseTripCameWhileItsTimeoutRanOut() throws Exception {
        SharedBarrier barrier = new SharedBarrier(2, SharedBarrierTest::slowAction, null);
        AtomicInteger index = new AtomicInteger(-1);
        Thread early = Thread.ofPlatform().start(() -> {
            try {
                index.set(barrier.await(Duration.ofMillis(300))); // counted in the trip before it times out
            } catch (BrokenBarrierException | InterruptedException e) {
                index.set(-2);
            }
        });
        Poll.until("the early party", Duration.ofSeconds(30), () -> barrier.getNumberWaiting() == 1);
        assertEquals(1, barrier.await(Duration.ofSeconds(30)));
        early.join(30_000);
        assertEquals(0, index.get(), "a party counted in the trip returns its index, as with CyclicBarrier");
        assertFalse(barrier.isBroken());
    }

    @Test
    void shouldLetTheActionAbortTheBarrierWithoutDeadlock() throws Exception {
        SharedBarrier[] self = new SharedBarrier[1];
        self[0] = new SharedBarrier(2, () -> self[0].abort(), null);
        AtomicInteger broken = new AtomicInteger();
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                self[0].await(Duration.ofSeconds(30));
            } catch (BrokenBarrierException e) {
                broken.incrementAndGet();
            } catch (InterruptedException ignored) {
                // fails the assertion below
            }
        });
        Poll.until("a waiting party", Duration.ofSeconds(30), () -> self[0].getNumberWaiting() == 1);
        assertThrows(BrokenBarrierException.class, () -> self[0].await(Duration.ofSeconds(30)));
        other.join(30_000);
        assertEquals(1, broken.get());
        assertTrue(self[0].isBroken());
    }

    @Test
    void shouldBreakWaitersOnAbortAndReset() throws Exception {
        SharedBarrier barrier = new SharedBarrier(2);
        AtomicInteger broken = new AtomicInteger();
        Runnable party = () -> {
            try {
                barrier.await(Duration.ofSeconds(30));
            } catch (BrokenBarrierException e) {
                broken.incrementAndGet();
            } catch (InterruptedException ignored) {
                // fails the assertion below
            }
        };
        Thread first = Thread.ofPlatform().start(party);
        Poll.until("a waiting party", Duration.ofSeconds(30), () -> barrier.getNumberWaiting() == 1);
        barrier.reset();
        first.join(30_000);
        Thread second = Thread.ofPlatform().start(party);
        Poll.until("a waiting party", Duration.ofSeconds(30), () -> barrier.getNumberWaiting() == 1);
        barrier.abort();
        second.join(30_000);
        assertEquals(2, broken.get());
        assertThrows(IllegalArgumentException.class, () -> new SharedBarrier(0));
    }
}

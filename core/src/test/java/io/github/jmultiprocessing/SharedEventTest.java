package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SharedEventTest {

    @Test
    void shouldReleaseEveryWaiterOfAPulse() throws Exception {
        SharedEvent event = new SharedEvent();
        SharedValue waiting = SharedValue.raw('i');
        SharedValue released = SharedValue.raw('i');
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                waiting.incrementAndGet();
                try {
                    long start = System.nanoTime();
                    event.await(Duration.ofSeconds(30)); // false after a pulse, as in Python: the flag is clear
                    if (System.nanoTime() - start < java.util.concurrent.TimeUnit.SECONDS.toNanos(20)) {
                        released.incrementAndGet(); // woken, not timed out
                    }
                } catch (InterruptedException ignored) {
                    // fails the assertion below
                }
            }));
        }
        io.github.jmultiprocessing.testing.Poll.until("four waiters", Duration.ofSeconds(30), () -> waiting.getInt() == 4);
        Thread.sleep(50); // let them block
        event.set();
        event.clear(); // Python's waiters still return True
        for (Thread thread : threads) {
            thread.join(30_000);
        }
        assertTrue(released.getInt() == 4, "released " + released.getInt());
    }

    @Test
    void shouldSetClearAndWait() throws Exception {
        SharedEvent event = new SharedEvent();
        assertFalse(event.isSet());
        assertFalse(event.await(Duration.ofMillis(20)));
        Thread setter = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(20);
            } catch (InterruptedException ignored) {
                return;
            }
            event.set();
        });
        assertTrue(event.await(Duration.ofSeconds(30)));
        setter.join(30_000);
        event.await();
        event.clear();
        assertFalse(event.isSet());
        assertTrue(SharedValueTest.roundTrip(event) != null);
    }
}

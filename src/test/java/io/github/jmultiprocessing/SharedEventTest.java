package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SharedEventTest {

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

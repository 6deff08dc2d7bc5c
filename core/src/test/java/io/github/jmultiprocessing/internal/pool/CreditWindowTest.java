package io.github.jmultiprocessing.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CreditWindowTest {

    private static final long MICRO = 1_000;

    /** Runs tasks of a fixed duration, back to back, {@code n} results one at a time. */
    private static long feed(CreditWindow credits, long start, long nanosPerTask, int n) {
        long now = start;
        for (int i = 0; i < n; i++) {
            assertTrue(credits.tryAcquire());
            long sent = now;
            now += nanosPerTask;
            credits.completed(1, now, sent);
        }
        return now;
    }

    @Test
    void shouldStartSmallGrowForQuickTasksAndShrinkForSlowOnes() {
        CreditWindow credits = new CreditWindow();
        assertEquals(CreditWindow.MIN, credits.window(), "unknown tasks: as Python, one running, one waiting");
        long now = feed(credits, 0, 5 * MICRO, 10);
        assertEquals(CreditWindow.MAX, credits.window(), "5 us tasks: the most in flight");
        now = feed(credits, now, 50 * MICRO, 20);
        assertEquals(20, credits.window(), 2, "50 us tasks: about 1 ms of them");
        feed(credits, now, 1_000 * MICRO, 20);
        assertEquals(CreditWindow.MIN, credits.window(), "1 ms tasks and slower: the fewest");
    }

    @Test
    void shouldNotCountIdleTimeNorCloseTheWindowForOnePause() {
        CreditWindow credits = new CreditWindow();
        long now = feed(credits, 0, 2 * MICRO, 20);
        assertTrue(credits.tryAcquire());
        long sentAfterIdling = now + 5_000_000_000L; // idle 5 s, then a quick task
        credits.completed(1, sentAfterIdling + 2 * MICRO, sentAfterIdling);
        assertEquals(CreditWindow.MAX, credits.window(), "the idle time before a task is not its time");
        assertTrue(credits.tryAcquire());
        long paused = sentAfterIdling + 2 * MICRO + 50_000_000L; // one 50 ms pause
        credits.completed(1, paused, sentAfterIdling);
        assertTrue(credits.window() >= CreditWindow.MAX / 2, "one pause moves the estimate 4x at most: "
                + credits);
    }

    @Test
    void shouldMeasureABatchPerTask() {
        CreditWindow credits = new CreditWindow();
        assertTrue(credits.tryAcquire());
        assertTrue(credits.tryAcquire());
        assertFalse(credits.tryAcquire(), "window full");
        credits.completed(2, 40 * MICRO, 0); // two results of 20 us each, in one batch
        assertEquals(0, credits.inFlight());
        assertEquals(50, credits.window(), "1 ms / 20 us: " + credits);
    }

    @Test
    void shouldBlockAcquireUntilACreditComesBack() throws Exception {
        CreditWindow credits = new CreditWindow();
        credits.acquire();
        credits.acquire();
        FutureTask<Void> third = new FutureTask<>(() -> {
            credits.acquire();
            return null;
        });
        Thread waiter = Thread.ofPlatform().daemon().start(third);
        Thread.sleep(50);
        assertFalse(third.isDone(), "waits while the window is full");
        credits.giveBack(1);
        third.get(10, TimeUnit.SECONDS);
        assertEquals(2, credits.inFlight());
        waiter.join(10_000);
    }
}

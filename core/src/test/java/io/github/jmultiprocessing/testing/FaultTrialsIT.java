package io.github.jmultiprocessing.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.SharedValue;
import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import io.github.jmultiprocessing.testing.FaultTally.Count;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fault suite's harness counts what a trial leaves behind: a process it started and did not end (an orphan),
 * a file in its shared-memory directory (a leak), a trial JVM past its bound (a hang), one that exits badly (a
 * failure), and what the trial reported itself.
 */
class FaultTrialsIT {

    /** A trial that leaves everything wrong: a process running, a file, a count, and no DONE if asked. */
    public static final class BadTrial {
        public static void main(String[] args) throws Exception {
            SharedValue value = SharedValue.of('i', 1); // the library's own files, unlinked at exit
            Process sleeper = new ProcessBuilder("sleep", "60").start();
            TrialLog.pid(sleeper.pid());
            Files.writeString(ShmDirectory.directory().resolve("jmp-left-behind"), "x");
            TrialLog.injected(2);
            TrialLog.count(Count.LOST, 3, "three lost");
            TrialLog.recovery(Duration.ofMillis(7).toNanos());
            TrialLog.stat("figure", 5);
            if (args[0].equals("hang")) {
                Thread.sleep(Duration.ofMinutes(1));
            }
            if (args[0].equals("done")) {
                TrialLog.done();
            }
            value.close();
        }
    }

    /** A trial that does everything right. */
    public static final class GoodTrial {
        public static void main(String[] args) {
            SharedValue value = SharedValue.of('i', 1);
            TrialLog.injected(1);
            value.close();
            TrialLog.done();
        }
    }

    @Test
    void shouldCountOrphansLeaksHangsFailuresAndWhatTheTrialReported() throws Exception {
        FaultTally tally = new FaultTally("harness check");
        Map<String, Long> stats = new HashMap<>();
        FaultTrials.run(tally, stats, BadTrial.class, Duration.ofSeconds(30), "done");
        assertEquals(1, tally.get(Count.ORPHANS), "the sleep it started");
        assertEquals(1, tally.get(Count.LEAKED_SEGMENTS), "the file it left");
        assertEquals(3, tally.get(Count.LOST));
        assertEquals(0, tally.get(Count.FAILURES));
        assertEquals(0, tally.get(Count.HANGS));
        assertEquals(Map.of("figure", 5L), stats);
        FaultTrials.run(tally, stats, BadTrial.class, Duration.ofSeconds(30), "no DONE");
        assertEquals(1, tally.get(Count.FAILURES), "exited without DONE");
        assertEquals(2, tally.get(Count.LEAKED_SEGMENTS));
        long start = System.nanoTime();
        FaultTrials.run(tally, stats, BadTrial.class, Duration.ofSeconds(3), "hang");
        assertEquals(1, tally.get(Count.HANGS), "past its bound");
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos(), "the hung trial was killed");
        assertEquals(3, tally.get(Count.ORPHANS));
        assertTrue(tally.get(Count.LEAKED_SEGMENTS) > 3, "its file, and the killed JVM's ledger and heap: "
                + tally.get(Count.LEAKED_SEGMENTS));
        FaultTally good = new FaultTally("harness check, good");
        FaultTrials.run(good, stats, GoodTrial.class, Duration.ofSeconds(30));
        good.assertWithin(Map.of());
        assertEquals(1, good.trials());
    }
}

package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.examples.ExitPrograms;
import io.github.jmultiprocessing.testing.JavaMain;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Programs that return from {@code main} with pools, managers and executors still open: the JVM exits promptly,
 * work given to an executor finishes first, a pool's outstanding calls are cancelled, and no child writes anything
 * after its parent is gone. Children that replace their standard streams lose nothing.
 */
class ExitIT {

    /** The longest time from the end of {@code main} to the JVM's exit: the 2 s, plus slack for the JVM's own exit. */
    private static final long EXIT_MILLIS = 2_500;

    @ParameterizedTest
    @ValueSource(strings = {"pool", "pool", "pool", "manager", "pool-work"})
    void shouldExitPromptlyWithUnclosedPoolsAndManagers(String program) throws Exception {
        try (JavaMain main = JavaMain.start(ExitPrograms.class, program)) {
            assertEquals(0, main.waitFor(Duration.ofSeconds(60)), main.output());
            long exited = System.currentTimeMillis();
            Thread.sleep(1_500); // a child left behind would write now, on the terminal of a program that has ended
            String output = main.output();
            long returned = returnedAt(output);
            assertTrue(exited - returned < EXIT_MILLIS, "exit took " + (exited - returned) + " ms:\n" + output);
            String after = output.substring(output.indexOf("main returns at"));
            assertEquals(1, after.lines().count(), "printed after main returned:\n" + output);
            assertFalse(output.contains("banana"), output); // a pool's outstanding call is cancelled at exit
        }
    }

    @Test
    void shouldFinishExecutorWorkBeforeTheJvmExits() throws Exception {
        try (JavaMain main = JavaMain.start(ExitPrograms.class, "executor")) {
            assertEquals(0, main.waitFor(Duration.ofSeconds(60)), main.output());
            String output = main.output();
            assertTrue(output.indexOf("apple") > output.indexOf("main returns at"), output);
        }
    }

    @Test
    void shouldFlushAChildsReplacedStderrBeforeItExits(@TempDir Path dir) throws Exception {
        try (JavaMain main = JavaMain.start(ExitPrograms.class, "buffered-err", dir.resolve("err.txt").toString())) {
            assertEquals(0, main.waitFor(Duration.ofSeconds(60)), main.output());
            assertTrue(main.output().contains("exit code 1, stderr file: Process JvmProcess-1:"), main.output());
        }
    }

    @Test
    void shouldExitZeroWhenAChildSetsSystemOutToNull() throws Exception {
        try (JavaMain main = JavaMain.start(ExitPrograms.class, "null-out")) {
            assertEquals(0, main.waitFor(Duration.ofSeconds(60)), main.output());
            assertTrue(main.output().contains("exit code 0"), main.output());
        }
    }

    @Test
    void shouldFinishExecutorWorkWhoseWorkersAreReplacedDuringTheExit() throws Exception {
        try (JavaMain main = JavaMain.start(ExitPrograms.class, "executor-retire")) {
            assertEquals(0, main.waitFor(Duration.ofSeconds(60)), main.output());
            String output = main.output();
            for (int i = 1; i <= 3; i++) {
                assertTrue(output.indexOf("fruit-" + i) > output.indexOf("main returns at"), output);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"exit-in-continuation", "exit-in-thread-task"})
    void shouldExitPromptlyWhenSystemExitIsCalledFromWhatThePoolRuns(String program) throws Exception {
        try (JavaMain main = JavaMain.start(ExitPrograms.class, program)) {
            assertEquals(0, main.waitFor(Duration.ofSeconds(30)), main.output());
            long exited = System.currentTimeMillis();
            String output = main.output();
            long requested = timeAfter(output, "exit requested at ");
            assertTrue(exited - requested < EXIT_MILLIS + 1_000, "exit took " + (exited - requested) + " ms:\n"
                    + output);
        }
    }

    @Test
    void shouldExitPromptlyOnSigtermWithExecutorWorkRunning() throws Exception {
        try (JavaMain main = JavaMain.start(ExitPrograms.class, "sigterm")) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!main.output().contains("running") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(main.output().contains("running"), main.output());
            long sent = System.currentTimeMillis();
            main.process().destroy(); // SIGTERM, as kill and docker stop send it
            assertEquals(143, main.waitFor(Duration.ofSeconds(30)), main.output());
            long exited = System.currentTimeMillis();
            assertTrue(exited - sent < EXIT_MILLIS + 1_000, "exit took " + (exited - sent) + " ms:\n"
                    + main.output());
            assertFalse(main.output().contains("durian"), main.output());
        }
    }

    private static long timeAfter(String output, String label) {
        int at = output.indexOf(label);
        assertTrue(at >= 0, output);
        return Long.parseLong(output.substring(at + label.length()).lines().findFirst().orElseThrow().strip());
    }

    private static long returnedAt(String output) {
        int at = output.indexOf("main returns at ");
        assertTrue(at >= 0, output);
        return Long.parseLong(output.substring(at + "main returns at ".length()).lines().findFirst().orElseThrow()
                .strip());
    }
}

package io.github.jmultiprocessing.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** CPython for interoperability checks: skipped where {@code python3} or {@code /dev/shm} is missing. */
public final class Python {

    private Python() {
    }

    /**
     * Runs a script with {@code python3 -c}; aborts the test (skipped) if python3 is not installed.
     *
     * @param script the script
     * @return its output (stdout and stderr), stripped
     * @throws Exception if it fails, does not finish within 60 s, or is interrupted
     */
    public static String run(String script) throws Exception {
        Process python;
        try {
            python = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("python3 is not installed: skipping the Python interoperability check (" + e + ")");
            return null;
        }
        assertTrue(python.waitFor(60, TimeUnit.SECONDS), "python3 did not finish");
        String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, python.exitValue(), output);
        return output.strip();
    }

    /** Skips the test unless segments are in {@code /dev/shm}, where Python's {@code shm_open} names them too. */
    public static void assumeDevShm() {
        Assumptions.assumeTrue(ShmDirectory.directory().toString().equals("/dev/shm"),
                "segments are not in /dev/shm here, so Python's shm_open names differ");
    }
}

package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.examples.RealUse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A program started without {@code --enable-native-access}: it works, and says once how to get the futex waits. */
class NativeAccessIT {

    private static final String WARNING = "native access is not enabled";

    @Test
    void shouldWarnOnceAndFallBackToPureJavaWaitsInEveryProcess() throws Exception {
        Process program = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), RealUse.class.getName()).redirectErrorStream(true)
                .start();
        String output = new String(program.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(program.waitFor(120, TimeUnit.SECONDS), output);
        assertEquals(0, program.exitValue(), output);
        assertTrue(output.contains("value=3000 exit codes=[0, 0, 0]") && output.contains("pool=[1, 8, 27]")
                && output.contains("manager={k=42}"), output);
        assertEquals(1, output.split(WARNING, -1).length - 1, "the warning once, not once per child:\n" + output);
        assertTrue(output.contains("--enable-native-access=ALL-UNNAMED") && output.contains("Enable-Native-Access")
                && output.contains("-Djmultiprocessing.futex=false"), output);
    }
}

package io.github.jmultiprocessing.ignite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class IgniteJvmTest {

    @Test
    void shouldFindNoFlagMissingInATestJvmStartedWithThem() {
        assertEquals(List.of(), IgniteJvm.missingHere(), "the module's argLine has ignite.jvm.flags");
    }

    @Test
    void shouldPrintAnArgumentFileOfEveryFlag() {
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            IgniteJvm.main(new String[0]);
        } finally {
            System.setOut(out);
        }
        List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.containsAll(IgniteJvm.ADD_OPENS), "printed " + lines);
        assertEquals(IgniteJvm.flags(), lines);
    }

    @Test
    void shouldSayHowManyFlagsAreMissingAndHowToAddThem() {
        String advice = IgniteJvm.advice(List.of("--add-opens=java.base/java.nio=ALL-UNNAMED"));
        assertTrue(advice.contains("lacks 1 of the " + IgniteJvm.ADD_OPENS.size()), advice);
        assertTrue(advice.contains("first: --add-opens=java.base/java.nio=ALL-UNNAMED"), advice);
        assertTrue(advice.contains("io.github.jmultiprocessing.ignite.IgniteJvm > ignite.args"), advice);
    }
}

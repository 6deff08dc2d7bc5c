package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.examples.Demo;
import io.github.jmultiprocessing.examples.ManagerDictList;
import io.github.jmultiprocessing.examples.PoolCubes;
import io.github.jmultiprocessing.examples.QueueNumbers;
import io.github.jmultiprocessing.examples.SharedData;
import io.github.jmultiprocessing.examples.SquareNumbers;
import io.github.jmultiprocessing.testing.Children;
import io.github.jmultiprocessing.testing.JavaMain;
import io.github.jmultiprocessing.testing.Poll;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seed documents' programs, on real child JVMs. */
class SeedProgramsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void shouldRunCpuCountProcessesSquaringNumbers() throws Exception {
        List<JvmProcess> processes = SquareNumbers.run();
        assertEquals(Multiprocessing.cpuCount(), processes.size());
        for (JvmProcess process : processes) {
            assertEquals(0, process.exitCode().orElseThrow());
        }
    }

    @Test
    void shouldNeverGainUpdatesWithoutALock() throws Exception {
        SharedData.Result result = SharedData.run(SharedData.Guard.NONE);
        assertTrue(result.number() <= 200, "value " + result.number());
        List<Double> max = List.of(200.0, 300.0, 400.0);
        for (int i = 0; i < 3; i++) {
            assertTrue((Double) result.array().get(i) <= max.get(i), "array " + result.array());
            assertTrue((Double) result.array().get(i) >= max.get(i) - 200, "array " + result.array());
        }
    }

    @Test
    void shouldCountExactlyWithALock() throws Exception {
        SharedData.Result result = SharedData.run(SharedData.Guard.ACQUIRE_RELEASE);
        assertEquals(200, result.number());
        assertEquals(List.of(200.0, 300.0, 400.0), result.array());
    }

    @Test
    void shouldCountExactlyWithTheLockAsAResource() throws Exception {
        SharedData.Result result = SharedData.run(SharedData.Guard.WITH_LOCK);
        assertEquals(200, result.number());
        assertEquals(List.of(200.0, 300.0, 400.0), result.array());
    }

    static void raceOnRawValue(SharedValue value, SharedValue gate, SharedValue ready) {
        ready.incrementAndGet();
        while (gate.getInt() == 0) {
            Thread.onSpinWait();
        }
        for (int i = 0; i < 1_000_000; i++) {
            value.setInt(value.getInt() + 1); // a read and a write: the race Python's seed shows
        }
    }

    @Test
    void shouldLoseUpdatesOnARawValueWithoutSleeps() throws Exception {
        long lost = 0;
        for (int attempt = 0; attempt < 5 && lost == 0; attempt++) {
            SharedValue value = SharedValue.raw('i');
            SharedValue gate = SharedValue.raw('i');
            SharedValue ready = SharedValue.raw('i');
            try (Children children = new Children()) {
                JvmProcess a = children.start(() -> raceOnRawValue(value, gate, ready));
                JvmProcess b = children.start(() -> raceOnRawValue(value, gate, ready));
                Poll.until("both racers", WAIT, () -> ready.getInt() == 2);
                gate.setInt(1);
                assertEquals(0, Children.joinWithin(a, WAIT));
                assertEquals(0, Children.joinWithin(b, WAIT));
            }
            assertTrue(value.getInt() <= 2_000_000, "value " + value.getInt());
            lost = 2_000_000 - value.getInt();
        }
        assertTrue(lost > 0, "two processes racing on a raw value lost no update in 5 runs");
    }

    @Test
    void shouldDrainBothProducersNumbersAfterJoiningThem() throws Exception {
        List<Integer> taken = QueueNumbers.run();
        assertEquals(java.util.Set.of(1, 4, 9, 16, 25, -1, -2, -3, -4, -5), java.util.Set.copyOf(taken));
        assertEquals(10, taken.size(), "each number once: " + taken);
        assertEquals(List.of(1, 4, 9, 16, 25), taken.stream().filter(n -> n > 0).toList(), "one producer's order");
        assertEquals(List.of(-1, -2, -3, -4, -5), taken.stream().filter(n -> n < 0).toList());
    }

    @Test
    void shouldCubeInAPoolAsThePythonSeedDoes() throws Exception {
        assertEquals(List.of(0, 1, 8, 27, 64, 125, 216, 343, 512, 729), PoolCubes.run());
    }

    @Test
    void shouldSeeTheChildsChangesToAManagedDictAndListAsThePythonSeedDoes() throws Exception {
        ManagerDictList.Result result = ManagerDictList.run();
        java.util.Map<Object, Object> expected = new java.util.LinkedHashMap<>();
        expected.put(1, "1");
        expected.put("2", 2);
        expected.put(0.25, null);
        assertEquals(expected, result.d());
        assertEquals("{1=1, 2=2, 0.25=null}", result.d().toString(), "Python prints {1: '1', '2': 2, 0.25: None}");
        assertEquals(List.of(9, 8, 7, 6, 5, 4, 3, 2, 1, 0), result.l());
    }

    @Test
    void shouldPrintWhatThePythonSeedPrints() throws Exception {
        try (JavaMain demo = JavaMain.start(Demo.class)) {
            assertEquals(0, demo.waitFor(Duration.ofMinutes(2)), demo.output());
            String output = demo.output();
            assertTrue(output.contains("Shared Value at beginning: 0"), output);
            assertTrue(output.contains("Shared Array at beginning: [0.0, 100.0, 200.0]"), output);
            assertTrue(output.contains("Shared Value at end: 200\nShared Array at end: [200.0, 300.0, 400.0]"), output);
            assertTrue(output.contains("[0, 1, 8, 27, 64, 125, 216, 343, 512, 729]"), output);
            assertTrue(output.contains("{1=1, 2=2, 0.25=null}\n[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]"), output);
            String queue = output.substring(output.indexOf("== Using queues"));
            for (int n : new int[] {1, 4, 9, 16, 25, -1, -2, -3, -4, -5}) {
                assertTrue(queue.contains("\n" + n + "\n"), queue);
            }
        }
    }
}

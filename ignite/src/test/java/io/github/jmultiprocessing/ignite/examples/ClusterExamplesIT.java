package io.github.jmultiprocessing.ignite.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.jmultiprocessing.ignite.LocalCluster;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo's programs on a local cluster of two node JVMs, as the README runs them. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterExamplesIT {

    @Test
    void shouldRunThePoolAndManagerProgramsOnTheCluster() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(2)) {
            assertEquals(List.of(0, 1, 8, 27, 64, 125, 216, 343, 512, 729), ClusterPoolCubes.run(cluster));
            ClusterManagerDictList.Result result = ClusterManagerDictList.run(cluster);
            Map<Object, Object> expected = new LinkedHashMap<>();
            expected.put(1, "1");
            expected.put("2", 2);
            expected.put(0.25, null);
            assertEquals(expected, result.d());
            assertEquals(List.copyOf(expected.keySet()), List.copyOf(result.d().keySet()), "insertion order");
            assertEquals(List.of(9, 8, 7, 6, 5, 4, 3, 2, 1, 0), result.l());
        }
    }
}

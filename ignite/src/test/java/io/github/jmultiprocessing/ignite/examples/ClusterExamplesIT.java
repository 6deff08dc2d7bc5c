package io.github.jmultiprocessing.ignite.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.jmultiprocessing.ignite.LocalCluster;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo's programs on a local cluster of two node JVMs, as the README runs them. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterExamplesIT {

    @Test
    void shouldRunThePoolProgramOnTheCluster() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(2)) {
            assertEquals(List.of(0, 1, 8, 27, 64, 125, 216, 343, 512, 729), ClusterPoolCubes.run(cluster));
        }
    }
}

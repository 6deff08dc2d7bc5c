package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** {@code pool.map(f, xs)} equals {@code xs.stream().map(f)}, whatever the items and the chunk size. */
class ProcessPoolPropertiesIT {

    private static ProcessPool pool;

    @BeforeContainer
    static void startPool() {
        pool = new ProcessPool(2);
    }

    @AfterContainer
    static void stopPool() {
        pool.close();
    }

    static long f(long x) {
        return x * 31 + (x >>> 3) - 7;
    }

    @Property(tries = 40)
    void shouldMapAsAStreamDoes(@ForAll @Size(max = 300) List<Long> xs,
            @ForAll @IntRange(min = 0, max = 50) int chunksize) throws Exception {
        assertEquals(xs.stream().map(ProcessPoolPropertiesIT::f).toList(),
                pool.map(ProcessPoolPropertiesIT::f, xs, chunksize));
    }
}

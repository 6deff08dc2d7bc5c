package io.github.jmultiprocessing.internal.connection;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Whether a pipe may be unlinked at a close: decided on liveness read then, not on the 10 ms liveness cache. */
class PipeChannelUnheldTest {

    @Test
    void shouldSeeAPipeUnheldAtOnceWhenTheOtherEndsLastHolderDiedJustAfterItWasSeenAlive() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(PipeChannel.size(4096, true), 4096);
            PipeChannel.format(memory, 4096, true);
            PipeChannel mine = PipeChannel.open(memory, 0);
            Process other = new ProcessBuilder("sleep", "30").start();
            try {
                PipeChannel.open(memory, 1).holders().add(other.pid(), 1); // the other end: held by that process
                assertTrue(mine.peerOpen(), "the other end's holder runs"); // and is cached as alive for 10 ms
                other.destroyForcibly();
                assertTrue(other.waitFor(10, TimeUnit.SECONDS), "the holder ended");
                // this end was never counted here: with the other end's holder gone, nobody holds either end
                assertTrue(mine.unheld(), "no live holder of either end, the liveness cache notwithstanding");
                mine.holders().add(ProcessIdentity.pid(), 1);
                assertFalse(mine.unheld(), "this process holds an end");
            } finally {
                other.destroyForcibly();
            }
        }
    }
}

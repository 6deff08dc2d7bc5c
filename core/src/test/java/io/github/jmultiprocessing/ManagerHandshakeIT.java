package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A manager's server JVM under peers that never authenticate: its clients are neither delayed nor turned away. */
class ManagerHandshakeIT {

    @Test
    void shouldServeANewConnectionWithinASecondBehindMoreSilentPeersThanTheOldLimit() throws Exception {
        try (Manager manager = Multiprocessing.manager()) {
            Map<String, Integer> dict = manager.dict();
            dict.put("before", 1); // the server's handshake path has run once
            List<SocketChannel> silent = new ArrayList<>();
            try {
                for (int i = 0; i < 80; i++) { // 70 silent, 10 that send half a length: more than the old 64
                    SocketChannel peer = SocketChannel.open(manager.address());
                    silent.add(peer);
                    if (i >= 70) {
                        peer.write(ByteBuffer.wrap(new byte[] {0, 0}));
                    }
                }
                long t0 = System.nanoTime();
                FutureTask<Integer> fromANewThread = new FutureTask<>(() -> { // a client connection per thread
                    dict.put("after", 2);
                    return dict.get("before");
                });
                Thread.ofPlatform().daemon().start(fromANewThread);
                assertEquals(1, fromANewThread.get(2, TimeUnit.SECONDS), "served, not refused");
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue(millis < 1_000, "served after " + millis + " ms (expected < 1 s)");
                assertEquals(2, dict.get("after"));
            } finally {
                for (SocketChannel peer : silent) {
                    peer.close();
                }
            }
        }
    }
}

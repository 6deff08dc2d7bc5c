package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.jmultiprocessing.testing.Children;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Listener and Client across real child JVMs, over TCP on loopback. */
class ListenerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    static void callBack(SocketAddress address, byte[] key, SharedValue outcome) {
        try (Connection conn = Client.connect(address, key)) {
            conn.send("hello from pid " + ProcessHandle.current().pid());
            outcome.set(1);
        } catch (AuthenticationException e) {
            outcome.set(2);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldAcceptAChildWithTheKeyAndRefuseOneWithout() throws Exception {
        byte[] key = "shared".getBytes(StandardCharsets.UTF_8);
        try (Children children = new Children();
                Listener listener = new Listener(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), key)) {
            SocketAddress address = listener.address();
            SharedValue wrong = SharedValue.of('i', 0);
            JvmProcess impostor = children.start(() -> callBack(address, "guess".getBytes(StandardCharsets.UTF_8),
                    wrong));
            assertThrows(AuthenticationException.class, listener::accept);
            assertEquals(0, Children.joinWithin(impostor, WAIT));
            assertEquals(2, wrong.getInt(), "the child saw AuthenticationException too");
            SharedValue right = SharedValue.of('i', 0);
            JvmProcess friend = children.start(() -> callBack(address, key, right));
            try (Connection conn = listener.accept()) {
                assertEquals("hello from pid " + friend.pid().orElseThrow(), conn.recv());
            }
            assertEquals(0, Children.joinWithin(friend, WAIT));
            assertEquals(1, right.getInt());
        }
    }
}

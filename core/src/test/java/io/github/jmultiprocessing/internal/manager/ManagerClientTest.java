package io.github.jmultiprocessing.internal.manager;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The keys of the managers a process knows, by address: what the proxies read in that process prove. */
class ManagerClientTest {

    @Test
    void shouldNoteKeysByAddressAsCopiesWithAProxysKeyNeverReplacingTheManagersOwn() {
        SocketAddress address = UnixDomainSocketAddress.of(Path.of("/nonexistent/jmp-client-test-"
                + System.nanoTime()));
        assertNull(ManagerClient.notedKey(address), "none noted: the caller proves its process's key");

        byte[] own = {1, 2, 3};
        ManagerClient.noteKey(address, own);
        own[0] = 9; // the registry holds a copy
        assertArrayEquals(new byte[] {1, 2, 3}, ManagerClient.notedKey(address));
        ManagerClient.notedKey(address)[1] = 9; // and hands out copies
        assertArrayEquals(new byte[] {1, 2, 3}, ManagerClient.notedKey(address));

        ManagerClient.noteKeyIfAbsent(address, new byte[] {4}); // a key that came with a proxy
        assertArrayEquals(new byte[] {1, 2, 3}, ManagerClient.notedKey(address), "the manager's own key stays");
        ManagerClient.noteKey(address, new byte[] {5}); // a manager started or connected to here again
        assertArrayEquals(new byte[] {5}, ManagerClient.notedKey(address));

        SocketAddress other = new InetSocketAddress("127.0.0.1", 1);
        ManagerClient.noteKeyIfAbsent(other, new byte[] {6});
        assertArrayEquals(new byte[] {6}, ManagerClient.notedKey(other), "a proxy's key where none was noted");
    }
}

package io.github.jmultiprocessing.ignite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local cluster whose nodes talk TLS with client certificates: its own client works, and a client without the
 * right credentials is refused (no TLS at all, or a certificate the cluster does not trust although it trusts the
 * cluster's).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterTlsIT {

    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    Path dir;

    /** Runs the JDK's keytool; fails the test if it fails. */
    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS), "keytool hung");
        assertEquals(0, keytool.exitValue(), "keytool " + command + ": " + output);
    }

    /** Makes a key store holding a new self-signed certificate for {@code alias}, and exports the certificate. */
    private Path keyPair(String alias) throws IOException, InterruptedException {
        Path store = dir.resolve(alias + ".p12");
        keytool("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + alias,
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit");
        keytool("-exportcert", "-alias", alias, "-keystore", store.toString(), "-storepass", "changeit", "-file",
                dir.resolve(alias + ".crt").toString());
        return store;
    }

    /** Makes a trust store of these aliases' certificates. */
    private Path trustStore(String name, String... aliases) throws IOException, InterruptedException {
        Path store = dir.resolve(name + ".p12");
        for (String alias : aliases) {
            keytool("-importcert", "-noprompt", "-alias", alias, "-file", dir.resolve(alias + ".crt").toString(),
                    "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit");
        }
        return store;
    }

    /** {@return true if the TLS handshake failed somewhere in the exception's causes} */
    private static boolean refusedByTls(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                return true;
            }
        }
        return false;
    }

    private static String causes(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(" <- ").append(t);
        }
        return text.toString();
    }

    @Test
    void shouldServeItsOwnClientAndRefuseClientsWithoutTheRightCertificate() throws Exception {
        Path clusterKeys = keyPair("cluster");
        Path strangerKeys = keyPair("stranger");
        Path trust = trustStore("trust", "cluster");
        Path strangerTrust = trustStore("stranger-trust", "cluster", "stranger"); // it trusts the cluster
        try (LocalCluster cluster = LocalCluster.startWithTls(2, clusterKeys, PASSWORD, trust, PASSWORD);
                ClusterPool pool = new ClusterPool(cluster.ignite());
                ClusterManager manager = new ClusterManager(cluster.ignite())) {
            assertTrue(cluster.config().tls());
            assertEquals(42, pool.apply(() -> 6 * 7));
            Map<String, Integer> d = manager.dict();
            d.put("a", 1);
            assertEquals(1, d.get("a"));
            assertEquals(1, pool.apply(() -> d.get("a")), "a proxy of a TLS cluster's object travels to a node");

            // A refused client's join ends at its TLS failure (within a second here); the join timeout only bounds a
            // handshake slowed by a loaded machine (10 s once timed out before the failure surfaced: CI, 2 CPUs).
            ClusterConfig withoutTls = cluster.config().withoutTls().withJoinTimeout(Duration.ofSeconds(30));
            RuntimeException plain = assertThrows(RuntimeException.class, () -> Cluster.connect(withoutTls).close(),
                    "a client without TLS");
            assertTrue(refusedByTls(plain), "refused for another reason: " + causes(plain));
            ClusterConfig untrusted = cluster.config().withTls(strangerKeys, PASSWORD, strangerTrust, PASSWORD)
                    .withJoinTimeout(Duration.ofSeconds(30));
            RuntimeException stranger = assertThrows(RuntimeException.class, () -> Cluster.connect(untrusted).close(),
                    "a client whose certificate the cluster does not trust");
            assertTrue(refusedByTls(stranger), "refused for another reason: " + causes(stranger));
            try (Cluster same = Cluster.connect(cluster.config().withJoinTimeout(Duration.ofSeconds(30)));
                    ClusterPool samePool = new ClusterPool(same.ignite())) {
                assertEquals(2, same.ignite().cluster().forServers().nodes().size(), "the right certificate joins");
                assertEquals(6, samePool.apply(() -> 2 * 3));
            }
            assertEquals(1, d.get("a"), "the cluster still serves its own client");
        }
    }
}

package io.github.jmultiprocessing.ignite;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Base64;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;

/**
 * A server node of a {@link LocalCluster}, in a JVM of its own: {@code NodeMain workDirectory name}, its
 * {@link ClusterConfig} in the environment variable {@value #CONFIG_VARIABLE} (it may hold key store passwords: not
 * on the command line, which every user of the machine can read). It prints {@code READY} once it has joined, and
 * stops when its standard input ends (the program that started it closed it, or died): a node never outlives the
 * program whose cluster it is.
 *
 * <pre>{@code
 * // what LocalCluster.start(n) runs for each node (its config in the environment, never on the command line):
 * //   JMULTIPROCESSING_IGNITE_CONFIG=<config> java <IgniteJvm flags> -cp <class path> \
 * //       io.github.jmultiprocessing.ignite.NodeMain <dir> <name>
 * try (LocalCluster cluster = LocalCluster.start(2)) {   // two such node JVMs, joined; stopped at close
 *     System.out.println(cluster.ignite().cluster().forServers().nodes().size());   // 2
 * }
 * }</pre>
 */
public final class NodeMain {

    /** What a node prints once it has joined its cluster. */
    static final String READY = "jmultiprocessing-ignite node ready";

    /** The environment variable that holds the node's config, serialized, in Base64. */
    static final String CONFIG_VARIABLE = "JMULTIPROCESSING_IGNITE_CONFIG";

    private NodeMain() {
    }

    /**
     * Runs the node until its standard input ends.
     *
     * @param args the work directory and the node's name
     * @throws Exception if the node cannot start
     */
    public static void main(String[] args) throws Exception {
        String encoded = System.getenv(CONFIG_VARIABLE);
        if (args.length != 2 || encoded == null) {
            System.err.println("usage: " + CONFIG_VARIABLE + "=<config> NodeMain workDirectory name");
            System.exit(2);
        }
        ClusterConfig config = decode(encoded);
        try (Ignite ignite = Ignition.start(config.node(false, args[1], Path.of(args[0])))) {
            ClusterClient.register(ignite, config);
            System.out.println(READY);
            System.out.flush();
            while (System.in.read() >= 0) {
                // the parent holds the other end until it stops this node
            }
        }
        System.exit(0);
    }

    static String encode(ClusterConfig config) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    static ClusterConfig decode(String encoded) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(
                Base64.getDecoder().decode(encoded)))) {
            return (ClusterConfig) in.readObject();
        }
    }
}

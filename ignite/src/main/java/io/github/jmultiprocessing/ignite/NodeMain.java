package io.github.jmultiprocessing.ignite;

import java.nio.file.Path;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;

/**
 * A server node of a {@link LocalCluster}, in a JVM of its own: {@code NodeMain cluster portBase workDirectory name}.
 * It prints {@code READY} once it has joined, and stops when its standard input ends (the program that started it
 * closed it, or died): a node never outlives the program whose cluster it is.
 */
public final class NodeMain {

    /** What a node prints once it has joined its cluster. */
    static final String READY = "jmultiprocessing-ignite node ready";

    private NodeMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: NodeMain cluster portBase workDirectory name");
            System.exit(2);
        }
        try (Ignite ignite = Ignition.start(NodeConfig.of(args[0], Integer.parseInt(args[1]), Path.of(args[2]),
                false, args[3]))) {
            System.out.println(READY);
            System.out.flush();
            while (System.in.read() >= 0) {
                // the parent holds the other end until it stops this node
            }
        }
        System.exit(0);
    }
}

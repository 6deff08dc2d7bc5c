package io.github.jmultiprocessing;

/**
 * A pipe between processes: Python's {@code multiprocessing.Pipe()}, two {@link Connection}s over rings in
 * shared memory.
 *
 * <pre>{@code
 * var pipe = Pipe.open();                        // Python: parent_conn, child_conn = Pipe()
 * Connection parentConn = pipe.left(), childConn = pipe.right();
 * var p = new JvmProcess(() -> {
 *     childConn.send(new Object[] {42, null, "hello"});
 *     childConn.close();
 * });
 * p.start();
 * childConn.close();                             // this process's copy; the child keeps its own
 * System.out.println(Arrays.toString((Object[]) parentConn.recv()));
 * p.join();
 * }</pre>
 *
 * <p>A duplex pipe sends both ways. A simplex pipe ({@code Pipe.open(false)}) sends one way: {@link #left()}
 * only receives and {@link #right()} only sends, as with Python's {@code conn1, conn2 = Pipe(duplex=False)}.
 */
public final class Pipe {

    /** Bytes of each ring: what one direction holds before a sender waits (Linux pipes hold 64 KiB too). */
    static final int CAPACITY = 64 * 1024;

    private final Connection left;
    private final Connection right;

    private Pipe(Connection left, Connection right) {
        this.left = left;
        this.right = right;
    }

    /** {@return a new duplex pipe} */
    public static Pipe open() {
        return open(true);
    }

    /**
     * {@return a new pipe}
     *
     * @param duplex true for a pipe that sends both ways; false for one where {@link #left()} only receives and
     *               {@link #right()} only sends
     */
    public static Pipe open(boolean duplex) {
        return open(duplex, MessageChecksum.DEFAULT);
    }

    /**
     * {@return a new pipe whose messages carry a checksum or not}
     *
     * @param duplex   true for a pipe that sends both ways; false for one where {@link #left()} only receives and
     *                 {@link #right()} only sends
     * @param checksum whether each message carries a checksum checked before it is delivered
     */
    public static Pipe open(boolean duplex, MessageChecksum checksum) {
        Connection[] ends = Connection.newPipe(CAPACITY, duplex, checksum.enabled());
        return new Pipe(ends[0], ends[1]);
    }

    /** {@return the first end (Python's {@code conn1}); the receiving end of a simplex pipe} */
    public Connection left() {
        return left;
    }

    /** {@return the second end (Python's {@code conn2}); the sending end of a simplex pipe} */
    public Connection right() {
        return right;
    }
}

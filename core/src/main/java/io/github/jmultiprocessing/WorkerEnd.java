package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.pool.Dispatcher;
import io.github.jmultiprocessing.internal.pool.Link;
import io.github.jmultiprocessing.internal.pool.PoolWorker;
import io.github.jmultiprocessing.internal.spawn.ForkServer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * Companion of {@link ProcessPool}: the pool's end of one worker, as its {@link Dispatcher} sees it (a
 * {@link Link}). It adapts the worker's {@link JvmProcess}, the pool's end of the worker's {@link Pipe} and its
 * started word (the number of the task or call it started last, written by {@link PoolWorker}), and needs their
 * package-private members ({@link Connection#fitsNow}, {@link JvmProcess#errorHead}), so it lives here.
 */
final class WorkerEnd implements Link {

    static {
        // forkserver standbys and AOT cache training runs rehearse a worker's first task (JvmProcess names this
        // class among the bootstrap classes they initialize)
        ForkServer.addRehearsal(() -> PoolWorker.rehearse());
    }

    private final JvmProcess process;
    private final Connection conn;
    private final SharedValue started;

    private WorkerEnd(JvmProcess process, Connection conn, SharedValue started) {
        this.process = process;
        this.conn = conn;
        this.started = started;
    }

    /**
     * Starts a worker JVM running the worker loop at the other end of a fresh pipe.
     *
     * @param workerName       the worker's process name
     * @param initializer      run once in the worker before its first task, or null
     * @param maxTasksPerChild tasks the worker runs before it retires, 0 for no limit
     * @param context          the start method's context, or null for the default
     * @param loader           the class loader of the code that made the pool: the worker loads what it loads
     * @return the pool's end of the started worker
     */
    static WorkerEnd start(String workerName, SerializableRunnable initializer, int maxTasksPerChild,
            Context context, ClassLoader loader) {
        Pipe pipe = Pipe.open();
        Connection mine = pipe.left();
        Connection theirs = pipe.right();
        mine.streamWaits(); // the pool's links are streams: with one CPU their waits yield first (Connection)
        theirs.streamWaits();
        SharedValue started = SharedValue.raw('q', 0L);
        SerializableRunnable target = () -> PoolWorker.run(theirs, initializer, maxTasksPerChild, started);
        JvmProcess process = context == null ? new JvmProcess(target, workerName)
                : context.process(target, workerName);
        process.setDaemon(true);
        process.addClassLoader(loader);
        if (initializer == null) { // else the set-up would race an initializer that configures the filter
            process.prepareFilterInChild(); // its first task consults the serial filter: set up while it boots
        }
        try {
            process.start();
        } catch (RuntimeException e) {
            mine.close();
            theirs.close();
            started.close();
            throw e;
        }
        if (!process.isThread()) {
            theirs.close(); // the worker's own copy stays open in the worker JVM
        } // else it is the very end the worker's thread uses (and closes when it ends)
        return new WorkerEnd(process, mine, started);
    }

    /** {@return the worker JVM's class path, or null for the thread start method} */
    List<String> classPath() {
        return process.classPath();
    }

    @Override
    public String name() {
        return process.getName();
    }

    @Override
    public long pid() {
        return process.pid().orElse(-1);
    }

    @Override
    public void send(byte[] message) throws IOException, InterruptedException {
        conn.sendBytes(message);
    }

    @Override
    public byte[] receive() throws IOException, InterruptedException {
        return conn.recvBytes();
    }

    @Override
    public boolean fitsNow(int length) throws IOException {
        return conn.fitsNow(length);
    }

    @Override
    public void closeConnection() {
        conn.close();
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void join(Duration timeout) throws InterruptedException {
        process.join(timeout);
    }

    @Override
    public void kill() {
        process.kill();
    }

    @Override
    public OptionalInt exitCode() {
        return process.exitCode();
    }

    @Override
    public long startedLast() {
        return started.getLong(); // an acquire load (SharedValue's raw getLong)
    }

    @Override
    public String errorHead(int lines) {
        return process.errorHead(lines);
    }

    @Override
    public void close() {
        process.close();
        started.close();
    }

    @Override
    public String toString() {
        return "WorkerEnd[" + process.getName() + "]";
    }
}

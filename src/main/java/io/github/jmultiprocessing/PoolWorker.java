package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.codec.MessageCodec;
import io.github.jmultiprocessing.internal.pool.PoolFrames;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The loop a {@link ProcessPool} worker JVM runs: receive tasks, run them, send results. */
final class PoolWorker {

    private PoolWorker() {
    }

    /**
     * Runs the worker until told to stop, until its parent is gone, or after {@code maxTasks} tasks.
     *
     * @param conn        the worker's end of its pipe to the pool
     * @param initializer run once first, or null
     * @param maxTasks    tasks before the worker retires, 0 for no limit
     */
    static void run(Connection conn, SerializableRunnable initializer, int maxTasks) {
        try {
            if (initializer != null) {
                try {
                    initializer.run();
                } catch (Throwable t) {
                    conn.sendBytes(PoolFrames.plain(PoolFrames.BROKEN, encodeThrowable(t)));
                    return;
                }
            }
            Map<Long, Object> jobs = new HashMap<>(); // the function, or why it did not read here
            for (int done = 0; maxTasks == 0 || done < maxTasks; ) {
                byte[] message;
                try {
                    message = conn.recvBytes();
                } catch (EOFException e) {
                    return; // the pool is gone
                }
                switch (PoolFrames.kind(message)) {
                    case PoolFrames.JOB -> {
                        Object function;
                        try {
                            function = PoolFrames.body(message, 9);
                        } catch (IOException | RuntimeException e) { // its tasks fail with this, the worker lives
                            function = e;
                        }
                        jobs.put(PoolFrames.number(message), function);
                    }
                    case PoolFrames.FORGET -> jobs.remove(PoolFrames.number(message));
                    case PoolFrames.STOP -> {
                        return;
                    }
                    case PoolFrames.TASK -> {
                        conn.sendBytes(runTask(message, jobs));
                        done++;
                    }
                    default -> throw new IOException("unknown pool message kind " + message[0]);
                }
            }
            conn.sendBytes(new byte[] {PoolFrames.RETIRE});
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("pool worker: " + e, e);
        } finally {
            conn.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static byte[] runTask(byte[] message, Map<Long, Object> jobs) throws IOException {
        long task = PoolFrames.number(message);
        try {
            Object job = jobs.get(PoolFrames.taskJob(message));
            if (job == null) {
                throw new IllegalStateException("task " + task + " of an unknown call");
            }
            if (job instanceof Throwable unreadable) {
                throw new IllegalStateException("the call's function does not read in the worker: " + unreadable,
                        unreadable);
            }
            SerializableFunction<Object, Object> function = (SerializableFunction<Object, Object>) job;
            List<Object> items = PoolFrames.items(message, 17);
            List<Object> results = new ArrayList<>(items.size());
            for (Object item : items) {
                results.add(function.apply(item));
            }
            return PoolFrames.done(task, results); // a result that cannot be serialized fails this task only
        } catch (Throwable t) {
            return PoolFrames.numbered(PoolFrames.FAILED, task, encodeThrowable(t));
        }
    }

    /** The exception as it travels: itself if it serializes, else a RuntimeException with its text and trace. */
    private static byte[] encodeThrowable(Throwable t) {
        try {
            return MessageCodec.encode(new Failure(t, trace(t)));
        } catch (RuntimeException e) {
            RuntimeException plain = new RuntimeException(t.getClass().getName() + ": " + t.getMessage()
                    + " (not serializable: " + e.getMessage() + ")");
            plain.setStackTrace(t.getStackTrace());
            return MessageCodec.encode(new Failure(plain, trace(t)));
        }
    }

    static String trace(Throwable t) {
        StringWriter text = new StringWriter();
        t.printStackTrace(new PrintWriter(text));
        return "in " + Multiprocessing.currentProcess().getName() + ": " + text;
    }

    /** An exception from a worker and its stack trace there, as text. */
    record Failure(Throwable exception, String trace) implements java.io.Serializable {
    }
}

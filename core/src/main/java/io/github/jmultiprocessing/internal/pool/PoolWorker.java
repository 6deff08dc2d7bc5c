package io.github.jmultiprocessing.internal.pool;

import io.github.jmultiprocessing.Connection;
import io.github.jmultiprocessing.MaybeEncodingException;
import io.github.jmultiprocessing.Pipe;
import io.github.jmultiprocessing.Multiprocessing;
import io.github.jmultiprocessing.SerializableCallable;
import io.github.jmultiprocessing.SerializableFunction;
import io.github.jmultiprocessing.SerializableRunnable;
import io.github.jmultiprocessing.SharedValue;
import io.github.jmultiprocessing.internal.codec.MessageCodec;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The loop a {@code ProcessPool} worker JVM runs: receive tasks, run them, send results.
 *
 * <p>Implementation notes. Before it starts on a task (before it even decodes it) the worker writes the task's
 * number into its started word, a raw {@link SharedValue} the pool made for it; before it decodes a call's
 * function (JOB), the call's number (task and call numbers come from one counter, so never equal). When the worker
 * dies, the pool reads the word: the task it names, if its result has not come, is the one the worker was running
 * and fails; every other task in the worker's pipe never started and goes to another worker. Results alone cannot
 * tell: a worker killed between two tasks, idle with a task on its way, or in its initializer looks the same as one
 * killed inside the first task without a result. The word costs a release store and a store-store fence per task
 * and no message. READY is sent once the initializer has run: a worker that dies before it never started a task.
 */
public final class PoolWorker {

    private PoolWorker() {
    }

    /**
     * Runs the worker until told to stop, until its parent is gone, or after {@code maxTasks} tasks.
     *
     * @param conn        the worker's end of its pipe to the pool
     * @param initializer run once first, or null
     * @param maxTasks    tasks before the worker retires, 0 for no limit
     * @param started     the worker's started word: the number of the task (or call) it started last
     */
    public static void run(Connection conn, SerializableRunnable initializer, int maxTasks, SharedValue started) {
        try {
            if (initializer != null) {
                try {
                    initializer.run();
                } catch (Throwable t) {
                    conn.sendBytes(PoolFrames.plain(PoolFrames.BROKEN, encodeThrowable(t)));
                    return;
                }
            }
            // booted and initialized: a death from now on is not a boot failure, and may be in a task
            conn.sendBytes(new byte[] {PoolFrames.READY});
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
                        long job = PoolFrames.number(message);
                        start(started, job); // decoding runs the function's class initializers
                        jobs.put(job, function(message));
                    }
                    case PoolFrames.CALL -> {
                        conn.sendBytes(run(message, jobs, started));
                        done++;
                    }
                    case PoolFrames.FORGET -> jobs.remove(PoolFrames.number(message));
                    case PoolFrames.STOP -> {
                        return;
                    }
                    case PoolFrames.TASK -> {
                        conn.sendBytes(run(message, jobs, started));
                        done++;
                    }
                    case PoolFrames.TASKS -> done += runBatch(conn, PoolFrames.unbatch(message), jobs, started);
                    default -> throw new IOException("unknown pool message kind " + message[0]);
                }
            }
            conn.sendBytes(new byte[] {PoolFrames.RETIRE});
        } catch (InterruptedException e) {
            // terminated: a worker of the thread start method is interrupted (a worker JVM is killed)
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new IllegalStateException("pool worker: " + e, e);
        } finally {
            conn.close();
        }
    }

    /**
     * Runs a worker's start and first task inside this JVM, on a thread, over a pipe: the READY message, a call of
     * a lambda decoded here, its result encoded and sent, the retirement. A {@code forkserver} standby and an AOT
     * cache training run do this while they prepare, so that a pool's worker JVM finds this path loaded, linked and
     * profiled (without it the first task of a new worker waited ~40 ms on the worker's class loading). Failures
     * are ignored: a real pool reports real problems.
     *
     * @return true if the rehearsed call returned its result
     */
    public static boolean rehearse() {
        Pipe pipe = Pipe.open();
        Connection pool = pipe.left();
        Connection worker = pipe.right();
        SharedValue started = SharedValue.raw('q', 0L);
        Thread thread = Thread.ofPlatform().daemon().name("jmultiprocessing-rehearsal")
                .start(() -> run(worker, null, 1, started));
        try {
            if (PoolFrames.kind(pool.recvBytes()) != PoolFrames.READY) {
                return false;
            }
            SerializableCallable<Integer> call = () -> 42;
            pool.sendBytes(PoolFrames.call(1, PoolFrames.CALLABLE, PoolFrames.function(call),
                    List.of(java.util.Arrays.asList(new Object[] {null}))));
            byte[] done = pool.recvBytes();
            boolean ran = PoolFrames.kind(done) == PoolFrames.DONE
                    && List.of(42).equals(PoolFrames.items(done, 9)); // a DONE's results start at 9
            pool.recvBytes(); // RETIRE: it ran its one task
            thread.join(TimeUnit.SECONDS.toMillis(10));
            return ran;
        } catch (IOException | InterruptedException | RuntimeException e) {
            return false;
        } finally {
            pool.close();
            worker.close();
            started.close();
        }
    }

    /**
     * Runs a batch of tasks, each result sent before the next task starts: a quick result never waits for a slow
     * task.
     *
     * @return the number of tasks run
     */
    private static int runBatch(Connection conn, List<byte[]> tasks, Map<Long, Object> jobs, SharedValue started)
            throws IOException, InterruptedException {
        for (byte[] task : tasks) {
            byte kind = PoolFrames.kind(task);
            if (kind != PoolFrames.TASK && kind != PoolFrames.CALL) {
                throw new IOException("a batch holding a pool message of kind " + kind);
            }
            conn.sendBytes(run(task, jobs, started));
        }
        return tasks.size();
    }

    /**
     * Marks a task (or a call whose function is decoded) as started, in the word the pool reads if this worker
     * dies.
     */
    private static void start(SharedValue started, long number) {
        started.setLong(number); // a release store (SharedValue's raw setLong)
        // NOTE: and no store of the task's own (nor a system call, which no store passes) before it: a task whose
        // effects are seen is named by the word once the worker is dead (the pool reads it after reaping it)
        java.lang.invoke.VarHandle.storeStoreFence();
    }

    /** {@return the DONE or FAILED message of a TASK or CALL} */
    private static byte[] run(byte[] message, Map<Long, Object> jobs, SharedValue started) throws IOException {
        start(started, PoolFrames.number(message));
        if (message[0] == PoolFrames.CALL) {
            return run(PoolFrames.number(message), function(message), message, PoolFrames.callItems(message));
        }
        Object function = jobs.get(PoolFrames.taskJob(message));
        return run(PoolFrames.number(message), function != null ? function
                : new IllegalStateException("a task of an unknown call"), message, 17);
    }

    /** A call's function as read here, or why it did not read (its tasks fail with that, the worker lives). */
    private static Object function(byte[] message) {
        try {
            return new Function(PoolFrames.form(message), PoolFrames.function(message));
        } catch (IOException | RuntimeException e) {
            return e;
        }
    }

    /** A function and its form ({@link PoolFrames#FUNCTION} or {@link PoolFrames#CALLABLE}). */
    private record Function(byte form, Object function) {
    }

    /** {@return the DONE or FAILED message of a task: its function applied to its items} */
    @SuppressWarnings("unchecked")
    private static byte[] run(long task, Object job, byte[] message, int itemsAt) throws IOException {
        try {
            if (job instanceof Throwable unreadable) {
                throw new IllegalStateException("the call's function does not read in the worker: " + unreadable,
                        unreadable);
            }
            Function function = (Function) job;
            if (function.form() == PoolFrames.CALLABLE) {
                Object result = call((SerializableCallable<Object>) function.function());
                try {
                    return PoolFrames.done(task, java.util.Collections.singletonList(result));
                } catch (IllegalArgumentException e) {
                    throw unsendable(task, e);
                }
            }
            SerializableFunction<Object, Object> f = (SerializableFunction<Object, Object>) function.function();
            try {
                return PoolFrames.applied(message, itemsAt, task, item -> {
                    try {
                        return f.apply(item);
                    } catch (RuntimeException | Error e) {
                        throw new TaskThrew(e); // the function's own: not an encoding failure below
                    }
                });
            } catch (IllegalArgumentException e) { // the results were computed: one does not serialize
                throw unsendable(task, e);
            }
        } catch (TaskThrew t) {
            return PoolFrames.numbered(PoolFrames.FAILED, task, encodeThrowable(t.getCause()));
        } catch (Throwable t) {
            return PoolFrames.numbered(PoolFrames.FAILED, task, encodeThrowable(t));
        }
    }

    /** Python's MaybeEncodingError: the task ran, its result does not serialize. */
    private static MaybeEncodingException unsendable(long task, IllegalArgumentException e) {
        return new MaybeEncodingException("error sending the result of task " + task + ": " + e.getMessage()
                + " (expected a serializable result)", e);
    }

    /** Carries what a task's function threw through {@link PoolFrames#applied}, apart from encoding failures. */
    private static final class TaskThrew extends RuntimeException {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        TaskThrew(Throwable thrown) {
            super(null, thrown, false, false);
        }
    }

    private static Object call(SerializableCallable<Object> callable) {
        try {
            return callable.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new CompletionException(e); // unwrapped by the pool: the caller gets the checked one
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

    /** {@return the stack trace of {@code t} as text, naming the process it was made in} */
    static String trace(Throwable t) {
        StringWriter text = new StringWriter();
        t.printStackTrace(new PrintWriter(text));
        return "in " + Multiprocessing.currentProcess().getName() + ": " + text;
    }

    /**
     * An exception from a worker and its stack trace there, as text: the body of a FAILED or BROKEN message.
     *
     * @param exception the exception, or a plain stand-in if it does not serialize
     * @param trace     its stack trace in the worker, as text
     */
    public record Failure(Throwable exception, String trace) implements java.io.Serializable {
    }
}

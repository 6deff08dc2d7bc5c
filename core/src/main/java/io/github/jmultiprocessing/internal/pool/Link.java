package io.github.jmultiprocessing.internal.pool;

import java.io.IOException;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * The pool's end of one worker, as the {@link Dispatcher} sees it: the pipe to the worker (messages of
 * {@link PoolFrames}), the worker's process, and its started word (see {@link PoolWorker}). The pool adapts a
 * {@code Connection}, a {@code JvmProcess} and a {@code SharedValue} to it; a test gives fakes, without child JVMs.
 *
 * <p>{@link #send} is called by one thread at a time (the dispatcher's lock per worker), {@link #receive} by one
 * thread (the worker's receiver); the others may be called from any thread.
 */
public interface Link {

    /** {@return the worker's name} */
    String name();

    /** {@return the worker's pid, -1 if it has none or it is not known} */
    long pid();

    /**
     * Sends one message to the worker.
     *
     * @param message the message
     * @throws IOException          if the pipe is broken or closed
     * @throws InterruptedException if interrupted while waiting for room in the pipe
     */
    void send(byte[] message) throws IOException, InterruptedException;

    /**
     * Receives the worker's next message, waiting for it.
     *
     * @return the message
     * @throws java.io.EOFException if the worker closed its end (it ended)
     * @throws IOException          if the pipe is broken
     * @throws InterruptedException if interrupted while waiting
     */
    byte[] receive() throws IOException, InterruptedException;

    /**
     * {@return true if a message of {@code length} bytes can be sent now, without waiting for room}
     *
     * @param length the message's size
     * @throws IOException if the pipe is broken or closed
     */
    boolean fitsNow(int length) throws IOException;

    /** Closes the pool's end of the pipe: a send or receive under way fails. */
    void closeConnection();

    /** {@return true while the worker's process runs} */
    boolean isAlive();

    /**
     * Waits at most {@code timeout} for the worker's process to end (and reaps it).
     *
     * @param timeout the longest wait
     * @throws InterruptedException if interrupted while waiting
     */
    void join(Duration timeout) throws InterruptedException;

    /**
     * Kills the worker's process.
     *
     * @throws IllegalStateException if it was closed already
     */
    void kill();

    /** {@return the worker's exit code once it ended (negative: the signal that ended it)} */
    OptionalInt exitCode();

    /**
     * {@return the number of the task (or call) the worker started last, 0 if none} Read once the process ended
     * and was reaped: every store it made is then visible.
     */
    long startedLast();

    /**
     * {@return the first lines the worker wrote to its stderr, "" if none}
     *
     * @param lines at most this many
     */
    String errorHead(int lines);

    /** Releases the worker's process and its started word, once it ended. */
    void close();
}

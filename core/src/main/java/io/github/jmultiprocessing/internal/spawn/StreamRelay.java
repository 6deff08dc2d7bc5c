package io.github.jmultiprocessing.internal.spawn;

import io.github.jmultiprocessing.internal.shm.LibraryThreads;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Copies a child's stdout or stderr to this JVM's {@link System#out} or {@link System#err} as it comes, and keeps
 * the first lines of its stderr, so that a child that cannot boot (a class it cannot load, a bad option, a wrong
 * JDK) is reported to the parent with its own words, and so that a child's output shows wherever this JVM's does
 * (jshell, a build tool's log, a test report: Surefire's forked JVMs talk to Maven over their own stdout, which a
 * child writing to it directly would corrupt), not only on the terminal this JVM was started from.
 *
 * <p>Implementation notes. One daemon platform thread per stream of a child reads the pipe until end of file (the
 * child and every process that inherited the stream have ended). Bytes are written through as read, without
 * waiting for a line, so prompts and partial lines appear at once; the head kept is the first
 * {@value #HEAD_BYTES} bytes of stderr. The target stream is looked up at each write, so a {@code System.setOut}
 * of this JVM applies to its children's output too. If this JVM is gone, the child's writes fail quietly (the
 * JVM ignores SIGPIPE), so nothing a child prints after its parent is gone reaches a terminal.
 */
public final class StreamRelay {

    /** Bytes of the child's stderr kept for messages. */
    static final int HEAD_BYTES = 4096;

    /** How long {@link #awaitDrained} waits for more once nothing more is relayed. */
    private static final long IDLE_MILLIS = 50;

    private final Thread thread;
    private final boolean error; // stderr: kept in head, written to System.err
    private final byte[] head;
    private int headLength; // guarded by this
    private volatile long relayed; // bytes written through, for awaitDrained
    private volatile boolean busy; // bytes read and not yet written through

    private StreamRelay(InputStream in, long pid, boolean error) {
        this.error = error;
        this.head = new byte[error ? HEAD_BYTES : 0];
        this.thread = LibraryThreads.unstarted((error ? "stderr-" : "stdout-") + pid, 64 * 1024, () -> copy(in));
    }

    /**
     * Starts relaying a child's stream.
     *
     * @param in    the child's stdout or stderr
     * @param pid   the child's pid, for the thread's name
     * @param error true for stderr (to {@link System#err}, its first lines kept), false for stdout
     * @return the relay
     */
    static StreamRelay start(InputStream in, long pid, boolean error) {
        StreamRelay relay = new StreamRelay(in, pid, error);
        relay.thread.start();
        return relay;
    }

    private void copy(InputStream in) {
        byte[] buffer = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                busy = true;
                if (error) {
                    synchronized (this) {
                        int keep = Math.min(n, HEAD_BYTES - headLength);
                        System.arraycopy(buffer, 0, head, headLength, keep);
                        headLength += keep;
                    }
                }
                PrintStream target = error ? System.err : System.out;
                if (target != null) {
                    target.write(buffer, 0, n);
                    target.flush();
                }
                relayed += n; // only this thread writes it
                busy = false;
            }
        } catch (IOException e) {
            // the pipe broke: nothing more to relay
        } finally {
            busy = false;
        }
    }

    /**
     * Waits, once the child has ended, until what it wrote to the stream has been relayed, so that a parent's
     * {@code join()} returns after the child's last words, as with an inherited stream: until the relay ends (end
     * of file), or until nothing more has come for {@value #IDLE_MILLIS} ms (a process the child started keeps the
     * pipe open).
     */
    public void awaitDrained() {
        long seen = -1;
        try {
            while (!thread.join(java.time.Duration.ofMillis(IDLE_MILLIS))) {
                long now = relayed;
                if (now == seen && !busy) {
                    return;
                }
                seen = now;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits, at most {@code millis}, until everything the child wrote has been relayed.
     *
     * @param millis the longest wait
     * @return true if the relay has ended
     */
    public boolean awaitEnd(long millis) {
        try {
            return thread.join(java.time.Duration.ofMillis(millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !thread.isAlive();
        }
    }

    /**
     * {@return the first lines the child wrote to stderr, at most {@code lines} of them, or "" if none}
     * Waits up to 10 s for the relay to end (the child has ended, on the paths that ask), so that its last words
     * are in, also on a machine too busy to run the relay's thread at once.
     *
     * @param lines how many lines at most
     */
    public String head(int lines) {
        awaitEnd(TimeUnit.SECONDS.toMillis(10));
        String text;
        synchronized (this) {
            text = new String(head, 0, headLength, StandardCharsets.UTF_8);
        }
        String[] all = text.strip().split("\\R");
        StringBuilder kept = new StringBuilder();
        for (int i = 0; i < Math.min(lines, all.length); i++) {
            if (!all[i].isBlank()) {
                kept.append(kept.isEmpty() ? "" : "\n").append(all[i]);
            }
        }
        return kept.toString();
    }
}

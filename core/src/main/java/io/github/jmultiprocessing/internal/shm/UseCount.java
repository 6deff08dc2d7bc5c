package io.github.jmultiprocessing.internal.shm;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads inside an object that maps shared memory (a connection, a queue), so that {@code close()} never
 * unmaps memory under one of them: the last thread out after a close releases the mappings, and close itself does
 * not wait (a thread may be finishing a message another process is waiting for). Used by {@code Connection} and
 * {@code SharedQueue}.
 */
public final class UseCount {

    private final AtomicInteger users = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();
    private final String closedMessage;
    private final Runnable release;

    /**
     * Makes an open count with no thread inside.
     *
     * @param closedMessage what {@link #enter()} says once closed
     * @param release       what releases the mappings; runs once, when closed and no thread is inside
     */
    public UseCount(String closedMessage, Runnable release) {
        this.closedMessage = closedMessage;
        this.release = release;
    }

    /**
     * Counts the calling thread in.
     *
     * @throws IllegalStateException if closed
     */
    public void enter() {
        users.incrementAndGet();
        if (closed.get()) {
            leave();
            throw new IllegalStateException(closedMessage);
        }
    }

    /** Counts the calling thread out; the last one out of a closed object releases it. */
    public void leave() {
        if (users.decrementAndGet() == 0 && closed.get() && released.compareAndSet(false, true)) {
            release.run();
        }
    }

    /**
     * Closes: runs {@code whileOpen} (waking waiters, say) with the memory still mapped, then releases it unless a
     * thread is still inside (that one releases it on its way out).
     *
     * @param whileOpen what to do before the release
     * @return false if it was closed before (nothing done)
     */
    public boolean close(Runnable whileOpen) {
        users.incrementAndGet(); // the closing thread is inside until it has woken the others
        if (!closed.compareAndSet(false, true)) {
            users.decrementAndGet();
            return false;
        }
        try {
            whileOpen.run();
        } finally {
            leave();
        }
        return true;
    }

    /**
     * Checks that it is open.
     *
     * @throws IllegalStateException if closed
     */
    public void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException(closedMessage);
        }
    }

    /** {@return true once closed} */
    public boolean isClosed() {
        return closed.get();
    }
}

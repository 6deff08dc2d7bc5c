package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.codec.CompactCodec;
import java.io.IOException;
import io.github.jmultiprocessing.internal.shm.HeapBlock;
import io.github.jmultiprocessing.internal.shm.SharedHeap;
import io.github.jmultiprocessing.internal.sync.ConditionLayout;
import io.github.jmultiprocessing.internal.sync.ConditionWord;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Date;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.function.BooleanSupplier;

/**
 * A condition variable in shared memory over a {@link SharedLock} or {@link SharedRLock}: Python's
 * {@code multiprocessing.Condition}, and a {@link Condition}.
 *
 * <pre>{@code
 * var cond = new SharedCondition();                        // over a new SharedRLock, as in Python
 * try (var _ = cond.locked()) {
 *     cond.waitFor(() -> items.getInt() > 0, Duration.ofSeconds(5));
 * }
 * // elsewhere, in any process:
 * try (var _ = cond.locked()) {
 *     items.setInt(items.getInt() + 1);
 *     cond.notify(1);
 * }
 * }</pre>
 *
 * <p>Python's names clash with {@code Object}'s final {@code wait()} and {@code notify()}, so waiting is
 * {@link #await()} (also {@link #await(Duration)}), notifying one waiter {@link #signal()} or
 * {@link #notify(int) notify(1)}, notifying all {@link #signalAll()}. Every method needs the lock held by the
 * calling thread, else it throws {@link IllegalMonitorStateException} (Python's {@code RuntimeError}).
 * {@code notify(n)} wakes exactly {@code n} waiters (or all, if fewer wait), longest waiting first; a waiter
 * whose process died is skipped. At most 127 threads, in all processes, wait on one condition at once.
 *
 * <p>Its shared memory is given back once every process that has the condition has closed its objects of it
 * ({@link #close()}), or they became unreachable, or it ended; never while a process still holds it.
 *
 * <p>Memory consistency effects: as for the lock; a waiter re-acquires the lock before it returns.
 */
public final class SharedCondition implements Condition, AutoCloseable, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final transient HeapBlock block;
    private transient MemorySegment memory; // the closed memory once closed
    private final transient SharedHeap.Claim claim;
    private final transient boolean ownsLock; // made its lock: closes it too
    private final transient SharedLock lock;
    private final transient SharedRLock rlock;

    /** A condition over a new {@link SharedRLock}, as Python's {@code Condition()}. */
    public SharedCondition() {
        this(SharedHeap.allocate(ConditionLayout.SIZE, 128), null, new SharedRLock(), true);
    }

    /**
     * A condition over the given lock.
     *
     * @param lock the lock
     */
    public SharedCondition(SharedLock lock) {
        this(SharedHeap.allocate(ConditionLayout.SIZE, 128), Objects.requireNonNull(lock, "lock"), null, false);
    }

    /**
     * A condition over the given recursive lock; a wait releases every hold and restores them.
     *
     * @param lock the lock
     */
    public SharedCondition(SharedRLock lock) {
        this(SharedHeap.allocate(ConditionLayout.SIZE, 128), null, Objects.requireNonNull(lock, "lock"), false);
    }

    private SharedCondition(HeapBlock block, SharedLock lock, SharedRLock rlock, boolean ownsLock) {
        this.block = block;
        this.memory = block.memory();
        this.claim = SharedHeap.claim(this, block);
        this.ownsLock = ownsLock;
        this.lock = lock;
        this.rlock = rlock;
    }

    /** Acquires the underlying lock. */
    public void acquire() {
        if (lock != null) {
            lock.acquire();
        } else {
            rlock.acquire();
        }
    }

    /** Releases the underlying lock. */
    public void release() {
        if (lock != null) {
            lock.release();
        } else {
            rlock.release();
        }
    }

    /**
     * Acquires the underlying lock as a resource: {@code try (var _ = cond.locked()) { ... }}.
     *
     * @return the held lock
     */
    public SharedLock.Held locked() {
        return lock != null ? lock.locked() : rlock.locked();
    }

    /**
     * Waits until notified; the lock is released while waiting and held again on return.
     *
     * @throws InterruptedException         if interrupted (the lock is held again)
     * @throws IllegalMonitorStateException if the lock is not held by this thread
     */
    @Override
    public void await() throws InterruptedException {
        awaitNanos(-1, true);
    }

    /**
     * Waits until notified or the timeout elapses (Python's {@code wait(timeout)}).
     *
     * @param timeout the longest wait
     * @return true if notified, false on timeout
     * @throws InterruptedException if interrupted
     */
    public boolean await(Duration timeout) throws InterruptedException {
        return awaitNanos(WaitCore.nanos(timeout), true) > 0;
    }

    /**
     * Waits until {@code predicate} is true (Python's {@code wait_for}); the predicate is evaluated with the lock
     * held, before the first wait and after each notification.
     *
     * @param predicate the condition
     * @param timeout   the longest wait in all
     * @return the predicate's last value
     * @throws InterruptedException if interrupted
     */
    public boolean waitFor(BooleanSupplier predicate, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + WaitCore.nanos(timeout);
        boolean result = predicate.getAsBoolean();
        while (!result) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            awaitNanos(left, true);
            result = predicate.getAsBoolean();
        }
        return result;
    }

    @Override
    public void awaitUninterruptibly() {
        try {
            awaitNanos(-1, false);
        } catch (InterruptedException e) {
            throw new AssertionError("an uninterruptible wait threw InterruptedException", e);
        }
    }

    @Override
    public long awaitNanos(long nanosTimeout) throws InterruptedException {
        long start = System.nanoTime();
        boolean notified = awaitNanos(Math.max(0, nanosTimeout), true) > 0;
        long left = nanosTimeout - (System.nanoTime() - start);
        return notified ? Math.max(1, left) : Math.min(0, left);
    }

    @Override
    public boolean await(long time, TimeUnit unit) throws InterruptedException {
        return awaitNanos(WaitCore.nanos(time, unit), true) > 0;
    }

    @Override
    public boolean awaitUntil(Date deadline) throws InterruptedException {
        return await(Math.max(0, deadline.getTime() - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
    }

    /** Wakes the longest-waiting waiter, if any. */
    @Override
    public void signal() {
        notify(1);
    }

    /** Wakes every waiter (Python's {@code notify_all()}). */
    @Override
    public void signalAll() {
        notify(Integer.MAX_VALUE);
    }

    /**
     * Wakes exactly {@code n} waiters, longest waiting first, or all if fewer wait (Python's {@code notify(n)}).
     *
     * @param n how many, 0 or more
     * @throws IllegalMonitorStateException if the lock is not held by this thread
     */
    public void notify(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n=" + n + " (expected >= 0)");
        }
        requireHeld("notify");
        if (n > 0) {
            ConditionWord.notify(memory, n);
        }
    }

    /** Returns 1 if notified, 0 on timeout (with the lock held again in both cases). */
    private long awaitNanos(long timeoutNanos, boolean interruptible) throws InterruptedException {
        requireHeld("wait");
        int slot = ConditionWord.enqueue(memory);
        int holds = lock != null ? releaseLock() : rlock.releaseAll();
        InterruptedException interrupted = null;
        try {
            ConditionWord.await(memory, slot, timeoutNanos, interruptible);
        } catch (InterruptedException e) {
            interrupted = e;
        }
        if (lock != null) {
            lock.acquire();
        } else {
            rlock.reacquire(holds);
        }
        boolean notified = ConditionWord.isNotified(memory, slot); // decided under the lock: never lost
        ConditionWord.free(memory, slot);
        if (interrupted != null) {
            if (notified) {
                ConditionWord.notify(memory, 1); // pass the notification on rather than lose it
            }
            throw interrupted;
        }
        return notified ? 1 : 0;
    }

    private int releaseLock() {
        lock.release();
        return 1;
    }

    private void requireHeld(String what) {
        boolean held = lock != null ? lock.isHeldByCurrentThread() : rlock.isHeldByCurrentThread();
        if (!held) {
            throw new IllegalMonitorStateException("cannot " + what + " on un-acquired lock (expected the caller to"
                    + " hold the condition's lock)");
        }
    }

    /**
     * Ends this process's use of this condition object, and of the lock it made for itself (the no-argument
     * constructor; a lock given to a constructor stays open): every later call on it throws
     * {@link IllegalStateException}. The shared memory is given back once no process uses it (each has closed
     * its objects of it, or they became unreachable, or it ended); other objects of the same condition, here or
     * in other processes, keep working. Call it when no thread uses the object; closing twice does nothing.
     */
    @Override
    public void close() {
        memory = SharedHeap.closedMemory();
        claim.close();
        if (ownsLock) {
            rlock.close();
        }
    }

    @Override
    public String toString() {
        return "SharedCondition[" + (memory == SharedHeap.closedMemory() ? "closed, " : "")
                + (lock != null ? lock : rlock) + "]";
    }

    /**
     * Sends a handle in place of this object: the segment's name and where in it the object lies, never its bytes;
     * the receiver maps the same memory.
     *
     * @return the handle that travels
     */
    @Serial
    Object writeReplace() {
        return new Handle(block.segmentName(), block.offset(), claim.send(), lock, rlock, ownsLock);
    }

    /**
     * Refuses a stream that holds this object itself rather than its handle (a forged or corrupt stream).
     *
     * @param in the stream
     * @throws InvalidObjectException always
     */
    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("SharedCondition travels as a handle");
    }

    /** {@return the object a child's compact bootstrap carries, read from its handle's fields ({@link BootstrapForms})} */
    static Object readForm(CompactCodec.Reader in) throws IOException, ClassNotFoundException {
        return new Handle(in).readResolve();
    }

    /** Writes the handle this object travels as ({@code writeReplace}'s), in a child's compact bootstrap. */
    static void writeForm(Object handle, CompactCodec.Writer out) throws IOException {
        ((Handle) handle).writeTo(out);
    }


    /** The serialized form: where the condition lives, and its lock (itself a handle). */
    private static final class Handle implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        private final String segment;
        private final long offset;
        private final long transfer;
        private final SharedLock lock;
        private final SharedRLock rlock;
        private final boolean ownsLock;

        Handle(String segment, long offset, long transfer, SharedLock lock, SharedRLock rlock, boolean ownsLock) {
            this.segment = segment;
            this.offset = offset;
            this.transfer = transfer;
            this.lock = lock;
            this.rlock = rlock;
            this.ownsLock = ownsLock;
        }

        Handle(CompactCodec.Reader in) throws IOException, ClassNotFoundException {
            this.segment = in.data().readUTF();
            this.offset = in.data().readLong();
            this.transfer = in.data().readLong();
            this.ownsLock = in.data().readBoolean();
            this.lock = BootstrapForms.read(in, SharedLock.class);
            this.rlock = BootstrapForms.read(in, SharedRLock.class);
        }

        void writeTo(CompactCodec.Writer out) throws IOException {
            out.data().writeUTF(segment);
            out.data().writeLong(offset);
            out.data().writeLong(transfer);
            out.data().writeBoolean(ownsLock);
            out.writeValue(lock);
            out.writeValue(rlock);
        }

        @Serial
        private Object readResolve() {
            return new SharedCondition(SharedHeap.attach(segment, offset, ConditionLayout.SIZE, transfer), lock, rlock,
                    ownsLock);
        }
    }
}

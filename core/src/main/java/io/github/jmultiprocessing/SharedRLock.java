package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.codec.CompactCodec;
import java.io.IOException;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.github.jmultiprocessing.internal.shm.BlockHandle;
import io.github.jmultiprocessing.internal.shm.HeapBlock;
import io.github.jmultiprocessing.internal.shm.SharedHeap;
import io.github.jmultiprocessing.internal.sync.LockLayout;
import io.github.jmultiprocessing.internal.sync.LockWord;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

/**
 * A recursive lock in shared memory: Python's {@code multiprocessing.RLock}, and a {@link Lock} like
 * {@code ReentrantLock}.
 *
 * <pre>{@code
 * var rlock = new SharedRLock();
 * try (var _ = rlock.locked()) {
 *     try (var _ = rlock.locked()) {      // the owner may acquire again
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>The owner is a thread of a process; it may acquire the lock again, and must release it as often as it
 * acquired it. A release by any other thread, or of a lock not held, throws {@link IllegalMonitorStateException}
 * (Python raises {@code RuntimeError}). If the owner's process dies, a waiter takes the lock over within about
 * 10 ms with a hold count of 1, and {@link #ownerDied()} tells it, as for {@link SharedLock}.
 *
 * <p>Its shared memory is given back once every process that has the lock has closed its objects of it
 * ({@link #close()}), or they became unreachable, or it ended; never while a process still holds it.
 *
 * <p>Memory consistency effects: as for {@link SharedLock}.
 */
public final class SharedRLock implements Lock, AutoCloseable, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private static final VarHandle INT_VH = JAVA_INT.varHandle();

    private final transient HeapBlock block;
    private transient MemorySegment memory; // the closed memory once closed
    private final transient SharedHeap.Claim claim;
    private final transient SharedLock.Held held = this::release;

    /** Creates an unlocked recursive lock in the shared heap. */
    public SharedRLock() {
        this(SharedHeap.allocate(LockLayout.SIZE, LockLayout.ALIGNMENT));
    }

    SharedRLock(HeapBlock block) {
        this.block = block;
        this.memory = block.memory();
        this.claim = SharedHeap.claim(this, block);
    }

    /** Acquires the lock, or acquires it once more if this thread holds it; ignores interrupts. */
    public void acquire() {
        if (!reenter()) {
            LockWord.acquireUninterruptibly(memory);
            setHolds(1);
        }
    }

    /**
     * Acquires the lock if it becomes free (or is held by this thread) within the timeout.
     *
     * @param timeout the longest wait; zero or negative does not wait
     * @return true if acquired
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean acquire(Duration timeout) throws InterruptedException {
        return tryLock(WaitCore.nanos(timeout), TimeUnit.NANOSECONDS);
    }

    /**
     * Acquires the lock if it is free or held by this thread (Python's {@code acquire(block=False)}).
     *
     * @return true if acquired
     */
    public boolean tryAcquire() {
        if (reenter()) {
            return true;
        }
        if (LockWord.tryAcquire(memory)) {
            setHolds(1);
            return true;
        }
        return false;
    }

    /**
     * Releases one hold; the last one frees the lock.
     *
     * @throws IllegalMonitorStateException if this thread does not hold the lock
     */
    public void release() {
        if (!LockWord.isHeldByCurrentThread(memory)) {
            throw new IllegalMonitorStateException("cannot release un-acquired lock (expected the owner thread to"
                    + " release it)");
        }
        int holds = holds() - 1;
        setHolds(holds);
        if (holds == 0) {
            LockWord.release(memory);
        }
    }

    /**
     * Acquires the lock and returns it as a resource: {@code try (var _ = rlock.locked()) { ... }}.
     *
     * @return the held lock; closing it releases one hold
     */
    public SharedLock.Held locked() {
        acquire();
        return held;
    }

    /** {@return true if the calling thread holds the lock} */
    public boolean isHeldByCurrentThread() {
        return LockWord.isHeldByCurrentThread(memory);
    }

    /** {@return how often the calling thread holds the lock, 0 if it does not} */
    public int getHoldCount() {
        return isHeldByCurrentThread() ? holds() : 0;
    }

    /** {@return true if some thread of some process holds the lock} */
    public boolean isLocked() {
        return LockWord.isLocked(memory);
    }

    /** {@return true if the current holder took the lock over from a process that died holding it} */
    public boolean ownerDied() {
        return LockWord.ownerDied(memory);
    }

    /** Same as {@link #acquire()}. */
    @Override
    public void lock() {
        acquire();
    }

    /**
     * Acquires the lock unless interrupted.
     *
     * @throws InterruptedException if interrupted
     */
    @Override
    public void lockInterruptibly() throws InterruptedException {
        if (!reenter()) {
            LockWord.acquire(memory, -1, true);
            setHolds(1);
        }
    }

    /** Same as {@link #tryAcquire()}. */
    @Override
    public boolean tryLock() {
        return tryAcquire();
    }

    /**
     * Acquires the lock if it becomes free within the timeout.
     *
     * @param time the longest wait
     * @param unit its unit
     * @return true if acquired
     * @throws InterruptedException if interrupted while waiting
     */
    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        if (reenter()) {
            return true;
        }
        if (LockWord.acquire(memory, WaitCore.nanos(time, unit), true) == LockWord.TIMED_OUT) {
            return false;
        }
        setHolds(1);
        return true;
    }

    /** Same as {@link #release()}. */
    @Override
    public void unlock() {
        release();
    }

    /** {@return a condition variable over this lock, usable across processes} */
    @Override
    public SharedCondition newCondition() {
        return new SharedCondition(this);
    }

    /** Releases every hold of the owner (for a condition wait); returns how many there were. */
    int releaseAll() {
        int holds = holds();
        setHolds(0);
        LockWord.release(memory);
        return holds;
    }

    /** Acquires the lock again with the given holds (after a condition wait). */
    void reacquire(int holds) {
        LockWord.acquireUninterruptibly(memory);
        setHolds(holds);
    }

    /**
     * Ends this process's use of this lock object: every later call on it throws {@link IllegalStateException}.
     * The shared memory is given back once no process uses it (each has closed its objects of it, or they became
     * unreachable, or it ended); other objects of the same lock, here or in other processes, keep working. Call
     * it when no thread uses the object; closing twice does nothing.
     */
    @Override
    public void close() {
        memory = SharedHeap.closedMemory();
        claim.close();
    }

    @Override
    public String toString() {
        if (memory == SharedHeap.closedMemory()) {
            return "SharedRLock[closed, " + block.segmentName() + "@" + block.offset() + "]";
        }
        long owner = LockWord.ownerPid(memory);
        return "SharedRLock[" + (owner == 0 ? "unlocked" : "locked by pid " + owner) + ", " + block.segmentName()
                + "@" + block.offset() + "]";
    }

    private boolean reenter() {
        if (LockWord.isHeldByCurrentThread(memory)) {
            setHolds(holds() + 1);
            return true;
        }
        return false;
    }

    private int holds() {
        return (int) INT_VH.get(memory, LockLayout.HOLDS); // written by the owner only
    }

    private void setHolds(int holds) {
        INT_VH.set(memory, LockLayout.HOLDS, holds);
    }

    /**
     * Sends a handle in place of this object: the segment's name and where in it the object lies, never its bytes;
     * the receiver maps the same memory.
     *
     * @return the handle that travels
     */
    @Serial
    Object writeReplace() {
        return new Handle(block, claim);
    }

    /**
     * Refuses a stream that holds this object itself rather than its handle (a forged or corrupt stream).
     *
     * @param in the stream
     * @throws InvalidObjectException always
     */
    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("SharedRLock travels as a handle");
    }

    /** {@return the object a child's compact bootstrap carries, read from its handle's fields ({@link BootstrapForms})} */
    static Object readForm(CompactCodec.Reader in) throws IOException, ClassNotFoundException {
        return new Handle(in).readResolve();
    }

    /** Writes the handle this object travels as ({@code writeReplace}'s), in a child's compact bootstrap. */
    static void writeForm(Object handle, CompactCodec.Writer out) throws IOException {
        ((Handle) handle).writeTo(out);
    }


    /** The serialized form of a {@code SharedRLock}: its block of the shared heap, attached on the receiving side. */
    private static final class Handle extends BlockHandle {

        @Serial
        private static final long serialVersionUID = 1L;

        Handle(HeapBlock block, SharedHeap.Claim claim) {
            super(block, claim);
        }

        Handle(CompactCodec.Reader in) throws IOException {
            super(in.data());
        }

        void writeTo(CompactCodec.Writer out) throws IOException {
            writeTo(out.data());
        }

        @Serial
        private Object readResolve() {
            return new SharedRLock(attach(LockLayout.SIZE));
        }
    }
}

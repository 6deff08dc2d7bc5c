package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.codec.CompactCodec;
import java.io.IOException;
import io.github.jmultiprocessing.internal.shm.BlockHandle;
import io.github.jmultiprocessing.internal.shm.HeapBlock;
import io.github.jmultiprocessing.internal.shm.SharedHeap;
import io.github.jmultiprocessing.internal.sync.LockLayout;
import io.github.jmultiprocessing.internal.sync.LockWord;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

/**
 * A non-recursive lock in shared memory, usable by threads of any process: Python's
 * {@code multiprocessing.Lock}, and a {@link Lock}.
 *
 * <pre>{@code
 * var lock = new SharedLock();
 * var p = new JvmProcess(() -> {
 *     try (var _ = lock.locked()) {   // Python: with lock:
 *         counter.setInt(counter.getInt() + 1);
 *     }
 * });
 * }</pre>
 *
 * <p>Passing a lock to a child process (captured by a {@link JvmProcess} target, or inside another shared object)
 * sends a handle; the child attaches to the same lock.
 *
 * <p>As in Python, any thread of any process may release a held lock; releasing a free lock throws. The lock is
 * not fair and not reentrant: a thread that acquires it twice without releasing waits forever (use a timed
 * acquire, or {@link #isHeldByCurrentThread()}). Waiting spins briefly, then blocks without using a CPU (a futex
 * on Linux where native access is enabled, else a park with backoff).
 *
 * <p>If the process holding the lock dies, the lock does not stay held forever: a waiter notices within about
 * 10 ms and takes it over, and {@link #ownerDied()} is true until that holder releases it, so it can repair what
 * the dead process left half done (like a POSIX robust mutex).
 *
 * <p>Its shared memory is given back once every process that has the lock has closed its objects of it
 * ({@link #close()}), or they became unreachable, or it ended; never while a process still holds it.
 *
 * <p>Memory consistency effects: actions of a thread, in any process, before it releases the lock
 * happen-before actions of the thread, in any process, that acquires it next.
 */
public final class SharedLock implements Lock, AutoCloseable, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final transient HeapBlock block;
    private transient MemorySegment memory; // the closed memory once closed
    private final transient SharedHeap.Claim claim;
    private final transient Held held = this::release;

    /** Creates an unlocked lock in the shared heap. */
    public SharedLock() {
        this(SharedHeap.allocate(LockLayout.SIZE, LockLayout.ALIGNMENT));
    }

    SharedLock(HeapBlock block) {
        this.block = block;
        this.memory = block.memory();
        this.claim = SharedHeap.claim(this, block);
    }

    /**
     * A held lock as a resource: closing it releases the lock. Returned by {@link #locked()}.
     */
    @FunctionalInterface
    public interface Held extends AutoCloseable {
        /** Releases the lock. */
        @Override
        void close();
    }

    /** Acquires the lock, waiting as long as needed; interrupts are ignored, as with {@link Lock#lock()}. */
    public void acquire() {
        LockWord.acquireUninterruptibly(memory);
    }

    /**
     * Acquires the lock if it becomes free within the timeout (Python's {@code acquire(timeout=...)}).
     *
     * @param timeout the longest wait; zero or negative does not wait
     * @return true if acquired
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean acquire(Duration timeout) throws InterruptedException {
        return tryLock(WaitCore.nanos(timeout), TimeUnit.NANOSECONDS);
    }

    /**
     * Acquires the lock if it is free now (Python's {@code acquire(block=False)}).
     *
     * @return true if acquired
     */
    public boolean tryAcquire() {
        return LockWord.tryAcquire(memory);
    }

    /**
     * Releases the lock; any thread of any process may release it, as in Python.
     *
     * @throws IllegalStateException if the lock is not held
     */
    public void release() {
        LockWord.release(memory);
    }

    /**
     * Acquires the lock and returns it as a resource, for {@code try (var _ = lock.locked()) { ... }}, the
     * form of Python's {@code with lock:}.
     *
     * @return the held lock; closing it releases the lock
     */
    public Held locked() {
        acquire();
        return held;
    }

    /** {@return true if some thread of some process holds the lock now} */
    public boolean isLocked() {
        return LockWord.isLocked(memory);
    }

    /** {@return true if the calling thread holds the lock} */
    public boolean isHeldByCurrentThread() {
        return LockWord.isHeldByCurrentThread(memory);
    }

    /**
     * Tells the current holder that it took the lock over from a process that died while holding it, so the
     * data the lock guards may be inconsistent. Cleared when the lock is released.
     *
     * @return true if the lock is held and was recovered from a dead holder
     */
    public boolean ownerDied() {
        return LockWord.ownerDied(memory);
    }

    /** Same as {@link #acquire()}. */
    @Override
    public void lock() {
        acquire();
    }

    /**
     * Acquires the lock unless interrupted; an interrupt is noticed within about 10 ms while blocked.
     *
     * @throws InterruptedException if interrupted
     */
    @Override
    public void lockInterruptibly() throws InterruptedException {
        LockWord.acquire(memory, -1, true);
    }

    /** Same as {@link #tryAcquire()}. */
    @Override
    public boolean tryLock() {
        return tryAcquire();
    }

    /**
     * Acquires the lock if it becomes free within the timeout.
     *
     * @param time the longest wait; zero or negative does not wait
     * @param unit its unit
     * @return true if acquired
     * @throws InterruptedException if interrupted while waiting
     */
    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        long nanos = WaitCore.nanos(time, unit);
        return LockWord.acquire(memory, nanos, true) != LockWord.TIMED_OUT;
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

    MemorySegment memory() {
        return memory;
    }

    /**
     * Ends this process's use of this lock object: every later call on it throws {@link IllegalStateException}.
     * The lock's shared memory is given back once no process uses it (each has closed its objects of it, or
     * they became unreachable, or it ended); other objects of the same lock, here or in other processes, keep
     * working. Call it when no thread uses the object; closing twice does nothing.
     */
    @Override
    public void close() {
        memory = SharedHeap.closedMemory();
        claim.close();
    }

    @Override
    public String toString() {
        if (memory == SharedHeap.closedMemory()) {
            return "SharedLock[closed, " + block.segmentName() + "@" + block.offset() + "]";
        }
        long owner = LockWord.ownerPid(memory);
        return "SharedLock[" + (owner == 0 ? "unlocked" : "locked by pid " + owner) + ", " + block.segmentName()
                + "@" + block.offset() + "]";
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
     * @throws java.io.InvalidObjectException always
     */
    @Serial
    private void readObject(ObjectInputStream in) throws java.io.InvalidObjectException {
        throw new java.io.InvalidObjectException("SharedLock travels as a handle");
    }

    /** {@return the object a child's compact bootstrap carries, read from its handle's fields ({@link BootstrapForms})} */
    static Object readForm(CompactCodec.Reader in) throws IOException, ClassNotFoundException {
        return new Handle(in).readResolve();
    }

    /** Writes the handle this object travels as ({@code writeReplace}'s), in a child's compact bootstrap. */
    static void writeForm(Object handle, CompactCodec.Writer out) throws IOException {
        ((Handle) handle).writeTo(out);
    }


    /** The serialized form of a {@code SharedLock}: its block of the shared heap, attached on the receiving side. */
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
            return new SharedLock(attach(LockLayout.SIZE));
        }
    }
}

package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.codec.CompactCodec;
import java.io.IOException;
import io.github.jmultiprocessing.internal.shm.BlockHandle;
import io.github.jmultiprocessing.internal.shm.HeapBlock;
import io.github.jmultiprocessing.internal.shm.SharedHeap;
import io.github.jmultiprocessing.internal.sync.SemaphoreLayout;
import io.github.jmultiprocessing.internal.sync.SemaphoreWord;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * A counting semaphore in shared memory: Python's {@code multiprocessing.Semaphore}.
 *
 * <pre>{@code
 * var slots = new SharedSemaphore(2);
 * try (var _ = slots.acquired()) {      // Python: with slots:
 *     ...                               // at most 2 threads of all processes here at once
 * }
 * }</pre>
 *
 * <p>Any thread of any process may acquire and release; releases need not follow acquires (a producer may
 * release what a consumer acquires), so a permit taken by a process that dies is not given back: survivors see
 * one permit fewer, as in Python, and should use timed acquires where that matters. {@link
 * SharedBoundedSemaphore} tracks holders and does give a dead process's permits back.
 *
 * <p>Its shared memory is given back once every process that has the semaphore has closed its objects of it
 * ({@link #close()}), or they became unreachable, or it ended; never while a process still holds it.
 *
 * <p>Memory consistency effects: actions before a release happen-before the actions after an acquire that takes
 * the released permit, in any process.
 */
public sealed class SharedSemaphore implements AutoCloseable, Serializable permits SharedBoundedSemaphore {

    @Serial
    private static final long serialVersionUID = 1L;

    private final transient HeapBlock block;
    transient MemorySegment memory; // the closed memory once closed
    private final transient SharedHeap.Claim claim;
    private final transient SharedLock.Held held = this::release;

    /**
     * A semaphore with the given permits (Python's {@code Semaphore(value)}).
     *
     * @param value the initial permits, 0 or more
     * @throws IllegalArgumentException if negative
     */
    public SharedSemaphore(int value) {
        this(value, false);
    }

    SharedSemaphore(int value, boolean bounded) {
        if (value < 0) {
            throw new IllegalArgumentException("value=" + value + " (expected >= 0)");
        }
        this.block = SharedHeap.allocate(SemaphoreLayout.SIZE, 128);
        this.memory = block.memory();
        this.claim = SharedHeap.claim(this, block);
        SemaphoreWord.init(memory, value, bounded);
    }

    SharedSemaphore(HeapBlock block) {
        this.block = block;
        this.memory = block.memory();
        this.claim = SharedHeap.claim(this, block);
    }

    /** Takes a permit, waiting as long as needed; ignores interrupts. */
    public void acquire() {
        try {
            SemaphoreWord.acquire(memory, -1, false);
        } catch (InterruptedException e) {
            throw new AssertionError("an uninterruptible acquire threw InterruptedException", e);
        }
    }

    /**
     * Takes a permit if one becomes free within the timeout (Python's {@code acquire(timeout=...)}).
     *
     * @param timeout the longest wait; zero or negative does not wait
     * @return true if taken
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean acquire(Duration timeout) throws InterruptedException {
        return SemaphoreWord.acquire(memory, WaitCore.nanos(timeout), true);
    }

    /** {@return true if a permit was free and is now taken (Python's {@code acquire(block=False)})} */
    public boolean tryAcquire() {
        return SemaphoreWord.tryAcquire(memory);
    }

    /**
     * Takes a permit and returns it as a resource: {@code try (var _ = semaphore.acquired()) { ... }}.
     *
     * @return the permit; closing it releases it
     */
    public SharedLock.Held acquired() {
        acquire();
        return held;
    }

    /** Returns a permit and wakes a waiter. */
    public void release() {
        release(1);
    }

    /**
     * Returns {@code n} permits and wakes as many waiters (Python 3.9's {@code release(n)}).
     *
     * @param n permits, 1 or more
     * @throws IllegalArgumentException if {@code n < 1}
     * @throws IllegalStateException    if a bounded semaphore would exceed its initial value
     */
    public void release(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n=" + n + " (expected >= 1)");
        }
        SemaphoreWord.release(memory, n);
    }

    /** {@return the permits free now (Python's {@code get_value()})} */
    public int getValue() {
        return SemaphoreWord.value(memory);
    }

    /**
     * Ends this process's use of this semaphore object: every later call on it throws {@link IllegalStateException}.
     * The shared memory is given back once no process uses it (each has closed its objects of it, or they became
     * unreachable, or it ended); other objects of the same semaphore, here or in other processes, keep working. Call
     * it when no thread uses the object; closing twice does nothing.
     */
    @Override
    public final void close() {
        memory = SharedHeap.closedMemory();
        claim.close();
    }

    @Override
    public String toString() {
        if (memory == SharedHeap.closedMemory()) {
            return getClass().getSimpleName() + "[closed, " + block.segmentName() + "@" + block.offset() + "]";
        }
        return getClass().getSimpleName() + "[value=" + getValue() + ", " + block.segmentName() + "@" + block.offset()
                + "]";
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
        throw new InvalidObjectException("SharedSemaphore travels as a handle");
    }

    /** {@return the object a child's compact bootstrap carries, read from its handle's fields ({@link BootstrapForms})} */
    static Object readForm(CompactCodec.Reader in) throws IOException, ClassNotFoundException {
        return new Handle(in).readResolve();
    }

    /** Writes the handle this object travels as ({@code writeReplace}'s), in a child's compact bootstrap. */
    static void writeForm(Object handle, CompactCodec.Writer out) throws IOException {
        ((Handle) handle).writeTo(out);
    }


    /**
     * The serialized form of a {@code SharedSemaphore} (bounded or not): its block of the shared heap, attached on the
     * receiving side.
     */
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
            HeapBlock block = attach(SemaphoreLayout.SIZE);
            return SemaphoreWord.bound(block.memory()) >= 0 ? new SharedBoundedSemaphore(block)
                    : new SharedSemaphore(block);
        }
    }
}

package io.github.jmultiprocessing;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.github.jmultiprocessing.internal.shm.HeapBlock;
import io.github.jmultiprocessing.internal.shm.SharedHeap;
import io.github.jmultiprocessing.internal.sync.EventLayout;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import io.github.jmultiprocessing.internal.sync.Waiting;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.time.Duration;

/**
 * A flag in shared memory that threads of any process can wait for: Python's {@code multiprocessing.Event}.
 *
 * <pre>{@code
 * var ready = new SharedEvent();
 * var p = new JvmProcess(() -> { prepare(); ready.set(); });
 * p.start();
 * ready.await(Duration.ofSeconds(10));   // Python: ready.wait(10)
 * }</pre>
 *
 * <p>{@link #set()} wakes every waiter, also one whose wait ends after a {@link #clear()} that followed at once
 * (as in Python); {@link #clear()} resets the flag. ({@code wait} is {@code await} here: Java's
 * {@code Object.wait} is final.)
 *
 * <p>Its shared memory is given back once every process that has the event has closed its objects of it
 * ({@link #close()}), or they became unreachable, or it ended; never while a process still holds it.
 *
 * <p>Memory consistency effects: actions before {@code set()} happen-before the return of an {@code await} that
 * sees the flag set, in any process.
 */
public final class SharedEvent implements AutoCloseable, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private static final VarHandle INT_VH = JAVA_INT.varHandle();

    private final transient HeapBlock block;
    private transient MemorySegment memory; // the closed memory once closed
    private final transient SharedHeap.Claim claim;

    /** A cleared event in the shared heap. */
    public SharedEvent() {
        this(SharedHeap.allocate(EventLayout.SIZE, 128));
    }

    SharedEvent(HeapBlock block) {
        this.block = block;
        this.memory = block.memory();
        this.claim = SharedHeap.claim(this, block);
    }

    /** Sets the flag and wakes every waiter, in every process. */
    public void set() {
        for (;;) {
            int state = state();
            // one CAS sets the flag and counts the set: publishes what came before; pairs with await's read
            if (INT_VH.compareAndSet(memory, EventLayout.STATE, state, (state | 1) + 2)) {
                break;
            }
        }
        WaitCore.signal(memory, EventLayout.SEQ, EventLayout.WAITERS, Integer.MAX_VALUE);
    }

    /** Clears the flag. */
    public void clear() {
        for (;;) {
            int state = state();
            if ((state & 1) == 0 || INT_VH.compareAndSet(memory, EventLayout.STATE, state, state & ~1)) {
                return;
            }
        }
    }

    /** {@return true if the flag is set (Python's {@code is_set()})} */
    public boolean isSet() {
        return (state() & 1) != 0;
    }

    /**
     * Waits until the flag is set.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void await() throws InterruptedException {
        awaitNanos(-1);
    }

    /**
     * Waits until the flag is set, at most {@code timeout} (Python's {@code wait(timeout)}).
     *
     * @param timeout the longest wait; zero or negative does not wait
     * @return the flag when the wait ended: false on timeout, and also, as in Python, when a {@code set()} that
     *         woke this wait was undone by a {@code clear()} at once
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean await(Duration timeout) throws InterruptedException {
        awaitNanos(WaitCore.nanos(timeout));
        return isSet();
    }

    private boolean awaitNanos(long nanos) throws InterruptedException {
        int sets = state() >>> 1;
        return Waiting.until(memory, EventLayout.SEQ, EventLayout.WAITERS, () -> {
            int state = state();
            return (state & 1) != 0 || state >>> 1 != sets;
        }, nanos, true);
    }

    private int state() {
        return (int) INT_VH.getVolatile(memory, EventLayout.STATE);
    }

    /**
     * Ends this process's use of this event object: every later call on it throws {@link IllegalStateException}.
     * The shared memory is given back once no process uses it (each has closed its objects of it, or they became
     * unreachable, or it ended); other objects of the same event, here or in other processes, keep working. Call
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
            return "SharedEvent[closed, " + block.segmentName() + "@" + block.offset() + "]";
        }
        return "SharedEvent[" + (isSet() ? "set" : "unset") + ", " + block.segmentName() + "@" + block.offset() + "]";
    }

    @Serial
    private Object writeReplace() {
        return new HeapHandle(HeapHandle.Kind.EVENT, block, claim);
    }

    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("SharedEvent travels as a handle");
    }
}

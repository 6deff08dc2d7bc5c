package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.codec.CompactCodec;
import java.io.IOException;
import io.github.jmultiprocessing.internal.shm.BlockHandle;
import io.github.jmultiprocessing.internal.shm.HeapBlock;
import io.github.jmultiprocessing.internal.shm.SharedHeap;
import io.github.jmultiprocessing.internal.sync.EventLayout;
import io.github.jmultiprocessing.internal.sync.EventWord;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
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
        EventWord.set(memory);
    }

    /** Clears the flag. */
    public void clear() {
        EventWord.clear(memory);
    }

    /** {@return true if the flag is set (Python's {@code is_set()})} */
    public boolean isSet() {
        return EventWord.isSet(memory);
    }

    /**
     * Waits until the flag is set.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void await() throws InterruptedException {
        EventWord.await(memory, -1);
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
        EventWord.await(memory, WaitCore.nanos(timeout));
        return isSet();
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
        throw new InvalidObjectException("SharedEvent travels as a handle");
    }

    /** {@return the object a child's compact bootstrap carries, read from its handle's fields ({@link BootstrapForms})} */
    static Object readForm(CompactCodec.Reader in) throws IOException, ClassNotFoundException {
        return new Handle(in).readResolve();
    }

    /** Writes the handle this object travels as ({@code writeReplace}'s), in a child's compact bootstrap. */
    static void writeForm(Object handle, CompactCodec.Writer out) throws IOException {
        ((Handle) handle).writeTo(out);
    }


    /** The serialized form of a {@code SharedEvent}: its block of the shared heap, attached on the receiving side. */
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
            return new SharedEvent(attach(EventLayout.SIZE));
        }
    }
}

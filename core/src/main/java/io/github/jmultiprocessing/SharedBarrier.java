package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.codec.CompactCodec;
import java.io.IOException;
import io.github.jmultiprocessing.internal.shm.HeapBlock;
import io.github.jmultiprocessing.internal.shm.SharedHeap;
import io.github.jmultiprocessing.internal.sync.BarrierLayout;
import io.github.jmultiprocessing.internal.sync.BarrierWord;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;

/**
 * A cyclic barrier in shared memory: Python's {@code multiprocessing.Barrier} (the JDK's {@code CyclicBarrier}
 * across processes).
 *
 * <pre>{@code
 * var barrier = new SharedBarrier(3);
 * for (int i = 0; i < 3; i++) {
 *     new JvmProcess(() -> { work(); barrier.await(); more(); }).start();   // Python: barrier.wait()
 * }
 * }</pre>
 *
 * <p>{@link #await()} blocks until {@code parties} threads, of any processes, have called it, then releases
 * them all and starts over. The optional action runs in the last arriving thread before the others are released
 * (it travels with the barrier to child processes, so it must be serializable). A timeout (per call or the
 * barrier's default), an interrupt, {@link #abort()} or a failing action breaks the barrier: every waiter, and
 * every later caller until {@link #reset()}, gets {@link BrokenBarrierException} (Python's
 * {@code BrokenBarrierError}). A party whose process dies while others wait is not detected: use timeouts.
 *
 * <p>Its shared memory is given back once every process that has the barrier has closed its objects of it
 * ({@link #close()}), or they became unreachable, or it ended; never while a process still holds it.
 *
 * <p>Memory consistency effects: actions before {@code await()} happen-before the action and the return of
 * every {@code await()} of the same trip, in any process.
 */
public final class SharedBarrier implements AutoCloseable, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final transient HeapBlock block;
    private transient MemorySegment memory; // the closed memory once closed
    private final transient SharedHeap.Claim claim;
    private final transient SerializableRunnable action;
    private final transient Duration timeout;

    /**
     * A barrier for {@code parties} threads.
     *
     * @param parties how many, at least 1
     */
    public SharedBarrier(int parties) {
        this(parties, null, null);
    }

    /**
     * A barrier with an action and a default timeout (Python's {@code Barrier(parties, action, timeout)}).
     *
     * @param parties how many, at least 1
     * @param action  run by the last party of each trip, or null
     * @param timeout the default timeout of {@link #await()}, or null for none
     */
    public SharedBarrier(int parties, SerializableRunnable action, Duration timeout) {
        if (parties < 1) {
            throw new IllegalArgumentException("parties=" + parties + " (expected >= 1)");
        }
        this.block = SharedHeap.allocate(BarrierLayout.SIZE, 128);
        this.memory = block.memory();
        this.claim = SharedHeap.claim(this, block);
        this.action = action;
        this.timeout = timeout;
        BarrierWord.init(memory, parties);
    }

    private SharedBarrier(HeapBlock block, SerializableRunnable action, Duration timeout) {
        this.block = block;
        this.memory = block.memory();
        this.claim = SharedHeap.claim(this, block);
        this.action = action;
        this.timeout = timeout;
    }

    /**
     * Waits for all parties, at most the barrier's default timeout.
     *
     * @return the arrival index: 0 for the first party, {@code parties - 1} for the last
     * @throws BrokenBarrierException if the barrier is or gets broken or reset, or the timeout elapses
     * @throws InterruptedException   if interrupted (the barrier is broken)
     */
    public int await() throws BrokenBarrierException, InterruptedException {
        return BarrierWord.await(memory, action, timeout == null ? -1 : WaitCore.nanos(timeout));
    }

    /**
     * Waits for all parties, at most {@code timeout} (Python's {@code wait(timeout)}).
     *
     * @param timeout the longest wait
     * @return the arrival index
     * @throws BrokenBarrierException if the barrier is or gets broken or reset, or the timeout elapses
     * @throws InterruptedException   if interrupted (the barrier is broken)
     */
    public int await(Duration timeout) throws BrokenBarrierException, InterruptedException {
        return BarrierWord.await(memory, action, WaitCore.nanos(timeout));
    }

    /** Breaks the barrier: waiting and later parties throw {@link BrokenBarrierException} until reset. */
    public void abort() {
        BarrierWord.abort(memory);
    }

    /** Returns the barrier to its initial state; parties waiting now throw {@link BrokenBarrierException}. */
    public void reset() {
        BarrierWord.reset(memory);
    }

    /** {@return the number of parties} */
    public int getParties() {
        return BarrierWord.parties(memory);
    }

    /** {@return the parties waiting now (Python's {@code n_waiting})} */
    public int getNumberWaiting() {
        return BarrierWord.waiting(memory);
    }

    /** {@return true if broken (Python's {@code broken})} */
    public boolean isBroken() {
        return BarrierWord.isBroken(memory);
    }

    /**
     * Ends this process's use of this barrier object: every later call on it throws {@link IllegalStateException}.
     * The shared memory is given back once no process uses it (each has closed its objects of it, or they became
     * unreachable, or it ended); other objects of the same barrier, here or in other processes, keep working. Call
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
            return "SharedBarrier[closed, " + block.segmentName() + "@" + block.offset() + "]";
        }
        return "SharedBarrier[parties=" + getParties() + ", waiting=" + getNumberWaiting()
                + (isBroken() ? ", broken" : "") + "]";
    }

    /**
     * Sends a handle in place of this object: the segment's name and where in it the object lies, never its bytes;
     * the receiver maps the same memory.
     *
     * @return the handle that travels
     */
    @Serial
    Object writeReplace() {
        return new Handle(block.segmentName(), block.offset(), claim.send(), action, timeout);
    }

    /**
     * Refuses a stream that holds this object itself rather than its handle (a forged or corrupt stream).
     *
     * @param in the stream
     * @throws InvalidObjectException always
     */
    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("SharedBarrier travels as a handle");
    }

    /** {@return the object a child's compact bootstrap carries, read from its handle's fields ({@link BootstrapForms})} */
    static Object readForm(CompactCodec.Reader in) throws IOException, ClassNotFoundException {
        return new Handle(in).readResolve();
    }

    /** Writes the handle this object travels as ({@code writeReplace}'s), in a child's compact bootstrap. */
    static void writeForm(Object handle, CompactCodec.Writer out) throws IOException {
        ((Handle) handle).writeTo(out);
    }


    /** The serialized form: where the barrier lives, its action and its default timeout. */
    private static final class Handle implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        private final String segment;
        private final long offset;
        private final long transfer;
        private final SerializableRunnable action;
        private final Duration timeout;

        Handle(String segment, long offset, long transfer, SerializableRunnable action, Duration timeout) {
            this.segment = segment;
            this.offset = offset;
            this.transfer = transfer;
            this.action = action;
            this.timeout = timeout;
        }

        Handle(CompactCodec.Reader in) throws IOException, ClassNotFoundException {
            this.segment = in.data().readUTF();
            this.offset = in.data().readLong();
            this.transfer = in.data().readLong();
            this.timeout = in.data().readBoolean() ? Duration.ofSeconds(in.data().readLong(), in.data().readInt()) : null;
            this.action = BootstrapForms.read(in, SerializableRunnable.class);
        }

        void writeTo(CompactCodec.Writer out) throws IOException {
            out.data().writeUTF(segment);
            out.data().writeLong(offset);
            out.data().writeLong(transfer);
            out.data().writeBoolean(timeout != null);
            if (timeout != null) {
                out.data().writeLong(timeout.getSeconds());
                out.data().writeInt(timeout.getNano());
            }
            out.writeValue(action);
        }

        @Serial
        private Object readResolve() {
            return new SharedBarrier(SharedHeap.attach(segment, offset, BarrierLayout.SIZE, transfer), action, timeout);
        }
    }
}

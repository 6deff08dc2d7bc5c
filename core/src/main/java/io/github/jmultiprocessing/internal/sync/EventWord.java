package io.github.jmultiprocessing.internal.sync;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The protocol of an event's state word ({@link EventLayout}): Python's {@code Event} across processes.
 *
 * <p>Implementation notes. Bit 0 of the state is the flag and bits 1..31 count the {@code set()} calls (wrapping);
 * {@link #set} changes both by one CAS and then wakes every waiter, so a waiter whose wait ends after a
 * {@code set()} that a {@code clear()} undid at once still returns (as in Python): it waits for the flag or for the
 * count to move. Memory consistency: the CAS of {@code set} publishes what came before it; a waiter's volatile read
 * that sees the flag or the moved count pairs with it.
 */
public final class EventWord {

    private static final VarHandle INT = JAVA_INT.varHandle();

    private EventWord() {
    }

    /**
     * Sets the flag and wakes every waiter, in every process.
     *
     * @param memory the event ({@link EventLayout})
     */
    public static void set(MemorySegment memory) {
        for (;;) {
            int state = state(memory);
            // one CAS sets the flag and counts the set: publishes what came before; pairs with await's read
            if (INT.compareAndSet(memory, EventLayout.STATE, state, (state | 1) + 2)) {
                break;
            }
        }
        WaitCore.signal(memory, EventLayout.SEQ, EventLayout.WAITERS, Integer.MAX_VALUE);
    }

    /**
     * Clears the flag.
     *
     * @param memory the event
     */
    public static void clear(MemorySegment memory) {
        for (;;) {
            int state = state(memory);
            if ((state & 1) == 0 || INT.compareAndSet(memory, EventLayout.STATE, state, state & ~1)) {
                return;
            }
        }
    }

    /**
     * {@return true if the flag is set}
     *
     * @param memory the event
     */
    public static boolean isSet(MemorySegment memory) {
        return (state(memory) & 1) != 0;
    }

    /**
     * Waits until the flag is set, or a {@code set()} happened since the call, or {@code nanos} passed.
     *
     * @param memory the event
     * @param nanos  the longest wait; negative waits as long as needed
     * @return false on timeout
     * @throws InterruptedException if interrupted while waiting
     */
    public static boolean await(MemorySegment memory, long nanos) throws InterruptedException {
        int sets = state(memory) >>> 1;
        return Waiting.until(memory, EventLayout.SEQ, EventLayout.WAITERS, () -> {
            int state = state(memory);
            return (state & 1) != 0 || state >>> 1 != sets;
        }, nanos, true);
    }

    private static int state(MemorySegment memory) {
        return (int) INT.getVolatile(memory, EventLayout.STATE);
    }
}

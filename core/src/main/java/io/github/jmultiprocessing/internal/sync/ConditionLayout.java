package io.github.jmultiprocessing.internal.sync;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The bytes of a condition variable in shared memory: 2 KiB.
 *
 * <pre>
 *   0         4         8         12        16                                                       2048
 *   +---------+---------+---------+---------+--------------------- ... -----------------------------+
 *   | seq     | waiters | tickets | pad     | slots[127]: { pid, state, ticket, pad }               |
 *   +---------+---------+---------+---------+--------------------- ... -----------------------------+
 *   seq, waiters: the event count of {@link WaitCore}; tickets: the next waiter's arrival number
 *   slot state: 0 free, 1 waiting, 2 notified
 * </pre>
 */
public final class ConditionLayout {

    /** Waiter slots: at most this many threads, in all processes, wait at once. */
    public static final int SLOTS = 127;

    /** Slot state: free. */
    public static final int FREE = 0;

    /** Slot state: a waiter waits. */
    public static final int WAITING = 1;

    /** Slot state: the waiter was notified. */
    public static final int NOTIFIED = 2;

    /** One waiter slot. */
    public static final StructLayout SLOT = MemoryLayout.structLayout(
            JAVA_INT.withName("pid"),
            JAVA_INT.withName("state"),
            JAVA_INT.withName("ticket"),
            MemoryLayout.paddingLayout(4));

    /** The condition as a struct. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("seq"),
            JAVA_INT.withName("waiters"),
            JAVA_INT.withName("tickets"),
            MemoryLayout.paddingLayout(4),
            MemoryLayout.sequenceLayout(SLOTS, SLOT).withName("slots"));

    /** Size of a condition. */
    public static final long SIZE = LAYOUT.byteSize();

    /** Offset of the event count. */
    public static final long SEQ = LAYOUT.byteOffset(groupElement("seq"));

    /** Offset of the waiter count. */
    public static final long WAITERS = LAYOUT.byteOffset(groupElement("waiters"));

    /** Offset of the ticket counter. */
    public static final long TICKETS = LAYOUT.byteOffset(groupElement("tickets"));

    /** Offset of the first slot. */
    public static final long SLOTS_OFFSET = LAYOUT.byteOffset(groupElement("slots"));

    /** Offset of a slot's pid within the slot. */
    public static final long SLOT_PID = SLOT.byteOffset(groupElement("pid"));

    /** Offset of a slot's state within the slot. */
    public static final long SLOT_STATE = SLOT.byteOffset(groupElement("state"));

    /** Offset of a slot's ticket within the slot. */
    public static final long SLOT_TICKET = SLOT.byteOffset(groupElement("ticket"));

    private ConditionLayout() {
    }
}

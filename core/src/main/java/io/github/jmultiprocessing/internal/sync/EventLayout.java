package io.github.jmultiprocessing.internal.sync;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The bytes of an event in shared memory, in a 128-byte slot of its own.
 *
 * <pre>
 *   0         4         8         12
 *   +---------+---------+---------+------------------------------------------ ... -+
 *   | state   | seq     | waiters | padding to 128                                 |
 *   +---------+---------+---------+------------------------------------------ ... -+
 *   state: bit 0 the flag, bits 1..31 the number of set() calls (wrapping), changed together by one CAS, so
 *          a waiter also returns after a set() that a clear() undid at once
 *   seq, waiters: the event count of {@link WaitCore}
 * </pre>
 */
public final class EventLayout {

    /** The event as a struct. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("state"),
            JAVA_INT.withName("seq"),
            JAVA_INT.withName("waiters"),
            MemoryLayout.paddingLayout(116));

    /** Size of an event. */
    public static final long SIZE = LAYOUT.byteSize();

    /** Offset of the state word: flag and set count. */
    public static final long STATE = LAYOUT.byteOffset(groupElement("state"));

    /** Offset of the event count. */
    public static final long SEQ = LAYOUT.byteOffset(groupElement("seq"));

    /** Offset of the waiter count. */
    public static final long WAITERS = LAYOUT.byteOffset(groupElement("waiters"));

    private EventLayout() {
    }
}

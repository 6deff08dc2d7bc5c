package io.github.jmultiprocessing.internal.sync;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The bytes of an event in shared memory, in a 128-byte slot of its own.
 *
 * <pre>
 *   0         4         8         12        16
 *   +---------+---------+---------+---------+-------------------------------- ... -+
 *   | flag    | seq     | waiters | sets    | padding to 128                       |
 *   +---------+---------+---------+---------+-------------------------------- ... -+
 *   flag: 1 when set; seq, waiters: the event count of {@link WaitCore}
 *   sets: bumped by every set(), so a waiter also returns after a set() that a clear() undid at once
 * </pre>
 */
public final class EventLayout {

    /** The event as a struct. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("flag"),
            JAVA_INT.withName("seq"),
            JAVA_INT.withName("waiters"),
            JAVA_INT.withName("sets"),
            MemoryLayout.paddingLayout(112));

    /** Size of an event. */
    public static final long SIZE = LAYOUT.byteSize();

    /** Offset of the flag. */
    public static final long FLAG = LAYOUT.byteOffset(groupElement("flag"));

    /** Offset of the event count. */
    public static final long SEQ = LAYOUT.byteOffset(groupElement("seq"));

    /** Offset of the waiter count. */
    public static final long WAITERS = LAYOUT.byteOffset(groupElement("waiters"));

    /** Offset of the set counter. */
    public static final long SETS = LAYOUT.byteOffset(groupElement("sets"));

    private EventLayout() {
    }
}

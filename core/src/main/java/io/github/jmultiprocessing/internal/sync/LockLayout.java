package io.github.jmultiprocessing.internal.sync;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The bytes of a lock in shared memory, in a 128-byte slot of its own.
 *
 * <pre>
 *   0                   8         12        16        20
 *   +-------------------+---------+---------+---------+-------------------------- ... -+
 *   | owner             | seq     | waiters | holds   | padding to 128                   |
 *   +-------------------+---------+---------+---------+-------------------------- ... -+
 *   owner: 0 when free, else (pid &lt;&lt; 40) | thread tag of the holder, plus the owner-died bit (see
 *          {@link LockWord})
 *   seq, waiters: the event count of {@link WaitCore}
 *   holds: how often the owner holds a recursive lock (written by the owner only; unused by plain locks)
 * </pre>
 */
public final class LockLayout {

    /** The lock as a struct. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("owner"),
            JAVA_INT.withName("seq"),
            JAVA_INT.withName("waiters"),
            JAVA_INT.withName("holds"),
            MemoryLayout.paddingLayout(108));

    /** Size of a lock: one 128-byte slot. */
    public static final long SIZE = LAYOUT.byteSize();

    /** Alignment a lock needs. */
    public static final long ALIGNMENT = 128;

    /** Offset of the owner word. */
    public static final long OWNER = LAYOUT.byteOffset(groupElement("owner"));

    /** Offset of the event count. */
    public static final long SEQ = LAYOUT.byteOffset(groupElement("seq"));

    /** Offset of the waiter count. */
    public static final long WAITERS = LAYOUT.byteOffset(groupElement("waiters"));

    /** Offset of the recursion count. */
    public static final long HOLDS = LAYOUT.byteOffset(groupElement("holds"));

    private LockLayout() {
    }
}

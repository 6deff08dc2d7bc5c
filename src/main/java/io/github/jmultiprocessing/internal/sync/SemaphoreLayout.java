package io.github.jmultiprocessing.internal.sync;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The bytes of a semaphore in shared memory: 256 bytes.
 *
 * <pre>
 *   0         4         8         12        16        20        24                                      256
 *   +---------+---------+---------+---------+---------+---------+----------- ... --------------------+
 *   | value   | seq     | waiters | bound   | shared  | pad     | holders[29]: { pid, count }          |
 *   +---------+---------+---------+---------+---------+---------+----------- ... --------------------+
 *   value: permits left; seq, waiters: the event count of {@link WaitCore}
 *   bound: the initial value of a bounded semaphore, -1 for an unbounded one
 *   shared: 1 once a process released a permit it had not acquired: permits are then not reclaimed
 *   holders: per process, permits acquired and not released yet (bounded semaphores only)
 * </pre>
 */
public final class SemaphoreLayout {

    /** Holder slots; processes beyond this many are not tracked. */
    public static final int HOLDER_SLOTS = 29;

    /** One holder slot. */
    public static final StructLayout HOLDER = MemoryLayout.structLayout(
            JAVA_INT.withName("pid"),
            JAVA_INT.withName("count"));

    /** The semaphore as a struct. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("value"),
            JAVA_INT.withName("seq"),
            JAVA_INT.withName("waiters"),
            JAVA_INT.withName("bound"),
            JAVA_INT.withName("shared"),
            MemoryLayout.paddingLayout(4),
            MemoryLayout.sequenceLayout(HOLDER_SLOTS, HOLDER).withName("holders"));

    /** Size of a semaphore. */
    public static final long SIZE = LAYOUT.byteSize();

    /** Offset of the permits left. */
    public static final long VALUE = LAYOUT.byteOffset(groupElement("value"));

    /** Offset of the event count. */
    public static final long SEQ = LAYOUT.byteOffset(groupElement("seq"));

    /** Offset of the waiter count. */
    public static final long WAITERS = LAYOUT.byteOffset(groupElement("waiters"));

    /** Offset of the bound. */
    public static final long BOUND = LAYOUT.byteOffset(groupElement("bound"));

    /** Offset of the flag set by a release from a process that had not acquired. */
    public static final long SHARED = LAYOUT.byteOffset(groupElement("shared"));

    /** Offset of the first holder slot. */
    public static final long HOLDERS = LAYOUT.byteOffset(groupElement("holders"));

    /** Offset of a slot's pid within the slot. */
    public static final long HOLDER_PID = HOLDER.byteOffset(groupElement("pid"));

    /** Offset of a slot's count within the slot. */
    public static final long HOLDER_COUNT = HOLDER.byteOffset(groupElement("count"));

    private SemaphoreLayout() {
    }
}

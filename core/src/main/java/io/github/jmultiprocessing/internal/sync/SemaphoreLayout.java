package io.github.jmultiprocessing.internal.sync;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The bytes of a semaphore in shared memory: 256 bytes.
 *
 * <pre>
 *   0       4       8       12      16      20      24      28      32      36      40                     256
 *   +-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+---- ... -----------+
 *   | value | seq   |waiters| bound | shared| owner | intent|v.after|c.after| pad   | holders[27]:        |
 *   |       |       |       |       |       |       | slot  |       |       |       |   { pid, count }    |
 *   +-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+---- ... -----------+
 *   value: permits left; seq, waiters: the event count of {@link WaitCore}
 *   bound: the initial value of a bounded semaphore, -1 for an unbounded one
 *   shared: 1 once a process released a permit it had not acquired: permits are then not reclaimed
 *   owner: pid of the process changing value and holders now (bounded semaphores only), 0 if none
 *   intent slot, v.after, c.after: the change in progress, so that another process finishes it if the owner
 *       dies: holder slot + 1 (0: none), the value and the slot's count once done
 *   holders: per process, permits acquired and not released yet (bounded semaphores only)
 * </pre>
 */
public final class SemaphoreLayout {

    /** Holder slots; processes beyond this many are not tracked. */
    public static final int HOLDER_SLOTS = 27;

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
            JAVA_INT.withName("owner"),
            JAVA_INT.withName("intentSlot"),
            JAVA_INT.withName("valueAfter"),
            JAVA_INT.withName("countAfter"),
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

    /** Offset of the pid of the process changing a bounded semaphore's value and holders. */
    public static final long OWNER = LAYOUT.byteOffset(groupElement("owner"));

    /** Offset of the holder slot (plus 1; 0 for none) of the change in progress. */
    public static final long INTENT_SLOT = LAYOUT.byteOffset(groupElement("intentSlot"));

    /** Offset of the value once the change in progress is done. */
    public static final long VALUE_AFTER = LAYOUT.byteOffset(groupElement("valueAfter"));

    /** Offset of the slot's count once the change in progress is done. */
    public static final long COUNT_AFTER = LAYOUT.byteOffset(groupElement("countAfter"));

    /** Offset of the first holder slot. */
    public static final long HOLDERS = LAYOUT.byteOffset(groupElement("holders"));

    /** Offset of a slot's pid within the slot. */
    public static final long HOLDER_PID = HOLDER.byteOffset(groupElement("pid"));

    /** Offset of a slot's count within the slot. */
    public static final long HOLDER_COUNT = HOLDER.byteOffset(groupElement("count"));

    private SemaphoreLayout() {
    }
}

package io.github.jmultiprocessing.internal.sync;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The bytes of a barrier in shared memory: its lock, then its state, each in a 128-byte slot.
 *
 * <pre>
 *   0                          128       132       136        140       144       148       152       156
 *   +------ ... --------------+---------+---------+----------+---------+---------+---------+---------+-- ... -+
 *   | lock ({@link LockLayout}) | parties | count   | generation| failed  | broken  | seq     | waiters | pad   |
 *   +------ ... --------------+---------+---------+----------+---------+---------+---------+---------+-- ... -+
 *   count: parties waiting in this generation; generation: bumped by every trip and reset;
 *   failed: the last generation that was broken or reset; broken: 1 once broken, until reset
 * </pre>
 */
public final class BarrierLayout {

    /** The barrier as a struct. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            LockLayout.LAYOUT.withName("lock"),
            JAVA_INT.withName("parties"),
            JAVA_INT.withName("count"),
            JAVA_INT.withName("generation"),
            JAVA_INT.withName("failed"),
            JAVA_INT.withName("broken"),
            JAVA_INT.withName("seq"),
            JAVA_INT.withName("waiters"),
            MemoryLayout.paddingLayout(100));

    /** Size of a barrier. */
    public static final long SIZE = LAYOUT.byteSize();

    /** Offset of the lock. */
    public static final long LOCK = LAYOUT.byteOffset(groupElement("lock"));

    /** Offset of the number of parties. */
    public static final long PARTIES = LAYOUT.byteOffset(groupElement("parties"));

    /** Offset of the waiting count. */
    public static final long COUNT = LAYOUT.byteOffset(groupElement("count"));

    /** Offset of the generation. */
    public static final long GENERATION = LAYOUT.byteOffset(groupElement("generation"));

    /** Offset of the last generation that was broken or reset. */
    public static final long FAILED = LAYOUT.byteOffset(groupElement("failed"));

    /** Offset of the broken flag. */
    public static final long BROKEN = LAYOUT.byteOffset(groupElement("broken"));

    /** Offset of the event count. */
    public static final long SEQ = LAYOUT.byteOffset(groupElement("seq"));

    /** Offset of the waiter count. */
    public static final long WAITERS = LAYOUT.byteOffset(groupElement("waiters"));

    private BarrierLayout() {
    }
}

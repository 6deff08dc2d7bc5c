package io.github.jmultiprocessing.internal.ring;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;

/**
 * The bytes of a table of holders ({@link EndHolders}): the processes that hold one end of a pipe
 * ({@code PipeLayout}, one table per end) or a queue ({@code QueueLayout}). 256 bytes.
 *
 * <pre>
 *   0         4         8         12        16                                     248       252       256
 *   +---------+---------+---------+---------+---------------- ... -----------------+---------+---------+
 *   | pid     | count   | pid     | count   |                                        | pid     | count   |
 *   +---------+---------+---------+---------+---------------- ... -----------------+---------+---------+
 *   slot 0              slot 1                                                     slot {@value #SLOTS} - 1
 *   pid:   0 = free, -1 = being reclaimed, else the holding process (claimed by compare-and-set from 0)
 *   count: that process's copies (signed: it may dip below zero while a child's copy is being handed over)
 * </pre>
 */
public final class EndHoldersLayout {

    /** Slots in a table. */
    public static final int SLOTS = 32;

    /** One slot. */
    public static final StructLayout SLOT = MemoryLayout.structLayout(
            JAVA_INT.withName("pid"),
            JAVA_INT.withName("count"));

    /** The table. */
    public static final SequenceLayout LAYOUT = MemoryLayout.sequenceLayout(SLOTS, SLOT);

    /** Bytes of a table. */
    public static final long SIZE = LAYOUT.byteSize();

    /** Offset of slot 0's pid. */
    public static final long PID = LAYOUT.byteOffset(sequenceElement(0), groupElement("pid"));

    /** Offset of slot 0's count. */
    public static final long COUNT = LAYOUT.byteOffset(sequenceElement(0), groupElement("count"));

    /** Bytes from one slot to the next. */
    public static final long STRIDE = SLOT.byteSize();

    private EndHoldersLayout() {
    }

    /** {@return the offset of a slot's pid} @param slot the slot, 0 to {@link #SLOTS} - 1 */
    public static long pid(int slot) {
        return PID + slot * STRIDE;
    }

    /** {@return the offset of a slot's count} @param slot the slot, 0 to {@link #SLOTS} - 1 */
    public static long count(int slot) {
        return COUNT + slot * STRIDE;
    }
}

package io.github.jmultiprocessing.internal.spawn;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The bytes of a child's exit report ({@link ExitReport}): a block of its parent's shared heap.
 *
 * <pre>
 *   0         8
 *   +---------+------------------------------- ... -+
 *   | state   | padding to 64                         |
 *   +---------+------------------------------- ... -+
 *   state: {@link #NONE} until the child's JVM begins an exit that its own code chose ({@code System.exit},
 *          {@code Runtime.exit}, not the JVM's handler of SIGTERM, SIGINT or SIGHUP); then {@link #CHOSEN},
 *          written once by the child (a positional write to the segment's file), read by the parent once the
 *          child has ended. Native byte order.
 * </pre>
 */
public final class ExitReportLayout {

    /** The report as a struct. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("state"),
            MemoryLayout.paddingLayout(56));

    /** Size of a report. */
    public static final long SIZE = LAYOUT.byteSize();

    /** Offset of the state word. */
    public static final long STATE = LAYOUT.byteOffset(groupElement("state"));

    /** State: nothing reported (the child has not begun an exit of its own choosing). */
    public static final long NONE = 0;

    /** State: the child's own code chose its exit status. */
    public static final long CHOSEN = 0x4A4D_5045_5849_5431L; // "JMPEXIT1": not a value a stray write leaves

    private ExitReportLayout() {
    }
}

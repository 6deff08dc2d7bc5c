/**
 * C-typed cells in shared memory: CPython's {@code multiprocessing.sharedctypes} ({@code Value}, {@code Array},
 * {@code RawValue}, {@code RawArray}, {@code synchronized}) below the public {@code SharedValue} and
 * {@code SharedArray}.
 *
 * <p>{@link io.github.jmultiprocessing.internal.ctypes.TypeCode} is the C type behind each of Python's
 * {@code array}/{@code ctypes} typecodes ({@code b B h H i I l L q Q f d c ?}): its size on 64-bit Unix, its value
 * range, and how to read, write and atomically update one cell of it.
 * {@link io.github.jmultiprocessing.internal.ctypes.Cells} is a run of such cells in a block of the shared heap
 * under an optional lock (Python's {@code synchronized} wrapper): typed and boxed accessors, atomic updates and
 * bulk copies, each holding the lock once unless the calling thread holds it already. It knows the lock only by
 * its word ({@code internal.sync.LockWord}); the public {@code SharedValue} and {@code SharedArray} own the
 * {@code SharedLock}, check indexes, and travel as handles.
 *
 * <p>The layout of a cell: a value of {@link io.github.jmultiprocessing.internal.ctypes.TypeCode#size()} bytes
 * (1, 2, 4 or 8), in native byte order, at a multiple of its size inside a block of the shared heap: the bytes
 * CPython's {@code ctypes} would hold for the same typecode on the same machine. Cells carry no header, tag or lock of their own: the
 * typecode travels in the owner's handle, and the lock, if any, is a separate lock block. An array is
 * {@code length} consecutive cells from offset 0 of its block ({@link
 * io.github.jmultiprocessing.internal.ctypes.Cells#VALUE_BLOCK}, {@link
 * io.github.jmultiprocessing.internal.ctypes.Cells#arrayBlockSize}).
 * <pre>
 *   value block (64 bytes, 64-aligned: one cache line per value)
 *   +------+--------------------------------------------------------------- ... -+
 *   | cell | unused                                                               |
 *   +------+--------------------------------------------------------------- ... -+
 *   array block (length * size bytes, rounded up to a multiple of 8, at least 8; 64-aligned)
 *   +--------+--------+--------+-- ... --+--------------+---------+
 *   | cell 0 | cell 1 | cell 2 |         | cell len - 1 | padding |
 *   +--------+--------+--------+-- ... --+--------------+---------+
 * </pre>
 * One- and two-byte cells are updated atomically by a compare-and-set of the aligned 4-byte word around them,
 * which is why every block is a whole number of 4-byte words from a 4-aligned base.
 *
 * <p>Depends on {@code internal.shm} (heap blocks) and {@code internal.sync} (the lock word) only.
 */
package io.github.jmultiprocessing.internal.ctypes;

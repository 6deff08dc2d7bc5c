/**
 * The byte ring under every queue and pipe: Agrona's one-to-one ring buffer, in a mapped file shared by processes.
 *
 * <p>{@link io.github.jmultiprocessing.internal.ring.SpscRing} is one direction of a pipe (a writer may wait for
 * room; a large message travels in pieces) or one link of a queue's chain of rings (whole records only; a full
 * ring is ended by a LINK record and the writer goes on in a new one). A record is published by its 8-byte header,
 * written last with release semantics; the reader clears what it consumed, so the data area is zero except for
 * unread records. Every position, length and kind read is checked: corrupt memory ends in a
 * {@link io.github.jmultiprocessing.internal.ring.CorruptRingException} within a wait slice, never in an access
 * outside the ring or a wait for good, and with the CHECKSUM flag every record carries a CRC32C that the reader
 * checks over its private copy before it delivers it.
 *
 * <p>On top of the ring: {@link io.github.jmultiprocessing.internal.ring.QueueChannel} (CPython's
 * {@code queues.py}: many producers and consumers taking turns under two locks, counters for {@code maxsize},
 * {@code join} and shutdown) and {@link io.github.jmultiprocessing.internal.ring.PipeChannel} (CPython's
 * {@code Pipe()}: one or two rings and the holders of each end,
 * {@link io.github.jmultiprocessing.internal.ring.EndHolders}), each segment's bytes described by its layout class
 * ({@code QueueLayout}, {@code PipeLayout}).
 *
 * <p>Depends on {@code internal.shm} and {@code internal.sync} only.
 */
package io.github.jmultiprocessing.internal.ring;

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
 * <p>On top of the ring, in packages of their own: the queue channel ({@code internal.queue}, CPython's
 * {@code queues.py}) and the pipe channel ({@code internal.connection}, CPython's {@code Pipe()}); both keep the
 * processes holding an end in an {@link io.github.jmultiprocessing.internal.ring.EndHolders} table, which is here
 * for that reason.
 *
 * <p>Depends on {@code internal.shm} and {@code internal.sync} only.
 */
package io.github.jmultiprocessing.internal.ring;

package io.github.jmultiprocessing.internal.manager;

/**
 * What a {@code SharedMemoryManager}'s server does for its clients (CPython's {@code SharedMemoryServer} with its
 * {@code _SharedMemoryTracker}): it makes segments and unlinks them all at shutdown. The interface of the proxy a
 * client holds; {@link TrackedSegments} is the object served.
 */
public interface SegmentTracker {

    /**
     * Creates a segment with a fresh name in the server's process, tracked there: it is unlinked by
     * {@link #unlinkAll()}, or when the server's process ends (also when it ends because the process that started
     * it was killed), or, if the server itself is killed, by the next JVM that reaps.
     *
     * @param size bytes, greater than zero
     * @return the segment's name, for the client to attach
     * @throws IllegalArgumentException     if {@code size <= 0}
     * @throws java.io.UncheckedIOException if the segment directory has no room for it
     */
    String create(long size);

    /**
     * Unlinks every segment made through this tracker that is still the file it made (CPython's
     * {@code SharedMemoryServer.shutdown}); a segment a client already unlinked is skipped.
     *
     * @return how many segments were unlinked now
     */
    int unlinkAll();
}

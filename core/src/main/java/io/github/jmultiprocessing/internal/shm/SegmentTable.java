package io.github.jmultiprocessing.internal.shm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The JVM's table of mapped segments: each name is mapped once and shared by every user in this JVM, counted
 * so that the last {@link #release} unmaps it.
 *
 * <p>Creating goes through the {@link SegmentLedger} first, so a segment is on record before its file exists
 * and is unlinked when its creator exits, however it exits.
 */
public final class SegmentTable {

    private static final Map<String, MappedSegment> MAPPED = new HashMap<>();

    static {
        SegmentLedger.reapStale();
    }

    private SegmentTable() {
    }

    /**
     * Creates and maps a new segment.
     *
     * @param name  a valid, unused segment name
     * @param size  bytes, greater than zero
     * @param track true to unlink the segment when this JVM exits (Python's {@code track=True})
     * @return the mapping, with one reference held by the caller
     */
    public static MappedSegment create(String name, long size, boolean track) {
        ShmDirectory.checkName(name);
        if (size <= 0) {
            throw new IllegalArgumentException("size=" + size + " (expected > 0)");
        }
        synchronized (MAPPED) {
            return createLocked(name, size, track);
        }
    }

    /**
     * Creates and maps a new member of a family ({@link SegmentLedger#recordFamily}: the rings of a queue), which
     * is unlinked with its family. Under the table's lock, the family is recorded again if it was removed meanwhile
     * (so no member outlives its family's record), and, once this JVM's exit clean-up has begun, a member of a
     * family this JVM would have unlinked (its owner is this JVM or gone) is refused: made after the clean-up, it
     * would never be unlinked.
     *
     * @param prefix     the family's name prefix
     * @param ownerPid   the family owner's pid
     * @param ownerStart the family owner's start time
     * @param name       a valid, unused member name, {@code prefix.<something>}
     * @param size       bytes, greater than zero
     * @return the mapping, with one reference held by the caller
     * @throws UncheckedIOException if the member is refused at exit, or cannot be created
     */
    public static MappedSegment createFamilyMember(String prefix, long ownerPid, long ownerStart, String name,
            long size) {
        ShmDirectory.checkName(name);
        if (size <= 0) {
            throw new IllegalArgumentException("size=" + size + " (expected > 0)");
        }
        synchronized (MAPPED) {
            SegmentLedger.recordFamilyForMember(prefix, ownerPid, ownerStart, name);
            return createLocked(name, size, false);
        }
    }

    private static MappedSegment createLocked(String name, long size, boolean track) {
        {
            if (track) {
                try {
                    SegmentLedger.recordCreated(name);
                } catch (UncheckedIOException e) { // no room or no write access for the record: said with the size
                    throw ShmDirectory.cannotCreate("shared memory segment " + name, size, e.getCause());
                }
            }
            MappedSegment mapped;
            try {
                mapped = MappedSegment.create(name, size);
            } catch (RuntimeException e) {
                if (track) {
                    try {
                        SegmentLedger.recordRemoved(name);
                    } catch (RuntimeException recordFailed) { // a full directory may refuse this line too
                        e.addSuppressed(recordFailed);
                    }
                }
                throw e;
            }
            if (track) {
                SegmentLedger.recordFile(name, mapped.path());
            }
            // A mapping left under this name belongs to a segment unlinked since: it stays mapped for its users.
            MAPPED.put(name, mapped);
            mapped.references = 1;
            return mapped;
        }
    }

    /**
     * Maps an existing segment, or takes one more reference to this JVM's mapping of it.
     *
     * @param name the segment name
     * @return the mapping, with one reference held by the caller
     */
    public static MappedSegment attach(String name) {
        ShmDirectory.checkName(name);
        synchronized (MAPPED) {
            MappedSegment mapped = MAPPED.get(name);
            if (mapped != null && !mapped.isStillLinked()) {
                MAPPED.remove(name); // unlinked (and maybe created anew) elsewhere: its users keep the old mapping
                mapped = null;
            }
            if (mapped == null) {
                mapped = MappedSegment.open(name);
                MAPPED.put(name, mapped);
            }
            mapped.references++;
            return mapped;
        }
    }

    /**
     * Drops one reference; the last one unmaps the segment in this JVM (other JVMs keep theirs).
     *
     * @param mapped a mapping from {@link #create} or {@link #attach}
     */
    public static void release(MappedSegment mapped) {
        synchronized (MAPPED) {
            if (--mapped.references == 0) {
                MAPPED.remove(mapped.name(), mapped);
                mapped.unmap();
            }
        }
    }

    /** {@return the lock held while segments are created and the table changes} */
    static Object lock() {
        return MAPPED;
    }

    /**
     * Removes the segment's name, like {@code shm_unlink}: processes that have it mapped keep their mapping.
     *
     * @param name the segment name
     * @throws UncheckedIOException wrapping {@link NoSuchFileException} if there is no such segment
     */
    public static void unlink(String name) {
        Path path = ShmDirectory.pathOf(name);
        synchronized (MAPPED) {
            // Later attaches map whatever is created under the name next; current users keep this mapping.
            MAPPED.remove(name);
        }
        try {
            Files.delete(path);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("no shared memory segment named " + ShmDirectory.quote(name)
                    + " to unlink (expected " + path + " to exist)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unlink shared memory segment " + path + ": " + e, e);
        } finally {
            SegmentLedger.recordRemoved(name);
        }
    }
}

package io.github.jmultiprocessing.internal.manager;

import io.github.jmultiprocessing.internal.shm.MappedSegment;
import io.github.jmultiprocessing.internal.shm.SegmentLedger;
import io.github.jmultiprocessing.internal.shm.SegmentTable;
import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The segments a {@code SharedMemoryManager}'s server made, one registry per server (CPython's
 * {@code _SharedMemoryTracker}).
 *
 * <p>Implementation notes. The manager registers a factory that returns one instance of this class, captured, so
 * the server that the manager starts gets one copy (serialized with the factory), shared by every proxy of every
 * client of that server; a server run in the manager's own JVM ({@code serveForever}) uses the manager's instance.
 * Unlike CPython, where the client creates the segment and then asks the server to track it, the segment is
 * created here, in the server's process, with tracking on: from its first byte it is in that process's
 * {@link SegmentLedger}, so it is unlinked at the server's exit however that comes (shutdown, the parent's exit
 * or the parent killed with {@code kill -9}: a daemon child ends when its parent's pipe closes), and if the server
 * itself is killed, the next JVM that reaps unlinks it. There is no window in which a killed client leaves a
 * segment nobody tracks. The server does not keep the segment mapped.
 */
public final class TrackedSegments implements SegmentTracker, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;
    private static final int NAME_ATTEMPTS = 4;

    private transient Set<String> names = new LinkedHashSet<>(); // guarded by this

    /** An empty registry. */
    public TrackedSegments() {
    }

    @Override
    public String create(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size=" + size + " (expected > 0)");
        }
        for (int attempt = 1; ; attempt++) {
            String name = ShmDirectory.randomName("jmp_");
            MappedSegment mapped;
            try {
                mapped = SegmentTable.create(name, size, true);
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof FileAlreadyExistsException) || attempt == NAME_ATTEMPTS) {
                    throw e;
                }
                continue;
            }
            SegmentTable.release(mapped); // the file stays, on this process's record; clients map it
            synchronized (this) {
                names.add(name);
            }
            return name;
        }
    }

    @Override
    public int unlinkAll() {
        List<String> made;
        synchronized (this) {
            made = new ArrayList<>(names);
            names.clear();
        }
        int unlinked = 0;
        for (String name : made) {
            if (SegmentLedger.unlinkCreated(name)) {
                unlinked++;
            }
        }
        return unlinked;
    }

    @Serial
    private Object readResolve() {
        return new TrackedSegments(); // a registry arrives empty in the server that uses it
    }
}

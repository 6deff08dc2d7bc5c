package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.manager.SegmentTracker;
import io.github.jmultiprocessing.internal.manager.TrackedSegments;
import io.github.jmultiprocessing.internal.shm.ShareableListLayout;
import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A manager whose server makes {@link SharedMemory} segments and {@link SharedList}s and unlinks every one of them
 * when it shuts down: Python's {@code multiprocessing.managers.SharedMemoryManager}.
 *
 * <pre>{@code
 * try (var smm = new SharedMemoryManager()) {             // Python: with SharedMemoryManager() as smm:
 *     smm.start();                                        //   (Python's with-statement starts it)
 *     SharedMemory shm = smm.sharedMemory(1 << 20);       //     shm = smm.SharedMemory(size=1 << 20)
 *     SharedList list = smm.sharedList(List.of(1, "a")); //     sl = smm.ShareableList([1, 'a'])
 *     ... pass them to processes, which attach by name ...
 * }                                                       // every segment it made is unlinked here
 * }</pre>
 *
 * <p>Every segment it made is unlinked when the manager shuts down ({@link #shutdown()}, {@link #close()}), when
 * the process that started it exits without shutting it down, and also when that process is killed
 * ({@code kill -9}): the segments are made in the server's process and are on its record from their first byte,
 * and the server, a daemon child, ends when its parent does. Were the server itself killed, the shutdown unlinks
 * the segments this manager made, and the next JVM that uses the library reaps the rest, as for any process
 * killed. Shutting down does not close the {@code SharedMemory} and {@code SharedList} objects it returned: their
 * mappings stay valid until closed, but their names are gone. Segments made through a manager
 * {@link #connect() connected} to the server are unlinked when the server's owner shuts it down.
 *
 * <p>Unlike Python's, whose client makes the segment and then asks the server to track it, the server makes it and
 * the client attaches to it: the same one round trip on the server's socket, and no moment when a segment exists
 * that nobody tracks (a client killed between the two steps). A segment unlinked by a user before the shutdown is
 * skipped then, and so is another segment made under its name since.
 *
 * <p>Memory consistency effects: those of {@link SharedMemory} and {@link SharedList}; the manager orders nothing.
 */
public final class SharedMemoryManager extends BaseManager {

    private static final String TRACKER = "SharedMemoryTracker";

    /** This manager's registry: copied into the server it starts, or used here by {@link #serveForever()}. */
    private final TrackedSegments segments;
    private SegmentTracker tracker; // guarded by this
    private boolean shutDown; // guarded by this
    /** What this manager made, name to file key: unlinked here if its server is gone at shutdown. */
    private final Map<String, Object> made = new LinkedHashMap<>(); // guarded by this

    /** A manager on a fresh Unix domain socket, with this process's authkey; {@link #start()} it. */
    public SharedMemoryManager() {
        this(null, null);
    }

    /**
     * A manager at an address (Python's {@code SharedMemoryManager(address, authkey)}).
     *
     * @param address where its server listens, or null for a fresh Unix domain socket
     * @param authkey the key clients must hold, or null for this process's authkey
     * @throws IllegalArgumentException if the key is empty
     */
    public SharedMemoryManager(SocketAddress address, byte[] authkey) {
        this(address, authkey, null);
    }

    /**
     * A manager at an address whose server starts with a context's method and {@link ChildJvm} settings.
     *
     * @param address where its server listens, or null for a fresh Unix domain socket
     * @param authkey the key clients must hold, or null for this process's authkey
     * @param context the context, or null for the default
     * @throws IllegalArgumentException if the key is empty
     */
    public SharedMemoryManager(SocketAddress address, byte[] authkey, Context context) {
        super(address, authkey, context);
        TrackedSegments registry = new TrackedSegments();
        this.segments = registry;
        register(TRACKER, args -> registry, SegmentTracker.class);
    }

    /**
     * Makes a zero-filled segment of {@code size} bytes in the server, to be unlinked at shutdown, and attaches to
     * it (Python's {@code smm.SharedMemory(size)}).
     *
     * @param size bytes, greater than zero
     * @return this process's handle to it; close it when done (the shutdown unlinks it, it does not close it)
     * @throws IllegalArgumentException     if {@code size <= 0}
     * @throws IllegalStateException        if the manager is not started or connected, or was shut down
     * @throws UncheckedIOException         if the server is gone, or the segment directory has no room
     */
    public SharedMemory sharedMemory(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size=" + size + " (expected > 0)");
        }
        SharedMemory shm = SharedMemory.attach(tracker().create(size));
        Object key = serverProcess() != null ? fileKey(shm.name()) : null; // kept by the manager that started it
        if (key != null) {
            synchronized (this) {
                made.put(shm.name(), key);
            }
        }
        return shm;
    }

    /** {@return the file key (device and inode) of a segment's file, or null if it has none now} */
    private static Object fileKey(String name) {
        try {
            return Files.readAttributes(ShmDirectory.pathOf(name), BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Makes a {@link SharedList} of the given items in a segment made by the server, to be unlinked at shutdown
     * (Python's {@code smm.ShareableList(sequence)}).
     *
     * @param values the items, as {@link SharedList#create(Collection)} takes them
     * @return the list, attached here; close it when done
     * @throws ClassCastException       for an item of a type a {@code SharedList} does not hold
     * @throws IllegalArgumentException for a string of more than 9,999,991 bytes in UTF-8
     * @throws IllegalStateException    if the manager is not started or connected, or was shut down
     * @throws UncheckedIOException     if the server is gone, or the segment directory has no room
     */
    public SharedList sharedList(Collection<?> values) {
        List<Object> items = new ArrayList<>(values);
        ShareableListLayout layout = ShareableListLayout.forValues(items); // a wrong item fails before the server
        return SharedList.fill(sharedMemory(layout.byteSize()), layout, items);
    }

    /**
     * {@link #sharedList(Collection)} of the arguments.
     *
     * @param values the items
     * @return the list
     * @throws ClassCastException       for an item of a type a {@code SharedList} does not hold
     * @throws IllegalArgumentException for a string of more than 9,999,991 bytes in UTF-8
     * @throws IllegalStateException    if the manager is not started or connected, or was shut down
     * @throws UncheckedIOException     if the server is gone, or the segment directory has no room
     */
    public SharedList sharedList(Object... values) {
        return sharedList(Arrays.asList(values));
    }

    private synchronized SegmentTracker tracker() {
        if (tracker == null) {
            tracker = create(TRACKER, SegmentTracker.class);
        }
        return tracker;
    }

    /**
     * Unlinks every segment the server made, then stops it (Python's {@code shutdown()}); a manager that only
     * connected closes its connections and unlinks nothing. If the server is gone (killed), this manager unlinks
     * the segments it made itself, where the file is still the one made then; segments that other clients made
     * through it are then reaped by the next JVM that uses the library. Idempotent.
     */
    @Override
    public synchronized void shutdown() {
        if (serverProcess() != null && !shutDown) {
            try {
                tracker().unlinkAll(); // here, so that they are gone even if the server must then be killed
            } catch (RuntimeException e) { // the server is gone (or failed): what this manager made goes here
                made.forEach((name, key) -> {
                    try {
                        if (key.equals(fileKey(name))) {
                            Files.deleteIfExists(ShmDirectory.pathOf(name));
                        }
                    } catch (IOException notDeleted) {
                        // gone meanwhile, or not ours to delete: the next reaping deals with it
                    }
                });
            }
        }
        made.clear();
        tracker = null;
        shutDown = true;
        super.shutdown();
    }

    /**
     * Serves in this JVM until a client shuts the server down (Python's {@code get_server().serve_forever()}), then
     * unlinks every segment it made.
     *
     * @throws IOException          if it cannot listen at the address
     * @throws InterruptedException if interrupted while serving
     */
    @Override
    public void serveForever() throws IOException, InterruptedException {
        try {
            super.serveForever();
        } finally {
            segments.unlinkAll();
        }
    }
}

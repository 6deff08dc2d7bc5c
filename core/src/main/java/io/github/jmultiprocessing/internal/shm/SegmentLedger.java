package io.github.jmultiprocessing.internal.shm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The record of the segments this JVM created, so that nothing leaks.
 *
 * <p>Implementation notes. Each JVM that creates a tracked segment keeps a ledger file
 * {@code jmp-ledger-<pid>-<start time>} (mode 0600) beside the segments, one line per event: {@code +name} before
 * the segment's file is created, {@code =name<TAB>file key} once it exists (the file key, device and inode, tells
 * this file from a later one of the same name), {@code -name} after it is unlinked, and
 * {@code c<TAB>pid<TAB>start time} for each child process started. At normal exit a shutdown hook unlinks what is
 * still listed and deletes the ledger. A JVM killed with {@code kill -9} leaves its ledger behind; the first use
 * of the library in any later JVM ({@link #reapStale}) finds ledgers, owned by the same user, whose process and
 * listed children are all gone (a pid absent, or present with another start time) and unlinks what they list,
 * only where the file is still the one that was created. A ledger whose process is gone but whose children still
 * run (a killed parent's children take a moment to notice and end) is looked at again by a background thread,
 * every 20-250 ms for up to a minute, and
 * reaped once they are gone; a zombie counts as gone ({@link ProcessIdentity#isAlive(long, long)}). Only this JVM
 * writes its ledger; it holds names, never data. Non-invariant: grandchildren are not listed, so a grandchild started after its grandparent was killed
 * and its parent ended cannot attach the grandparent's segments once any JVM has reaped them.
 */
public final class SegmentLedger {

    private static final String PREFIX = "jmp-ledger-";
    private static final FileAttribute<?> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private static final Map<String, String> LIVE = new LinkedHashMap<>(); // name -> file key or "", guarded by class
    private static final List<String> CHILDREN = new ArrayList<>(); // "pid<TAB>start", guarded by class
    private static final Map<String, long[]> FAMILIES = new LinkedHashMap<>(); // prefix -> owner, guarded by class
    private static final List<Runnable> BEFORE_EXIT = new CopyOnWriteArrayList<>();
    private static final AtomicBoolean REAPED = new AtomicBoolean();
    private static final long REAPER_EXIT_WAIT_MILLIS = 2_000;
    private static final long RETRY_MIN_MILLIS = 20;
    private static final long RETRY_MAX_MILLIS = 250;
    private static final long RETRY_FOR_MILLIS = 60_000;
    private static FileChannel ledger; // guarded by SegmentLedger.class; opened on first record
    private static boolean childrenWritten; // guarded by SegmentLedger.class: CHILDREN's lines are in the ledger
    private static boolean exiting; // guarded by SegmentLedger.class

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(SegmentLedger::exit, "jmultiprocessing-exit"));
    }

    private SegmentLedger() {
    }


    /**
     * Registers an action to run at JVM exit before this JVM's segments are unlinked (ending child processes
     * that still use them, for example).
     *
     * @param action the action; exceptions it throws are printed and ignored
     */
    public static void beforeExit(Runnable action) {
        BEFORE_EXIT.add(action);
    }

    /** {@return the ledger file of this JVM (it exists only once something was recorded)} */
    public static Path ledgerPath() {
        return ShmDirectory.directory().resolve(PREFIX + ProcessIdentity.pid() + "-" + ProcessIdentity.startTime());
    }

    /**
     * Records a child process: this JVM's segments are not reaped while it lives, even if this JVM is killed.
     *
     * @param pid the child's pid
     */
    public static synchronized void recordChild(long pid) {
        String child = pid + "\t" + ProcessIdentity.startTimeOf(pid);
        CHILDREN.add(child);
        if (ledger != null) {
            append("c\t" + child);
        }
    }

    /**
     * Records a family of segments, named {@code prefix.<anything>}, that several processes create (the rings
     * of a queue) and that live as long as their owner: they are unlinked when the owner exits, or, if it is gone,
     * when this JVM exits or is found gone. Call before creating a member.
     *
     * @param prefix     the family's name prefix (a valid segment name)
     * @param ownerPid   the owner's pid
     * @param ownerStart the owner's start time ({@link ProcessIdentity#startTime()} there)
     */
    public static synchronized void recordFamily(String prefix, long ownerPid, long ownerStart) {
        ShmDirectory.checkName(prefix);
        if (FAMILIES.putIfAbsent(prefix, new long[] {ownerPid, ownerStart}) == null) {
            append("f\t" + prefix + "\t" + ownerPid + "\t" + ownerStart);
        }
    }

    /**
     * Unlinks every member of a family now (its last user is done with it) and forgets it here.
     *
     * @param prefix the family's name prefix
     */
    public static void removeFamily(String prefix) {
        ShmDirectory.checkName(prefix);
        // Under the segment table's lock, as every member's creation (SegmentTable.createFamilyMember): a member is
        // made either before the scan (and unlinked by it) or after the family is forgotten (and recorded again).
        synchronized (SegmentTable.lock()) {
            deleteFamily(prefix);
            synchronized (SegmentLedger.class) {
                FAMILIES.remove(prefix); // its ledger line stays: at exit or reaping, deleting nothing is harmless
            }
        }
    }

    /** Unlinks every member of a family whose owner is this JVM or gone. */
    private static void deleteFamilies(Map<String, long[]> families) {
        families.forEach((prefix, owner) -> {
            boolean mine = owner[0] == ProcessIdentity.pid() && owner[1] == ProcessIdentity.startTime();
            if (mine || !ProcessIdentity.isAlive(owner[0], owner[1])) {
                deleteFamily(prefix);
            }
        });
    }

    private static void deleteFamily(String prefix) {
        String members = prefix + ".";
        try (DirectoryStream<Path> files = Files.newDirectoryStream(ShmDirectory.directory())) {
            for (Path path : files) {
                if (path.getFileName().toString().startsWith(members)) {
                    MappedSegment.deleteQuietly(path);
                }
            }
        } catch (IOException | RuntimeException e) {
            // nothing to delete, or no directory
        }
    }

    static synchronized void recordCreated(String name) {
        checkNotExiting(name);
        append("+" + name);
        LIVE.put(name, "");
    }

    private static void checkNotExiting(String name) {
        if (exiting) {
            throw new IllegalStateException("cannot create segment " + name + " (expected a JVM that is not exiting)");
        }
    }

    /**
     * Records a family (again, if it was removed meanwhile) before a member is created, under the segment table's
     * lock; refuses the member once the exit clean-up has begun if the clean-up would have unlinked it (its owner
     * is this JVM or gone): made afterwards, it would never be unlinked. A family of a live owner elsewhere is
     * that owner's to unlink.
     *
     * @throws java.io.UncheckedIOException if refused, or if the family cannot be recorded
     */
    static synchronized void recordFamilyForMember(String prefix, long ownerPid, long ownerStart, String name) {
        if (exiting) {
            if (ownerPid == ProcessIdentity.pid() || !ProcessIdentity.isAlive(ownerPid, ownerStart)) {
                throw new java.io.UncheckedIOException(new IOException("cannot create segment " + name
                        + ": this JVM is exiting and has unlinked its segments (expected a JVM that is not exiting)"));
            }
            return; // the live owner unlinks it; this JVM's ledger is gone
        }
        recordFamily(prefix, ownerPid, ownerStart);
    }

    static synchronized void recordFile(String name, Path path) {
        String key = fileKey(path);
        if (LIVE.containsKey(name) && key != null) {
            append("=" + name + "\t" + key);
            LIVE.put(name, key);
        }
    }

    static synchronized void recordRemoved(String name) {
        if (LIVE.remove(name) != null) {
            append("-" + name);
        }
    }

    /**
     * Unlinks a segment this JVM created with tracking on, if it is still the file it created (someone may have
     * unlinked it, and another may have been made under its name since), and takes it off the record.
     *
     * @param name the segment's name
     * @return true if this call removed the file
     */
    public static boolean unlinkCreated(String name) {
        String key;
        synchronized (SegmentLedger.class) {
            key = LIVE.get(name);
        }
        if (key == null) {
            return false; // not created here, or already unlinked here
        }
        Path path = ShmDirectory.pathOf(name);
        boolean removed = (key.isEmpty() || key.equals(fileKey(path))) && MappedSegment.deleteQuietly(path);
        recordRemoved(name);
        return removed;
    }

    /**
     * Unlinks the segments of ledgers whose process (and children) are gone, and those ledgers. Runs once per
     * JVM, when it first uses segments or when a child JVM starts; safe to run concurrently with other JVMs doing
     * the same.
     */
    public static void reapStale() {
        if (REAPED.compareAndSet(false, true)) {
            reap();
        }
    }

    /**
     * {@link #reapStale} on a background thread, so that a child's start does not wait for it; the JVM's exit
     * waits for it (bounded), so that a child that ends at once has still reaped.
     */
    public static void reapStaleInBackground() {
        if (REAPED.compareAndSet(false, true)) {
            Thread reaper = LibraryThreads.start("reaper", SegmentLedger::reap);
            beforeExit(() -> {
                try {
                    reaper.join(REAPER_EXIT_WAIT_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    private static void reap() {
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(ShmDirectory.directory())) {
            for (Path path : files) {
                if (path.getFileName().toString().startsWith(PREFIX)) { // a glob filter costs a regex compile
                    candidates.add(path);
                }
            }
        } catch (IOException | RuntimeException e) {
            return; // nothing to reap, or no directory: never a reason to fail the caller
        }
        if (candidates.isEmpty()) {
            return;
        }
        List<Path> waiting = reap(candidates, ownerOf(Path.of("/proc/self")));
        if (!waiting.isEmpty()) {
            LibraryThreads.start("reaper-retry", () -> reapWhenChildrenEnd(waiting));
        }
    }

    /**
     * Reaps the stale ledgers among the candidates.
     *
     * @return the ledgers whose process is gone but not all of whose children yet
     */
    private static List<Path> reap(List<Path> candidates, Object me) {
        List<Path> waiting = new ArrayList<>();
        for (Path path : candidates) {
            try {
                if (!ownedBy(me, path)) {
                    continue; // another user's ledger: never act on what it lists
                }
                Ledger read = read(path);
                LedgerState state = read.state(path.getFileName().toString()); // no switch: no switch-map class
                if (state == LedgerState.CHILDREN_LIVE) {
                    waiting.add(path);
                } else if (state == LedgerState.STALE) {
                    for (Map.Entry<String, String> entry : read.live().entrySet()) {
                        deleteIfSame(entry.getKey(), entry.getValue());
                    }
                    deleteFamilies(read.families());
                    MappedSegment.deleteQuietly(path);
                    System.getLogger(SegmentLedger.class.getName()).log(System.Logger.Level.INFO, "reaped the"
                            + " segments of a process that is gone: " + read.live().size() + " listed in "
                            + path.getFileName() + ", and " + read.families().size() + " families");
                }
            } catch (IOException | RuntimeException e) {
                continue; // another JVM reaped it first, or it is not a ledger
            }
        }
        return waiting;
    }

    /** Looks at ledgers of dead processes again, with a growing pause, until their children are gone (bounded). */
    private static void reapWhenChildrenEnd(List<Path> ledgers) {
        Object me = ownerOf(Path.of("/proc/self"));
        long deadline = System.nanoTime() + RETRY_FOR_MILLIS * 1_000_000L;
        long pause = RETRY_MIN_MILLIS;
        List<Path> waiting = ledgers;
        while (!waiting.isEmpty() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return; // a daemon thread: interrupted only as the JVM ends; a later start reaps
            }
            pause = Math.min(RETRY_MAX_MILLIS, pause * 2);
            waiting = reap(waiting.stream().filter(Files::exists).toList(), me);
        }
    }

    /**
     * {@return true if this JVM's user owns the file} Compares numeric owners where the system has them (a user
     * name lookup costs a child milliseconds), else names.
     *
     * @param me   this JVM's numeric owner, or null if unknown
     * @param path the file
     * @throws IOException if the file cannot be read
     */
    private static boolean ownedBy(Object me, Path path) throws IOException {
        if (me != null) {
            return me.equals(ownerOf(path));
        }
        UserPrincipal owner = Files.getOwner(path);
        return Objects.equals(owner.getName(), System.getProperty("user.name"));
    }

    /** {@return the numeric owner of a file (no user name lookup), or null if unknown} @param path the file */
    private static Object ownerOf(Path path) {
        try {
            return Files.getAttribute(path, "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }

    /** What a ledger file says. */
    record Ledger(Map<String, String> live, List<long[]> children, Map<String, long[]> families) {

        /** {@return whether the ledger's process, or else one of its children, still runs} @param fileName its name */
        LedgerState state(String fileName) {
            String[] parts = fileName.substring(PREFIX.length()).split("-");
            if (parts.length != 2) {
                return LedgerState.LIVE;
            }
            long pid;
            long start;
            try {
                pid = Long.parseLong(parts[0]);
                start = Long.parseLong(parts[1]);
            } catch (NumberFormatException e) {
                return LedgerState.LIVE;
            }
            if (pid == ProcessIdentity.pid() ? start == ProcessIdentity.startTime()
                    : ProcessIdentity.isAlive(pid, start)) {
                return LedgerState.LIVE;
            }
            for (long[] child : children) {
                if (ProcessIdentity.isAlive(child[0], child[1])) {
                    return LedgerState.CHILDREN_LIVE; // its creator is gone, but a child may still attach its segments
                }
            }
            return LedgerState.STALE;
        }
    }

    /** What reaping a ledger may do now. */
    enum LedgerState {
        /** Its process runs (or the name is not a ledger's): never reaped. */
        LIVE,
        /** Its process is gone, a child of it runs: reaped once the children are gone. */
        CHILDREN_LIVE,
        /** Its process and children are gone: reaped now. */
        STALE
    }

    /**
     * Reads a ledger.
     *
     * @param path a ledger file
     * @return the names still listed as created and not unlinked, with their file keys, and the children
     * @throws IOException if it cannot be read
     */
    static Ledger read(Path path) throws IOException {
        Map<String, String> live = new LinkedHashMap<>();
        List<long[]> children = new ArrayList<>();
        Map<String, long[]> families = new LinkedHashMap<>();
        for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
            if (line.length() < 2) {
                continue;
            }
            char op = line.charAt(0);
            if (op == 'f') {
                String[] fields = line.split("\t");
                try {
                    families.put(ShmDirectory.checkName(fields[1]),
                            new long[] {Long.parseLong(fields[2]), Long.parseLong(fields[3])});
                } catch (RuntimeException e) {
                    continue; // a torn or foreign line
                }
                continue;
            }
            if (op == 'c') {
                String[] fields = line.split("\t");
                try {
                    children.add(new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[2])});
                } catch (RuntimeException e) {
                    continue; // a torn line
                }
                continue;
            }
            String[] fields = line.substring(1).split("\t", 2);
            String name = fields[0];
            try {
                ShmDirectory.checkName(name);
            } catch (IllegalArgumentException e) {
                continue; // a torn or foreign line: never delete outside the directory
            }
            switch (op) {
                case '+' -> live.put(name, "");
                case '=' -> live.replace(name, fields.length > 1 ? fields[1] : "");
                case '-' -> live.remove(name);
                default -> { }
            }
        }
        return new Ledger(live, children, families);
    }

    /** Deletes the segment if it is still the file that was created (any file, if its key was never recorded). */
    private static void deleteIfSame(String name, String key) {
        Path path = ShmDirectory.directory().resolve(name);
        if (key.isEmpty() || key.equals(fileKey(path))) {
            MappedSegment.deleteQuietly(path);
        }
    }

    static String fileKey(Path path) {
        try {
            Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            return key == null ? null : key.toString().replace('\t', ' ').replace('\n', ' ');
        } catch (IOException e) {
            return null;
        }
    }

    private static void append(String line) {
        // A FileChannel closes itself when its thread is interrupted, and a closed ledger would refuse every later
        // segment: the caller's interrupt status is set aside while the line is written, and restored after.
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    if (ledger == null) {
                        ledger = openLedger();
                    } else if (!ledger.isOpen()) { // an interrupt came while a line was written: go on after it
                        ledger = reopenLedger();
                        write("\n"); // ends what was cut short of that line (read back, a name of no file)
                    }
                    if (!childrenWritten) { // the children recorded before the ledger existed, all of them once
                        for (String child : CHILDREN) {
                            write("c\t" + child + "\n");
                        }
                        childrenWritten = true;
                    }
                    write(line + "\n");
                    return;
                } catch (ClosedByInterruptException e) {
                    interrupted |= Thread.interrupted();
                    if (attempt == 100) {
                        throw ShmDirectory.cannotCreate("shared memory (the record of this process's segments, "
                                + ledgerPath().getFileName() + ")", 0, e);
                    }
                }
            }
        } catch (IOException e) {
            // Said as the user sees it: shared memory cannot be created in that directory (the file is ours).
            throw ShmDirectory.cannotCreate("shared memory (the record of this process's segments, "
                    + ledgerPath().getFileName() + ")", 0, e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static FileChannel reopenLedger() throws IOException {
        return FileChannel.open(ledgerPath(), StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private static FileChannel openLedger() throws IOException {
        var options = EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        try {
            return FileChannel.open(ledgerPath(), options, OWNER_ONLY);
        } catch (UnsupportedOperationException e) {
            return FileChannel.open(ledgerPath(), options);
        }
    }

    private static void write(String text) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) {
            ledger.write(buffer);
        }
    }

    private static void exit() {
        for (Runnable action : BEFORE_EXIT) {
            try {
                action.run();
            } catch (RuntimeException e) {
                System.getLogger(SegmentLedger.class.getName()).log(System.Logger.Level.WARNING,
                        "an action before the segments' clean-up at exit failed", e);
            }
        }
        synchronized (SegmentLedger.class) {
            if (ledger == null && FAMILIES.isEmpty()) { // nothing was ever created: no table to load or wait for
                exiting = true;
                return;
            }
        }
        Map<String, String> names;
        synchronized (SegmentTable.lock()) { // no create can be between its ledger line and its file now
            synchronized (SegmentLedger.class) {
                exiting = true;
                names = new LinkedHashMap<>(LIVE);
                LIVE.clear();
            }
        }
        names.forEach(SegmentLedger::deleteIfSame);
        Map<String, long[]> families;
        synchronized (SegmentLedger.class) {
            families = new LinkedHashMap<>(FAMILIES);
        }
        deleteFamilies(families);
        synchronized (SegmentLedger.class) {
            if (ledger != null) {
                try {
                    ledger.close();
                } catch (IOException ignored) {
                    // the file is deleted next in any case
                }
                MappedSegment.deleteQuietly(ledgerPath());
            }
        }
    }
}

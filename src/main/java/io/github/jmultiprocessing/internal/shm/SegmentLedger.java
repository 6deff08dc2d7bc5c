package io.github.jmultiprocessing.internal.shm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The record of the segments this JVM created, so that nothing leaks.
 *
 * <p>Implementation notes. Each JVM that creates a tracked segment keeps a ledger file
 * {@code jmp-ledger-<pid>-<startMillis>} beside the segments, with one line per event: {@code +name} before the
 * segment's file is created, {@code -name} after it is unlinked. At normal exit a shutdown hook unlinks what is
 * still listed and deletes the ledger. A JVM killed with {@code kill -9} leaves its ledger behind; the first use of
 * the library in any later JVM ({@link #reapStale}) finds ledgers whose process is gone (pid absent, or present
 * with another start time) and unlinks what they list. Only this JVM appends to its ledger; the file holds names
 * only, never data.
 */
public final class SegmentLedger {

    private static final String PREFIX = "jmp-ledger-";

    private static final Set<String> LIVE = new LinkedHashSet<>(); // guarded by SegmentLedger.class
    private static final List<Runnable> BEFORE_EXIT = new CopyOnWriteArrayList<>();
    private static FileChannel ledger; // guarded by SegmentLedger.class; opened on first record
    private static boolean exiting; // guarded by SegmentLedger.class

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(SegmentLedger::exit, "jmultiprocessing-exit"));
    }

    private SegmentLedger() {
    }

    /**
     * Registers an action to run at normal JVM exit before this JVM's segments are unlinked (joining child
     * processes that still use them, for example).
     *
     * @param action the action; exceptions it throws are printed and ignored
     */
    public static void beforeExit(Runnable action) {
        BEFORE_EXIT.add(action);
    }

    /** {@return the ledger file of this JVM (it exists only once something was recorded)} */
    public static Path ledgerPath() {
        return ShmDirectory.directory().resolve(PREFIX + ProcessIdentity.pid() + "-" + ProcessIdentity.startMillis());
    }

    static synchronized void recordCreated(String name) {
        if (exiting) {
            throw new IllegalStateException("cannot create segment " + name + " (expected a JVM that is not exiting)");
        }
        append('+', name);
        LIVE.add(name);
    }

    static synchronized void recordRemoved(String name) {
        if (LIVE.remove(name)) {
            append('-', name);
        }
    }

    /**
     * Unlinks the segments of ledgers whose process is gone, and those ledgers. Runs when a JVM first uses
     * segments and when a child JVM starts; safe to run concurrently.
     */
    public static void reapStale() {
        List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> ledgers = Files.newDirectoryStream(ShmDirectory.directory(), PREFIX + "*")) {
            for (Path path : ledgers) {
                if (isStale(path.getFileName().toString())) {
                    stale.add(path);
                }
            }
        } catch (IOException | RuntimeException e) {
            return; // nothing to reap, or no directory: never a reason to fail the caller
        }
        for (Path path : stale) {
            try {
                for (String name : readLive(path)) {
                    MappedSegment.deleteQuietly(ShmDirectory.directory().resolve(name));
                }
            } catch (IOException | RuntimeException e) {
                continue; // another JVM reaped it first
            }
            MappedSegment.deleteQuietly(path);
        }
    }

    /**
     * The names a ledger still lists as created and not unlinked.
     *
     * @param path a ledger file
     * @return the live names, in creation order
     * @throws IOException if it cannot be read
     */
    static Set<String> readLive(Path path) throws IOException {
        Set<String> live = new LinkedHashSet<>();
        for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
            if (line.length() < 2) {
                continue;
            }
            String name = line.substring(1);
            try {
                ShmDirectory.checkName(name);
            } catch (IllegalArgumentException e) {
                continue; // a torn or foreign line: never delete outside the directory
            }
            if (line.charAt(0) == '+') {
                live.add(name);
            } else if (line.charAt(0) == '-') {
                live.remove(name);
            }
        }
        return live;
    }

    private static boolean isStale(String fileName) {
        String[] parts = fileName.substring(PREFIX.length()).split("-");
        if (parts.length != 2) {
            return false;
        }
        long pid;
        long start;
        try {
            pid = Long.parseLong(parts[0]);
            start = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return false;
        }
        if (pid == ProcessIdentity.pid()) {
            return start != ProcessIdentity.startMillis();
        }
        return !ProcessIdentity.isAlive(pid, start);
    }

    private static void append(char op, String name) {
        byte[] line = (op + name + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (ledger == null) {
                ledger = FileChannel.open(ledgerPath(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
            }
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                ledger.write(buffer);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot record segment " + name + " in " + ledgerPath() + ": " + e, e);
        }
    }

    private static void exit() {
        for (Runnable action : BEFORE_EXIT) {
            try {
                action.run();
            } catch (RuntimeException e) {
                e.printStackTrace();
            }
        }
        List<String> names;
        synchronized (SegmentLedger.class) {
            exiting = true;
            names = new ArrayList<>(LIVE);
            LIVE.clear();
        }
        for (String name : names) {
            MappedSegment.deleteQuietly(ShmDirectory.directory().resolve(name));
        }
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

package io.github.jmultiprocessing.internal.shm;

import io.github.jmultiprocessing.SharedArray;
import io.github.jmultiprocessing.SharedMemory;
import io.github.jmultiprocessing.SharedQueue;
import io.github.jmultiprocessing.SharedValue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The subject of {@link OutOfSpaceIT}: run in a JVM whose segment directory ({@code -Djmultiprocessing.shm.dir})
 * is a small tmpfs of its own, it fills that file system and reports, one line per step, what each use of shared
 * memory did: {@code ok}, or the class and message of what it threw (an {@code InternalError} there is the
 * {@code SIGBUS} of a write to a page the file system could not supply).
 *
 * <p>Arguments: {@code create}, {@code queue} or {@code readonly}. Ends with the line {@code done}.
 */
public final class OutOfSpaceMain {

    private static final long MIB = 1 << 20;
    private static final int MESSAGE = 16 * 1024;
    private static int fillers;

    private OutOfSpaceMain() {
    }

    /** A step that may throw anything. */
    private interface Step {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        System.out.println("backing=" + backing());
        switch (args[0]) {
            case "create" -> create();
            case "queue" -> queue();
            case "readonly" -> readOnly();
            default -> throw new IllegalArgumentException("scenario=" + args[0]);
        }
        System.out.println("done");
    }

    /** Creation of a segment, an array's own arena and a heap arena, each larger than the room left. */
    private static void create() throws IOException {
        leaveFree(2 * MIB);
        step("shm", () -> {
            try (SharedMemory shm = SharedMemory.create(4 * MIB)) {
                shm.segment().fill((byte) 1); // every page: the old sparse segment faults here
                shm.unlink();
            }
        });
        step("array", () -> {
            SharedArray array = SharedArray.of('d', new double[500_000]); // 4 MB: an arena of its own
            for (int i = 0; i < array.length(); i++) {
                array.setDouble(i, i);
            }
        });
        leaveFree(MIB + MIB / 2); // room for one heap arena, not two
        List<SharedValue> values = new ArrayList<>(); // all kept: none may be freed and its block reused
        step("values", () -> {
            try {
                for (int i = 0; i < 1_000_000; i++) {
                    SharedValue value = SharedValue.of('q', (long) i);
                    value.set((long) i + 1);
                    values.add(value);
                }
            } finally {
                System.out.println("values made: " + values.size());
            }
        });
        step("values still readable", () -> {
            for (int i = 0; i < values.size(); i++) {
                if (((Number) values.get(i).get()).longValue() != i + 1) {
                    throw new AssertionError("value " + i + " = " + values.get(i).get());
                }
            }
        });
        System.out.println("segments left: " + segments());
    }

    /** Puts until the queue cannot grow, then shows it still works. */
    private static void queue() throws Exception {
        SharedQueue<byte[]> queue = new SharedQueue<>();
        leaveFree(3 * MIB);
        int n = 0;
        try {
            for (; n < 10_000; n++) {
                queue.put(message(n));
            }
            System.out.println("put: ok");
        } catch (Throwable e) {
            System.out.println("put: " + e);
        }
        System.out.println("puts before the failure: " + n);
        step("put again while full", () -> queue.put(message(-1)));
        System.out.println("size after the failures: " + queue.size());
        removeFillers();
        int last = n;
        step("put after space was freed", () -> queue.put(message(last)));
        step("take all", () -> {
            for (int i = 0; i <= last; i++) {
                byte[] taken = queue.poll(10, TimeUnit.SECONDS);
                if (taken == null || !ByteBuffer.wrap(taken).equals(ByteBuffer.wrap(message(i)))) {
                    throw new AssertionError("message " + i + " of " + (last + 1) + " missing or wrong");
                }
            }
            System.out.println("taken in order: " + (last + 1));
        });
        System.out.println("empty at the end: " + (queue.poll() == null));
        queue.close();
    }

    /** Creation in a read-only directory. */
    private static void readOnly() {
        step("value", () -> SharedValue.of('i', 0));
        step("untracked shm", () -> SharedMemory.create("jmp-test-ro", 100, false));
        step("queue", () -> new SharedQueue<Integer>().close());
    }

    /** {@return how segments are backed here} Read reflectively: the test also runs on code without backing. */
    private static String backing() {
        try {
            var field = Class.forName(OutOfSpaceMain.class.getPackageName() + ".SegmentBacking")
                    .getDeclaredField("NATIVE");
            field.setAccessible(true);
            return field.getBoolean(null) ? "posix_fallocate" : "writes";
        } catch (ReflectiveOperationException e) {
            return "none (" + e + ")";
        }
    }

    private static long freeSpace() throws IOException {
        return Files.getFileStore(ShmDirectory.directory()).getUsableSpace();
    }

    private static byte[] message(int index) {
        byte[] bytes = new byte[MESSAGE];
        ByteBuffer.wrap(bytes).putInt(index).putInt(MESSAGE - 8, ~index);
        bytes[MESSAGE / 2] = (byte) index;
        return bytes;
    }

    private static void step(String label, Step step) {
        try {
            step.run();
            System.out.println(label + ": ok");
        } catch (Throwable e) { // an InternalError (SIGBUS) is reported like any other outcome
            System.out.println(label + ": " + e);
        }
    }

    /** Writes a filler file (its pages allocated) so that about {@code bytes} stay free in the directory. */
    private static void leaveFree(long bytes) throws IOException {
        long fill = freeSpace() - bytes;
        if (fill <= 0) {
            return;
        }
        Path filler = ShmDirectory.directory().resolve("filler-" + fillers++);
        try (FileChannel channel = FileChannel.open(filler, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
            for (long position = 0; position < fill; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), fill - position));
                position += channel.write(zeros, position);
            }
        }
        System.out.println("free after filling: " + freeSpace());
    }

    private static void removeFillers() throws IOException {
        for (int i = 0; i < fillers; i++) {
            Files.deleteIfExists(ShmDirectory.directory().resolve("filler-" + i));
        }
    }

    /** {@return the names of the segment files in the directory (no fillers, no ledger)} */
    private static List<String> segments() throws IOException {
        try (Stream<Path> files = Files.list(ShmDirectory.directory())) {
            return files.map(p -> p.getFileName().toString())
                    .filter(name -> !name.startsWith("filler-") && !name.startsWith("jmp-ledger-"))
                    .sorted().toList();
        }
    }
}

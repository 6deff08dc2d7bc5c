package io.github.jmultiprocessing.internal.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.JavaMain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12 section 5: a segment directory without room (or read-only) is an {@code UncheckedIOException} at
 * creation naming the directory, its free space, the size and the property, never a {@code SIGBUS}. Each case
 * runs {@link OutOfSpaceMain} in a JVM of its own whose segment directory is a small tmpfs mounted in a private
 * mount namespace ({@code unshare -m}): the real {@code /dev/shm}, shared with everything else on the machine, is
 * never filled, and the mount ends with that JVM. Cases run with native access ({@code posix_fallocate}) and
 * without (zeros written).
 */
@EnabledOnOs(OS.LINUX)
class OutOfSpaceIT {

    private static final String PROPERTY = "jmultiprocessing.shm.dir";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern FREE = Pattern.compile("free=(\\d+) bytes");
    private static List<String> unshare; // the unshare command that can mount here, found once

    @TempDir
    Path mountPoint;

    @ParameterizedTest(name = "native access {0}")
    @ValueSource(booleans = {true, false})
    void shouldFailCreationNamingDirectoryFreeSpaceSizeAndPropertyWhenTheDirectoryIsFull(boolean nativeAccess)
            throws Exception {
        String out = run("size=8m", nativeAccess, "create");

        String shm = line(out, "shm");
        assertTrue(shm.startsWith("java.io.UncheckedIOException: cannot create shared memory segment"), out);
        assertNamesDirectoryAndProperty(shm, out);
        assertTrue(shm.contains("size=" + (4 << 20) + " bytes"), shm);
        long free = free(shm);
        assertTrue(free > (1 << 20) && free < (4 << 20), "free=" + free + " (expected about 2 MiB) in " + shm);

        String array = line(out, "array");
        assertTrue(array.startsWith("java.io.UncheckedIOException: cannot create shared memory segment jmp-heap-"),
                out);
        assertNamesDirectoryAndProperty(array, out);
        assertTrue(free(array) < 4_000_000, array);

        // Small objects work until the heap needs an arena the directory has no room for.
        String values = line(out, "values");
        assertTrue(values.startsWith("java.io.UncheckedIOException: cannot create shared memory segment jmp-heap-"),
                out);
        assertTrue(values.contains("size=" + SharedHeap.ARENA_SIZE + " bytes"), values);
        assertNamesDirectoryAndProperty(values, out);
        assertTrue(Integer.parseInt(line(out, "values made")) > 1000, out);
        assertEquals("ok", line(out, "values still readable"), out);
        // Failed creations leave no file: only the one arena that fitted is there.
        String left = line(out, "segments left");
        assertTrue(left.matches("\\[jmp-heap-[0-9a-f-]+\\]"), out);
        assertNoFault(out, nativeAccess);
    }

    @ParameterizedTest(name = "native access {0}")
    @ValueSource(booleans = {true, false})
    void shouldFailOnlyThePutThatNeedsANewRingAndKeepTheQueueUsable(boolean nativeAccess) throws Exception {
        String out = run("size=8m", nativeAccess, "queue");

        String put = line(out, "put");
        assertTrue(put.startsWith("java.io.UncheckedIOException: cannot create shared memory segment jmp-queue-"),
                out);
        assertNamesDirectoryAndProperty(put, out);
        int puts = Integer.parseInt(line(out, "puts before the failure"));
        assertTrue(puts > 50, out); // several rings were chained before the directory ran out
        String again = line(out, "put again while full");
        assertTrue(again.startsWith("java.io.UncheckedIOException: cannot create shared memory segment"), out);
        assertEquals(String.valueOf(puts), line(out, "size after the failures"), out);
        assertEquals("ok", line(out, "put after space was freed"), out);
        assertEquals("ok", line(out, "take all"), out);
        assertEquals(String.valueOf(puts + 1), line(out, "taken in order"), out);
        assertEquals("true", line(out, "empty at the end"), out);
        assertNoFault(out, nativeAccess);
    }

    @Test
    void shouldNameThePropertyWhenTheDirectoryIsReadOnly() throws Exception {
        String out = run("size=1m,ro", true, "readonly");
        for (String step : List.of("value", "untracked shm", "queue")) {
            String result = line(out, step);
            assertTrue(result.startsWith("java.io.UncheckedIOException: cannot create shared memory"), out);
            assertTrue(result.contains("Read-only file system"), result);
            assertNamesDirectoryAndProperty(result, out);
            assertFalse(result.contains("ledger"), result);
        }
        assertNoFault(out, true);
    }

    // ---- helpers

    private String run(String mountOptions, boolean nativeAccess, String scenario) throws Exception {
        List<String> launcher = new ArrayList<>(unshare());
        launcher.addAll(List.of("sh", "-c", "mount -t tmpfs -o " + mountOptions + " jmp-test \"$0\" && exec \"$@\"",
                mountPoint.toString()));
        try (JavaMain child = JavaMain.start(launcher, nativeAccess, List.of("-D" + PROPERTY + "=" + mountPoint),
                OutOfSpaceMain.class, scenario)) {
            int status = child.waitFor(TIMEOUT);
            String out = child.output();
            assertEquals(0, status, out);
            assertTrue(out.contains("\ndone\n"), out);
            return out;
        }
    }

    /** {@return the unshare command that mounts a tmpfs here, or aborts the test saying why there is none} */
    private static synchronized List<String> unshare() throws Exception {
        if (unshare == null) {
            List<String> tried = new ArrayList<>();
            for (List<String> candidate : List.of(List.of("unshare", "-m"), List.of("unshare", "-r", "-m"))) {
                Path probe = Files.createTempDirectory("jmp-mount-probe");
                try {
                    List<String> command = new ArrayList<>(candidate);
                    command.addAll(List.of("sh", "-c", "mount -t tmpfs -o size=1m jmp-test \"$0\" && touch \"$0/x\"",
                            probe.toString()));
                    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                        tried.add(candidate + ": still running after 10 s");
                    } else if (process.exitValue() == 0 && !Files.exists(probe.resolve("x"))) {
                        unshare = candidate; // mounted, and only in its own namespace
                        break;
                    } else {
                        tried.add(candidate + ": exit " + process.exitValue() + " " + output.strip());
                    }
                } catch (IOException e) {
                    tried.add(candidate + ": " + e.getMessage());
                } finally {
                    Files.deleteIfExists(probe.resolve("x"));
                    Files.delete(probe);
                }
            }
            Assumptions.assumeTrue(unshare != null, "cannot mount a small tmpfs in a private mount namespace here"
                    + " (needs unshare(1) and root or unprivileged user namespaces): " + tried);
        }
        return unshare;
    }

    /** {@return what the child printed for a step: the text after "label: "} */
    private static String line(String out, String label) {
        for (String line : out.split("\n")) {
            if (line.startsWith(label + ": ")) {
                return line.substring(label.length() + 2);
            }
        }
        throw new AssertionError("no line '" + label + ": ...' in:\n" + out);
    }

    private void assertNamesDirectoryAndProperty(String message, String out) {
        assertTrue(message.contains(" in " + mountPoint + ":"), "directory " + mountPoint + " not named: " + out);
        assertTrue(message.contains("free="), message);
        assertTrue(message.contains(PROPERTY), message);
    }

    private static long free(String message) {
        Matcher m = FREE.matcher(message);
        assertTrue(m.find(), message);
        return Long.parseLong(m.group(1));
    }

    private static void assertNoFault(String out, boolean nativeAccess) {
        assertFalse(out.contains("InternalError"), out);
        assertFalse(out.contains("fault occurred"), out);
        assertTrue(out.startsWith("backing=" + (nativeAccess ? "posix_fallocate" : "writes") + "\n"), out);
    }
}

package examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs each program of the tour as a newcomer does (its own JVM, the library's flags, the module's class path) and
 * checks what it prints; and keeps the tour small: every program under 40 lines, each named in README's tour.
 */
class TourIT {

    private static final List<String> TOUR = List.of("Processes", "SharedValues", "QueuesAndPipes", "Pools",
            "Managers", "OnACluster");

    /** {@return what the program printed (stdout and stderr)}, after checking it exited with 0 */
    private static String run(String example) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String flags = System.getProperty("jmp.example.flags", "--enable-native-access=ALL-UNNAMED");
        for (String flag : flags.split("\\s+")) {
            if (!flag.isEmpty()) {
                command.add(flag);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "examples." + example));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[][] output = new byte[1][];
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                output[0] = process.getInputStream().readAllBytes();
            } catch (IOException e) {
                output[0] = e.toString().getBytes(StandardCharsets.UTF_8);
            }
        });
        boolean ended = process.waitFor(3, TimeUnit.MINUTES);
        if (!ended) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        reader.join(TimeUnit.SECONDS.toMillis(30));
        String printed = output[0] == null ? "" : new String(output[0], StandardCharsets.UTF_8);
        assertTrue(ended, example + " did not end within 3 minutes: " + printed);
        assertEquals(0, process.exitValue(), example + " printed:\n" + printed);
        return printed;
    }

    /** Asserts each text is printed, in this order (a relayed child's line may come between two of them). */
    private static void assertPrints(String printed, String... texts) {
        int at = 0;
        for (String text : texts) {
            int found = printed.indexOf(text, at);
            assertTrue(found >= 0, "expected \"" + text + "\" after position " + at + " in:\n" + printed);
            at = found + text.length();
        }
    }

    @Test
    void processes() throws Exception {
        assertPrints(run("Processes"), "hello bob from greeter (a child JVM: pid ", "greeter exit code 0",
                "a child's exception", "failing exit code 1", "terminated exit code -15");
    }

    @Test
    void sharedValues() throws Exception {
        assertPrints(run("SharedValues"), "counter 4000", "numbers [0.0, 8.0, 16.0]");
    }

    @Test
    void queuesAndPipes() throws Exception {
        assertPrints(run("QueuesAndPipes"), "got 1\n", "got 4\n", "got 9\n", "got 16\n", "got 25\n",
                "HELLO THROUGH A PIPE");
    }

    @Test
    void pools() throws Exception {
        assertPrints(run("Pools"), "map [0, 1, 8, 27, 64, 125, 216, 343, 512, 729]",
                "apply_async ran in a worker, pid ", "imap 1\n", "imap 2\n", "imap 3\n", "submit 42");
    }

    @Test
    void managers() throws Exception {
        assertPrints(run("Managers"), "scores {total=30}", "log entries 3");
    }

    @Test
    void onACluster() throws Exception {
        assertPrints(run("OnACluster"), "cluster map [0, 1, 8, 27, 64, 125, 216, 343, 512, 729]",
                "apply ran on a node, pid ");
    }

    @Test
    void shouldKeepEachProgramShortAndListedInTheReadme() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        List<String> found = new ArrayList<>();
        try (var files = Files.list(Path.of("src/main/java/examples"))) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString().replace(".java", "");
                found.add(name);
                long lines = Files.readAllLines(file).size();
                assertTrue(lines < 40, name + " has " + lines + " lines (the tour keeps each under 40)");
                assertTrue(readme.contains("examples/src/main/java/examples/" + name + ".java"),
                        "README's tour names " + name);
            }
        }
        assertEquals(TOUR.stream().sorted().toList(), found, "the tour's programs, each with a test here");
    }
}

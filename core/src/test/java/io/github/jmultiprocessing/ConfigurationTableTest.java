package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * README's configuration table lists every system property the library reads ({@code jmultiprocessing.*} in the
 * sources of {@code core} and {@code ignite}), and nothing else; the fault suite's test-only hooks
 * ({@code jmultiprocessing.test.*}) are not configuration.
 */
class ConfigurationTableTest {

    private static final Pattern LITERAL = Pattern.compile("\"(jmultiprocessing\\.[A-Za-z.]+)\"");
    private static final Pattern ROW = Pattern.compile("(?m)^\\| `(jmultiprocessing\\.[A-Za-z.]+)` \\|");

    @Test
    void shouldListEveryPropertyTheCodeReads() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent(); // the tests run in core/
        String readme = Files.readString(root.resolve("README.md"));
        int start = readme.indexOf("\n## Configuration\n");
        assertTrue(start >= 0, "README has a Configuration section");
        int end = readme.indexOf("\n## ", start + 1);
        Set<String> documented = new TreeSet<>();
        Matcher row = ROW.matcher(readme.substring(start, end < 0 ? readme.length() : end));
        while (row.find()) {
            documented.add(row.group(1));
        }
        Set<String> read = new TreeSet<>();
        for (String module : new String[] {"core", "ignite"}) {
            Path sources = root.resolve(module).resolve("src/main/java");
            if (!Files.isDirectory(sources)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(sources)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher literal = LITERAL.matcher(Files.readString(file));
                    while (literal.find()) {
                        if (!literal.group(1).startsWith("jmultiprocessing.test.")) {
                            read.add(literal.group(1));
                        }
                    }
                }
            }
        }
        assertTrue(read.size() >= 10, "the scan found the properties: " + read);
        assertEquals(read, documented, "README's configuration table against the properties the code reads");
    }
}

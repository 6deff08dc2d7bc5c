package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.config.Configuration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The configuration is in one place: every system property the library reads is a constant of
 * {@link Configuration}, the only source file that names one ({@code "jmultiprocessing.*"} in the sources of
 * {@code core} and {@code ignite}; the fault suite's test-only hooks, {@code jmultiprocessing.test.*}, are not
 * configuration), and README's configuration table and the public package's overview list exactly those.
 */
class ConfigurationTableTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent(); // the tests run in core/
    private static final Pattern LITERAL = Pattern.compile("\"(jmultiprocessing\\.[A-Za-z.]+)");
    private static final Pattern README_ROW = Pattern.compile("(?m)^\\| `(jmultiprocessing\\.[A-Za-z.]+)` \\|");
    private static final Pattern OVERVIEW_ROW = Pattern.compile("<tr><td>\\{@code (jmultiprocessing\\.[A-Za-z.]+)\\}");

    private static Set<String> declared() {
        Set<String> names = new TreeSet<>();
        for (Configuration setting : Configuration.values()) {
            names.add(setting.property());
        }
        return names;
    }

    @Test
    void shouldReadEveryPropertyInConfigurationOnly() throws IOException {
        List<String> elsewhere = new ArrayList<>();
        Set<String> named = new TreeSet<>();
        for (String module : new String[] {"core", "ignite"}) {
            Path sources = ROOT.resolve(module).resolve("src/main/java");
            if (!Files.isDirectory(sources)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(sources)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher literal = LITERAL.matcher(Files.readString(file));
                    while (literal.find()) {
                        if (literal.group(1).startsWith("jmultiprocessing.test.")) {
                            continue;
                        }
                        named.add(literal.group(1));
                        if (!file.getFileName().toString().equals("Configuration.java")) {
                            elsewhere.add(ROOT.relativize(file) + ": " + literal.group(1));
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), elsewhere, "property names outside internal.config.Configuration");
        assertEquals(declared(), named, "Configuration's constants against the names in its source");
        assertTrue(named.size() >= 10, "the scan found the properties: " + named);
    }

    @Test
    void shouldListEveryPropertyInTheReadme() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int start = readme.indexOf("\n## Configuration\n");
        assertTrue(start >= 0, "README has a Configuration section");
        int end = readme.indexOf("\n## ", start + 1);
        assertEquals(declared(), found(README_ROW, readme.substring(start, end < 0 ? readme.length() : end)),
                "README's configuration table against Configuration's constants");
    }

    @Test
    void shouldListEveryPropertyInThePackageOverview() throws IOException {
        String overview = Files.readString(
                ROOT.resolve("core/src/main/java/io/github/jmultiprocessing/package-info.java"));
        assertEquals(declared(), found(OVERVIEW_ROW, overview),
                "the public package overview's configuration table against Configuration's constants");
    }

    private static Set<String> found(Pattern row, String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = row.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}

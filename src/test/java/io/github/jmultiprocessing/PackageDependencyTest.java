package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** DESIGN.md section 2: dependencies between the library's packages point one way. */
class PackageDependencyTest {

    private static final String ROOT = "io.github.jmultiprocessing";
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.github\\.jmultiprocessing(?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");

    /** What each internal package may use of ours, besides itself. */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "internal.shm", Set.of(),
            "internal.codec", Set.of(),
            "internal.sync", Set.of("internal.shm"),
            "internal.ring", Set.of("internal.shm", "internal.sync"),
            "internal.spawn", Set.of("internal.shm", "internal.sync", "internal.codec"),
            "internal.pool", Set.of("internal.shm", "internal.sync", "internal.codec", "internal.ring", "internal.spawn"),
            "internal.manager", Set.of("internal.shm", "internal.sync", "internal.codec", "internal.ring",
                    "internal.spawn"));

    @Test
    void shouldPointDependenciesOneWay() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
                if (!pkg.startsWith(ROOT + ".internal")) {
                    continue;
                }
                String own = pkg.substring(ROOT.length() + 1);
                Set<String> allowed = ALLOWED.get(own);
                if (allowed == null) {
                    violations.add(file + ": package " + own + " is not in DESIGN.md's list");
                    continue;
                }
                Matcher m = REFERENCE.matcher(Files.readString(file));
                while (m.find()) {
                    String used = m.group(1).equals(ROOT) ? "" : m.group(1).substring(ROOT.length() + 1);
                    if (!used.equals(own) && !allowed.contains(used)) {
                        violations.add(file + " uses " + (used.isEmpty() ? "the public package" : used));
                    }
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void shouldExportOnlyThePublicPackage() throws IOException {
        String moduleInfo = Files.readString(SOURCES.resolve("module-info.java"));
        List<String> exports = Pattern.compile("exports\\s+([\\w.]+)").matcher(moduleInfo).results()
                .map(r -> r.group(1)).toList();
        assertEquals(List.of(ROOT), exports);
        assertTrue(Files.isDirectory(SOURCES.resolve("io/github/jmultiprocessing/internal")));
    }
}

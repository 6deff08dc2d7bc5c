package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every main type of the public packages (core's and the cluster backend's) shows its use: the class comment of
 * each public type that is not an exception holds a code example ({@code <pre>{@code ...}</pre>}).
 */
class JavadocExamplesTest {

    private static final List<Path> PACKAGES = List.of(Path.of("src/main/java/io/github/jmultiprocessing"),
            Path.of("../ignite/src/main/java/io/github/jmultiprocessing/ignite")); // the tests run in core/
    private static final Pattern DECLARATION = Pattern.compile(
            "(?s)/\\*\\*((?:(?!\\*/).)*)\\*/\\s*(?:@\\w+\\s*)*public (?:final |sealed |abstract |non-sealed )*"
                    + "(?:class|interface|record|enum) (\\w+)([^{]*)\\{");

    @Test
    void shouldShowAnExampleOnEveryMainType() throws IOException {
        List<String> without = new ArrayList<>();
        int checked = 0;
        List<Path> sources = new ArrayList<>();
        for (Path dir : PACKAGES) {
            try (var files = Files.list(dir)) {
                sources.addAll(files.filter(f -> f.toString().endsWith(".java")).sorted().toList());
            }
        }
        for (Path file : sources) {
            Matcher m = DECLARATION.matcher(Files.readString(file));
            if (!m.find()) {
                continue; // package-private companions, package-info
            }
            if (m.group(3).matches("(?s).*extends \\w*(Exception|Throwable)\\b.*")) {
                continue; // exceptions: thrown, not used
            }
            checked++;
            if (!m.group(1).contains("<pre>{@code")) {
                without.add(m.group(2));
            }
        }
        assertTrue(checked >= 50, "found the public types: " + checked);
        assertEquals(List.of(), without, "public types whose class comment shows no example");
    }
}

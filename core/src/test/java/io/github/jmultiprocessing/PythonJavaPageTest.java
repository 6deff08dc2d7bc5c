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
 * The javadoc overview's "Python -&gt; Java" page ({@code core/src/main/javadoc/overview.html}) holds README's
 * "Python -&gt; Java" table, row for row, and names every public type of the package. README is the source: after
 * changing its table, {@code mvn -q test -pl core -Dtest=PythonJavaPageTest -Djmp.rewriteOverview=true} writes the
 * page's table again.
 */
class PythonJavaPageTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent(); // the tests run in core/
    private static final Path PAGE = ROOT.resolve("core/src/main/javadoc/overview.html");
    private static final String BEGIN = "<!-- the table from README.md (PythonJavaPageTest) -->\n";
    private static final String END = "<!-- end of the table -->";
    private static final Pattern CODE = Pattern.compile("`([^`]*)`");
    private static final Pattern LINK = Pattern.compile("\\[([^\\]]*)\\]\\(#[^)]*\\)");

    /** {@return README's Python -> Java table as the page's HTML rows} */
    static String rowsFromReadme() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int start = readme.indexOf("\n## Python -> Java\n");
        assertTrue(start >= 0, "README has a Python -> Java section");
        List<String> rows = new ArrayList<>();
        boolean header = true;
        for (String line : readme.substring(start).split("\n")) {
            if (line.startsWith("|")) {
                if (line.startsWith("|---")) {
                    continue;
                }
                String[] cells = line.substring(1, line.length() - 1).split(" \\| ", -1);
                StringBuilder row = new StringBuilder("<tr>");
                for (String cell : cells) {
                    String tag = header ? "th" : "td";
                    row.append('<').append(tag).append('>').append(html(cell.strip())).append("</").append(tag)
                            .append('>');
                }
                rows.add(row.append("</tr>").toString());
                header = false;
            } else if (!rows.isEmpty()) {
                break;
            }
        }
        return String.join("\n", rows) + "\n";
    }

    private static String html(String markdown) {
        String text = LINK.matcher(markdown).replaceAll("$1");
        StringBuilder out = new StringBuilder();
        Matcher code = CODE.matcher(text);
        int at = 0;
        while (code.find()) {
            out.append(escape(text.substring(at, code.start()))).append("<code>").append(escape(code.group(1)))
                    .append("</code>");
            at = code.end();
        }
        return out.append(escape(text.substring(at))).toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("@", "&#64;")
                .replace("{", "&#123;").replace("}", "&#125;");
    }

    @Test
    void shouldHoldReadmesTable() throws IOException {
        String page = Files.readString(PAGE);
        int begin = page.indexOf(BEGIN);
        int end = page.indexOf(END);
        assertTrue(begin >= 0 && end > begin, "the page marks its table");
        String expected = rowsFromReadme();
        if (Boolean.getBoolean("jmp.rewriteOverview")) {
            Files.writeString(PAGE, page.substring(0, begin + BEGIN.length()) + expected + page.substring(end));
            page = Files.readString(PAGE);
            end = page.indexOf(END);
        }
        assertEquals(expected, page.substring(begin + BEGIN.length(), end),
                "overview.html against README's table: run this test with -Djmp.rewriteOverview=true to rewrite it");
    }

    @Test
    void shouldNameEveryPublicType() throws IOException {
        String page = Files.readString(PAGE);
        List<String> missing = new ArrayList<>();
        try (var files = Files.list(ROOT.resolve("core/src/main/java/io/github/jmultiprocessing"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String name = file.getFileName().toString().replace(".java", "");
                if (Files.readString(file).contains("\npublic ") && !page.contains(name)) {
                    missing.add(name);
                }
            }
        }
        assertEquals(List.of(), missing, "public types the Python -> Java page does not name");
    }
}

package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md section 2: the package rules. One exported package; below it two tiers of internal packages. A
 * <b>core</b> package uses only the core packages listed for it and never the public package; a <b>service</b>
 * package (the code that runs API objects: the pool's worker and dispatcher, the manager's served objects) may use
 * every core package and the public package's public types, as {@code java.util.concurrent.locks} and
 * {@code java.util.concurrent} use each other. Whatever the tiers allow, no cycle of files crosses a package
 * boundary: the arrows between files stay acyclic wherever they leave a package.
 */
class PackageDependencyTest {

    private static final String ROOT = "io.github.jmultiprocessing";
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern REFERENCE = Pattern.compile(
            "\\b(io\\.github\\.jmultiprocessing(?:\\.[a-z][a-z0-9]*)*)\\.([A-Z]\\w*)");

    /** What each core package may use of ours, besides itself: never the public package. */
    private static final Map<String, Set<String>> CORE = Map.of(
            "internal.config", Set.of(),
            "internal.shm", Set.of("internal.config"),
            "internal.codec", Set.of(),
            "internal.events", Set.of(),
            "internal.sync", Set.of("internal.config", "internal.shm", "internal.events"),
            "internal.ctypes", Set.of("internal.shm", "internal.sync"),
            "internal.ring", Set.of("internal.config", "internal.shm", "internal.sync"),
            "internal.queue", Set.of("internal.shm", "internal.sync", "internal.ring", "internal.events"),
            "internal.connection", Set.of("internal.shm", "internal.sync", "internal.ring", "internal.codec"),
            "internal.spawn", Set.of("internal.config", "internal.shm", "internal.sync", "internal.codec",
                    "internal.ctypes", "internal.events"));

    /** The service packages: every core package, and the public package's public types. */
    private static final Set<String> SERVICE = Set.of("internal.pool", "internal.manager");

    @Test
    void shouldKeepEachTierToWhatItMayUse() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Map.Entry<Path, String> source : sources().entrySet()) {
            String own = relative(source.getValue());
            if (!own.startsWith("internal")) {
                continue;
            }
            Set<String> allowed = CORE.get(own);
            if (allowed == null && !SERVICE.contains(own)) {
                violations.add(source.getKey() + ": package " + own + " is in neither tier (DESIGN.md section 2)");
                continue;
            }
            Matcher m = REFERENCE.matcher(code(source.getKey()));
            while (m.find()) {
                String used = relative(m.group(1));
                if (used.equals(own)) {
                    continue;
                }
                boolean ok = allowed != null ? allowed.contains(used)
                        : used.isEmpty() || CORE.containsKey(used);
                if (!ok) {
                    violations.add(source.getKey() + " (" + (allowed != null ? "core" : "service") + ") uses "
                            + (used.isEmpty() ? "the public package" : used));
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void shouldHaveNoCycleOfFilesAcrossPackages() throws IOException {
        Map<Path, String> sources = sources();
        Map<String, String> packageOf = new HashMap<>(); // qualified top-level name -> package
        Map<String, List<String>> simpleNames = new HashMap<>(); // package -> its top-level simple names
        for (Map.Entry<Path, String> source : sources.entrySet()) {
            String simple = source.getKey().getFileName().toString().replace(".java", "");
            if (simple.equals("package-info") || simple.equals("module-info")) {
                continue;
            }
            packageOf.put(source.getValue() + "." + simple, source.getValue());
            simpleNames.computeIfAbsent(source.getValue(), k -> new ArrayList<>()).add(simple);
        }
        Map<String, Set<String>> arrows = new TreeMap<>();
        for (Map.Entry<Path, String> source : sources.entrySet()) {
            String simple = source.getKey().getFileName().toString().replace(".java", "");
            String self = source.getValue() + "." + simple;
            if (!packageOf.containsKey(self)) {
                continue;
            }
            String code = code(source.getKey());
            Set<String> to = new TreeSet<>();
            Matcher m = REFERENCE.matcher(code);
            while (m.find()) {
                String target = m.group(1) + "." + m.group(2);
                if (packageOf.containsKey(target)) {
                    to.add(target);
                }
            }
            for (String other : simpleNames.getOrDefault(source.getValue(), List.of())) {
                if (!other.equals(simple) && Pattern.compile("\\b" + other + "\\b").matcher(code).find()) {
                    to.add(source.getValue() + "." + other);
                }
            }
            to.remove(self);
            arrows.put(self, to);
        }
        List<String> violations = new ArrayList<>();
        for (Set<String> component : stronglyConnected(arrows)) {
            Set<String> packages = new TreeSet<>();
            component.forEach(file -> packages.add(relative(packageOf.get(file))));
            if (packages.size() > 1) {
                violations.add("files in a cycle across packages " + packages + ": " + component);
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void shouldExportOnlyThePublicPackage() throws IOException {
        String moduleInfo = Files.readString(SOURCES.resolve("module-info.java"));
        List<String> exports = Pattern.compile("exports\\s+([\\w.]+)\\s*;").matcher(moduleInfo).results()
                .map(r -> r.group(1)).toList();
        assertEquals(List.of(ROOT), exports);
        // qualified: only the JFR events, to JFR
        List<String> qualified = Pattern.compile("exports\\s+([\\w.]+)\\s+to\\s+([\\w.]+)\\s*;").matcher(moduleInfo)
                .results().map(r -> r.group(1) + " to " + r.group(2)).toList();
        assertEquals(List.of(ROOT + ".internal.events to jdk.jfr"), qualified);
        assertTrue(Files.isDirectory(SOURCES.resolve("io/github/jmultiprocessing/internal")));
    }

    /** {@return every main source file with its package, in a stable order} */
    private static Map<Path, String> sources() throws IOException {
        Map<Path, String> sources = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                sources.put(file, SOURCES.relativize(file.getParent()).toString().replace('/', '.'));
            }
        }
        return sources;
    }

    /** {@return a package's name below the root ("" for the public package; in parentheses outside it)} */
    private static String relative(String pkg) {
        return pkg.equals(ROOT) ? "" : pkg.startsWith(ROOT + ".") ? pkg.substring(ROOT.length() + 1) : "(" + pkg + ")";
    }

    /** {@return a file's code without comments and string literals: their words are not arrows} */
    private static String code(Path file) throws IOException {
        return Files.readString(file)
                .replaceAll("(?s)/\\*.*?\\*/", " ")
                .replaceAll("//[^\\n]*", " ")
                .replaceAll("\"(?:\\\\.|[^\"\\\\\\n])*\"", "\"\"");
    }

    /** Tarjan's algorithm, iterative; {@return the strongly connected components with more than one file} */
    private static List<Set<String>> stronglyConnected(Map<String, Set<String>> arrows) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new java.util.HashSet<>();
        List<Set<String>> components = new ArrayList<>();
        int[] counter = {0};
        for (String start : arrows.keySet()) {
            if (index.containsKey(start)) {
                continue;
            }
            Deque<Map.Entry<String, java.util.Iterator<String>>> work = new ArrayDeque<>();
            index.put(start, counter[0]);
            low.put(start, counter[0]++);
            stack.push(start);
            onStack.add(start);
            work.push(Map.entry(start, arrows.getOrDefault(start, Set.of()).iterator()));
            while (!work.isEmpty()) {
                String node = work.peek().getKey();
                java.util.Iterator<String> next = work.peek().getValue();
                if (next.hasNext()) {
                    String to = next.next();
                    if (!arrows.containsKey(to)) {
                        continue;
                    }
                    if (!index.containsKey(to)) {
                        index.put(to, counter[0]);
                        low.put(to, counter[0]++);
                        stack.push(to);
                        onStack.add(to);
                        work.push(Map.entry(to, arrows.get(to).iterator()));
                    } else if (onStack.contains(to)) {
                        low.put(node, Math.min(low.get(node), index.get(to)));
                    }
                    continue;
                }
                work.pop();
                if (!work.isEmpty()) {
                    String parent = work.peek().getKey();
                    low.put(parent, Math.min(low.get(parent), low.get(node)));
                }
                if (low.get(node).equals(index.get(node))) {
                    Set<String> component = new TreeSet<>();
                    String member;
                    do {
                        member = stack.pop();
                        onStack.remove(member);
                        component.add(member);
                    } while (!member.equals(node));
                    if (component.size() > 1) {
                        components.add(component);
                    }
                }
            }
        }
        return components;
    }
}

package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.examples.RealUse;
import io.github.jmultiprocessing.testing.IsolatedLauncher;
import io.github.jmultiprocessing.testing.JavaMain;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import jdk.jshell.JShell;
import jdk.jshell.SnippetEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Child JVMs wherever a Java program runs: the program's classes and the library in a class loader of their own
 * (as under {@code mvn exec:java} or in an application's plugin loader), classes that exist only in memory (jshell,
 * {@code java Main.java}) refused in the parent, and a child that cannot boot reported with its own words.
 */
class ClassLoadersIT {

    private static final String LIBRARY_AND_PROGRAM = Path.of("target/classes").toAbsolutePath() + File.pathSeparator
            + Path.of("target/test-classes").toAbsolutePath();

    @ParameterizedTest
    @ValueSource(strings = {"exec", "plugin"})
    void shouldRunProcessesPoolsAndManagersFromTheProgramsOwnClassLoader(String mode, @TempDir Path dir)
            throws Exception {
        Path launcher = launcherOnly(dir);
        try (JavaMain program = JavaMain.start(launcher.toString(), List.of(), IsolatedLauncher.class, mode,
                LIBRARY_AND_PROGRAM, RealUse.class.getName())) {
            assertEquals(0, program.waitFor(Duration.ofSeconds(120)), program.output());
            String output = program.output();
            assertTrue(output.contains("value=3000 exit codes=[0, 0, 0]"), output);
            assertTrue(output.contains("pool=[1, 8, 27]"), output);
            assertTrue(output.contains("manager={k=42}"), output);
            // nothing of the library outlives the program in its thread group: mvn exec:java waits 15 s for those
            assertTrue(output.contains("lingering=[]"), output);
            assertFalse(output.contains("Could not find or load main class"), output);
        }
    }

    @Test
    void shouldRefuseAJshellSnippetsTargetInTheParent() {
        try (JShell shell = JShell.builder().executionEngine("local").build()) {
            shell.addToClasspath(Path.of("target/classes").toAbsolutePath().toString());
            eval(shell, "import io.github.jmultiprocessing.*;");
            eval(shell, "var p = new JvmProcess(() -> System.out.println(\"hi\"));");
            String started = eval(shell, "p.start();");
            assertTrue(started.contains("IllegalArgumentException") && started.contains("REPL.")
                    && started.contains("exists only in this JVM's memory")
                    && started.contains("'thread' start method"), started);
            eval(shell, "var pool = new ProcessPool(1);");
            try {
                String applied = eval(shell, "pool.apply(() -> 6 * 7);");
                assertTrue(applied.contains("IllegalArgumentException") && applied.contains("REPL.")
                        && applied.contains("exists only in this JVM's memory"), applied);
                eval(shell, "var t = Multiprocessing.getContext(\"thread\").process(() -> {});");
                eval(shell, "t.start();");
                eval(shell, "t.join();");
                String threaded = eval(shell, "t.exitCode().getAsInt()");
                assertTrue(threaded.endsWith("=0"), threaded);
            } finally {
                eval(shell, "pool.close();");
            }
        }
    }

    /** {@return what a snippet gave: its value, or its exception's class and message} */
    private static String eval(JShell shell, String code) {
        StringBuilder result = new StringBuilder();
        for (SnippetEvent event : shell.eval(code)) {
            if (event.exception() != null) {
                result.append(event.exception().getClass().getName()).append(": ")
                        .append(event.exception().getMessage());
                if (event.exception() instanceof jdk.jshell.EvalException eval) {
                    result.append(" [").append(eval.getExceptionClassName()).append("]");
                }
            } else if (event.value() != null) {
                result.append("=").append(event.value());
            }
            shell.diagnostics(event.snippet()).forEach(d -> result.append(" diagnostic: ")
                    .append(d.getMessage(null)));
        }
        return result.toString();
    }

    @Test
    void shouldRefuseASourceFileModeTargetInTheParent(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("Hello.java");
        Files.writeString(source, """
                import io.github.jmultiprocessing.JvmProcess;
                public class Hello {
                    public static void main(String[] args) throws Exception {
                        JvmProcess p = new JvmProcess(() -> System.out.println("child ran"));
                        p.start();
                        p.join();
                    }
                }
                """);
        Process program = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", Path.of("target/classes").toAbsolutePath().toString(),
                source.toString()).redirectErrorStream(true).start();
        String output = new String(program.getInputStream().readAllBytes());
        assertTrue(program.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(1, program.exitValue(), output);
        assertTrue(output.contains("IllegalArgumentException") && output.contains("class Hello")
                && output.contains("source-file mode"), output);
        assertFalse(output.contains("child ran") || output.contains("Could not find or load main class"), output);
    }

    @Test
    void shouldReportAWorkerOrServerThatCannotBootWithItsOwnWords(@TempDir Path dir) throws Exception {
        Context broken = Multiprocessing.getContext("spawn").withJvm(ChildJvm.defaults()
                .withExecutable(unbootableJava(dir)));
        long start = System.nanoTime();
        try (ProcessPool pool = new ProcessPool(2, null, 0, broken)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.apply(() -> 1));
            assertTrue(e.getMessage().contains("could not start") && e.getMessage().contains("exit code 1")
                    && e.getMessage().contains("Could not find or load main class unbootable.Main"), e.getMessage());
        }
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(30).toNanos(), "the pool kept retrying");
        IllegalStateException e = assertThrows(IllegalStateException.class, broken::manager);
        assertTrue(e.getMessage().contains("Could not find or load main class unbootable.Main"), e.getMessage());
        JvmProcess process = broken.process(() -> { });
        process.start();
        assertTrue(process.join(Duration.ofSeconds(30)));
        assertEquals(1, process.exitCode().getAsInt());
    }

    @Test
    void shouldBreakAPoolWhoseWorkersCrashWhileTheyBoot(@TempDir Path dir) throws Exception {
        Path script = fakeJava(dir, "echo 'crashing at boot' >&2\nkill -ABRT $$\n");
        Context crashing = Multiprocessing.getContext("spawn").withJvm(ChildJvm.defaults().withExecutable(script));
        try (ProcessPool pool = new ProcessPool(1, null, 0, crashing)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.apply(() -> 1));
            assertTrue(e.getMessage().contains("could not start") && e.getMessage().contains("exit code -6")
                    && e.getMessage().contains("crashing at boot"), e.getMessage());
        }
    }

    @Test
    void shouldTellAPoolFunctionItsWorkersCannotLoad(@TempDir Path dir) throws Exception {
        // a class of a loader the pool was not made from, in a jar: the workers' class path does not have it
        Path jar = dir.resolve("task.jar");
        String name = PoolTask.class.getName().replace('.', '/') + ".class";
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.jar.JarEntry(name));
            try (var in = ClassLoadersIT.class.getClassLoader().getResourceAsStream(name)) {
                in.transferTo(out);
            }
        }
        try (var loader = new java.net.URLClassLoader(new java.net.URL[] {jar.toUri().toURL()},
                ClassLoader.getSystemClassLoader().getParent()) {
            @Override
            protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
                if (className.equals(PoolTask.class.getName())) { // this jar first: its own copy of the class
                    synchronized (getClassLoadingLock(className)) {
                        Class<?> loaded = findLoadedClass(className);
                        return loaded != null ? loaded : findClass(className);
                    }
                }
                return ClassLoadersIT.class.getClassLoader().loadClass(className);
            }
        }; ProcessPool pool = new ProcessPool(1)) {
            @SuppressWarnings("unchecked")
            SerializableCallable<Object> task = (SerializableCallable<Object>) loader.loadClass(PoolTask.class.getName())
                    .getConstructor().newInstance();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.apply(task));
            assertTrue(e.getMessage().contains(jar.toString()) && e.getMessage().contains("withClassPath"),
                    e.getMessage());
            assertEquals(42, pool.apply(new PoolTask())); // the same class from the class path runs
        }
    }

    @Test
    void shouldRunAClassFromANestedJarOnceWithClassPathNamesACopyOfIt(@TempDir Path dir) throws Exception {
        // A class whose code source no class path can name (a jar inside a jar, as Spring Boot's launcher has
        // them): refused, with the advice to add a copy with ChildJvm.withClassPath; with the copy added, it runs.
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path source = dir.resolve("Nested.java");
        Files.writeString(source, """
                package jmptest.nested;
                public class Nested implements io.github.jmultiprocessing.SerializableRunnable {
                    private static final long serialVersionUID = 1L;
                    public void run() {
                        System.exit(7);
                    }
                }
                """);
        javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), "-cp",
                Path.of("target/classes").toAbsolutePath().toString(), source.toString()));
        byte[] bytes = Files.readAllBytes(classes.resolve("jmptest/nested/Nested.class"));
        java.security.CodeSource nested = new java.security.CodeSource(
                new java.net.URL("jar:file:" + dir.resolve("app.jar") + "!/BOOT-INF/lib/nested.jar!/"),
                (java.security.cert.Certificate[]) null);
        ClassLoader loader = new ClassLoader("nested-jar", ClassLoadersIT.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                if (!name.equals("jmptest.nested.Nested")) {
                    throw new ClassNotFoundException(name);
                }
                return defineClass(name, bytes, 0, bytes.length, new java.security.ProtectionDomain(nested, null));
            }
        };
        SerializableRunnable task = (SerializableRunnable) loader.loadClass("jmptest.nested.Nested")
                .getConstructor().newInstance();

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new JvmProcess(task).start());
        assertTrue(refused.getMessage().contains("withClassPath"), refused.getMessage());

        JvmProcess process = Multiprocessing.getContext("spawn").withJvm(ChildJvm.defaults().withClassPath(classes))
                .process(task);
        process.start();
        assertTrue(process.join(Duration.ofSeconds(60)));
        assertEquals(7, process.exitCode().getAsInt());
    }

    /** A task class that tests load from a jar of their own. */
    public static final class PoolTask implements SerializableCallable<Object> {
        private static final long serialVersionUID = 1L;

        @Override
        public Object call() {
            return 42;
        }
    }

    /** {@return a directory holding only the launcher's class file: no library on the JVM's class path} */
    static Path launcherOnly(Path dir) throws Exception {
        String name = IsolatedLauncher.class.getName().replace('.', '/') + ".class";
        Path target = dir.resolve("launcher").resolve(name);
        Files.createDirectories(target.getParent());
        try (var in = IsolatedLauncher.class.getClassLoader().getResourceAsStream(name)) {
            Files.copy(in, target);
        }
        return dir.resolve("launcher");
    }

    /** {@return a "java" that answers -version as the real one, and fails to boot otherwise, as a wrong one} */
    static Path unbootableJava(Path dir) throws Exception {
        return fakeJava(dir, "echo 'Error: Could not find or load main class unbootable.Main' >&2\n"
                + "echo 'Caused by: java.lang.ClassNotFoundException: unbootable.Main' >&2\n"
                + "exit 1\n");
    }

    /** {@return a "java" that runs the real one for -version (the parent's check), and the script otherwise} */
    private static Path fakeJava(Path dir, String otherwise) throws Exception {
        Path script = dir.resolve("java");
        String real = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(script, "#!/bin/sh\n"
                + "for last; do :; done\n"
                + "if [ \"$last\" = \"-version\" ]; then exec " + real + " \"$@\"; fi\n"
                + otherwise);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }
}

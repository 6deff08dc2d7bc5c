package io.github.jmultiprocessing.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@code main} class in a JVM of its own, as a user would from a shell, capturing its output: for tests
 * of what a whole program does (its exit, its stderr, what it leaves behind).
 */
public final class JavaMain implements AutoCloseable {

    private final Process process;
    private final Path output;

    private JavaMain(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /**
     * Starts {@code java <flags> -cp <test class path> mainClass args}, stdout and stderr merged into a file.
     *
     * @param mainClass the class
     * @param args      its arguments
     * @return the running JVM
     */
    public static JavaMain start(Class<?> mainClass, String... args) {
        return start(System.getProperty("java.class.path"), List.of(), mainClass, args);
    }

    /**
     * Starts {@code java <flags> <options> -cp <classPath> mainClass args}.
     *
     * @param classPath the class path
     * @param options   more JVM options
     * @param mainClass the class
     * @param args      its arguments
     * @return the running JVM
     */
    public static JavaMain start(String classPath, List<String> options, Class<?> mainClass, String... args) {
        return start(classPath, options, java.util.Map.of(), mainClass, args);
    }

    /**
     * Starts {@code java <flags> <options> -cp <classPath> mainClass args} with more environment variables.
     *
     * @param classPath   the class path
     * @param options     more JVM options
     * @param environment more environment variables
     * @param mainClass   the class
     * @param args        its arguments
     * @return the running JVM
     */
    public static JavaMain start(String classPath, List<String> options, java.util.Map<String, String> environment,
            Class<?> mainClass, String... args) {
        return start(List.of(), true, classPath, options, environment, mainClass, args);
    }

    /**
     * Starts {@code <launcher> java [--enable-native-access=ALL-UNNAMED] <options> -cp <test class path> mainClass
     * args}: the launcher is a command that runs the rest as its arguments (in a mount namespace of its own, say).
     *
     * @param launcher     the command before {@code java}, empty for none
     * @param nativeAccess false to leave native access off (the library's pure-Java paths)
     * @param options      more JVM options
     * @param mainClass    the class
     * @param args         its arguments
     * @return the running JVM
     */
    public static JavaMain start(List<String> launcher, boolean nativeAccess, List<String> options,
            Class<?> mainClass, String... args) {
        return start(launcher, nativeAccess, System.getProperty("java.class.path"), options, java.util.Map.of(),
                mainClass, args);
    }

    private static JavaMain start(List<String> launcher, boolean nativeAccess, String classPath, List<String> options,
            java.util.Map<String, String> environment, Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>(launcher);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (nativeAccess) {
            command.add("--enable-native-access=ALL-UNNAMED");
        }
        command.addAll(options);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        try {
            Path output = Files.createTempFile("jmp-test-main", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
            builder.environment().putAll(environment);
            Process process = builder.start();
            return new JavaMain(process, output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the OS process */
    public Process process() {
        return process;
    }

    /**
     * Waits for the JVM to exit.
     *
     * @param timeout the longest wait
     * @return its exit status
     * @throws InterruptedException if interrupted
     */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("JVM still running after " + timeout + "; output:\n" + output());
        }
        return process.exitValue();
    }

    /** @return what it printed so far */
    public String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        try {
            Files.deleteIfExists(output);
        } catch (IOException ignored) {
            // a temp file
        }
    }
}

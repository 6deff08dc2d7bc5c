package io.github.jmultiprocessing.examples;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.Manager;
import io.github.jmultiprocessing.Multiprocessing;
import io.github.jmultiprocessing.ProcessPool;
import io.github.jmultiprocessing.SerializableCallable;
import io.github.jmultiprocessing.SerializableRunnable;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * Programs that end without closing what they opened, as users' programs do: each prints
 * {@code main returns at <epoch millis>} last, so a test can measure how long the JVM takes to exit after that.
 */
public final class ExitPrograms {

    private ExitPrograms() {
    }

    /**
     * Runs one program.
     *
     * @param args the program's name, then its arguments
     * @throws Exception if it fails
     */
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "pool" -> {
                ProcessPool pool = new ProcessPool(2);
                System.out.println("applied " + pool.apply(() -> 6 * 7));
            }
            case "manager" -> {
                Manager manager = Multiprocessing.manager();
                Map<String, Integer> dict = manager.dict();
                dict.put("a", 1);
                System.out.println("dict " + dict);
            }
            case "executor" -> {
                ExecutorService executor = new ProcessPool(2).asExecutorService();
                executor.submit((SerializableCallable<Object>) () -> {
                    Thread.sleep(1000);
                    System.out.println("apple");
                    return null;
                });
            }
            case "pool-work" -> {
                ProcessPool pool = new ProcessPool(2);
                pool.applyAsync(() -> {
                    Thread.sleep(5000);
                    System.out.println("banana");
                    return null;
                });
                Thread.sleep(300);
            }
            case "buffered-err" -> {
                String file = args[1];
                JvmProcess child = new JvmProcess((SerializableRunnable) () -> {
                    try {
                        System.setErr(new PrintStream(new BufferedOutputStream(new FileOutputStream(file), 1 << 16),
                                false));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    throw new IllegalStateException("boom in the child");
                });
                child.start();
                child.join();
                System.out.println("exit code " + child.exitCode().getAsInt() + ", stderr file: "
                        + Files.readString(Path.of(file)).lines().findFirst().orElse("<empty>"));
            }
            case "null-out" -> {
                JvmProcess child = new JvmProcess(() -> System.setOut(null));
                child.start();
                child.join();
                System.out.println("exit code " + child.exitCode().getAsInt());
            }
            default -> throw new IllegalArgumentException("program=" + args[0]);
        }
        System.out.println("main returns at " + System.currentTimeMillis());
    }
}

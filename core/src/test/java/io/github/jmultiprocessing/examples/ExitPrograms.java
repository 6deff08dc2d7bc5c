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
            case "executor-retire" -> {
                // each worker runs one task and is replaced: the replacements must start during the exit too
                ExecutorService executor = new ProcessPool(1, null, 1, null).asExecutorService();
                for (int i = 1; i <= 3; i++) {
                    String fruit = "fruit-" + i;
                    executor.submit((SerializableCallable<Object>) () -> {
                        Thread.sleep(200);
                        System.out.println(fruit);
                        return null;
                    });
                }
            }
            case "exit-in-continuation" -> {
                // System.exit from a continuation that runs on the pool's own receiver thread
                ExecutorService executor = new ProcessPool(1).asExecutorService();
                var first = executor.submit((SerializableCallable<Object>) () -> {
                    Thread.sleep(500);
                    return "first";
                });
                executor.submit((SerializableCallable<Object>) () -> {
                    Thread.sleep(500);
                    System.out.println("cherry");
                    return null;
                });
                ((java.util.concurrent.CompletableFuture<?>) first).thenAccept(value -> {
                    System.out.println("exit requested at " + System.currentTimeMillis());
                    System.exit(0);
                });
                Thread.sleep(60_000);
            }
            case "exit-in-thread-task" -> {
                // System.exit from a task of a pool of the thread start method: the task never completes
                ExecutorService executor = new ProcessPool(1, null, 0, Multiprocessing.getContext("thread"))
                        .asExecutorService();
                executor.submit((SerializableCallable<Object>) () -> {
                    System.out.println("exit requested at " + System.currentTimeMillis());
                    System.exit(0);
                    return null;
                });
                Thread.sleep(60_000);
            }
            case "sigterm" -> {
                // long executor work, then the program is sent SIGTERM
                ExecutorService executor = new ProcessPool(1).asExecutorService();
                executor.submit((SerializableCallable<Object>) () -> null).get(); // the worker is up
                executor.submit((SerializableCallable<Object>) () -> {
                    System.out.println("running");
                    Thread.sleep(60_000);
                    System.out.println("durian");
                    return null;
                });
                Thread.sleep(120_000);
            }
            default -> throw new IllegalArgumentException("program=" + args[0]);
        }
        System.out.println("main returns at " + System.currentTimeMillis());
    }
}

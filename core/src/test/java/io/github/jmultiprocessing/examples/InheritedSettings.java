package io.github.jmultiprocessing.examples;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.SharedQueue;

/** A program whose child reports the heap and system properties it got from the program's command line. */
public final class InheritedSettings {

    private InheritedSettings() {
    }

    /**
     * Runs the program.
     *
     * @param args ignored
     * @throws Exception if it fails
     */
    public static void main(String[] args) throws Exception {
        SharedQueue<String> report = new SharedQueue<>();
        JvmProcess child = new JvmProcess(() -> {
            try {
                report.put("max=" + Runtime.getRuntime().maxMemory() + " flag=" + System.getProperty("app.flag")
                        + " jdk=" + System.getProperty("java.specification.version"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        child.start();
        child.join();
        System.out.println("exit code " + child.exitCode().orElseThrow());
        if (child.exitCode().orElseThrow() == 0) {
            System.out.println("child " + report.get(java.time.Duration.ofSeconds(30)));
        }
    }
}

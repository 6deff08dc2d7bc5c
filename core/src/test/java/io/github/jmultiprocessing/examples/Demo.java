package io.github.jmultiprocessing.examples;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.Multiprocessing;
import java.util.List;

/**
 * The README's demo: the seed programs, in Java, on real child JVMs.
 */
public final class Demo {

    private Demo() {
    }

    /**
     * Runs every seed program.
     *
     * @param args ignored
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        System.out.println("== Creating and running processes: " + Multiprocessing.cpuCount()
                + " x square_numbers");
        long start = System.nanoTime();
        List<JvmProcess> processes = SquareNumbers.run();
        System.out.printf("%d processes started and joined in %d ms, exit codes %s%n", processes.size(),
                (System.nanoTime() - start) / 1_000_000,
                processes.stream().map(p -> p.exitCode().orElse(Integer.MIN_VALUE)).toList());

        System.out.println();
        System.out.println("== Sharing data between processes, no lock (updates may be lost)");
        SharedData.run(SharedData.Guard.NONE);

        System.out.println();
        System.out.println("== Avoiding race conditions with locks");
        SharedData.run(SharedData.Guard.ACQUIRE_RELEASE);

        System.out.println();
        System.out.println("== Using locks as context managers (try-with-resources)");
        SharedData.run(SharedData.Guard.WITH_LOCK);

        System.out.println();
        System.out.println("== Using queues: square and make_negative put into one queue (ordering may vary)");
        QueueNumbers.run();

        System.out.println();
        System.out.println("== Process pools: cube over range(10) with map");
        PoolCubes.run();

        System.out.println();
        System.out.println("== Managers: a child changes a managed dict and list");
        ManagerDictList.run();
    }
}

package io.github.jmultiprocessing.examples;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.Multiprocessing;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed's first program: {@code os.cpu_count()} processes each squaring the numbers below 1000.
 *
 * <pre>{@code
 * def square_numbers():
 *     for i in range(1000):
 *         result = i * i
 *
 * processes = [Process(target=square_numbers) for _ in range(os.cpu_count())]
 * for p in processes: p.start()
 * for p in processes: p.join()
 * }</pre>
 */
public final class SquareNumbers {

    private SquareNumbers() {
    }

    static void squareNumbers() {
        long result = 0;
        for (int i = 0; i < 1000; i++) {
            result = (long) i * i;
        }
        if (result < 0) {
            throw new AssertionError();
        }
    }

    /**
     * Runs the program.
     *
     * @return the processes, joined
     * @throws InterruptedException if interrupted while joining
     */
    public static List<JvmProcess> run() throws InterruptedException {
        List<JvmProcess> processes = new ArrayList<>();
        int numProcesses = Multiprocessing.cpuCount();
        for (int i = 0; i < numProcesses; i++) {
            processes.add(new JvmProcess(SquareNumbers::squareNumbers));
        }
        for (JvmProcess process : processes) {
            process.start();
        }
        for (JvmProcess process : processes) {
            process.join();
        }
        return processes;
    }
}

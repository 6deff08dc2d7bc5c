package io.github.jmultiprocessing.examples;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.SharedQueue;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed's queue program: one process puts squares, another negatives, into one queue; the parent drains it.
 *
 * <pre>{@code
 * def square(numbers, queue):
 *     for i in numbers:
 *         queue.put(i * i)
 *
 * def make_negative(numbers, queue):
 *     for i in numbers:
 *         queue.put(i * -1)
 *
 * numbers = range(1, 6)
 * q = Queue()
 * p1 = Process(target=square, args=(numbers, q))
 * p2 = Process(target=make_negative, args=(numbers, q))
 * p1.start(); p2.start()
 * p1.join(); p2.join()
 * # ordering may not be sequential
 * while not q.empty():
 *     print(q.get())
 * }</pre>
 */
public final class QueueNumbers {

    private QueueNumbers() {
    }

    static void square(int[] numbers, SharedQueue<Integer> queue) {
        for (int i : numbers) {
            queue.add(i * i); // Python: queue.put(i * i); on an unbounded queue add never waits, put never blocks
        }
    }

    static void makeNegative(int[] numbers, SharedQueue<Integer> queue) {
        for (int i : numbers) {
            queue.add(i * -1);
        }
    }

    /**
     * Runs the program, printing each number taken.
     *
     * @return the numbers taken, in the order taken
     * @throws InterruptedException if interrupted
     */
    public static List<Integer> run() throws InterruptedException {
        int[] numbers = {1, 2, 3, 4, 5};
        List<Integer> taken = new ArrayList<>();
        try (SharedQueue<Integer> q = new SharedQueue<>()) {
            JvmProcess p1 = new JvmProcess(() -> square(numbers, q));
            JvmProcess p2 = new JvmProcess(() -> makeNegative(numbers, q));
            p1.start();
            p2.start();
            p1.join();
            p2.join();
            // ordering may not be sequential
            while (!q.empty()) {
                int number = q.get();
                System.out.println(number);
                taken.add(number);
            }
        }
        return taken;
    }
}

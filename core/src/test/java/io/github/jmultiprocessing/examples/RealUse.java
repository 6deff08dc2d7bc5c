package io.github.jmultiprocessing.examples;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.Manager;
import io.github.jmultiprocessing.Multiprocessing;
import io.github.jmultiprocessing.ProcessPool;
import io.github.jmultiprocessing.SharedLock;
import io.github.jmultiprocessing.SharedValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A small program that uses the main features across child JVMs, as a user's first program would: processes
 * that add to a shared value under a lock, a pool's map, a manager's dict changed by a child. Prints what it
 * got; tests run it under class loaders and JVM settings of all kinds.
 */
public final class RealUse {

    private RealUse() {
    }

    static int cube(int x) {
        return x * x * x;
    }

    /**
     * Runs the program.
     *
     * @param args ignored
     * @throws Exception if a step fails
     */
    public static void main(String[] args) throws Exception {
        SharedValue value = SharedValue.of('i', 0);
        SharedLock lock = new SharedLock();
        List<JvmProcess> processes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            processes.add(new JvmProcess(() -> {
                for (int j = 0; j < 1000; j++) {
                    try (var held = lock.locked()) {
                        value.setInt(value.getInt() + 1);
                    }
                }
            }));
        }
        for (JvmProcess process : processes) {
            process.start();
        }
        List<Integer> codes = new ArrayList<>();
        for (JvmProcess process : processes) {
            process.join();
            codes.add(process.exitCode().orElse(-100));
        }
        System.out.println("value=" + value.getInt() + " exit codes=" + codes);
        try (ProcessPool pool = new ProcessPool(2)) {
            System.out.println("pool=" + pool.map(RealUse::cube, List.of(1, 2, 3)));
        }
        try (Manager manager = Multiprocessing.manager()) {
            Map<String, Integer> dict = manager.dict();
            JvmProcess child = new JvmProcess(() -> dict.put("k", 42));
            child.start();
            child.join();
            System.out.println("manager=" + dict);
        }
    }
}

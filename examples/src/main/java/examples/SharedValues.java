package examples;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.SharedArray;
import io.github.jmultiprocessing.SharedValue;
import java.util.ArrayList;
import java.util.List;

/** Tour 2, shared memory. Python: {@code Value('i', 0)}, {@code Array('d', [0.0, 0.5, 1.0])}. */
public class SharedValues {

    public static void main(String[] args) throws Exception {
        try (SharedValue counter = SharedValue.of('i', 0);
             SharedArray numbers = SharedArray.of('d', 0.0, 0.5, 1.0)) {
            List<JvmProcess> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                JvmProcess p = new JvmProcess(() -> {                  // each in a JVM of its own
                    for (int n = 0; n < 1000; n++) {
                        counter.incrementAndGet();                    // atomic: no update is lost
                    }
                    try (var held = numbers.getLock().locked()) {     // Python: with numbers.get_lock():
                        for (int i = 0; i < numbers.length(); i++) {
                            numbers.setDouble(i, numbers.getDouble(i) * 2);
                        }
                    }
                });
                p.start();
                workers.add(p);
            }
            for (JvmProcess p : workers) {
                p.join();
            }
            System.out.println("counter " + counter.getInt());        // 4000
            System.out.println("numbers " + numbers.toList());        // [0.0, 8.0, 16.0]
        }
    }
}

package io.github.jmultiprocessing.examples;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.Manager;
import io.github.jmultiprocessing.Multiprocessing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The seed's manager program: a child changes a managed dict and list, the parent sees the changes.
 *
 * <pre>
 * def f(d, l):
 *     d[1] = '1'
 *     d['2'] = 2
 *     d[0.25] = None
 *     l.reverse()
 *
 * if __name__ == '__main__':
 *     with Manager() as manager:
 *         d = manager.dict()
 *         l = manager.list(range(10))
 *         p = Process(target=f, args=(d, l))
 *         p.start()
 *         p.join()
 *         print(d)
 *         print(l)
 * </pre>
 */
public final class ManagerDictList {

    private ManagerDictList() {
    }

    static void f(Map<Object, Object> d, List<Integer> l) {
        d.put(1, "1");
        d.put("2", 2);
        d.put(0.25, null);
        Collections.reverse(l);
    }

    /** The dict and the list as the parent sees them after the child's changes. */
    public record Result(Map<Object, Object> d, List<Integer> l) {
    }

    /**
     * Runs the program and prints the dict and the list.
     *
     * @return what was printed, as copies
     * @throws InterruptedException if interrupted
     */
    public static Result run() throws InterruptedException {
        try (Manager manager = Multiprocessing.manager()) {
            Map<Object, Object> d = manager.dict();
            List<Integer> l = manager.list(IntStream.range(0, 10).boxed().toList());
            JvmProcess p = new JvmProcess(() -> f(d, l));
            p.start();
            p.join(Duration.ofMinutes(2));
            System.out.println(d);
            System.out.println(l);
            return new Result(new LinkedHashMap<>(d), new ArrayList<>(l));
        }
    }
}

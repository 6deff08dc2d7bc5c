package examples;

import io.github.jmultiprocessing.AsyncResult;
import io.github.jmultiprocessing.IMapIterator;
import io.github.jmultiprocessing.PoolExecutor;
import io.github.jmultiprocessing.ProcessPool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;

/** Tour 4, a pool of worker JVMs. Python: {@code with Pool(2) as pool: pool.map(f, range(10))}. */
public class Pools {

    public static void main(String[] args) throws Exception {
        try (ProcessPool pool = new ProcessPool(2)) {
            List<Integer> cubes = pool.map(x -> x * x * x, List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
            System.out.println("map " + cubes);                      // [0, 1, 8, 27, ..., 729]

            AsyncResult<String> where = pool.applyAsync(() -> "pid " + ProcessHandle.current().pid());
            System.out.println("apply_async ran in a worker, " + where.get(Duration.ofSeconds(30)));

            IMapIterator<Integer> lengths = pool.imap(String::length, List.of("a", "bb", "ccc"));
            while (lengths.hasNext()) {
                System.out.println("imap " + lengths.next());        // 1, 2, 3: in order, as they come
            }

            PoolExecutor executor = pool.asExecutorService();         // an ExecutorService: Python's
            // ProcessPoolExecutor. Typed PoolExecutor, a lambda given to submit is compiled serializable.
            Future<Integer> sum = executor.submit(() -> 20 + 22);
            System.out.println("submit " + sum.get());               // 42
        }
    }
}

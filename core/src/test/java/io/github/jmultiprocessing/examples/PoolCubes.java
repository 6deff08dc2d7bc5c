package io.github.jmultiprocessing.examples;

import io.github.jmultiprocessing.Pool;
import io.github.jmultiprocessing.ProcessPool;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The seed's pool program: {@code cube} over {@code range(10)} in a pool, printed as Python prints the list.
 *
 * <pre>{@code
 * def cube(number):
 *     return number * number * number
 *
 * if __name__ == "__main__":
 *     numbers = range(10)
 *     p = Pool()
 *     # by default this allocates the maximum number of available processors for this task --> os.cpu_count()
 *     result = p.map(cube, numbers)
 *     # or
 *     # result = [p.apply(cube, args=(i,)) for i in numbers]
 *     p.close()
 *     p.join()
 *     print(result)
 * }</pre>
 */
public final class PoolCubes {

    private PoolCubes() {
    }

    static int cube(int number) {
        return number * number * number;
    }

    /**
     * Runs the program and prints the cubes.
     *
     * @return the cubes
     * @throws InterruptedException if interrupted
     */
    public static List<Integer> run() throws InterruptedException {
        List<Integer> numbers = IntStream.range(0, 10).boxed().toList();
        Pool p = new ProcessPool(); // on a cluster: Pool p = new ClusterPool(cluster.ignite());
        List<Integer> result = p.map(PoolCubes::cube, numbers);
        p.shutdown(); // Python: p.close()
        p.join();
        System.out.println(result);
        return result;
    }
}

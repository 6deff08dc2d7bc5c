package io.github.jmultiprocessing;

import java.util.List;
import java.util.TreeSet;

/** A parent JVM with a pool, for ProcessPoolIT: prints its workers' pids, then waits to be killed. */
final class PoolParentMain {

    private PoolParentMain() {
    }

    static long pid(Object ignored) {
        try {
            Thread.sleep(20); // so that both workers take some
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return ProcessHandle.current().pid();
    }

    public static void main(String[] args) throws Exception {
        ProcessPool pool = new ProcessPool(2);
        List<Long> pids = pool.map(PoolParentMain::pid, List.of(1, 2, 3, 4, 5, 6, 7, 8), 1);
        for (long pid : new TreeSet<>(pids)) {
            System.out.println("worker " + pid);
        }
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(600_000); // until killed
    }
}

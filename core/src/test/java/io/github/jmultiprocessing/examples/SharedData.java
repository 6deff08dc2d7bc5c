package io.github.jmultiprocessing.examples;

import io.github.jmultiprocessing.JvmProcess;
import io.github.jmultiprocessing.SharedArray;
import io.github.jmultiprocessing.SharedLock;
import io.github.jmultiprocessing.SharedValue;
import java.util.List;

/**
 * The seed's shared-data programs: two processes add 100 to a {@code Value('i', 0)} and two add 100 to each
 * element of an {@code Array('d', [0.0, 100.0, 200.0])}, sleeping 10 ms before each step; first without a lock
 * (updates may be lost: {@code number.value += 1} is a read and a write), then with one, then with the lock
 * as a context manager ({@code with lock:}, here try-with-resources).
 */
public final class SharedData {

    /** How the workers guard their updates. */
    public enum Guard {
        /** No lock: {@code number.value += 1}. */
        NONE,
        /** {@code lock.acquire()} ... {@code lock.release()}. */
        ACQUIRE_RELEASE,
        /** {@code with lock:}. */
        WITH_LOCK
    }

    /**
     * The values at the end of a run.
     *
     * @param number the shared value
     * @param array  the shared array
     */
    public record Result(int number, List<Object> array) {
    }

    private SharedData() {
    }

    static void add100(SharedValue number, SharedLock lock, Guard guard) {
        for (int i = 0; i < 100; i++) {
            sleep10ms();
            switch (guard) {
                case NONE -> number.setInt(number.getInt() + 1);
                case ACQUIRE_RELEASE -> {
                    lock.acquire();
                    number.setInt(number.getInt() + 1);
                    lock.release();
                }
                case WITH_LOCK -> {
                    try (var _ = lock.locked()) {
                        number.setInt(number.getInt() + 1);
                    }
                }
            }
        }
    }

    static void add100Array(SharedArray numbers, SharedLock lock, Guard guard) {
        for (int i = 0; i < 100; i++) {
            sleep10ms();
            for (int j = 0; j < numbers.length(); j++) {
                switch (guard) {
                    case NONE -> numbers.setDouble(j, numbers.getDouble(j) + 1);
                    case ACQUIRE_RELEASE -> {
                        lock.acquire();
                        numbers.setDouble(j, numbers.getDouble(j) + 1);
                        lock.release();
                    }
                    case WITH_LOCK -> {
                        try (var _ = lock.locked()) {
                            numbers.setDouble(j, numbers.getDouble(j) + 1);
                        }
                    }
                }
            }
        }
    }

    /**
     * Runs the program, printing what the Python version prints.
     *
     * @param guard how the workers guard their updates
     * @return the final values
     * @throws InterruptedException if interrupted while joining
     */
    public static Result run(Guard guard) throws InterruptedException {
        SharedLock lock = new SharedLock();

        SharedValue sharedNumber = SharedValue.of('i', 0);
        System.out.println("Shared Value at beginning: " + sharedNumber.getInt());

        SharedArray sharedArray = SharedArray.of('d', 0.0, 100.0, 200.0);
        System.out.println("Shared Array at beginning: " + sharedArray.toList());

        JvmProcess process1 = new JvmProcess(() -> add100(sharedNumber, lock, guard));
        JvmProcess process2 = new JvmProcess(() -> add100(sharedNumber, lock, guard));

        JvmProcess process3 = new JvmProcess(() -> add100Array(sharedArray, lock, guard));
        JvmProcess process4 = new JvmProcess(() -> add100Array(sharedArray, lock, guard));

        process1.start();
        process2.start();
        process3.start();
        process4.start();

        process1.join();
        process2.join();
        process3.join();
        process4.join();

        System.out.println("Shared Value at end: " + sharedNumber.getInt());
        System.out.println("Shared Array at end: " + sharedArray.toList());
        return new Result(sharedNumber.getInt(), sharedArray.toList());
    }

    private static void sleep10ms() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

package io.github.jmultiprocessing.internal.manager;

import io.github.jmultiprocessing.testing.LockContract;
import java.util.concurrent.locks.Lock;
import org.junit.jupiter.api.Nested;

/**
 * The locks a manager serves ({@code manager.lock()}, {@code manager.rlock()}), in this JVM, against the Lock
 * contract (they have no conditions: a manager makes those with {@code manager.condition()}).
 */
class ServedLockTest implements LockContract {

    @Override
    public Lock newLock() {
        return new ServedSynchronizers.LockObject();
    }

    /** The reentrant lock a manager serves. */
    @Nested
    class Reentrant implements LockContract {
        @Override
        public Lock newLock() {
            return new ServedSynchronizers.RLockObject();
        }
    }
}

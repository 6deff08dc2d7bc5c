package io.github.jmultiprocessing;

import java.io.Serializable;

/**
 * What a {@link JvmProcess} runs in its child JVM (Python's {@code Process(target=...)}): like a {@link Runnable},
 * but it may throw any exception, so that a body calling {@link SharedQueue#put(Object) put},
 * {@link Connection#recv() recv} or {@link SharedLock#acquire(java.time.Duration) acquire} needs no try/catch. An
 * exception that escapes it ends the child with exit code 1 and its stack trace on the child's stderr, as an
 * uncaught exception does. A lambda or method reference of this type is serializable with everything it
 * captures, which must itself be serializable (shared objects travel as handles).
 *
 * <pre>{@code
 * var q = new SharedQueue<String>();
 * var p = new JvmProcess(() -> q.put("hello"));   // put throws InterruptedException: no try/catch
 * }</pre>
 *
 * <p>Every {@link SerializableRunnable} is one: a lambda that throws nothing fits both, and is typed as the
 * {@code SerializableRunnable}, the more specific of the two.
 */
@FunctionalInterface
public interface ProcessTarget extends Serializable {

    /**
     * Runs the target. Called in the child JVM.
     *
     * @throws Exception whatever the body throws: the child then exits with code 1
     */
    void run() throws Exception;
}

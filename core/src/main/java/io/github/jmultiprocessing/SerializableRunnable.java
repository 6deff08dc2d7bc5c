package io.github.jmultiprocessing;

import java.io.Serializable;

/**
 * A {@link Runnable} that can be sent to a child JVM: a {@link ProcessTarget} that throws no checked exception.
 * A lambda or method reference of this type is serializable with everything it captures, which must itself be
 * serializable (shared objects travel as handles).
 *
 * <pre>{@code
 * SharedValue hits = SharedValue.of('i', 0);
 * SerializableRunnable target = () -> hits.incrementAndGet();        // the handle of hits travels, not its value
 * JvmProcess p = new JvmProcess(target);
 * p.start();
 * p.join();
 * System.out.println(hits.getInt());                                  // 1
 * }</pre>
 */
@FunctionalInterface
public interface SerializableRunnable extends Runnable, ProcessTarget, Serializable {

    /** Runs the body; throws no checked exception. */
    @Override
    void run();
}

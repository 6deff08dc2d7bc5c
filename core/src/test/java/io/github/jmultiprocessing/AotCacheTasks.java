package io.github.jmultiprocessing;

/**
 * A pool task from a class of its own, which no child's bootstrap names: only the pool can tell the AOT cache
 * about it ({@link AotCacheIT}).
 */
final class AotCacheTasks {

    private AotCacheTasks() {
    }

    /** {@return a task whose class is this one's lambda} */
    static SerializableCallable<Integer> task() {
        return () -> 42;
    }
}

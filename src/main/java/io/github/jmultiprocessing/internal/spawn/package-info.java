/**
 * Child JVM launch and bootstrap: the command line of a child (the running JVM's own {@code java}, class path,
 * module path and the flags the library needs), the bootstrap frame sent over the child's stdin, the child's
 * entry point, and Python's exit-code conventions.
 *
 * <p>Depends on {@code internal.shm} and {@code internal.sync}; it knows the public package only as a
 * {@link java.lang.Runnable} it deserializes and runs.
 */
package io.github.jmultiprocessing.internal.spawn;

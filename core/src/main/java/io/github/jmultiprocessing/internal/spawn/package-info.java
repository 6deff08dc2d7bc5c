/**
 * Child JVM launch and bootstrap: the command line of a child (the running JVM's own {@code java}, class path,
 * module path and the flags the library needs), the bootstrap frame sent over the child's stdin, the child's
 * entry point and its watch of the parent's end of that pipe, and Python's exit-code conventions with the child's
 * exit report (an exit status its own code chose, told from a death by signal).
 *
 * <p>Depends on {@code internal.shm} and {@code internal.sync}; it knows the public package only as a
 * {@link java.util.concurrent.Callable} it deserializes and runs.
 */
package io.github.jmultiprocessing.internal.spawn;

/**
 * The library's JFR events ({@code jdk.jfr}), in category "jmultiprocessing", named
 * {@code io.github.jmultiprocessing.*}: a process's start, readiness and exit, a pool task's result, a pool worker
 * lost, a lock or queue wait above a threshold, a manager call above a threshold. None is made before JFR has started in the JVM
 * ({@link io.github.jmultiprocessing.internal.events.Recording#on()}); a recording with the JDK's {@code default} or
 * {@code profile} settings takes them (their thresholds as annotated, or as the recording's settings say). A leaf:
 * it uses nothing of the library.
 */
package io.github.jmultiprocessing.internal.events;

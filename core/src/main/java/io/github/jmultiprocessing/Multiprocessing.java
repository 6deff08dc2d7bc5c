package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.codec.MessageCodec;
import io.github.jmultiprocessing.internal.spawn.ForkServer;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.io.ObjectInputFilter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The module-level functions of Python's {@code multiprocessing}: {@link #cpuCount()},
 * {@link #currentProcess()}, {@link #parentProcess()}, {@link #activeChildren()}, and the start methods:
 * {@link #getContext(String)}, {@link #setStartMethod(String)}, {@link #getStartMethod()},
 * {@link #getAllStartMethods()}, {@link #setForkserverPreload(List)}.
 *
 * <p>Start methods: {@value #SPAWN} (the default) starts a fresh JVM per process; {@value #FORKSERVER} hands
 * the process to a standby JVM started ahead of time and already warmed up, and starts the next standby in the
 * background (a JVM cannot fork, so this is the JVM's form of Python's fork server: same semantics, faster
 * start); {@value #THREAD} runs the process on a thread of this JVM, like Python's
 * {@code multiprocessing.dummy}, for debugging and tests. {@code fork} is refused: a JVM cannot fork itself.
 *
 * <p>When a process ends, as in Python, daemon children still running are terminated and the other children
 * are joined: a child JVM does so when its target returns or throws, the main JVM at exit (also when it exits
 * on SIGTERM, unlike Python's main process, which dies at once); then the segments the JVM created are
 * unlinked. A child JVM ended by {@link JvmProcess#terminate()} only terminates its daemon children.
 *
 * <pre>{@code
 * System.out.println(Multiprocessing.cpuCount());                   // Python: multiprocessing.cpu_count()
 * Context ctx = Multiprocessing.getContext(Multiprocessing.FORKSERVER); // Python: get_context('forkserver')
 * JvmProcess p = ctx.process(() -> System.out.println(Multiprocessing.currentProcess().getName()));
 * p.start();
 * p.join();
 * System.out.println(Multiprocessing.activeChildren());             // [] once joined
 * }</pre>
 */
public final class Multiprocessing {

    /** Start method: a fresh JVM for each process. */
    public static final String SPAWN = "spawn";

    /** Start method: a warm standby JVM for each process. */
    public static final String FORKSERVER = "forkserver";

    /** Start method: a thread of this JVM for each process. */
    public static final String THREAD = "thread";

    private Multiprocessing() {
    }

    /**
     * Starts a manager's server process and returns the manager (Python's {@code multiprocessing.Manager()}).
     *
     * @return the started manager; close it (try-with-resources) to stop the server
     * @throws IllegalStateException if the server could not start
     */
    public static Manager manager() {
        Manager manager = new Manager();
        manager.start();
        return manager;
    }

    /**
     * Sets how child JVMs that set nothing of their own are started: processes, pools and managers whose context
     * and process object have no {@link ChildJvm} settings.
     *
     * @param jvm the settings
     */
    public static void setChildJvm(ChildJvm jvm) {
        Context.setDefaultJvm(jvm);
    }

    /** {@return how child JVMs that set nothing of their own are started} */
    public static ChildJvm getChildJvm() {
        return Context.defaultJvm();
    }

    /**
     * Sets the {@code java} executable of child JVMs that set nothing of their own (Python's
     * {@code set_executable}); the same as {@code setChildJvm(getChildJvm().withExecutable(java))}.
     *
     * @param java the {@code java} binary of a JDK or JRE 22 or newer; checked at the first start that uses it
     */
    public static void setExecutable(java.nio.file.Path java) {
        setChildJvm(getChildJvm().withExecutable(java));
    }

    /** {@return the number of CPUs this JVM may use (Python's {@code os.cpu_count()})} */
    public static int cpuCount() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * The process object of this JVM: {@code MainProcess} in a JVM not started by the library, the
     * {@link JvmProcess} being run in a child.
     *
     * @return the current process
     */
    public static JvmProcess currentProcess() {
        return JvmProcess.currentProcess();
    }

    /** {@return the parent's process object in a child; empty in the main process} */
    public static Optional<JvmProcess> parentProcess() {
        return JvmProcess.parentProcess();
    }

    /**
     * The children of this process that are still running; children that have ended are reaped (joined) as a
     * side effect, as in Python.
     *
     * @return the running children
     */
    public static List<JvmProcess> activeChildren() {
        return JvmProcess.activeChildren();
    }

    /**
     * {@return the context of the given start method: an object with every factory of this class, bound to it}
     * @param method {@value #SPAWN}, {@value #FORKSERVER} or {@value #THREAD}
     * @throws IllegalArgumentException for {@code fork} (a JVM cannot fork) and unknown methods
     */
    public static Context getContext(String method) {
        return Context.of(method);
    }

    /** {@return the context of the current start method (fixing it to the default if it was not set)} */
    public static Context getContext() {
        return new Context(getStartMethod());
    }

    /**
     * Sets the start method of processes that do not choose one (Python's {@code set_start_method}); once only.
     *
     * @param method {@value #SPAWN}, {@value #FORKSERVER} or {@value #THREAD}
     * @throws IllegalStateException    if the start method was set or used before
     * @throws IllegalArgumentException for {@code fork} and unknown methods
     */
    public static void setStartMethod(String method) {
        setStartMethod(method, false);
    }

    /**
     * Sets the start method, again if {@code force}.
     *
     * @param method the method, or null with {@code force} to return to the unset state
     * @param force  true to replace a method set or used before
     * @throws IllegalStateException    if set before and not forced
     * @throws IllegalArgumentException for {@code fork} and unknown methods
     */
    public static void setStartMethod(String method, boolean force) {
        Context.setDefaultMethod(method, force);
    }

    /** {@return the start method of processes that do not choose one; fixes it to {@value #SPAWN} if unset} */
    public static String getStartMethod() {
        return Context.defaultMethod(false);
    }

    /**
     * {@return the start method, or null if it is not set yet and {@code allowNone}}
     * @param allowNone true to leave it unset
     */
    public static String getStartMethod(boolean allowNone) {
        return Context.defaultMethod(allowNone);
    }

    /** {@return the start methods this platform offers, the default first} */
    public static List<String> getAllStartMethods() {
        return Context.methods();
    }

    /**
     * Names classes that forkserver standby JVMs load and initialize while they wait (Python's
     * {@code set_forkserver_preload}); applies to standbys started from now on.
     *
     * @param classNames binary class names
     */
    public static void setForkserverPreload(List<String> classNames) {
        ForkServer.setPreload(classNames);
    }

    /**
     * Sets the filter that every object received in this process through a queue, a pipe or a socket connection
     * passes when it is Java-deserialized (values with a fast path, such as boxed primitives, strings and primitive
     * arrays, are not deserialized and do not pass it). By default, the JVM-wide serial filter
     * ({@link ObjectInputFilter.Config}, or {@code -Djdk.serialFilter=...}), as it is when each object is read. Set
     * it in each process that receives: a filter does not travel to child processes.
     *
     * @param filter the filter, or null for none
     */
    public static void setMessageFilter(ObjectInputFilter filter) {
        MessageCodec.setFilter(filter);
    }

    /** {@return the filter received objects pass in this process, or null for none} */
    public static ObjectInputFilter getMessageFilter() {
        return MessageCodec.filter();
    }

    /**
     * Waits until at least one of the objects is ready, or the timeout elapses (Python's
     * {@code multiprocessing.connection.wait}): a process once it has ended, a process's sentinel
     * ({@link JvmProcess#onExit()}, or any {@link CompletableFuture}) once it is done, a {@link Connection} once a
     * message can be received or its stream has ended (so that {@code recv} does not block), a queue once it holds
     * an element or is shut down (so that {@code get} does not block).
     *
     * <p>Waiting on processes and futures alone wakes as they end. With connections or queues among the objects,
     * readiness is polled: at once while it spins, then within about a millisecond.
     *
     * @param <T>     the objects' type
     * @param objects started {@link JvmProcess}es, their sentinels ({@link JvmProcess#onExit()}) or other
     *                {@link CompletableFuture}s, readable {@link Connection}s, queues
     *                ({@link MultiprocessingQueue}s)
     * @param timeout the longest wait, or null to wait as long as needed
     * @return the objects that are ready, in the order given; empty on timeout
     * @throws InterruptedException     if interrupted while waiting
     * @throws IllegalArgumentException for objects that cannot be waited for
     * @throws IllegalStateException    for a process not started, or a connection or queue closed here
     */
    public static <T> List<T> wait(Collection<T> objects, Duration timeout) throws InterruptedException {
        boolean onlyExits = true;
        for (T object : objects) {
            switch (object) {
                case JvmProcess process -> {
                    if (process.pid().isEmpty()) {
                        throw new IllegalStateException("cannot wait for " + process + " (expected a started process)");
                    }
                }
                case Connection connection -> {
                    if (!connection.readable()) {
                        throw new IllegalArgumentException("cannot wait for " + connection + " (expected an end that"
                                + " receives)");
                    }
                    onlyExits = false;
                }
                case CompletableFuture<?> sentinel -> {
                    // done when its process has ended (onExit()), or whatever it stands for
                }
                case MultiprocessingQueue<?> queue -> onlyExits = false;
                case null, default -> throw new IllegalArgumentException("cannot wait for " + object + " (expected"
                        + " started JvmProcesses, their onExit() sentinels, Connections or queues)");
            }
        }
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + WaitCore.nanos(timeout);
        if (onlyExits) {
            awaitAnyExit(objects, timeout);
            return ready(objects);
        }
        for (int round = 0; ; round++) {
            List<T> ready = ready(objects);
            long left = deadline - System.nanoTime();
            if (!ready.isEmpty() || left <= 0) {
                return ready;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (round < 200) {
                Thread.onSpinWait();
            } else if (round < 220) {
                Thread.yield();
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(Math.min(left,
                        Math.min(WAIT_POLL_MAX_NANOS, 10_000L << Math.min(round - 220, 7))));
            }
        }
    }

    private static final long WAIT_POLL_MAX_NANOS = 1_000_000;

    private static <T> void awaitAnyExit(Collection<T> objects, Duration timeout) throws InterruptedException {
        if (objects.isEmpty() || !ready(objects).isEmpty()) {
            return;
        }
        List<CompletableFuture<?>> futures = new ArrayList<>();
        for (T object : objects) {
            futures.add(object instanceof JvmProcess process ? process.onExit() : (CompletableFuture<?>) object);
        }
        CompletableFuture<Object> any = CompletableFuture.anyOf(futures.toArray(CompletableFuture[]::new));
        try {
            if (timeout == null) {
                any.get();
            } else {
                any.get(WaitCore.nanos(timeout), TimeUnit.NANOSECONDS);
            }
        } catch (TimeoutException e) {
            // none ready: the caller returns an empty list
        } catch (ExecutionException e) {
            // an ended process is ready whatever its future says; a failed future is done, so ready too
        }
    }

    private static <T> List<T> ready(Collection<T> objects) {
        List<T> ready = new ArrayList<>();
        for (T object : objects) {
            boolean isReady = switch (object) {
                case JvmProcess process -> !process.isAlive();
                case Connection connection -> {
                    try {
                        yield connection.poll();
                    } catch (java.io.IOException e) {
                        yield true; // recv will throw at once: as ready as it gets
                    }
                }
                case CompletableFuture<?> sentinel -> sentinel.isDone();
                case MultiprocessingQueue<?> queue -> !queue.empty() || queue.isShutdown(); // get would not block
                default -> throw new AssertionError(object);
            };
            if (isReady) {
                ready.add(object);
            }
        }
        return ready;
    }
}

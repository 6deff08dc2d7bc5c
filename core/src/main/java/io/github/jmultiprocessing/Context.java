package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.spawn.ClassLocations;
import io.github.jmultiprocessing.internal.spawn.ForkServer;
import io.github.jmultiprocessing.internal.spawn.LaunchSpec;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Every factory of the library, bound to one start method: Python's {@code multiprocessing} context objects.
 * A library picks its own start method with a context instead of changing the user's:
 *
 * <pre>{@code
 * Context ctx = Multiprocessing.getContext("forkserver");    // Python: ctx = get_context('forkserver')
 * SharedValue counter = ctx.value('i', 0);
 * JvmProcess p = ctx.process(() -> counter.incrementAndGet());
 * p.start();
 * p.join();
 * }</pre>
 *
 * <p>Shared objects are the same whatever the start method; only how {@link #process} children start
 * differs (see {@link Multiprocessing}). A context may also carry {@link ChildJvm} settings
 * ({@link #withJvm}): the java, heap, options and properties of the JVMs of its processes, and of the pools and
 * managers made with it.
 *
 * <p>Implementation notes. This class also holds what CPython's {@code DefaultContext} holds: the default start
 * method (set once, or fixed to {@value Multiprocessing#SPAWN} when first used) and the default {@link ChildJvm}
 * settings; {@link Multiprocessing}'s module-level functions read and set them here.
 */
public final class Context {

    private static final List<String> METHODS = List.of(Multiprocessing.SPAWN, Multiprocessing.FORKSERVER,
            Multiprocessing.THREAD);
    private static volatile String defaultMethod; // null until set or first used; writes under Context.class
    private static volatile ChildJvm defaultJvm = ChildJvm.defaults();

    private final String method;
    private final ChildJvm jvm; // null: Multiprocessing's default when a process starts

    Context(String method) {
        this(method, null);
    }

    private Context(String method, ChildJvm jvm) {
        this.method = method;
        this.jvm = jvm;
    }

    /** {@return this context's start method} */
    public String getStartMethod() {
        return method;
    }

    /**
     * {@return this context with {@link ChildJvm} settings for the JVMs of its processes, pools and managers}
     *
     * <pre>{@code
     * Context ctx = Multiprocessing.getContext("spawn").withJvm(ChildJvm.defaults().withMaxHeap("256m"));
     * try (var pool = new ProcessPool(4, null, 0, ctx)) { ... }
     * }</pre>
     *
     * @param jvm the settings
     */
    public Context withJvm(ChildJvm jvm) {
        return new Context(method, java.util.Objects.requireNonNull(jvm, "jvm"));
    }

    /** {@return the {@link ChildJvm} settings of this context: its own, else the default} */
    public ChildJvm getJvm() {
        return jvm != null ? jvm : defaultJvm;
    }

    /**
     * Starts a manager's server process with this context (Python's {@code ctx.Manager()}).
     *
     * @return the started manager; close it to stop the server
     * @throws IllegalStateException if the server could not start
     */
    public Manager manager() {
        Manager manager = new Manager(null, null, this);
        manager.start();
        return manager;
    }

    /**
     * {@return another context (Python's {@code ctx.get_context(method)})}
     * @param method the start method
     */
    public Context getContext(String method) {
        return of(method);
    }

    /**
     * {@return a process that starts with this context's method}
     * @param target what it runs
     */
    public JvmProcess process(ProcessTarget target) {
        return process(target, null);
    }

    /**
     * {@return a named process that starts with this context's method}
     * @param target what it runs
     * @param name   its name, or null for the default
     */
    public JvmProcess process(ProcessTarget target, String name) {
        JvmProcess process = new JvmProcess(target, name, method);
        if (jvm != null) {
            process.setChildJvm(jvm);
        }
        return process;
    }

    /** {@return the context's own settings, or null} */
    ChildJvm ownJvm() {
        return jvm;
    }

    /** {@return a new {@link SharedLock}} */
    public SharedLock lock() {
        return new SharedLock();
    }

    /** {@return a new {@link SharedRLock}} */
    public SharedRLock rlock() {
        return new SharedRLock();
    }

    /**
     * {@return a new {@link SharedSemaphore}}
     * @param value the initial permits
     */
    public SharedSemaphore semaphore(int value) {
        return new SharedSemaphore(value);
    }

    /**
     * {@return a new {@link SharedBoundedSemaphore}}
     * @param value the initial and greatest permits
     */
    public SharedBoundedSemaphore boundedSemaphore(int value) {
        return new SharedBoundedSemaphore(value);
    }

    /** {@return a new {@link SharedEvent}} */
    public SharedEvent event() {
        return new SharedEvent();
    }

    /** {@return a new {@link SharedCondition} over a new {@link SharedRLock}} */
    public SharedCondition condition() {
        return new SharedCondition();
    }

    /**
     * {@return a new {@link SharedCondition} over the lock}
     * @param lock the lock
     */
    public SharedCondition condition(SharedLock lock) {
        return new SharedCondition(lock);
    }

    /**
     * {@return a new {@link SharedCondition} over the recursive lock}
     * @param lock the lock
     */
    public SharedCondition condition(SharedRLock lock) {
        return new SharedCondition(lock);
    }

    /**
     * {@return a new {@link SharedBarrier}}
     * @param parties how many parties trip it
     */
    public SharedBarrier barrier(int parties) {
        return new SharedBarrier(parties);
    }

    /**
     * {@return a new {@link SharedBarrier} with an action and a default timeout}
     * @param parties how many parties trip it
     * @param action  run by the last party of each trip, or null
     * @param timeout the default timeout, or null
     */
    public SharedBarrier barrier(int parties, SerializableRunnable action, Duration timeout) {
        return new SharedBarrier(parties, action, timeout);
    }

    /**
     * {@return a synchronized {@link SharedValue} (Python's {@code ctx.Value})}
     * @param typecode the typecode
     * @param initial  the initial value
     */
    public SharedValue value(char typecode, Object initial) {
        return SharedValue.of(typecode, initial);
    }

    /**
     * {@return an unsynchronized {@link SharedValue} (Python's {@code ctx.RawValue})}
     * @param typecode the typecode
     * @param initial  the initial value
     */
    public SharedValue rawValue(char typecode, Object initial) {
        return SharedValue.raw(typecode, initial);
    }

    /**
     * {@return a synchronized {@link SharedArray} (Python's {@code ctx.Array})}
     * @param typecode the typecode
     * @param values   the initial elements
     */
    public SharedArray array(char typecode, Object... values) {
        return SharedArray.of(typecode, values);
    }

    /**
     * {@return a synchronized, zero-filled {@link SharedArray}}
     * @param typecode the typecode
     * @param length   the number of elements
     */
    public SharedArray arrayOfLength(char typecode, int length) {
        return SharedArray.ofLength(typecode, length);
    }

    /**
     * {@return an unsynchronized {@link SharedArray} (Python's {@code ctx.RawArray})}
     * @param typecode the typecode
     * @param values   the initial elements
     */
    public SharedArray rawArray(char typecode, Object... values) {
        return SharedArray.raw(typecode, values);
    }

    /** {@return the number of CPUs} */
    public int cpuCount() {
        return Multiprocessing.cpuCount();
    }

    /** {@return the current process} */
    public JvmProcess currentProcess() {
        return Multiprocessing.currentProcess();
    }

    /** {@return the parent process, in a child} */
    public Optional<JvmProcess> parentProcess() {
        return Multiprocessing.parentProcess();
    }

    /** {@return the running children} */
    public List<JvmProcess> activeChildren() {
        return Multiprocessing.activeChildren();
    }

    @Override
    public String toString() {
        return "Context[" + method + (jvm == null ? "" : ", " + jvm) + "]";
    }

    // ---- the default context (CPython's DefaultContext), behind Multiprocessing's functions

    /** {@return the context of {@code method}, warming the forkserver for its first start} */
    static Context of(String method) {
        if (Multiprocessing.FORKSERVER.equals(checkMethod(method))) {
            ForkServer.warm(defaultSpec()); // so that the context's first start is fast too
        }
        return new Context(method);
    }

    /** {@return the start methods this platform offers, the default first} */
    static List<String> methods() {
        return METHODS;
    }

    /** {@return {@code method} if it is one of {@link #methods()}} */
    static String checkMethod(String method) {
        if ("fork".equals(method)) {
            throw new IllegalArgumentException("start method 'fork' is not available on the JVM (a JVM cannot fork"
                    + " itself; expected 'forkserver', which keeps a warm JVM ready, or 'spawn')");
        }
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("cannot find context for '" + method + "' (expected one of "
                    + METHODS + ")");
        }
        return method;
    }

    /** Sets the default start method, again if {@code force}; null with {@code force} unsets it. */
    static synchronized void setDefaultMethod(String method, boolean force) {
        if (defaultMethod != null && !force) {
            throw new IllegalStateException("context has already been set (start method " + defaultMethod
                    + "; expected setStartMethod once, before processes start, or force=true)");
        }
        defaultMethod = method == null ? null : checkMethod(method);
        if (Multiprocessing.FORKSERVER.equals(defaultMethod)) {
            ForkServer.warm(defaultSpec());
        }
    }

    /**
     * {@return the default start method: fixed to {@value Multiprocessing#SPAWN} if unset, or null if unset and
     * {@code allowNone}}
     */
    static String defaultMethod(boolean allowNone) {
        String method = defaultMethod;
        if (method == null && !allowNone) {
            synchronized (Context.class) {
                if (defaultMethod == null) {
                    defaultMethod = Multiprocessing.SPAWN;
                }
                method = defaultMethod;
            }
        }
        return method;
    }

    /** A child takes its parent's default start method (what {@code getStartMethod()} says there). */
    static void inheritDefaultMethod(String method) {
        if (method != null) {
            defaultMethod = method;
        }
    }

    /** {@return how child JVMs that set nothing of their own are started} */
    static ChildJvm defaultJvm() {
        return defaultJvm;
    }

    /** Sets how child JVMs that set nothing of their own are started. */
    static void setDefaultJvm(ChildJvm jvm) {
        defaultJvm = Objects.requireNonNull(jvm, "jvm");
    }

    /** {@return how a child of the default settings, started from this thread, is started} */
    private static LaunchSpec defaultSpec() {
        JvmProcess.wire(); // the standby this spec warms preloads and rehearses what JvmProcess names
        ChildJvm jvm = defaultJvm;
        return new LaunchSpec(jvm.executableName(), jvm.jvmOptions(), ClassLocations.classPath(
                List.of(Context.class.getClassLoader(), Thread.currentThread().getContextClassLoader()),
                jvm.classPathEntries()));
    }
}

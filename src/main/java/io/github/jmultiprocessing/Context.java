package io.github.jmultiprocessing;

import java.time.Duration;
import java.util.List;
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
 */
public final class Context {

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
        return jvm != null ? jvm : Multiprocessing.getChildJvm();
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
        return Multiprocessing.getContext(method);
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
}

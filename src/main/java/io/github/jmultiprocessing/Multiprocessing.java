package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.codec.MessageCodec;
import io.github.jmultiprocessing.internal.shm.LibraryThreads;
import io.github.jmultiprocessing.internal.shm.SegmentLedger;
import io.github.jmultiprocessing.internal.spawn.ClassLocations;
import io.github.jmultiprocessing.internal.spawn.ForkServer;
import io.github.jmultiprocessing.internal.spawn.LaunchSpec;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.io.ObjectInputFilter;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

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
 */
public final class Multiprocessing {

    /** Start method: a fresh JVM for each process. */
    public static final String SPAWN = "spawn";

    /** Start method: a warm standby JVM for each process. */
    public static final String FORKSERVER = "forkserver";

    /** Start method: a thread of this JVM for each process. */
    public static final String THREAD = "thread";

    private static final List<String> METHODS = List.of(SPAWN, FORKSERVER, THREAD);
    private static final InheritableThreadLocal<JvmProcess> THREAD_PROCESS = new InheritableThreadLocal<>();
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static volatile String startMethod; // null until set or first used
    private static final Set<JvmProcess> CHILDREN = ConcurrentHashMap.newKeySet();
    private static volatile JvmProcess current;
    private static volatile JvmProcess parent;
    private static volatile ChildJvm childJvm = ChildJvm.defaults();
    private static volatile boolean exiting;
    private static volatile Boolean workCanFinish; // null until asked, at exit
    /** The threads running a {@code thread}-method process now. */
    private static final Set<Thread> THREAD_RUNNERS = ConcurrentHashMap.newKeySet();

    /** Exit priority of work that must finish before the JVM exits (an executor's submitted tasks). */
    static final int EXIT_WORK = 100;
    /** Exit priority of pools: terminated at exit, after the work, before managers (Python's 15). */
    static final int EXIT_POOLS = 15;
    /** Exit priority of managers: shut down last (Python's 0). */
    static final int EXIT_MANAGERS = 0;

    /** An action at exit: Python's {@code util.Finalize} with an exit priority. */
    private record ExitAction(Object owner, int priority, Runnable action) {
    }

    private static final List<ExitAction> AT_EXIT = new ArrayList<>(); // guarded by itself

    static {
        ForkServer.setBootstrapClasses(List.of(ChildBootstrap.class.getName(), JvmProcess.class.getName(),
                Multiprocessing.class.getName(), HeapHandle.class.getName(), HeapHandle.Kind.class.getName(),
                SharedValue.class.getName() + "$Handle",
                SharedArray.class.getName() + "$Handle", SharedMemory.class.getName() + "$Handle"));
        ForkServer.setRehearsal(() -> ChildBootstrap.rehearse());
        SegmentLedger.beforeExit(Multiprocessing::exit);
    }

    /**
     * What this JVM does at exit, before its segments are unlinked (Python's {@code _exit_function}): work that
     * must finish finishes (children may still start for it), then no child starts any more, pools are terminated,
     * managers shut down, the forkserver's standby is let go, daemon children are terminated and the others
     * joined.
     */
    private static void exit() {
        runAtExit(EXIT_WORK, Integer.MAX_VALUE);
        STARTS.writeLock().lock(); // after the starts under way, which endChildren below then sees
        try {
            exiting = true;
        } finally {
            STARTS.writeLock().unlock();
        }
        runAtExit(Integer.MIN_VALUE, EXIT_WORK - 1);
        ForkServer.shutdown();
        endChildren(!isChild());
    }

    /** Runs the exit actions with priorities in [low, high], highest first, the latest registered first. */
    private static void runAtExit(int low, int high) {
        List<ExitAction> due = new ArrayList<>();
        synchronized (AT_EXIT) {
            for (ExitAction action : AT_EXIT) {
                if (action.priority() >= low && action.priority() <= high) {
                    due.add(action);
                }
            }
            AT_EXIT.removeAll(due);
        }
        if (due.isEmpty()) {
            return; // a child JVM, say: no lambda or comparator to link on its way out
        }
        java.util.Collections.reverse(due);
        due.sort(java.util.Comparator.comparingInt(ExitAction::priority).reversed()); // stable: latest first kept
        for (ExitAction action : due) {
            try {
                action.action().run();
            } catch (RuntimeException e) {
                System.getLogger(Multiprocessing.class.getName()).log(System.Logger.Level.WARNING,
                        "an exit action of " + action.owner() + " failed", e);
            }
        }
    }

    /**
     * Registers an action to run at JVM exit, before children are ended (Python's {@code util.Finalize} with an
     * exit priority): higher priorities first, among equal ones the latest registered first.
     */
    static void atExit(Object owner, int priority, Runnable action) {
        synchronized (AT_EXIT) {
            AT_EXIT.add(new ExitAction(owner, priority, action));
        }
    }

    /** Forgets the exit actions of an owner that ended by itself. */
    static void cancelAtExit(Object owner) {
        synchronized (AT_EXIT) {
            AT_EXIT.removeIf(action -> action.owner() == owner);
        }
    }

    /**
     * {@return true if work this JVM's pools run can still finish now that the JVM exits}: false when the exit was
     * asked for by a signal (SIGTERM, SIGINT, SIGHUP: a Python process ends at once on SIGTERM, and waiting for
     * work there would keep {@code kill} and {@code docker stop} waiting for its length), or by {@code System.exit}
     * from a thread that work depends on: one of the library's own threads (a continuation of an executor's future
     * runs on a pool's receiver, a callback on its callback thread) or the thread of a {@code thread}-method
     * process (a pool worker of that method). Such a thread stays blocked in {@code System.exit} for good, so what
     * waits on it would wait for good. Worked out once, at exit, from the threads' stacks.
     */
    static boolean workCanFinishAtExit() {
        Boolean can = workCanFinish;
        if (can == null) {
            can = Boolean.TRUE;
            for (var entry : Thread.getAllStackTraces().entrySet()) {
                Thread thread = entry.getKey();
                boolean exiting = false;
                boolean signal = false;
                for (StackTraceElement frame : entry.getValue()) {
                    exiting |= frame.getClassName().equals("java.lang.Shutdown");
                    signal |= frame.getClassName().startsWith("java.lang.Terminator");
                }
                if (exiting && (signal || thread.getName().startsWith(LibraryThreads.PREFIX)
                        || THREAD_RUNNERS.contains(thread))) {
                    can = Boolean.FALSE;
                }
            }
            workCanFinish = can;
        }
        return can;
    }

    /** {@return true if this thread is blocked in {@code System.exit} (or in the JVM's exit after a signal)} */
    static boolean isExitingThread(Thread thread) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getClassName().equals("java.lang.Shutdown")) {
                return true;
            }
        }
        return false;
    }

    /** {@return how a child of the default settings, started from this thread, is started} */
    private static LaunchSpec defaultSpec() {
        ChildJvm jvm = childJvm;
        return new LaunchSpec(jvm.executableName(), jvm.jvmOptions(), ClassLocations.classPath(
                List.of(Multiprocessing.class.getClassLoader(), Thread.currentThread().getContextClassLoader()),
                jvm.classPathEntries()));
    }

    /** Held (read) by every start, (write) by the exit while it sets {@link #exiting}. */
    private static final java.util.concurrent.locks.ReentrantReadWriteLock STARTS =
            new java.util.concurrent.locks.ReentrantReadWriteLock();

    /** {@return the lock a start holds from its check of {@link #isExiting()} until the child is registered} */
    static java.util.concurrent.locks.Lock startLock() {
        return STARTS.readLock();
    }

    /** {@return true once this JVM has begun to exit: no child starts any more} */
    static boolean isExiting() {
        return exiting;
    }

    /**
     * {@return the class loader of the nearest caller outside this library}: the code that makes a pool or a
     * manager, whose classes its child JVMs must load.
     */
    static ClassLoader callerLoader() {
        String library = Multiprocessing.class.getPackageName();
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                .map(StackWalker.StackFrame::getDeclaringClass)
                .filter(type -> !type.getPackageName().equals(library)
                        && !type.getPackageName().startsWith(library + ".internal"))
                .findFirst().map(Class::getClassLoader).orElse(null));
    }

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
        childJvm = Objects.requireNonNull(jvm, "jvm");
    }

    /** {@return how child JVMs that set nothing of their own are started} */
    public static ChildJvm getChildJvm() {
        return childJvm;
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
        JvmProcess inThread = THREAD_PROCESS.get();
        if (inThread != null) {
            return inThread;
        }
        JvmProcess process = current;
        if (process == null) {
            synchronized (Multiprocessing.class) {
                process = current;
                if (process == null) {
                    byte[] authkey = new byte[32];
                    new SecureRandom().nextBytes(authkey);
                    process = new JvmProcess(ProcessHandle.current().pid(), "MainProcess", new int[0], false, authkey);
                    current = process;
                }
            }
        }
        return process;
    }

    /** {@return the parent's process object in a child; empty in the main process} */
    public static Optional<JvmProcess> parentProcess() {
        return Optional.ofNullable(parent);
    }

    /**
     * The children of this process that are still running; children that have ended are reaped (joined) as a
     * side effect, as in Python.
     *
     * @return the running children
     */
    public static List<JvmProcess> activeChildren() {
        List<JvmProcess> alive = new ArrayList<>();
        for (JvmProcess child : CHILDREN) {
            if (child.isAlive()) {
                alive.add(child);
            }
        }
        return alive;
    }

    /**
     * {@return the context of the given start method: an object with every factory of this class, bound to it}
     * @param method {@value #SPAWN}, {@value #FORKSERVER} or {@value #THREAD}
     * @throws IllegalArgumentException for {@code fork} (a JVM cannot fork) and unknown methods
     */
    public static Context getContext(String method) {
        if (FORKSERVER.equals(checkMethod(method))) {
            ForkServer.warm(defaultSpec()); // so that the context's first start is fast too
        }
        return new Context(method);
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
    public static synchronized void setStartMethod(String method, boolean force) {
        if (startMethod != null && !force) {
            throw new IllegalStateException("context has already been set (start method " + startMethod
                    + "; expected setStartMethod once, before processes start, or force=true)");
        }
        startMethod = method == null ? null : checkMethod(method);
        if (FORKSERVER.equals(startMethod)) {
            ForkServer.warm(defaultSpec());
        }
    }

    /** {@return the start method of processes that do not choose one; fixes it to {@value #SPAWN} if unset} */
    public static String getStartMethod() {
        String method = startMethod;
        if (method == null) {
            synchronized (Multiprocessing.class) {
                if (startMethod == null) {
                    startMethod = SPAWN;
                }
                method = startMethod;
            }
        }
        return method;
    }

    /**
     * {@return the start method, or null if it is not set yet and {@code allowNone}}
     * @param allowNone true to leave it unset
     */
    public static String getStartMethod(boolean allowNone) {
        return allowNone ? startMethod : getStartMethod();
    }

    /** {@return the start methods this platform offers, the default first} */
    public static List<String> getAllStartMethods() {
        return METHODS;
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

    // ---- package-private plumbing

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

    /** Runs a {@code thread}-method process on the calling thread, as the current process there. */
    static void runAsCurrent(JvmProcess process) throws Exception {
        THREAD_PROCESS.set(process);
        THREAD_RUNNERS.add(Thread.currentThread());
        try {
            process.runInChild();
        } finally {
            THREAD_RUNNERS.remove(Thread.currentThread());
            THREAD_PROCESS.remove();
        }
    }

    static int[] nextIdentity() {
        int[] base = currentProcess().identity();
        int[] identity = java.util.Arrays.copyOf(base, base.length + 1);
        identity[base.length] = COUNTER.incrementAndGet();
        return identity;
    }

    static boolean isChild() {
        return parent != null;
    }

    static void registerChild(JvmProcess child) {
        CHILDREN.add(child);
    }

    static void unregisterChild(JvmProcess child) {
        CHILDREN.remove(child);
    }

    static void enterChild(JvmProcess process, long parentPid, String parentName, int[] parentIdentity,
            String inheritedStartMethod) {
        process.becomeCurrent();
        if (inheritedStartMethod != null) {
            startMethod = inheritedStartMethod;
        }
        synchronized (Multiprocessing.class) {
            current = process;
            parent = JvmProcess.parentView(parentPid, parentName, parentIdentity);
        }
    }

    /**
     * Terminates daemon children and, if {@code join}, waits for the others. Processes of the {@code thread}
     * start method are threads of this JVM and are left alone: one of them may be the thread calling
     * {@code System.exit}, which holds up the exit until these hooks end.
     */
    static void endChildren(boolean join) {
        for (JvmProcess child : CHILDREN) {
            if (child.isThread()) {
                continue;
            }
            if (child.isDaemon()) {
                try {
                    child.terminate();
                } catch (IllegalStateException ignored) {
                    // closed or ended meanwhile
                }
            }
        }
        if (!join) {
            return;
        }
        for (JvmProcess child : CHILDREN) {
            if (child.isThread()) {
                continue;
            }
            try {
                child.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IllegalStateException ignored) {
                // closed meanwhile
            }
        }
    }
}

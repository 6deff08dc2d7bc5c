package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.events.Recording;
import io.github.jmultiprocessing.internal.events.ProcessExitEvent;
import io.github.jmultiprocessing.internal.events.ProcessStartEvent;
import io.github.jmultiprocessing.internal.spawn.BootstrapFrame;
import io.github.jmultiprocessing.internal.spawn.ChildLauncher;
import io.github.jmultiprocessing.internal.spawn.ChildMain;
import io.github.jmultiprocessing.internal.spawn.ClassLocations;
import io.github.jmultiprocessing.internal.spawn.ExitActions;
import io.github.jmultiprocessing.internal.spawn.ExitReport;
import io.github.jmultiprocessing.internal.spawn.ForkServer;
import io.github.jmultiprocessing.internal.spawn.LaunchSpec;
import io.github.jmultiprocessing.internal.spawn.Popen;
import io.github.jmultiprocessing.internal.shm.SegmentLedger;
import io.github.jmultiprocessing.internal.codec.CompactCodec;
import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * An activity run in a child JVM: Python's {@code multiprocessing.Process}.
 *
 * <pre>{@code
 * var number = SharedValue.of('i', 0);
 * var p = new JvmProcess(() -> number.incrementAndGet());   // Python: Process(target=f, args=(number,))
 * p.start();
 * p.join();
 * p.exitCode();                                             // OptionalInt[0]
 * }</pre>
 *
 * <p>The target is a {@link ProcessTarget} (a lambda or method reference, which may throw any exception; the
 * arguments are what it captures), or a subclass overrides {@link #run()}. {@link #start()} serializes the process object with its
 * target and starts a fresh JVM (Python's {@code spawn} start method): the running JVM's own {@code java}, the
 * same module path and a class path made of this JVM's and the files behind the class loaders of the library and
 * of the target (so that it works under {@code mvn exec:java} and in an application's own class loaders), the
 * heap sizes and system properties of this JVM's command line and the {@link ChildJvm} settings, its stdout and
 * stderr relayed to this JVM's {@link System#out} and {@link System#err} (so they show wherever this JVM's do, and
 * {@link #join()} returns after the child's last words); the child deserializes the object and calls
 * {@code run()}. A target whose classes exist only in this JVM's memory (jshell's snippets, {@code java Main.java}
 * source-file mode) fails in {@code start()}, naming the class. Shared objects ({@link SharedValue}, {@link SharedArray}, {@link SharedLock},
 * {@link SharedMemory}) captured by the target travel as handles and attach to the same memory in the child.
 *
 * <p>Exit codes are Python's: 0 when {@code run()} returns, 1 when it throws (the stack trace goes to the
 * child's stderr, after a line {@code Process <name>:}), {@code n} after {@code System.exit(n)}, {@code -N} when
 * the child died of signal N: -15 after {@link #terminate()}, -9 after {@link #kill()}, and the same for a signal
 * sent by anyone else. A JVM reports a death by signal N as status {@code 128+N}, as it does a
 * {@code System.exit(128+N)}; the child tells its parent when its own code chose the status, so that
 * {@code System.exit(137)} reads as 137. {@code Runtime.halt(128+N)} runs no code at exit and reads as {@code -N}.
 *
 * <p>Errors are Python's, as {@link IllegalStateException}: starting twice, joining or terminating before
 * {@code start()}, closing a running process, any use after {@link #close()}, starting a child from a daemon
 * process. A target that cannot be serialized fails in {@code start()}, in the parent, naming the class.
 *
 * <p>A daemon child ({@link #setDaemon(boolean)}) is terminated when its parent exits, and ends by itself if
 * the parent dies without exiting (killed), like Python's daemon processes and stricter. At normal exit the
 * parent joins its non-daemon children, as Python does.
 *
 * <p>Memory consistency effects: actions in the parent before {@code start()} happen-before the child's
 * {@code run()}; the child's actions happen-before the return of a {@code join()} or {@code isAlive()} that sees
 * it ended.
 */
public class JvmProcess implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    // The process tree of this JVM (CPython's process.py): the current process, the parent's view, the children.
    private static final InheritableThreadLocal<JvmProcess> THREAD_PROCESS = new InheritableThreadLocal<>();
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Set<JvmProcess> CHILDREN = ConcurrentHashMap.newKeySet();
    private static final Set<Thread> THREAD_RUNNERS = ConcurrentHashMap.newKeySet(); // running a thread-method process
    private static volatile JvmProcess current; // writes under JvmProcess.class
    private static volatile JvmProcess parent;
    /** Held (read) by every start, (write) by the exit while it sets {@link #exiting}. */
    private static final ReentrantReadWriteLock STARTS = new ReentrantReadWriteLock();
    private static volatile boolean exiting;

    static {
        ForkServer.setBootstrapClasses(List.of(ChildBootstrap.class.getName(), JvmProcess.class.getName(),
                Multiprocessing.class.getName(), SharedLock.class.getName() + "$Handle",
                SharedRLock.class.getName() + "$Handle", SharedEvent.class.getName() + "$Handle",
                SharedSemaphore.class.getName() + "$Handle", SharedValue.class.getName() + "$Handle",
                SharedArray.class.getName() + "$Handle", SharedMemory.class.getName() + "$Handle",
                BootstrapForms.class.getName(), Context.class.getName(), ExitReport.class.getName(),
                ExitReport.class.getName() + "$Hook", // every class a child loads before its target runs
                // by name: the worker side of a pool, which adds the rehearsal of a pool worker's first task (a
                // reference to the class would tie this file into a cycle with internal.pool)
                JvmProcess.class.getPackageName() + ".WorkerEnd"));
        ForkServer.addRehearsal(() -> ChildBootstrap.rehearse());
        SegmentLedger.beforeExit(JvmProcess::exit);
    }

    /** What the process runs. */
    private final ProcessTarget target;
    /** Python's {@code _identity}: the position of this process in its tree, from the root. */
    private final int[] identity;
    /** The name ({@code JvmProcess-N} unless set). */
    private volatile String name;
    /** Whether the process ends when its parent does. */
    private volatile boolean daemon;
    /** The key its connections and managers authenticate with (Python's {@code authkey}). */
    private byte[] authkey;

    private transient long externalPid; // set for the current process and for a parent view: not ours to start
    private transient boolean parentView; // this child's view of its parent: joinable, never started or signalled
    private transient Popen process; // guarded by this: what runs it once started
    /** The start method, or null for the default start method when {@code start()} is called. */
    private final String startMethod;
    private transient volatile Integer exitCode;
    private transient volatile boolean closed;
    private transient volatile ChildJvm childJvm; // null: Multiprocessing's default
    private transient List<ClassLoader> loaders; // more loaders whose classes the child needs, guarded by this
    private transient boolean preparesFilter; // see prepareFilterInChild(), guarded by this

    /**
     * A process that will run {@code target} in a child JVM.
     *
     * @param target what the child runs (it may throw: exit code 1); captured values must be serializable
     */
    public JvmProcess(ProcessTarget target) {
        this(Objects.requireNonNull(target, "target"), null);
    }

    /**
     * A named process that will run {@code target} in a child JVM.
     *
     * @param target what the child runs (it may throw: exit code 1); captured values must be serializable
     * @param name   the process name, or null for {@code JvmProcess-N}
     */
    public JvmProcess(ProcessTarget target, String name) {
        this(target, name, null);
    }

    JvmProcess(ProcessTarget target, String name, String startMethod) {
        this.target = Objects.requireNonNull(target, "target");
        this.startMethod = startMethod;
        this.identity = nextIdentity();
        this.name = name != null ? name : defaultName();
        JvmProcess current = currentProcess();
        this.daemon = current.daemon;
        this.authkey = current.authkey.clone();
    }

    /** For subclasses that override {@link #run()}; the name is {@code <ClassName>-N}. */
    protected JvmProcess() {
        this((Context) null);
    }

    /**
     * For subclasses that override {@link #run()}, started by a context's start method.
     *
     * @param context the context, or null for the default start method
     */
    protected JvmProcess(Context context) {
        this.target = null;
        this.startMethod = context == null ? null : context.getStartMethod();
        this.childJvm = context == null ? null : context.ownJvm();
        this.identity = nextIdentity();
        this.name = defaultName();
        JvmProcess current = currentProcess();
        this.daemon = current.daemon;
        this.authkey = current.authkey.clone();
    }

    /** A process object that is only serialized, never started: takes no name number from the counter. */
    JvmProcess(ProcessTarget target, String name, int[] identity, byte[] authkey) {
        this.target = Objects.requireNonNull(target, "target");
        this.startMethod = null;
        this.identity = identity;
        this.name = name;
        this.authkey = authkey;
    }

    /** A process object as a child's compact bootstrap carries it ({@link ChildBootstrap}). */
    JvmProcess(ProcessTarget target, String name, int[] identity, boolean daemon, byte[] authkey, String startMethod) {
        this.target = target;
        this.startMethod = startMethod;
        this.identity = identity;
        this.name = name;
        this.daemon = daemon;
        this.authkey = authkey;
    }

    /**
     * Writes what a child's compact bootstrap carries of this process: its fields, the target as a value.
     *
     * @param out the bootstrap being written
     * @throws IOException if a value cannot be written
     */
    void writeCompact(CompactCodec.Writer out) throws IOException {
        DataOutputStream data = out.data();
        data.writeUTF(name);
        data.writeBoolean(daemon);
        ChildBootstrap.writeInts(data, identity);
        data.writeInt(authkey.length);
        data.write(authkey);
        ChildBootstrap.writeOptional(data, startMethod);
        out.writeValue(target);
    }

    /** The current process or a view of a parent: not started by us, never started again. */
    JvmProcess(long pid, String name, int[] identity, boolean daemon, byte[] authkey) {
        this.target = null;
        this.startMethod = null;
        this.externalPid = pid;
        this.name = name;
        this.identity = identity;
        this.daemon = daemon;
        this.authkey = authkey;
    }

    /**
     * What the child runs: the target, unless a subclass overrides this. Called in the child JVM. A checked
     * exception the target throws leaves this method wrapped in an
     * {@link java.lang.reflect.UndeclaredThrowableException}; the child reports the target's own exception.
     */
    public void run() {
        if (target != null) {
            try {
                target.run();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw TargetException.of(e);
            }
        }
    }

    /**
     * Runs the process as its child does: {@link #run()}, with a checked exception of the target thrown as itself.
     *
     * @throws Exception what the target or {@code run()} threw
     */
    final void runInChild() throws Exception {
        try {
            run();
        } catch (RuntimeException e) {
            // instanceof, not a catch clause: a child whose target throws nothing checked never loads the class
            throw e instanceof TargetException carried ? (Exception) carried.getCause() : e;
        }
    }

    /** A checked exception of the target, carried out of {@link #run()}, which declares none. */
    private static final class TargetException extends java.lang.reflect.UndeclaredThrowableException {
        @Serial
        private static final long serialVersionUID = 1L;

        private TargetException(Exception cause) {
            super(cause, null);
        }

        /** {@return the carrier, typed so that its class is loaded only when a target throws} */
        static RuntimeException of(Exception cause) {
            return new TargetException(cause);
        }
    }

    /**
     * Starts the child JVM; returns once it is launched (not once it runs).
     *
     * @throws IllegalStateException    if started before, closed, the current process, or started from a daemon
     *                                  process
     * @throws IllegalArgumentException if the process object or its target cannot be serialized
     * @throws java.io.UncheckedIOException if no JVM could be started
     */
    public final synchronized void start() {
        checkOpen();
        if (externalPid != 0) {
            throw new IllegalStateException("cannot start " + name + ": it is the current or the parent process");
        }
        if (process != null) {
            throw new IllegalStateException("cannot start a process twice (" + name + ")");
        }
        if (currentProcess().isDaemon() && isChild()) {
            throw new IllegalStateException("daemonic processes are not allowed to have children");
        }
        java.util.concurrent.locks.Lock starting = STARTS.readLock(); // exit waits for starts under way
        starting.lock();
        try {
            if (exiting) {
                throw new IllegalStateException("cannot start " + name + ": this JVM is exiting (expected start()"
                        + " before main returns or System.exit)");
            }
            launch();
        } finally {
            starting.unlock();
        }
    }

    /** Starts the child and registers it; under the start lock, so that this JVM's exit ends it too. */
    private void launch() {
        ProcessStartEvent event = Recording.on() ? new ProcessStartEvent() : null;
        if (event != null) {
            event.begin();
        }
        String method = startMethod != null ? startMethod : Context.defaultMethod(false);
        long startedMicros = Recording.epochMicros(); // for the ProcessReady event of the process, if it records
        if (method.equals(Multiprocessing.THREAD)) {
            process = new Popen.InThread(name, daemon, () -> {
                Recording.processReady(name, Multiprocessing.THREAD, startedMicros);
                runAsCurrent(this);
            });
        } else {
            JvmProcess current = currentProcess();
            var credits = Connection.beginTransfer(); // pipe ends the target carries become the child's copies
            try {
                Set<Class<?>> classes = new LinkedHashSet<>();
                ChildBootstrap bootstrap = new ChildBootstrap(this, ProcessIdentity.pid(), current.name,
                        current.identity, method); // the child reports the method it was started with
                // A subclass may hold fields of its own: only Java serialization writes them.
                boolean compact = getClass() == JvmProcess.class;
                byte[] payload = compact ? compact(name, bootstrap, classes::add)
                        : serialize(name, bootstrap, classes::add);
                LaunchSpec spec = launchSpec(classes);
                ChildLauncher.noteBootstrapClasses(classes);
                ExitReport report = ExitReport.next(); // tells an exit(137) of its code from a SIGKILL
                BootstrapFrame frame = new BootstrapFrame(ProcessIdentity.pid(), daemon, name, report,
                        compact ? BootstrapFrame.COMPACT : BootstrapFrame.SERIALIZED, payload, startedMicros);
                process = new Popen.Jvm(method.equals(Multiprocessing.FORKSERVER) ? ForkServer.launch(frame, spec)
                        : ChildLauncher.launch(frame, spec), report);
            } finally {
                Connection.credit(credits, process == null ? 0 : process.pid());
            }
        }
        CHILDREN.add(this);
        if (event != null && event.shouldCommit()) {
            event.process = name;
            event.pid = process.pid();
            event.startMethod = method;
            event.commit();
        }
        long pid = process.pid();
        ProcessLog.debug(() -> "started " + name + " (pid " + pid + ", start method " + method + ")");
    }

    /**
     * Waits until the child ends. On the parent's process object in a child
     * ({@link Multiprocessing#parentProcess()}), waits until the parent has ended, as Python does: a non-daemon child
     * that does so while its parent joins it at exit waits for good (the parent waits for the child), so a child
     * that waits for its parent is best a daemon, or uses {@link #join(Duration)}.
     *
     * @throws InterruptedException  if interrupted while waiting
     * @throws IllegalStateException if not started, closed, or the current process (a process cannot join itself)
     */
    public final void join() throws InterruptedException {
        if (parentView) {
            awaitParent(-1);
            return;
        }
        started("join").waitFor();
        reap();
    }

    /**
     * Waits at most {@code timeout} for the child to end; check {@link #isAlive()} or {@link #exitCode()} for
     * which happened. On the parent's process object in a child, waits at most {@code timeout} for the parent to
     * end, and returns at once once it has.
     *
     * @param timeout the longest wait; zero or negative does not wait
     * @return true if the child (or the parent) has ended
     * @throws InterruptedException  if interrupted while waiting
     * @throws IllegalStateException if not started, closed, or the current process (a process cannot join itself)
     */
    public final boolean join(Duration timeout) throws InterruptedException {
        if (parentView) {
            return awaitParent(WaitCore.nanos(timeout));
        }
        Popen running = started("join");
        boolean ended = running.waitFor(WaitCore.nanos(timeout));
        if (ended) {
            reap();
        }
        return ended;
    }

    /**
     * {@return true from {@link #start()} until the child ends; true for the current process; for the parent in a
     * child, true until the parent has ended}
     * @throws IllegalStateException if closed
     */
    public final boolean isAlive() {
        checkOpen();
        if (parentView) {
            return !ChildMain.parentEnded().isDone() && ProcessIdentity.isAlive(externalPid);
        }
        if (externalPid != 0) {
            return ProcessIdentity.isAlive(externalPid);
        }
        Popen running;
        synchronized (this) {
            running = process;
        }
        if (running == null) {
            return false;
        }
        if (running.isAlive()) {
            return true;
        }
        reap();
        return false;
    }

    /**
     * Sends SIGTERM (Python's {@code terminate()}); the child runs its shutdown hooks and exits with -15.
     * Harmless if the child has ended.
     *
     * @throws IllegalStateException if not started, or closed
     */
    public final void terminate() {
        started("terminate").terminate();
    }

    /**
     * Sends SIGKILL (Python's {@code kill()}); the child exits with -9 at once. Harmless if it has ended.
     *
     * @throws IllegalStateException if not started, or closed
     */
    public final void kill() {
        started("kill").kill();
    }

    /**
     * Releases what the process object holds (Python's {@code close()}); every method but {@code close()} then
     * throws. Idempotent.
     *
     * @throws IllegalStateException if the child is still running
     */
    public final synchronized void close() {
        if (closed) {
            return;
        }
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("cannot close a process while it is still running; join() or terminate()"
                    + " it first (" + name + ")");
        }
        if (process != null) {
            reap();
        }
        closed = true;
    }

    /**
     * A future completed with this process when the child ends (the Java form of Python's {@code sentinel}); on
     * the parent's process object in a child, when the parent ends.
     *
     * @return the future
     * @throws IllegalStateException if not started, closed, or the current process
     */
    public final CompletableFuture<JvmProcess> onExit() {
        if (parentView) {
            checkOpen();
            return ChildMain.parentEnded().thenApply(ended -> this);
        }
        return started("onExit").onExit().thenApply(ended -> {
            reap();
            return this;
        });
    }

    /**
     * Sets how this process's JVM is started, before {@link #start()}; by default a context's settings, else
     * {@link Multiprocessing#getChildJvm()}.
     *
     * @param jvm the settings
     * @throws IllegalStateException if already started
     */
    public final synchronized void setChildJvm(ChildJvm jvm) {
        Objects.requireNonNull(jvm, "jvm");
        checkOpen();
        if (process != null || externalPid != 0) {
            throw new IllegalStateException("process has already started (expected setChildJvm before start)");
        }
        this.childJvm = jvm;
    }

    /** {@return how this process's JVM is started: its own settings, else the default} */
    public final ChildJvm getChildJvm() {
        ChildJvm jvm = childJvm;
        return jvm != null ? jvm : Context.defaultJvm();
    }

    /** {@return the process name} */
    public final String getName() {
        return name;
    }

    /**
     * Sets the name; used for messages only.
     *
     * @param name the new name
     */
    public final void setName(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** {@return the daemon flag} */
    public final boolean isDaemon() {
        return daemon;
    }

    /**
     * Sets the daemon flag, before {@link #start()}; it defaults to the current process's.
     *
     * @param daemon true to end the child with its parent
     * @throws IllegalStateException if already started
     */
    public final synchronized void setDaemon(boolean daemon) {
        checkOpen();
        if (process != null || externalPid != 0) {
            throw new IllegalStateException("process has already started (expected setDaemon before start)");
        }
        this.daemon = daemon;
    }

    /** {@return a copy of the authentication key, inherited from the current process} */
    public final byte[] authkey() {
        return authkey.clone();
    }

    /**
     * Sets the authentication key.
     *
     * @param authkey the key
     */
    public final void setAuthkey(byte[] authkey) {
        this.authkey = Objects.requireNonNull(authkey, "authkey").clone();
    }

    /** {@return the OS process id; empty before {@link #start()}} */
    public final OptionalLong pid() {
        checkOpen();
        if (externalPid != 0) {
            return OptionalLong.of(externalPid);
        }
        Popen running;
        synchronized (this) {
            running = process;
        }
        return running == null ? OptionalLong.empty() : OptionalLong.of(running.pid());
    }

    /**
     * The exit code: empty until the child has ended, then as the class description says.
     *
     * @return the exit code, if ended
     * @throws IllegalStateException if closed
     */
    public final OptionalInt exitCode() {
        checkOpen();
        if (exitCode == null) {
            isAlive(); // reaps an ended child
        }
        Integer code = exitCode;
        return code == null ? OptionalInt.empty() : OptionalInt.of(code);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("<").append(getClass().getSimpleName().isEmpty() ? "JvmProcess"
                : getClass().getSimpleName()).append(" name='").append(name).append('\'');
        if (closed) {
            return text.append(" closed>").toString();
        }
        OptionalLong pid = pid();
        Integer code = exitCode;
        if (externalPid != 0) {
            text.append(" pid=").append(externalPid).append(externalPid == ProcessIdentity.pid() ? " current" : " parent");
        } else if (pid.isEmpty()) {
            text.append(" initial");
        } else if (code == null) {
            text.append(" pid=").append(pid.getAsLong()).append(" started");
        } else {
            text.append(" pid=").append(pid.getAsLong()).append(" stopped exitcode=").append(code);
        }
        return text.append(daemon ? " daemon>" : ">").toString();
    }

    // ---- package-private plumbing for Multiprocessing and ChildBootstrap

    /**
     * Adds a class loader whose classes the child must be able to load: the code that made a pool or a manager,
     * whose tasks and types arrive later.
     */
    synchronized void addClassLoader(ClassLoader loader) {
        if (loader != null) {
            if (loaders == null) {
                loaders = new ArrayList<>();
            }
            loaders.add(loader);
        }
    }

    /**
     * Has the child set up the JVM-wide serial filter's configuration on a thread of its own as it starts: a pool
     * worker consults it for its first task ({@link io.github.jmultiprocessing.internal.codec.MessageCodec#filter}),
     * and its set-up costs a cold JVM ~30-55 ms (a logger lookup that scans every jar on the class path for logging
     * providers, then the security properties), which the worker's boot now overlaps.
     */
    synchronized void prepareFilterInChild() {
        preparesFilter = true;
    }

    /** {@return true if the child sets up the serial filter's configuration as it starts} */
    synchronized boolean preparesFilter() {
        return preparesFilter;
    }

    /**
     * {@return how the child is started}: its settings, and a class path on which it finds the library, the
     * target and every class serialized for it.
     *
     * @param classes the classes in the child's bootstrap
     * @throws IllegalArgumentException naming a class no child JVM can load
     */
    private LaunchSpec launchSpec(Set<Class<?>> classes) {
        ChildJvm jvm = getChildJvm();
        List<ClassLoader> all = new ArrayList<>();
        all.add(JvmProcess.class.getClassLoader());
        all.add(getClass().getClassLoader());
        if (target != null) {
            all.add(target.getClass().getClassLoader());
        }
        if (loaders != null) {
            all.addAll(loaders);
        }
        all.add(Thread.currentThread().getContextClassLoader());
        List<String> classPath = new ArrayList<>(ClassLocations.classPath(all, jvm.classPathEntries()));
        classes.add(ChildMain.class);
        for (Class<?> type : classes) {
            String entry = ClassLocations.entryOf(type);
            if (entry != null && ClassLocations.problem(type, classPath) != null) {
                classPath.add(entry); // a loader that is no URLClassLoader: its class's own file
            }
            String problem = ClassLocations.problem(type, classPath);
            if (problem != null) {
                throw new IllegalArgumentException("cannot start " + name + " in a child JVM: " + problem);
            }
        }
        LaunchSpec spec = new LaunchSpec(jvm.executableName(), jvm.jvmOptions(), classPath);
        ChildLauncher.verify(spec);
        return spec;
    }

    /** {@return the class path of the started child JVM, or null if it runs on a thread or has not started} */
    synchronized List<String> classPath() {
        return process instanceof Popen.Jvm jvm ? jvm.launched().spec().classPath() : null;
    }

    /** The child's stderr, first lines, for messages of pools and managers: "" if none, or not a child JVM. */
    synchronized String errorHead(int lines) {
        return process instanceof Popen.Jvm jvm ? jvm.launched().errors().head(lines) : "";
    }

    int[] identity() {
        return identity;
    }

    /** {@return true if started by the {@code thread} start method} */
    synchronized boolean isThread() {
        return process instanceof Popen.InThread;
    }

    /** Makes this deserialized object the current process of the child JVM. */
    void becomeCurrent() {
        this.externalPid = ProcessIdentity.pid();
    }

    /**
     * {@return a child's view of its parent process}: it can be joined (with or without a timeout), waited for and
     * asked {@link #isAlive()}, as Python's {@code parent_process()}; its exit code stays empty.
     */
    static JvmProcess parentView(long pid, String name, int[] identity) {
        JvmProcess parent = new JvmProcess(pid, name, identity, false, new byte[0]);
        parent.parentView = true;
        return parent;
    }

    /** Waits for this child's parent to end: at most {@code nanos}, or as long as needed if negative. */
    private boolean awaitParent(long nanos) throws InterruptedException {
        checkOpen();
        return ChildMain.awaitParentEnded(nanos); // and onExit() futures taken before are done
    }

    // ---- the process tree and this JVM's exit (CPython's process.py and util._exit_function)

    /**
     * Initializes this class, if it is not yet: its static block gives the forkserver the bootstrap classes and the
     * rehearsal its standbys run, and hooks this JVM's exit. Called before a standby is warmed for a context.
     */
    static void wire() {
        // the class initialization is the point
    }

    /** {@return the process object of this JVM, or of this thread in a {@code thread}-method process} */
    static JvmProcess currentProcess() {
        JvmProcess inThread = THREAD_PROCESS.get();
        if (inThread != null) {
            return inThread;
        }
        JvmProcess process = current;
        if (process == null) {
            synchronized (JvmProcess.class) {
                process = current;
                if (process == null) {
                    byte[] authkey = new byte[32];
                    new SecureRandom().nextBytes(authkey);
                    process = new JvmProcess(ProcessIdentity.pid(), "MainProcess", new int[0], false, authkey);
                    current = process;
                }
            }
        }
        return process;
    }

    /** {@return the parent's process object in a child; empty in the main process} */
    static Optional<JvmProcess> parentProcess() {
        return Optional.ofNullable(parent);
    }

    /** {@return the children still running; ended ones are reaped as a side effect, as in Python} */
    static List<JvmProcess> activeChildren() {
        List<JvmProcess> alive = new ArrayList<>();
        for (JvmProcess child : CHILDREN) {
            if (child.isAlive()) {
                alive.add(child);
            }
        }
        return alive;
    }

    /** {@return true in a JVM the library started} */
    static boolean isChild() {
        return parent != null;
    }

    /** {@return the identity of the next child: the current process's, and a counter} */
    private static int[] nextIdentity() {
        int[] base = currentProcess().identity();
        int[] identity = Arrays.copyOf(base, base.length + 1);
        identity[base.length] = COUNTER.incrementAndGet();
        return identity;
    }

    /** Makes {@code process} the current process of this child JVM, with its parent's view and start method. */
    static void enterChild(JvmProcess process, long parentPid, String parentName, int[] parentIdentity,
            String inheritedStartMethod) {
        process.becomeCurrent();
        Context.inheritDefaultMethod(inheritedStartMethod);
        synchronized (JvmProcess.class) {
            current = process;
            parent = parentView(parentPid, parentName, parentIdentity);
        }
    }

    /** Runs a {@code thread}-method process on the calling thread, as the current process there. */
    private static void runAsCurrent(JvmProcess process) throws Exception {
        THREAD_PROCESS.set(process);
        THREAD_RUNNERS.add(Thread.currentThread());
        try {
            process.runInChild();
        } finally {
            THREAD_RUNNERS.remove(Thread.currentThread());
            THREAD_PROCESS.remove();
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

    /**
     * What this JVM does at exit, before its segments are unlinked (Python's {@code _exit_function}): work that
     * must finish finishes (children may still start for it), then no child starts any more, pools are terminated,
     * managers shut down, the forkserver's standby is let go, daemon children are terminated and the others
     * joined.
     */
    private static void exit() {
        ExitActions.run(ExitActions.WORK, Integer.MAX_VALUE);
        STARTS.writeLock().lock(); // after the starts under way, which endChildren below then sees
        try {
            exiting = true;
        } finally {
            STARTS.writeLock().unlock();
        }
        ExitActions.run(Integer.MIN_VALUE, ExitActions.WORK - 1);
        ForkServer.shutdown();
        endChildren(!isChild());
    }

    /**
     * Registers an action to run at this JVM's exit ({@link ExitActions#register}); through this class, so that
     * its exit hook is in place.
     */
    static void atExit(Object owner, int priority, Runnable action) {
        ExitActions.register(owner, priority, action);
    }

    /** {@return true once this JVM has begun to exit: no child starts any more} */
    static boolean isExiting() {
        return exiting;
    }

    /** {@return true if work this JVM's pools run can still finish now that it exits ({@link ExitActions#workCanFinish})} */
    static boolean workCanFinishAtExit() {
        return ExitActions.workCanFinish(THREAD_RUNNERS);
    }

    // ---- private

    private String defaultName() {
        String kind = getClass().getSimpleName();
        if (kind.isEmpty()) {
            kind = "JvmProcess";
        }
        return kind + "-" + Arrays.stream(identity).mapToObj(Integer::toString).collect(Collectors.joining(":"));
    }

    private synchronized Popen started(String what) {
        checkOpen();
        if (parentView) {
            throw new IllegalStateException("cannot " + what + " " + name + ": it is the parent process (expected join,"
                    + " isAlive or onExit on it)");
        }
        if (externalPid != 0) {
            throw new IllegalStateException("cannot " + what + " " + name + ": it is the current process (a process"
                    + " can only " + what + " its children, not itself)");
        }
        if (process == null) {
            throw new IllegalStateException("can only " + what + " a started process (expected start() before "
                    + what + "() on " + name + ")");
        }
        return process;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("process object is closed (" + name + ")");
        }
    }

    /**
     * The processes' DEBUG lines, logged in order on a thread of the library's: the logger's lookup (a scan of the
     * class path for logging providers, then the logging set-up) cost a program's first {@code start()} ~40 ms.
     * Lines still queued when the JVM exits are lost (debug lines only).
     */
    private static final class ProcessLog {
        private static final java.util.concurrent.ExecutorService THREAD =
                java.util.concurrent.Executors.newSingleThreadExecutor(
                        io.github.jmultiprocessing.internal.shm.LibraryThreads.factory("process-log"));

        static void debug(java.util.function.Supplier<String> line) {
            try {
                THREAD.execute(() -> System.getLogger(JvmProcess.class.getName()).log(System.Logger.Level.DEBUG,
                        line));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // never shut down; nothing to log then
            }
        }
    }

    /** Records the exit code of an ended child and lets go of it. */
    private synchronized void reap() {
        if (exitCode != null || process == null || process.isAlive()) {
            return;
        }
        exitCode = process.exitCode();
        process.release();
        CHILDREN.remove(this);
        ProcessExitEvent.emit(name, process.pid(), exitCode);
        long pid = process.pid();
        Integer code = exitCode;
        ProcessLog.debug(() -> name + " (pid " + pid + ") ended with exit code " + code);
    }

    /**
     * {@return the bytes of a child's bootstrap}
     *
     * @param name      the process name, for messages
     * @param bootstrap what the child runs
     * @throws IllegalArgumentException if it cannot be serialized
     */
    static byte[] serialize(String name, ChildBootstrap bootstrap) {
        return serialize(name, bootstrap, type -> { });
    }

    /**
     * {@return the bytes of a child's bootstrap}, telling {@code classes} of every class written: each class of an
     * object, the interfaces of a proxy, the capturing class of a lambda.
     *
     * @param name      the process name, for messages
     * @param bootstrap what the child runs
     * @param classes   told of each class the child will load to read the bytes
     * @throws IllegalArgumentException if it cannot be serialized
     */
    static byte[] serialize(String name, ChildBootstrap bootstrap, Consumer<Class<?>> classes) {
        SPAWNING.set(Boolean.TRUE);
        try {
            return serializeObject(name, bootstrap, targetLoader(bootstrap), classes);
        } finally {
            SPAWNING.remove();
        }
    }

    /**
     * {@return the bytes of a child's compact bootstrap} ({@link ChildBootstrap#compact}), telling {@code classes}
     * of every class the child loads to read them, as {@link #serialize(String, ChildBootstrap, Consumer)} does.
     *
     * @param name      the process name, for messages
     * @param bootstrap what the child runs
     * @param classes   told of each class the child will load to read the bytes
     * @throws IllegalArgumentException if it cannot be written
     */
    static byte[] compact(String name, ChildBootstrap bootstrap, Consumer<Class<?>> classes) {
        SPAWNING.set(Boolean.TRUE);
        ClassLoader targetLoader = targetLoader(bootstrap);
        try {
            return bootstrap.compact(value -> serializeObject(name, value, targetLoader, classes), lambda -> {
                Class<?> capturing = capturingClass(lambda, targetLoader);
                if (capturing != null) {
                    classes.accept(capturing);
                }
            });
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot send " + name + " to its child JVM: " + e, e);
        } finally {
            SPAWNING.remove();
        }
    }

    private static ClassLoader targetLoader(ChildBootstrap bootstrap) {
        return bootstrap.process().target == null ? bootstrap.process().getClass().getClassLoader()
                : bootstrap.process().target.getClass().getClassLoader();
    }

    /** A Java serialization stream of an object of a child's bootstrap, telling {@code classes} of its classes. */
    private static byte[] serializeObject(String name, Object object, ClassLoader targetLoader,
            Consumer<Class<?>> classes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes) {
            {
                enableReplaceObject(true);
            }

            @Override
            protected void annotateClass(Class<?> type) {
                classes.accept(type);
            }

            @Override
            protected void annotateProxyClass(Class<?> type) {
                for (Class<?> each : type.getInterfaces()) {
                    classes.accept(each);
                }
            }

            @Override
            protected Object replaceObject(Object object) {
                if (object instanceof SerializedLambda lambda) {
                    Class<?> capturing = capturingClass(lambda, targetLoader);
                    if (capturing != null) {
                        classes.accept(capturing);
                    }
                }
                return object;
            }
        }) {
            out.writeObject(object);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException("cannot send " + name + " to its child JVM: " + e.getMessage()
                    + " is not Serializable (expected every value the target captures to be serializable)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot send " + name + " to its child JVM: " + e, e);
        }
        return bytes.toByteArray();
    }

    private static final ThreadLocal<Boolean> SPAWNING = new ThreadLocal<>();

    /** {@return the class a serialized lambda was written in, or null if no loader at hand finds it} */
    private static Class<?> capturingClass(SerializedLambda lambda, ClassLoader targetLoader) {
        String className = lambda.getCapturingClass().replace('/', '.');
        for (ClassLoader loader : new ClassLoader[] {targetLoader, Thread.currentThread().getContextClassLoader(),
                JvmProcess.class.getClassLoader()}) {
            try {
                return Class.forName(className, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                // try the next
            }
        }
        return null;
    }

    /**
     * {@return true while this thread serializes a child's bootstrap} What is written then goes only to that child,
     * over its private pipe: a manager's proxy may carry its key (Python's {@code thread_is_spawning()}).
     */
    static boolean spawning() {
        return SPAWNING.get() != null;
    }

}

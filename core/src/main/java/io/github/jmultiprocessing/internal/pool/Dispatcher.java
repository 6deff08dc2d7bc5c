package io.github.jmultiprocessing.internal.pool;

import io.github.jmultiprocessing.internal.events.Recording;
import io.github.jmultiprocessing.internal.events.WorkerLostEvent;
import io.github.jmultiprocessing.BrokenProcessPoolException;
import io.github.jmultiprocessing.WorkerLostException;
import io.github.jmultiprocessing.internal.shm.LibraryThreads;
import io.github.jmultiprocessing.internal.spawn.ExitActions;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * A process pool's dispatch and supervision (CPython's {@code Pool} handler threads): the queue of tasks, the
 * workers ({@link WorkerLink}s over {@link Link}s), the pool's state, and what happens when a worker ends. The
 * pool's API ({@code ProcessPool}) makes the calls ({@link Job}s and their {@link Task}s) and hands them here.
 *
 * <p>Implementation notes. One monitor, this object's, orders the state changes against the queue: no task is
 * queued after the STOPs of {@link #shutdown()}, {@link #terminate()} or {@link #breakPool}; a worker's end
 * ({@link #ended}) requeues its unstarted tasks and starts its replacement under it, and a replacement's retry
 * waits on it (terminate and breakPool notify). The state is volatile besides, for the reads that need no order
 * (a sender's check before it sends). Workers are started through {@link Starter}, so this class never names the
 * pool, its processes or its pipes; a test gives it fake {@link Link}s.
 *
 * <p>When a worker ends, its started word names the task it was running ({@link PoolWorker}): that one fails
 * with {@link WorkerLostException}, if its result has not come; the others in its pipe never started and go back
 * to the front of the queue, unless a task has now been in the pipes of {@value #LOST_WORKERS} workers that ended
 * before they started it. A worker that ends before it was ready, with a boot failure's exit code, breaks the pool
 * if no worker was ever ready (else after three in a row); a replacement that cannot start is retried, with
 * backoff, before the pool breaks.
 */
public final class Dispatcher implements StreamJob.Pool {

    /** The largest task sent from the caller's thread (and only if the worker's pipe has room for it now). */
    private static final int DIRECT_BYTES = 16 * 1024;
    /** Queued tasks go to a worker together, in one message, up to this size (small tasks: chunksize=1 maps). */
    static final int BATCH_BYTES = 16 * 1024;
    static final int MAX_BATCH = CreditWindow.MAX / 4;
    /** Functions a worker keeps; older calls' are dropped (FORGET). */
    static final int KNOWN_JOBS = 32;
    /** Workers that may end with a task in their pipe, not started, before the task fails: a bound on re-sends. */
    private static final int LOST_WORKERS = 3;
    /** Starts of a replacement worker tried before the pool is broken. */
    private static final int START_ATTEMPTS = 5;
    /** How long a held-back worker waits for the booting ones to be ready before it starts anyway. */
    private static final long BOOT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** The pool's states: running, shut down (queued work finishes), terminated, broken. */
    public enum State {
        /** Takes calls. */
        RUNNING,
        /** Shut down: the calls queued before run, then the workers stop. */
        CLOSED,
        /** Terminated: outstanding calls are cancelled, the workers killed. */
        TERMINATED,
        /** Broken: outstanding and later calls fail with {@link BrokenProcessPoolException}. */
        BROKEN
    }

    /** How the dispatcher starts a worker, and what it asks of the JVM it runs in. */
    public interface Starter {

        /**
         * Starts a worker: its process launched, running {@link PoolWorker#run} at the other end of its pipe.
         *
         * @param name the worker's name
         * @return the pool's end of it
         * @throws RuntimeException if it could not start (the dispatcher retries a replacement, then breaks)
         */
        Link start(String name);

        /** {@return true once the JVM exits: no worker starts then} */
        boolean exiting();
    }

    final String name;
    final int maxTasksPerChild;
    private final Starter starter;
    private final BiFunction<Throwable, String, Throwable> attach;
    private final System.Logger log;
    final LinkedBlockingDeque<Task> pending = new LinkedBlockingDeque<>();
    private final Set<WorkerLink> workers = ConcurrentHashMap.newKeySet();
    /** Streaming calls whose input is not yet all queued: shutdown() has them read it to its end. */
    private final Set<StreamJob> openStreams = ConcurrentHashMap.newKeySet();
    /** The workers have been told to stop: no chunk may be queued after; guarded by this. */
    private boolean stopsQueued;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger workerNumbers = new AtomicInteger();
    volatile State state = State.RUNNING;
    private volatile Throwable brokenBy;
    private volatile String brokenWhy; // what broke it, for messages
    /** Workers that ended with a positive exit code before they were ready, since the last one was ready. */
    private int bootFailures; // guarded by this
    private volatile boolean anyReady;
    /** Workers of {@link #startWorkers} held back until fewer than {@link #bootsAtOnce} boot; guarded by this. */
    private int heldBack;
    /** Workers of {@link #startWorkers} started and neither ready nor ended; guarded by this. */
    private int booting;
    private int bootsAtOnce = Integer.MAX_VALUE; // guarded by this
    /** Workers take one task at a time: some were held back, and not all are ready yet; guarded by this. */
    private boolean capped;

    /**
     * A dispatcher with no workers yet ({@link #startWorkers}).
     *
     * @param name             the pool's name, for threads and messages
     * @param maxTasksPerChild tasks a worker runs before it is replaced, 0 for no limit
     * @param starter          starts the workers
     * @param attach           attaches a worker's stack trace (text) to the exception it sent, as the caller sees
     *                         it (a {@code RemoteTraceback})
     * @param log              where a replacement's failed start is logged
     */
    public Dispatcher(String name, int maxTasksPerChild, Starter starter,
            BiFunction<Throwable, String, Throwable> attach, System.Logger log) {
        this.name = name;
        this.maxTasksPerChild = maxTasksPerChild;
        this.starter = starter;
        this.attach = attach;
        this.log = log;
    }

    /**
     * Starts the pool's workers, all at once.
     *
     * @param count how many
     * @throws RuntimeException if one could not start (the caller terminates the pool)
     */
    public void startWorkers(int count) {
        startWorkers(count, count);
    }

    /**
     * Starts the pool's workers, at most {@code atOnce} booting at a time: the first ones now, each of the rest,
     * by a thread of the pool's, once one of those booting is ready (or ended, or after a second without either).
     * Cold JVMs that boot together on few CPUs share them: each takes longer, and the first task waits for the
     * first of them. Until all have started and are ready, each started one takes one task at a time (its credit
     * window capped at 1), so that the tasks a held-back worker would have taken wait in the queue for it instead
     * of behind another worker's task (tasks that wait for each other would wait for good). After a
     * {@link #shutdown()} they still start while tasks are queued, each with a STOP of its own. Replacements, and
     * workers started again after a failed start, do not count as booting.
     *
     * @param count  how many
     * @param atOnce how many may boot at a time, at least 1
     * @throws IllegalArgumentException if atOnce is below 1
     * @throws RuntimeException         if one of the first could not start (the caller terminates the pool); one
     *                                  started later that cannot start is retried, as a replacement is
     */
    public void startWorkers(int count, int atOnce) {
        if (atOnce < 1) {
            throw new IllegalArgumentException("atOnce=" + atOnce + " (expected >= 1)");
        }
        int now = Math.min(count, atOnce);
        synchronized (this) {
            bootsAtOnce = atOnce;
            heldBack = count - now;
            capped = heldBack > 0;
        }
        for (int i = 0; i < now; i++) {
            synchronized (this) {
                startBooting();
            }
        }
        if (now < count) {
            LibraryThreads.start(name + "-starter", this::startHeldBack);
        }
    }

    /** Starts a worker of {@link #startWorkers}, counted as booting. Holds this. */
    private void startBooting() {
        startWorker().booting = true;
        booting++;
    }

    /** The thread of {@link #startWorkers}: starts each held-back worker when fewer than bootsAtOnce boot. */
    private void startHeldBack() {
        while (true) {
            synchronized (this) {
                long since = System.nanoTime();
                try {
                    for (long waited = 0; heldBack > 0 && heldBackMayStart() && booting >= bootsAtOnce
                            && waited < BOOT_WAIT_NANOS; waited = System.nanoTime() - since) {
                        TimeUnit.NANOSECONDS.timedWait(this, BOOT_WAIT_NANOS - waited); // readied and ended notify
                    }
                } catch (InterruptedException e) {
                    dropHeldBack(); // nobody interrupts this thread; if someone did, the pool runs on fewer workers
                    return;
                }
                if (heldBack == 0 || !heldBackMayStart()) {
                    dropHeldBack();
                    return;
                }
            }
            // a start that fails is retried with backoff, as a replacement's; one that fails for good breaks the pool
            if (!startRetrying("a worker", () -> heldBack > 0 && heldBackMayStart(), this::heldBackStarted)) {
                synchronized (this) {
                    dropHeldBack();
                }
                return;
            }
        }
    }

    /**
     * {@return true while a held-back worker may start}: the pool runs, or drains before its STOPs, or after them
     * while tasks are queued. Holds this.
     */
    private boolean heldBackMayStart() {
        if (starter.exiting() || (state != State.RUNNING && state != State.CLOSED)) {
            return false;
        }
        if (!stopsQueued) {
            return true;
        }
        for (Task task : pending) {
            if (task != Task.STOP) {
                return true;
            }
        }
        return false;
    }

    /** A held-back worker started: booting, one fewer held back, a STOP of its own if the others have theirs. Holds this. */
    private void heldBackStarted(WorkerLink worker) {
        worker.booting = true;
        booting++;
        heldBack--;
        if (stopsQueued) {
            pending.add(Task.STOP);
        }
        uncapWhenAllUp();
    }

    /** No held-back worker will start: the started ones take tasks as usual once ready. Holds this. */
    private void dropHeldBack() {
        heldBack = 0;
        uncapWhenAllUp();
    }

    /**
     * Lifts the one-task cap once no worker is held back or booting: lifted earlier, a busy worker's sender could
     * take a queued task before a worker just started (still booting) does, and the task would wait behind the
     * busy one's. Holds this.
     */
    private void uncapWhenAllUp() {
        if (capped && heldBack == 0 && booting == 0) {
            capped = false;
            for (WorkerLink worker : workers) {
                worker.credits.cap(Integer.MAX_VALUE);
            }
        }
    }

    /** {@return a fresh number for a call or a task} */
    public long nextId() {
        return ids.incrementAndGet();
    }

    /** {@return the pool's state} */
    public State state() {
        return state;
    }

    /**
     * Submits a call's tasks: a lone task straight to an idle worker from the caller's thread if it can, else to
     * the queue.
     *
     * @param job   the call, its chunk count and form set
     * @param tasks its tasks, at least one
     * @throws IllegalStateException if the pool is not running ({@link BrokenProcessPoolException} if broken)
     */
    public void submit(Job job, List<Task> tasks) {
        if (job.single && sendDirect(tasks.get(0))) {
            return;
        }
        synchronized (this) { // as shutdown, terminate and breakPool: no task after their STOPs
            checkRunning();
            pending.addAll(tasks);
        }
    }

    /**
     * Registers a streaming call until its input is all queued: {@link #shutdown()} has it read the rest first.
     *
     * @param stream the call
     * @throws IllegalStateException if the pool is not running
     */
    public void openStream(StreamJob stream) {
        synchronized (this) {
            checkRunning();
            openStreams.add(stream); // until its input ends: shutdown() lets it read the rest first
        }
    }

    @Override
    public void queue(StreamJob stream, int chunk, List<Object> items) {
        synchronized (this) {
            if (state != State.CLOSED || stopsQueued) { // shut down: its input is still read to its end
                checkRunning();
            }
            pending.add(new Task(ids.incrementAndGet(), stream, chunk, items));
        }
    }

    /**
     * Drops a call's queued tasks (it was withdrawn: a sender would skip them anyway).
     *
     * @param job the call
     */
    @Override
    public void withdraw(Job job) {
        pending.removeIf(task -> task.job == job);
    }

    @Override
    public boolean closing() {
        return state == State.CLOSED;
    }

    @Override
    public void allQueued(StreamJob stream) {
        openStreams.remove(stream);
    }

    private WorkerLink startWorker() {
        Link link = starter.start("ProcessPoolWorker-" + workerNumbers.incrementAndGet());
        WorkerLink worker = new WorkerLink(this, link);
        if (capped) {
            worker.credits.cap(1); // see startWorkers
        }
        workers.add(worker);
        worker.sender.start();
        worker.receiver.start();
        return worker;
    }

    /**
     * Sends a lone task from the caller's thread to the idlest worker with a free credit, sparing the hand-off to
     * a sender thread (the latency of {@code apply}); only when nothing is queued, so it overtakes nothing.
     *
     * @return false if no worker can take it now: the caller queues it
     */
    private boolean sendDirect(Task task) {
        if (!pending.isEmpty()) {
            return false;
        }
        WorkerLink idlest = null;
        for (WorkerLink worker : workers) {
            if (worker.receiver == Thread.currentThread()) {
                // NOTE: a continuation of a result runs here; a send that waited for room in a worker's pipe would
                // stop the results that make that room (the worker waits for this thread to read them): queue it.
                return false;
            }
            if (idlest == null || worker.credits.inFlight() < idlest.credits.inFlight()) {
                idlest = worker;
            }
        }
        if (idlest == null || !idlest.credits.tryAcquire()) {
            return false;
        }
        byte[] message;
        try {
            message = task.message();
        } catch (RuntimeException e) { // an item that cannot be serialized fails the call, as a queued one would
            idlest.credits.giveBack(1);
            task.job.failed(task, e);
            return true;
        }
        try {
            // only what goes at once: a caller of applyAsync never waits for room in a busy worker's pipe
            if (message.length <= DIRECT_BYTES && idlest.link.fitsNow(message.length)
                    && idlest.deliver(List.of(task), List.of(message), false)) {
                task.job.start(); // its future is not out yet: nothing can have withdrawn it
                return true;
            }
        } catch (IOException | RuntimeException e) {
            // the worker is ending: its receiver handles that; the task goes the queued way
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // as a queued task's submission, this call does not block
        }
        idlest.credits.giveBack(1);
        PoolFrames.discard(message); // the queued way encodes the task again
        return false;
    }

    /**
     * Checks that the pool takes calls.
     *
     * @throws IllegalStateException if it does not ({@link BrokenProcessPoolException} if broken)
     */
    public void checkRunning() {
        switch (state) {
            case RUNNING -> { }
            case BROKEN -> throw broken();
            default -> throw new IllegalStateException("pool not running (" + name + " is " + state.name()
                    .toLowerCase() + ")");
        }
    }

    private BrokenProcessPoolException broken() {
        return new BrokenProcessPoolException("pool broken: " + brokenWhy, brokenBy);
    }

    /**
     * Stops taking calls; the workers finish what is queued, then exit (the pool's {@code shutdown()}): the open
     * streaming calls' input is read to its end first, by a thread of its own.
     */
    public void shutdown() {
        List<StreamJob> streams;
        synchronized (this) {
            if (state != State.RUNNING) {
                return;
            }
            state = State.CLOSED;
            streams = List.copyOf(openStreams);
            if (streams.isEmpty()) {
                queueStops();
                return;
            }
        }
        // as CPython's task handler: the streams' input is read to its end, without the window, before the
        // workers are told to stop, so an imap made before shutdown() delivers every result (also when the caller
        // joins before it iterates); a thread of its own, so an endless input does not block this caller
        LibraryThreads.start(name + "-closing", () -> {
            for (StreamJob stream : streams) {
                stream.readToEnd();
            }
            synchronized (this) {
                if (state == State.CLOSED) {
                    queueStops();
                }
            }
        });
    }

    /**
     * Tells every worker to exit once the tasks queued before are done. Holds this. Workers still held back start
     * while tasks are queued, each with a STOP of its own (startHeldBack), else never.
     */
    private void queueStops() {
        stopsQueued = true;
        if (!heldBackMayStart()) {
            dropHeldBack();
        }
        for (int i = 0; i < workers.size(); i++) {
            pending.add(Task.STOP);
        }
    }

    /**
     * Stops the workers now (Python's {@code terminate()}): outstanding calls are cancelled (their results'
     * {@code get} throws {@link CancellationException}) by the time this returns.
     */
    public void terminate() {
        synchronized (this) {
            if (state == State.TERMINATED) {
                return;
            }
            state = State.TERMINATED;
            dropHeldBack();
            notifyAll(); // a replacement's start waiting to be retried gives up, as the held-back workers' thread
        }
        CancellationException terminated = new CancellationException("the pool was terminated");
        for (WorkerLink worker : workers) {
            kill(worker);
        }
        fail(pending, terminated);
        failInFlight(terminated);
        pending.add(Task.STOP); // wakes senders
        // A task a sender took from the queue (encoding it, or sending it) is in neither place above: the sender
        // hands it back as it ends (requeue fails it, the pool being terminated). Interrupted, a sender waiting for
        // a credit or for room in a dead worker's pipe ends at once; one encoding ends after the encoding.
        for (WorkerLink worker : workers) {
            worker.sender.interrupt();
        }
        for (WorkerLink worker : workers) {
            if (worker.sender != Thread.currentThread()) {
                try {
                    worker.sender.join(TERMINATE_SENDER_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break; // the rest fail as their senders end
                }
            }
        }
        // A sender that had taken a task before the sweep above may have recorded it in flight after it: once the
        // senders ended, sweep again, so that when this returns every outstanding call is cancelled.
        failInFlight(terminated);
    }

    /**
     * Fails every task in flight on a worker whose result has not come (each once: removed first). Under this
     * dispatcher's lock, as {@link #ended} removes and fails a dead worker's tasks: a task that {@code ended}
     * removed is failed by the time this returns (a terminate that skipped it returned before its outcome was
     * recorded: 29 of 30 tasks ended, seen in CI).
     */
    private synchronized void failInFlight(CancellationException terminated) {
        for (WorkerLink worker : workers) {
            for (WorkerLink.Sent sent : new ArrayList<>(worker.inFlight.values())) {
                if (worker.inFlight.remove(sent.task().id) != null) { // NOTE: else its result came: it counts
                    sent.task().job.failed(sent.task(), terminated);
                }
            }
        }
    }

    /** How long {@link #terminate()} waits for each sender to hand back the task it holds. */
    private static final long TERMINATE_SENDER_MILLIS = 10_000;

    /**
     * At JVM exit, after {@link #terminate()}: waits for the workers, at most 2 s; a receiver blocked in
     * {@code System.exit} (called from a continuation it ran) is not waited for.
     */
    public void awaitWorkersAtExit() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        try {
            for (WorkerLink worker : List.copyOf(workers)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                if (!worker.receiver.join(Duration.ofNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100))))
                        && !ExitActions.isExitingThread(worker.receiver)) {
                    worker.receiver.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalThreadStateException e) {
            // a worker being added as the JVM exits: it is killed with the other daemon children
        }
    }

    /**
     * Waits for the workers to exit (Python's {@code join()}), after {@link #shutdown()} or {@link #terminate()}.
     *
     * @throws IllegalStateException if the pool is still running
     * @throws InterruptedException  if interrupted while waiting
     */
    public void join() throws InterruptedException {
        if (state == State.RUNNING) {
            throw new IllegalStateException("join() of a running pool (expected shutdown() or terminate() first)");
        }
        while (true) {
            WorkerLink any = workers.stream().findFirst().orElse(null);
            if (any == null) {
                break;
            }
            awaitReceiver(any, 0); // it ends after the process, having failed or replaced what it ran
        }
    }

    /**
     * Waits at most {@code timeout} for the workers to exit, after {@link #shutdown()} or {@link #terminate()}.
     *
     * @param timeout the longest wait
     * @return true if every worker has exited
     * @throws IllegalStateException if the pool is still running
     * @throws InterruptedException  if interrupted while waiting
     */
    public boolean join(Duration timeout) throws InterruptedException {
        if (state == State.RUNNING) {
            throw new IllegalStateException("join() of a running pool (expected shutdown() or terminate() first)");
        }
        long deadline = System.nanoTime() + WaitCore.nanos(timeout);
        while (true) {
            WorkerLink any = workers.stream().findFirst().orElse(null);
            long left = deadline - System.nanoTime();
            if (any == null) {
                return true;
            }
            if (left <= 0) {
                return false;
            }
            awaitReceiver(any, left); // it ends after the process (see join())
        }
    }

    /**
     * Waits for a worker's receiver to end, at most {@code nanos} (0: as long as it takes); returns at once, after
     * a millisecond, if its thread is still being started (a replacement just added to the set).
     */
    private static void awaitReceiver(WorkerLink worker, long nanos) throws InterruptedException {
        if (worker.receiver.getState() == Thread.State.NEW) {
            Thread.sleep(1); // startWorker starts it right after adding the worker
        } else if (nanos == 0) {
            worker.receiver.join();
        } else {
            worker.receiver.join(Duration.ofNanos(nanos));
        }
    }

    /** {@return true once {@link #shutdown()} or {@link #terminate()} was called, or the pool broke} */
    public boolean isShutdown() {
        return state != State.RUNNING;
    }

    /** {@return true once the pool is shut down and every worker has exited} */
    public boolean isTerminated() {
        return state != State.RUNNING && workers.isEmpty();
    }

    /** A task's DONE or FAILED message, to its call. */
    void finish(Task task, byte[] result) {
        if (result[0] == PoolFrames.FAILED) {
            task.job.failed(task, remote(result, 9));
            return;
        }
        try {
            task.job.done(task, PoolFrames.items(result, 9));
        } catch (IOException | RuntimeException e) { // results that do not read here
            task.job.failed(task, e);
        }
    }

    /** A task a worker never got: back to the front of the queue, or failed if the pool no longer runs tasks. */
    void requeue(Task task) {
        synchronized (this) {
            if (state == State.RUNNING || state == State.CLOSED) {
                pending.addFirst(task);
                return;
            }
        }
        task.job.failed(task, state == State.BROKEN ? broken() : new CancellationException("the pool was terminated"));
    }

    /** The exception a worker sent: its own type and message, its stack trace there attached as cause. */
    Throwable remote(byte[] message, int offset) {
        try {
            PoolWorker.Failure failure = (PoolWorker.Failure) PoolFrames.body(message, offset);
            Throwable t = failure.exception();
            if (t instanceof CompletionException wrapped && wrapped.getCause() != null) {
                t = wrapped.getCause(); // a checked exception of a Callable: itself
            }
            // NOTE: the worker's frames are in the RemoteTraceback, once; the exception's own trace is set where a
            // caller receives it (inCaller), empty until then (Python: the caller's traceback, the remote as cause)
            t = attach.apply(t, failure.trace());
            if (Job.carriesRemote(t)) { // else (a cause set to null, suppression off) its own trace is the worker's
                t.setStackTrace(new StackTraceElement[0]);
            }
            return t;
        } catch (IOException | RuntimeException e) {
            return new IllegalStateException("a task failed, and its exception could not be read here: " + e, e);
        }
    }

    /** A worker's connection ended: fail what it was running, replace it if the pool still needs it. */
    void ended(WorkerLink worker) {
        try {
            worker.link.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.link.isAlive()) { // its connection broke, not the process: it cannot be trusted further
            worker.link.kill();
            try {
                worker.link.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        worker.sender.interrupt();
        worker.link.closeConnection(); // fails a send under way (the worker is dead), so that the lock below is free
        worker.markGone(); // after this, nothing new goes in flight: the loop below sees all that did
        try {
            worker.sender.join(10_000); // its last task is back in the queue, and stopSent is final
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String exit = worker.link.exitCode().isPresent() ? "exit code " + worker.link.exitCode().getAsInt()
                : "still running";
        if (!worker.ready && bootFailure(worker.link.exitCode().orElse(0)) && bootFailed()) {
            // A worker JVM that cannot boot (a class it cannot load, a bad option) fails the same way every time:
            // the pool breaks with its own words instead of starting workers forever and blaming tasks.
            String why = "worker " + worker.link.name() + " (pid " + worker.link.pid()
                    + ") could not start: it exited with " + exit + " before it was ready" + said(worker.link);
            breakPool(why, new IllegalStateException(why));
        }
        synchronized (this) {
            doneBooting(worker); // after the check above: a pool that breaks starts no held-back worker first
        }
        if (!worker.stopSent && !worker.retired && (state == State.RUNNING || state == State.CLOSED)) {
            log.log(System.Logger.Level.WARNING, name + ": worker " + worker.link.name() + " (pid "
                    + worker.link.pid() + ") ended unexpectedly with " + exit + "; a replacement starts");
            if (Recording.on()) {
                WorkerLostEvent event = new WorkerLostEvent();
                if (event.shouldCommit()) {
                    event.pool = name;
                    event.worker = worker.link.name();
                    event.pid = worker.link.pid();
                    event.exit = exit;
                    event.commit();
                }
            }
        }
        // The worker's started word names the task it was running (PoolWorker): that one fails, if its result has
        // not come; the others in its pipe never started and go to another worker, unless this is the
        // LOST_WORKERS-th worker that ended with one of them unstarted (a cause the word does not see: bounded).
        long startedLast = startedLast(worker);
        List<WorkerLink.Sent> lost = new ArrayList<>(worker.inFlight.values());
        lost.sort(java.util.Comparator.comparingLong(WorkerLink.Sent::order));
        List<Task> unstarted = new ArrayList<>();
        boolean stopAgain = false; // a STOP this worker took goes to its replacement (shut down, tasks requeued)
        synchronized (this) {
            boolean requeue = state == State.RUNNING || state == State.CLOSED;
            for (WorkerLink.Sent sent : lost) {
                Task task = sent.task();
                if (worker.inFlight.remove(task.id) == null) {
                    continue; // its result came meanwhile
                }
                boolean ran = worker.ready && (task.id == startedLast || task.job.id == startedLast);
                if (requeue && !ran && (!worker.ready || ++task.lostWorkers < LOST_WORKERS)) {
                    unstarted.add(task); // requeued before the replacement starts, below
                    continue;
                }
                String where = "worker " + worker.link.name() + " (pid " + worker.link.pid()
                        + ", " + exit + ")";
                String what = "task " + task.id + " (items " + task.from + ".." + (task.from + task.items.size() - 1)
                        + " of call " + task.job.id + ")";
                task.job.failed(task, state == State.TERMINATED ? new CancellationException("the pool was"
                        + " terminated") : state == State.BROKEN ? broken() : new WorkerLostException(ran ? where
                        + " ended while it ran " + what : what + " was sent to " + LOST_WORKERS + " workers that"
                        + " ended before they started it, the last " + where));
            }
            for (int i = unstarted.size() - 1; i >= 0; i--) {
                pending.addFirst(unstarted.get(i));
            }
            if (state == State.CLOSED && worker.stopSent && !unstarted.isEmpty()) {
                stopAgain = true; // the other workers may have taken their STOPs: a replacement runs these
                pending.add(Task.STOP);
            }
        }
        replace(worker, stopAgain);
        synchronized (this) { // as shutdown() counts the workers: a STOP for each, the replacement's included
            workers.remove(worker); // after its replacement is in the set: join() never sees none between the two
        }
        worker.link.close();
    }

    /** {@return the number a dead worker wrote last in its started word, 0 if none} */
    private static long startedLast(WorkerLink worker) {
        if (worker.link.isAlive()) {
            return 0; // a thread of the thread start method that did not end: nothing is known
        }
        // NOTE: the process is reaped (joined above): every store it made is visible; the getLong is an acquire load
        return worker.link.startedLast();
    }

    /**
     * Starts a replacement for a worker that ended, if the pool still needs one. A start that throws (a failure to
     * launch the JVM: the JDK's spawn helper or the forkserver's standby killed, a short resource shortage) is
     * retried {@value #START_ATTEMPTS} times in all, after 100, 200, 400 ... ms, before the pool is broken; a
     * terminate or the JVM's exit meanwhile ends the retries.
     *
     * @param stopAgain the worker had taken a STOP and a new one was queued for its replacement
     */
    private void replace(WorkerLink worker, boolean stopAgain) {
        startRetrying("a replacement worker", () -> (state == State.RUNNING
                || (state == State.CLOSED && (!worker.stopSent || stopAgain)))
                && !starter.exiting(), started -> { }); // no worker starts once the JVM exits
    }

    /**
     * Starts a worker while {@code needed} says so (asked under this object's lock before each attempt), retrying a
     * start that throws as {@link #replace} describes.
     *
     * @param what    the worker, for messages
     * @param needed  whether it is still needed
     * @param started given the worker once it started, under the same lock
     * @return true if it started
     */
    private boolean startRetrying(String what, java.util.function.BooleanSupplier needed,
            java.util.function.Consumer<WorkerLink> started) {
        long backoff = TimeUnit.MILLISECONDS.toNanos(100);
        for (int attempt = 1; ; attempt++) {
            RuntimeException failure;
            synchronized (this) {
                if (!needed.getAsBoolean()) {
                    return false;
                }
                try {
                    started.accept(startWorker());
                    return true;
                } catch (RuntimeException e) {
                    failure = e;
                }
                if (attempt >= START_ATTEMPTS || starter.exiting()) {
                    if (!starter.exiting()) {
                        breakPool(what + " could not start (" + attempt + " attempts): " + failure, failure);
                    }
                    return false;
                }
            }
            log.log(System.Logger.Level.WARNING, name + ": " + what + " could not start (attempt " + attempt
                    + " of " + START_ATTEMPTS + "), retrying in " + TimeUnit.NANOSECONDS.toMillis(backoff) + " ms: "
                    + failure);
            long deadline = System.nanoTime() + backoff;
            synchronized (this) {
                try {
                    for (long left = backoff; left > 0 && state != State.TERMINATED && state != State.BROKEN;
                            left = deadline - System.nanoTime()) {
                        TimeUnit.NANOSECONDS.timedWait(this, left); // terminate() and breakPool() notify
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    breakPool(what + " could not start (interrupted while retrying): " + failure, failure);
                    return false;
                }
            }
            backoff *= 2;
        }
    }

    /**
     * {@return true for the exit code of a worker that could not boot}: a status, or a crash (SIGABRT, SIGSEGV), not
     * a kill or terminate, which someone sent from outside and which says nothing of the next worker.
     */
    private static boolean bootFailure(int exitCode) {
        return exitCode != 0 && exitCode != -9 && exitCode != -15;
    }

    /** A worker became ready: boot failures before it were passing ones; a held-back worker may start. */
    synchronized void readied(WorkerLink worker) {
        anyReady = true;
        bootFailures = 0;
        doneBooting(worker);
    }

    /** A worker of {@link #startWorkers} is no longer booting (ready, or ended). Holds this. */
    private void doneBooting(WorkerLink worker) {
        if (worker.booting) {
            worker.booting = false;
            booting--;
            notifyAll(); // the held-back workers' thread
            uncapWhenAllUp();
        }
    }

    /**
     * {@return true if a worker's failure to boot should break the pool}: at once while no worker of the pool has
     * ever been ready (the same failure awaits every worker), else after three in a row (one may be passing).
     */
    private synchronized boolean bootFailed() {
        return !anyReady || ++bootFailures >= 3;
    }

    /** {@return ": " and the first lines a worker wrote to stderr, or "" if none} */
    private static String said(Link link) {
        String head = link.errorHead(12);
        return head.isEmpty() ? "" : "; it said:\n" + head;
    }

    /**
     * Breaks the pool: every outstanding and later call fails with {@link BrokenProcessPoolException}, the workers
     * are killed. Once: a broken or terminated pool stays so.
     */
    void breakPool(String why, Throwable cause) {
        synchronized (this) {
            if (state == State.BROKEN || state == State.TERMINATED) {
                return;
            }
            brokenBy = cause;
            brokenWhy = why;
            state = State.BROKEN;
            dropHeldBack();
            notifyAll(); // a replacement's start waiting to be retried gives up
        }
        BrokenProcessPoolException broken = broken();
        fail(pending, broken);
        for (WorkerLink worker : workers) {
            for (WorkerLink.Sent sent : new ArrayList<>(worker.inFlight.values())) {
                if (worker.inFlight.remove(sent.task().id) != null) {
                    sent.task().job.failed(sent.task(), broken);
                }
            }
            kill(worker);
        }
        pending.add(Task.STOP);
    }

    /** Kills a worker's JVM; one that ended and was closed meanwhile (its receiver saw the end) is left alone. */
    private static void kill(WorkerLink worker) {
        try {
            worker.link.kill();
        } catch (IllegalStateException closed) {
            // ended and reaped by its receiver since the caller took it from the set
        }
    }

    private static void fail(LinkedBlockingDeque<Task> tasks, Throwable why) {
        for (Task task; (task = tasks.pollFirst()) != null; ) {
            if (task != Task.STOP) {
                task.job.failed(task, why);
            }
        }
    }

    @Override
    public String toString() {
        return name + "[" + state.name().toLowerCase() + ", " + workers.size() + " workers, " + pending.size()
                + " tasks queued]";
    }
}

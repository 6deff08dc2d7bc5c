package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every public timed method with a timeout that means "do not wait" ({@code Duration.ZERO}, a negative, a hugely
 * negative) and one that means "wait as long as it takes" (durations whose nanoseconds overflow a long): the
 * first kind times out at once, the second waits until the subject is unblocked. One saturating conversion
 * ({@code WaitCore.nanos}) serves them all.
 */
class TimeoutsIT {

    /** Timeouts that mean "do not wait". */
    private static final List<Duration> NOW = List.of(Duration.ZERO, Duration.ofMillis(-1),
            Duration.ofSeconds(Long.MIN_VALUE));

    /** Timeouts whose nanoseconds overflow a long: "wait as long as it takes". */
    private static final List<Duration> FOREVER = List.of(Duration.ofMillis(Long.MAX_VALUE),
            ChronoUnit.FOREVER.getDuration());

    /** The same for the {@code (long, TimeUnit)} forms. */
    private static final List<Object[]> NOW_UNITS = List.of(new Object[] {0L, TimeUnit.SECONDS},
            new Object[] {-1L, TimeUnit.MILLISECONDS}, new Object[] {Long.MIN_VALUE, TimeUnit.DAYS});
    private static final List<Object[]> FOREVER_UNITS = List.of(new Object[] {Long.MAX_VALUE, TimeUnit.DAYS},
            new Object[] {Long.MAX_VALUE, TimeUnit.NANOSECONDS});

    /** How long a "do not wait" call may take, and how long a test waits for an unblocked one. */
    private static final Duration PROMPT = Duration.ofSeconds(5);
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final long UNBLOCK_AFTER_MILLIS = 300;

    private static ExecutorService callers;
    /** The one thread that holds reentrant locks: never a caller's, or the caller would re-enter. */
    private static ExecutorService holder;
    private static ProcessPool pool;
    private static Manager manager;

    @BeforeAll
    static void start() {
        callers = Executors.newCachedThreadPool();
        holder = Executors.newSingleThreadExecutor();
        pool = new ProcessPool(1);
        manager = new Manager();
        manager.start();
    }

    @AfterAll
    static void stop() throws Exception {
        callers.shutdownNow();
        holder.shutdownNow();
        pool.terminate();
        assertTrue(pool.join(Duration.ofSeconds(30)));
        manager.shutdown();
    }

    /** A blocked subject and what unblocks it. */
    record Blocked<T>(T subject, Unblock unblock) {
    }

    /** Unblocks a subject; runs on the test thread, once (or repeatedly while the call has not returned). */
    interface Unblock {
        void run() throws Exception;
    }

    interface Setup<T> {
        Blocked<T> make() throws Exception;
    }

    /** A {@code Duration} form. */
    interface Timed<T> {
        Object call(T subject, Duration timeout) throws Exception;
    }

    /** A {@code (long, TimeUnit)} form. */
    interface UnitTimed<T> {
        Object call(T subject, long time, TimeUnit unit) throws Exception;
    }

    interface Bound<T> {
        Object call(T subject) throws Exception;
    }

    /**
     * Checks one timed method with every timeout.
     *
     * @param timedOut what the call gives when it does not wait: a value, or the class of what it throws
     * @param success  what it gives when unblocked: a value, or null for "anything but an exception"
     * @param repeat   whether the unblock must be repeated until the call returns (a condition's notify)
     */
    private static <T> void check(String name, Setup<T> setup, Timed<T> timed, Object timedOut, Object success,
            boolean repeat) throws Exception {
        for (Duration d : NOW) {
            once(name + "(" + d + ")", setup, s -> timed.call(s, d), timedOut, true, repeat);
        }
        for (Duration d : FOREVER) {
            once(name + "(" + d + ")", setup, s -> timed.call(s, d), success, false, repeat);
        }
    }

    private static <T> void checkUnits(String name, Setup<T> setup, UnitTimed<T> timed, Object timedOut,
            Object success, boolean repeat) throws Exception {
        for (Object[] t : NOW_UNITS) {
            once(name + "(" + t[0] + " " + t[1] + ")", setup, s -> timed.call(s, (Long) t[0], (TimeUnit) t[1]),
                    timedOut, true, repeat);
        }
        for (Object[] t : FOREVER_UNITS) {
            once(name + "(" + t[0] + " " + t[1] + ")", setup, s -> timed.call(s, (Long) t[0], (TimeUnit) t[1]),
                    success, false, repeat);
        }
    }

    private static <T> void once(String what, Setup<T> setup, Bound<T> call, Object expected, boolean now,
            boolean repeat) throws Exception {
        Blocked<T> blocked = setup.make();
        long start = System.nanoTime();
        Object outcome = outcome(() -> call.call(blocked.subject()), now ? null : blocked.unblock(), repeat);
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (now) {
            expect(what, expected, outcome);
            assertTrue(millis < PROMPT.toMillis(), what + " took " + millis + " ms (expected at once)");
            blocked.unblock().run(); // leaves nothing blocked behind
        } else if (expected == null) {
            if (outcome instanceof Throwable t) {
                throw new AssertionError(what + " threw " + t, t);
            }
        } else {
            expect(what, expected, outcome);
        }
    }

    private static void expect(String what, Object expected, Object outcome) {
        if (expected instanceof Class<?> type) {
            if (!type.isInstance(outcome)) {
                if (outcome instanceof Throwable t) {
                    throw new AssertionError(what + " threw " + t + " (expected " + type.getSimpleName() + ")", t);
                }
                fail(what + " gave " + outcome + " (expected " + type.getSimpleName() + ")");
            }
        } else {
            if (outcome instanceof Throwable t) {
                throw new AssertionError(what + " threw " + t + " (expected " + expected + ")", t);
            }
            assertEquals(expected, outcome, what);
        }
    }

    /** Runs the call on another thread; unblocks after a moment if given; the outcome is a value or a throwable. */
    private static Object outcome(Callable<Object> call, Unblock unblock, boolean repeat) throws Exception {
        Future<Object> future = callers.submit(() -> {
            try {
                return call.call();
            } catch (Throwable t) {
                return t;
            }
        });
        if (unblock != null) {
            Thread.sleep(UNBLOCK_AFTER_MILLIS);
            long deadline = System.nanoTime() + LIMIT.toNanos();
            unblock.run();
            while (repeat && !future.isDone() && System.nanoTime() - deadline < 0) {
                Thread.sleep(50);
                unblock.run();
            }
        }
        try {
            return future.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new AssertionError("the call did not return within " + LIMIT);
        }
    }

    // ---- subjects ----

    static int slowSquare(int x) {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return x * x;
    }

    private static Blocked<SharedLock> heldLock() {
        SharedLock lock = new SharedLock();
        lock.acquire();
        return new Blocked<>(lock, lock::release);
    }

    private static Blocked<SharedRLock> heldRLock() throws Exception {
        SharedRLock lock = new SharedRLock();
        // held by a thread other than the caller's: an RLock is reentrant for its owner
        holder.submit(() -> lock.acquire()).get();
        return new Blocked<>(lock, () -> holder.submit(lock::release).get());
    }

    private static <S extends SharedSemaphore> Blocked<S> emptySemaphore(S semaphore) {
        return new Blocked<>(semaphore, semaphore::release);
    }

    private static Blocked<SharedEvent> unsetEvent() {
        SharedEvent event = new SharedEvent();
        return new Blocked<>(event, event::set);
    }

    /** A condition with its flag; the call takes the lock itself. */
    record Awaited(SharedCondition condition, AtomicBoolean ready) {
        Object await(Timed<SharedCondition> timed, Duration timeout) throws Exception {
            condition.acquire();
            try {
                return timed.call(condition, timeout);
            } finally {
                condition.release();
            }
        }
    }

    private static Blocked<Awaited> awaitedCondition() {
        Awaited awaited = new Awaited(new SharedCondition(), new AtomicBoolean());
        return new Blocked<>(awaited, () -> {
            awaited.condition().acquire();
            try {
                awaited.ready().set(true);
                awaited.condition().signalAll();
            } finally {
                awaited.condition().release();
            }
        });
    }

    private static Blocked<SharedBarrier> halfBarrier() {
        SharedBarrier barrier = new SharedBarrier(2);
        return new Blocked<>(barrier, () -> {
            if (!barrier.isBroken()) {
                callers.submit(() -> barrier.await(Duration.ofSeconds(30)));
            }
        });
    }

    private static Blocked<SharedQueue<Integer>> fullQueue() throws Exception {
        SharedQueue<Integer> queue = new SharedQueue<>(1);
        queue.put(1);
        return new Blocked<>(queue, queue::get);
    }

    private static Blocked<SharedQueue<Integer>> emptyQueue() {
        SharedQueue<Integer> queue = new SharedQueue<>();
        return new Blocked<>(queue, () -> queue.put(7));
    }

    private static Blocked<SharedSimpleQueue<Integer>> emptySimpleQueue() {
        SharedSimpleQueue<Integer> queue = new SharedSimpleQueue<>();
        return new Blocked<>(queue, () -> queue.put(7));
    }

    private static Blocked<SharedJoinableQueue<Integer>> unfinishedJoinableQueue() throws Exception {
        SharedJoinableQueue<Integer> queue = new SharedJoinableQueue<>();
        queue.put(1);
        return new Blocked<>(queue, () -> {
            queue.get();
            queue.taskDone();
        });
    }

    private static Blocked<Connection> silentConnection() {
        Pipe pipe = Pipe.open();
        return new Blocked<>(pipe.left(), () -> pipe.right().send("ready"));
    }

    private static Blocked<JvmProcess> runningThreadProcess() {
        SharedEvent go = new SharedEvent();
        JvmProcess process = Multiprocessing.getContext(Multiprocessing.THREAD).process(() -> {
            try {
                go.await(Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        process.start();
        return new Blocked<>(process, go::set);
    }

    private static Blocked<AsyncResult<Integer>> slowTask() {
        AsyncResult<Integer> result = pool.applyAsync(() -> {
            Thread.sleep(1_000);
            return 42;
        });
        return new Blocked<>(result, () -> {
        });
    }

    private static Blocked<ProcessPool> closedPool() {
        ProcessPool closing = new ProcessPool(1);
        closing.applyAsync(() -> {
            Thread.sleep(1_000);
            return 1;
        });
        closing.shutdown(); // Python's close(): no more tasks, the workers exit when done
        return new Blocked<>(closing, () -> {
            closing.terminate(); // nothing left behind
            closing.join(LIMIT);
        });
    }

    // ---- the checks ----

    @Test
    void sharedSynchronizers() throws Exception {
        check("SharedLock.acquire", TimeoutsIT::heldLock, SharedLock::acquire, false, true, false);
        checkUnits("SharedLock.tryLock", TimeoutsIT::heldLock, SharedLock::tryLock, false, true, false);
        check("SharedRLock.acquire", TimeoutsIT::heldRLock, SharedRLock::acquire, false, true, false);
        checkUnits("SharedRLock.tryLock", TimeoutsIT::heldRLock, SharedRLock::tryLock, false, true, false);
        check("SharedSemaphore.acquire", () -> emptySemaphore(new SharedSemaphore(0)), SharedSemaphore::acquire,
                false, true, false);
        check("SharedBoundedSemaphore.acquire", () -> emptySemaphore(new SharedBoundedSemaphore(1)), (s, t) -> {
            s.acquire();
            return s.acquire(t);
        }, false, true, false);
        check("SharedEvent.await", TimeoutsIT::unsetEvent, SharedEvent::await, false, true, false);
        check("SharedCondition.await", TimeoutsIT::awaitedCondition,
                (a, t) -> a.await(SharedCondition::await, t), false, true, true);
        checkUnits("SharedCondition.await", TimeoutsIT::awaitedCondition,
                (a, time, unit) -> a.await((c, _) -> c.await(time, unit), null), false, true, true);
        check("SharedCondition.waitFor", TimeoutsIT::awaitedCondition,
                (a, t) -> a.await((c, d) -> c.waitFor(a.ready()::get, d), t), false, true, true);
        check("SharedBarrier.await", TimeoutsIT::halfBarrier, SharedBarrier::await, BrokenBarrierException.class,
                null, false);
        check("new SharedBarrier(2, null, timeout).await()", () -> new Blocked<Object>(null, () -> {
        }), (_, t) -> {
            SharedBarrier barrier = new SharedBarrier(2, null, t);
            if (t.isNegative() || t.isZero()) {
                return barrier.await();
            }
            callers.submit(() -> {
                Thread.sleep(UNBLOCK_AFTER_MILLIS);
                return barrier.await(Duration.ofSeconds(30));
            });
            return barrier.await();
        }, BrokenBarrierException.class, null, false);
    }

    @Test
    void queuesAndConnections() throws Exception {
        check("SharedQueue.put", TimeoutsIT::fullQueue, (q, t) -> {
            q.put(2, t);
            return "put";
        }, QueueFullException.class, "put", false);
        checkUnits("SharedQueue.offer", TimeoutsIT::fullQueue, (q, time, unit) -> q.offer(2, time, unit), false,
                true, false);
        check("SharedQueue.get", TimeoutsIT::emptyQueue, SharedQueue::get, QueueEmptyException.class, 7, false);
        checkUnits("SharedQueue.poll", TimeoutsIT::emptyQueue, SharedQueue::poll, null, 7, false);
        check("SharedSimpleQueue.get", TimeoutsIT::emptySimpleQueue, SharedSimpleQueue::get,
                QueueEmptyException.class, 7, false);
        check("SharedJoinableQueue.join", TimeoutsIT::unfinishedJoinableQueue, SharedJoinableQueue::join, false,
                true, false);
        check("Connection.poll", TimeoutsIT::silentConnection, Connection::poll, false, true, false);
        check("Multiprocessing.wait", TimeoutsIT::silentConnection,
                (c, t) -> Multiprocessing.wait(List.of(c), t).size(), 0, 1, false);
    }

    @Test
    void processesAndPools() throws Exception {
        check("JvmProcess.join", TimeoutsIT::runningThreadProcess, JvmProcess::join, false, true, false);
        check("AsyncResult.get", TimeoutsIT::slowTask, AsyncResult::get, TimeoutException.class, 42, false);
        checkUnits("AsyncResult.get", TimeoutsIT::slowTask, AsyncResult::get, TimeoutException.class, 42, false);
        check("AsyncResult.await", TimeoutsIT::slowTask, AsyncResult::await, false, true, false);
        check("ProcessPool.join", TimeoutsIT::closedPool, ProcessPool::join, false, true, false);
        checkUnits("awaitTermination", () -> {
            ProcessPool closing = new ProcessPool(1);
            ExecutorService executor = closing.asExecutorService();
            executor.submit((SerializableCallable<Integer>) () -> {
                Thread.sleep(1_000);
                return 1;
            });
            executor.shutdown();
            return new Blocked<>(executor, () -> {
                closing.terminate();
                closing.join(LIMIT);
            });
        }, ExecutorService::awaitTermination, false, true, false);
        check("IMapIterator.next", () -> new Blocked<>(pool.imap(TimeoutsIT::slowSquare, List.of(7), 1), () -> {
        }), IMapIterator::next, TimeoutException.class, 49, false);
        ExecutorService executor = pool.asExecutorService();
        checkUnits("invokeAll", () -> new Blocked<Object>(null, () -> {
        }), (r, time, unit) -> {
            List<Future<Integer>> futures = executor.invokeAll(List.of((SerializableCallable<Integer>) () -> {
                Thread.sleep(1_000);
                return 42;
            }), time, unit);
            Future<Integer> future = futures.get(0);
            return future.isCancelled() ? "cancelled" : future.get();
        }, "cancelled", 42, false);
        checkUnits("invokeAny", TimeoutsIT::slowTask, (r, time, unit) -> executor.invokeAny(List.of((SerializableCallable<Integer>) () -> {
            Thread.sleep(1_000);
            return 42;
        }), time, unit), TimeoutException.class, 42, false);
    }

    @Test
    void managedObjects() throws Exception {
        check("ManagedLock.acquire", () -> heldManaged(manager.lock()), ManagedLock::acquire, false, true, false);
        checkUnits("ManagedLock.tryLock", () -> heldManaged(manager.lock()), ManagedLock::tryLock, false, true,
                false);
        check("ManagedLock(rlock).acquire", () -> heldManagedElsewhere(manager.rlock()), ManagedLock::acquire, false,
                true, false);
        check("ManagedSemaphore.acquire", () -> {
            ManagedSemaphore s = manager.semaphore(0);
            return new Blocked<>(s, s::release);
        }, ManagedSemaphore::acquire, false, true, false);
        check("ManagedEvent.await", () -> {
            ManagedEvent e = manager.event();
            return new Blocked<>(e, e::set);
        }, ManagedEvent::await, false, true, false);
        check("ManagedCondition.await", () -> managedCondition(), (c, t) -> {
            c.acquire();
            try {
                return c.await(t);
            } finally {
                c.release();
            }
        }, false, true, true);
        check("ManagedBarrier.await", () -> {
            ManagedBarrier b = manager.barrier(2);
            return new Blocked<>(b, () -> {
                if (!b.isBroken()) {
                    callers.submit(() -> b.await(Duration.ofSeconds(30)));
                }
            });
        }, ManagedBarrier::await, java.util.concurrent.TimeoutException.class, null, false);
        check("ManagedQueue.get", () -> {
            ManagedQueue<Integer> q = manager.queue();
            return new Blocked<>(q, () -> q.put(7));
        }, ManagedQueue::get, QueueEmptyException.class, 7, false);
        checkUnits("ManagedQueue.poll", () -> {
            ManagedQueue<Integer> q = manager.queue();
            return new Blocked<>(q, () -> q.put(7));
        }, ManagedQueue::poll, null, 7, false);
        checkUnits("ManagedQueue.offer", () -> {
            ManagedQueue<Integer> q = manager.queue(1);
            q.put(1);
            return new Blocked<>(q, q::take);
        }, (q, time, unit) -> q.offer(2, time, unit), false, true, false);
        check("ManagedJoinableQueue.join", () -> {
            ManagedJoinableQueue<Integer> q = manager.joinableQueue();
            q.put(1);
            return new Blocked<>(q, () -> {
                q.get();
                q.taskDone();
            });
        }, ManagedJoinableQueue::join, false, true, false);
    }

    private static Blocked<ManagedLock> heldManaged(ManagedLock lock) throws Exception {
        lock.acquire();
        return new Blocked<>(lock, lock::release);
    }

    private static Blocked<ManagedLock> heldManagedElsewhere(ManagedLock lock) throws Exception {
        holder.submit(() -> lock.acquire()).get();
        return new Blocked<>(lock, () -> holder.submit(lock::release).get());
    }

    private static Blocked<ManagedCondition> managedCondition() {
        ManagedCondition c = manager.condition();
        return new Blocked<>(c, () -> {
            c.acquire();
            try {
                c.signalAll();
            } finally {
                c.release();
            }
        });
    }
}

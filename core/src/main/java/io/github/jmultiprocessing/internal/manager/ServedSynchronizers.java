package io.github.jmultiprocessing.internal.manager;

import io.github.jmultiprocessing.ManagedBarrier;
import io.github.jmultiprocessing.ManagedCondition;
import io.github.jmultiprocessing.ManagedEvent;
import io.github.jmultiprocessing.ManagedJoinableQueue;
import io.github.jmultiprocessing.ManagedLock;
import io.github.jmultiprocessing.ManagedSemaphore;
import io.github.jmultiprocessing.QueueShutDownException;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The blocking objects a manager's server holds for the standard types of {@code Manager} (Python's
 * {@code SyncManager} serving {@code queue.Queue} and {@code threading}'s {@code Lock}, {@code RLock},
 * {@code Condition}, {@code Semaphore}, {@code BoundedSemaphore}, {@code Event} and {@code Barrier}). They run in
 * the server, each call on the thread of the calling client's connection, so a wait here is that connection's
 * thread waiting, and a reentrant lock belongs to the client thread whose connection took it.
 *
 * <p>Implementation notes. The public {@code Manager} registers these classes; clients never name them (calls are
 * resolved through the public proxy interfaces, {@link Methods}). A client that dies in a call has its connection
 * thread interrupted ({@link ManagerServer}'s watch), and the locks report what a connection holds
 * ({@link ManagerServer#holding}, {@link ManagerServer.Holder}) so that a dead client's holds are given back. The
 * queue throws the public {@code QueueShutDownException}, whose constructor only the public package may call:
 * {@code Manager} hands that constructor to each queue it makes.
 */
public final class ServedSynchronizers {

    private ServedSynchronizers() {
    }

    /**
     * A queue, maybe joinable: CPython 3.13's {@code queue.Queue} (which its manager serves for both {@code Queue}
     * and {@code JoinableQueue}) in Java, one lock and three conditions as there, so that {@code shutdown} is atomic
     * with every put and get: after it, no put succeeds, gets drain then throw, and every waiting caller (each a
     * connection thread of the server) wakes and throws. Iterators walk a copy.
     *
     * @param <E> elements
     */
    public static final class QueueObject<E> extends java.util.AbstractQueue<E> implements ManagedJoinableQueue<E> {
        private final int maxsize;
        private final Function<String, QueueShutDownException> refusal;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition notEmpty = lock.newCondition();
        private final Condition notFull = lock.newCondition();
        private final Condition allTasksDone = lock.newCondition();
        private final java.util.ArrayDeque<E> items = new java.util.ArrayDeque<>(); // guarded by lock
        private long unfinished; // guarded by lock
        private boolean shutDown; // guarded by lock

        /**
         * A queue.
         *
         * @param maxsize  how many elements it holds at most; 0 or less for no bound
         * @param refusal  makes what a put or get on the shut-down queue throws, from its message (the public
         *                 package's constructor: only that package may make a {@code QueueShutDownException})
         */
        public QueueObject(int maxsize, Function<String, QueueShutDownException> refusal) {
            this.maxsize = Math.max(0, maxsize);
            this.refusal = java.util.Objects.requireNonNull(refusal, "refusal");
        }

        private boolean isFull() {
            return maxsize > 0 && items.size() >= maxsize;
        }

        private QueueShutDownException shutDownOnPut() {
            return refusal.apply("the managed queue is shut down: put refused");
        }

        private QueueShutDownException shutDownOnGet() {
            return refusal.apply("the managed queue is shut down and empty");
        }

        /** Adds under the lock (Python's {@code _put}, then {@code unfinished_tasks += 1} and a wake-up). */
        private void insert(E e) {
            items.addLast(e);
            unfinished++;
            notEmpty.signal();
        }

        /** Takes under the lock from a queue that is not empty. */
        private E extract() {
            E e = items.pollFirst();
            notFull.signal();
            return e;
        }

        @Override
        public boolean offer(E e) {
            java.util.Objects.requireNonNull(e, "e");
            lock.lock();
            try {
                if (shutDown) {
                    throw shutDownOnPut();
                }
                if (isFull()) {
                    return false;
                }
                insert(e);
                return true;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean offer(E e, long timeout, TimeUnit unit) throws InterruptedException {
            java.util.Objects.requireNonNull(e, "e");
            long nanos = WaitCore.nanos(timeout, unit);
            lock.lockInterruptibly();
            try {
                while (true) {
                    if (shutDown) {
                        throw shutDownOnPut();
                    }
                    if (!isFull()) {
                        insert(e);
                        return true;
                    }
                    if (nanos <= 0) {
                        return false;
                    }
                    nanos = notFull.awaitNanos(nanos);
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void put(E e) throws InterruptedException {
            java.util.Objects.requireNonNull(e, "e");
            lock.lockInterruptibly();
            try {
                while (true) {
                    if (shutDown) {
                        throw shutDownOnPut();
                    }
                    if (!isFull()) {
                        insert(e);
                        return;
                    }
                    notFull.await();
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public E take() throws InterruptedException {
            lock.lockInterruptibly();
            try {
                while (items.isEmpty()) {
                    if (shutDown) {
                        throw shutDownOnGet();
                    }
                    notEmpty.await();
                }
                return extract();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public E poll() {
            lock.lock();
            try {
                if (items.isEmpty()) {
                    if (shutDown) {
                        throw shutDownOnGet();
                    }
                    return null;
                }
                return extract();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public E poll(long timeout, TimeUnit unit) throws InterruptedException {
            long nanos = WaitCore.nanos(timeout, unit);
            lock.lockInterruptibly();
            try {
                while (items.isEmpty()) {
                    if (shutDown) {
                        throw shutDownOnGet();
                    }
                    if (nanos <= 0) {
                        return null;
                    }
                    nanos = notEmpty.awaitNanos(nanos);
                }
                return extract();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public E peek() {
            lock.lock();
            try {
                return items.peekFirst();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int size() {
            lock.lock();
            try {
                return items.size();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int remainingCapacity() {
            lock.lock();
            try {
                return maxsize == 0 ? Integer.MAX_VALUE : Math.max(0, maxsize - items.size());
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean contains(Object o) {
            lock.lock();
            try {
                return items.contains(o);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean remove(Object o) {
            lock.lock();
            try {
                boolean removed = items.removeFirstOccurrence(o);
                if (removed) {
                    notFull.signal();
                }
                return removed;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean removeIf(Predicate<? super E> filter) {
            lock.lock();
            try {
                boolean removed = items.removeIf(filter);
                if (removed) {
                    notFull.signalAll();
                }
                return removed;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean removeAll(Collection<?> c) {
            java.util.Objects.requireNonNull(c, "c");
            return removeIf(c::contains);
        }

        @Override
        public boolean retainAll(Collection<?> c) {
            java.util.Objects.requireNonNull(c, "c");
            return removeIf(e -> !c.contains(e));
        }

        /** Removes every element; works on a shut-down queue too. */
        @Override
        public void clear() {
            lock.lock();
            try {
                items.clear();
                notFull.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public Object[] toArray() {
            lock.lock();
            try {
                return items.toArray();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public <T> T[] toArray(T[] a) {
            lock.lock();
            try {
                return items.toArray(a);
            } finally {
                lock.unlock();
            }
        }

        /** {@return an iterator over a copy; its {@code remove} removes that element from the queue} */
        @Override
        public java.util.Iterator<E> iterator() {
            @SuppressWarnings("unchecked")
            E[] copy = (E[]) toArray();
            return new java.util.Iterator<>() {
                private int next;

                @Override
                public boolean hasNext() {
                    return next < copy.length;
                }

                @Override
                public E next() {
                    if (next >= copy.length) {
                        throw new NoSuchElementException();
                    }
                    return copy[next++];
                }

                @Override
                public void remove() {
                    if (next == 0) {
                        throw new IllegalStateException("remove() before next()");
                    }
                    QueueObject.this.remove(copy[next - 1]);
                }
            };
        }

        @Override
        public String toString() {
            return java.util.Arrays.toString(toArray());
        }

        @Override
        public int maxsize() {
            return maxsize;
        }

        @Override
        public List<E> drain(int maxElements) {
            lock.lock();
            try {
                List<E> drained = new ArrayList<>();
                while (drained.size() < maxElements && !items.isEmpty()) {
                    drained.add(extract());
                }
                return drained;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void shutdown(boolean immediate) {
            lock.lock();
            try {
                shutDown = true;
                if (immediate) {
                    while (!items.isEmpty()) { // a task done for each one dropped, as CPython's
                        items.pollFirst();
                        if (unfinished > 0) {
                            unfinished--;
                        }
                    }
                    allTasksDone.signalAll();
                }
                notEmpty.signalAll(); // every waiting get and put re-checks, and throws
                notFull.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean isShutdown() {
            lock.lock();
            try {
                return shutDown;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void taskDone() {
            lock.lock();
            try {
                if (unfinished <= 0) {
                    throw new IllegalStateException("taskDone() called more times than there were items");
                }
                if (--unfinished == 0) {
                    allTasksDone.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void join() throws InterruptedException {
            lock.lockInterruptibly();
            try {
                while (unfinished > 0) {
                    allTasksDone.await();
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean join(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + WaitCore.nanos(timeout);
            lock.lockInterruptibly();
            try {
                while (unfinished > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    allTasksDone.awaitNanos(left);
                }
                return true;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Python's Lock: not reentrant, released by anyone; a dead client's hold is given back. */
    public static final class LockObject implements ManagedLock, ManagerServer.Holder {
        private boolean locked; // guarded by this
        private Thread holder; // the connection thread that took it, null if released by another; guarded by this

        /** An unlocked lock. */
        public LockObject() {
        }

        @Override
        public synchronized void acquire() {
            boolean interrupted = false;
            while (locked) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true; // not interruptible (the watch's interrupt ends the reply instead)
                }
            }
            took();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public synchronized boolean acquire(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + WaitCore.nanos(timeout);
            while (locked) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            took();
            return true;
        }

        private void took() {
            locked = true;
            holder = Thread.currentThread();
            ManagerServer.holding(this);
        }

        @Override
        public synchronized void release() {
            if (!locked) {
                throw new IllegalStateException("release of an unlocked lock");
            }
            locked = false;
            holder = null;
            notify();
            ManagerServer.released(this);
        }

        @Override
        public synchronized void releaseAll() {
            if (locked && holder == Thread.currentThread()) {
                release();
            }
        }

        @Override
        public synchronized String toString() {
            return "Lock(" + (locked ? "locked" : "unlocked") + ")";
        }
    }

    /** Python's RLock: reentrant, owned by the connection (client thread) that took it. */
    public static class RLockObject implements ManagedLock, ManagerServer.Holder {
        final ReentrantLock lock = new ReentrantLock();

        /** An unlocked reentrant lock. */
        public RLockObject() {
        }

        @Override
        public void acquire() {
            lock.lock();
            ManagerServer.holding(this);
        }

        @Override
        public boolean acquire(Duration timeout) throws InterruptedException {
            if (!lock.tryLock(WaitCore.nanos(timeout), TimeUnit.NANOSECONDS)) {
                return false;
            }
            ManagerServer.holding(this);
            return true;
        }

        @Override
        public void release() {
            if (!lock.isHeldByCurrentThread()) {
                throw new IllegalStateException("release of an RLock not held by this thread");
            }
            lock.unlock();
            if (!lock.isHeldByCurrentThread()) {
                ManagerServer.released(this);
            }
        }

        @Override
        public void releaseAll() {
            while (lock.isHeldByCurrentThread()) {
                lock.unlock();
            }
        }

        @Override
        public String toString() {
            return "RLock(" + (lock.isLocked() ? "locked, count " + lock.getHoldCount() : "unlocked") + ")";
        }
    }

    /** Python's Condition, over its own reentrant lock. */
    public static final class ConditionObject extends RLockObject implements ManagedCondition {
        private final Condition condition = lock.newCondition();

        /** A condition whose lock is unlocked. */
        public ConditionObject() {
        }

        private void checkHeld() {
            if (!lock.isHeldByCurrentThread()) {
                throw new IllegalStateException("cannot wait on or notify an un-acquired condition");
            }
        }

        @Override
        public void await() throws InterruptedException {
            checkHeld();
            condition.await();
        }

        @Override
        public boolean await(Duration timeout) throws InterruptedException {
            checkHeld();
            return condition.await(WaitCore.nanos(timeout), TimeUnit.NANOSECONDS);
        }

        @Override
        public void signal() {
            checkHeld();
            condition.signal();
        }

        @Override
        public void signalAll() {
            checkHeld();
            condition.signalAll();
        }

        @Override
        public String toString() {
            return "Condition(" + super.toString() + ")";
        }
    }

    /** Python's Semaphore and BoundedSemaphore. */
    public static final class SemaphoreObject implements ManagedSemaphore {
        private final Semaphore permits;
        private final int bound; // 0 for none

        /**
         * A semaphore.
         *
         * @param value   its first count of permits
         * @param bounded whether a release beyond {@code value} is refused (Python's {@code BoundedSemaphore})
         * @throws IllegalArgumentException if {@code value} is negative
         */
        public SemaphoreObject(int value, boolean bounded) {
            if (value < 0) {
                throw new IllegalArgumentException("value=" + value + " (expected >= 0)");
            }
            permits = new Semaphore(value);
            bound = bounded ? value : 0;
        }

        @Override
        public void acquire() {
            try {
                permits.acquire(); // interrupted only when the client is gone: it must not take a permit then
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted: the client is gone", e);
            }
        }

        @Override
        public boolean acquire(Duration timeout) throws InterruptedException {
            return permits.tryAcquire(WaitCore.nanos(timeout), TimeUnit.NANOSECONDS);
        }

        @Override
        public synchronized void release() {
            if (bound > 0 && permits.availablePermits() >= bound) {
                throw new IllegalStateException("semaphore released too many times (bound " + bound + ")");
            }
            permits.release();
        }

        @Override
        public int getValue() {
            return permits.availablePermits();
        }

        @Override
        public String toString() {
            return "Semaphore(value=" + permits.availablePermits() + (bound > 0 ? ", bound=" + bound : "") + ")";
        }
    }

    /** Python's Event. */
    public static final class EventObject implements ManagedEvent {
        private boolean flag; // guarded by this

        /** An event that is not set. */
        public EventObject() {
        }

        @Override
        public synchronized void set() {
            flag = true;
            notifyAll();
        }

        @Override
        public synchronized void clear() {
            flag = false;
        }

        @Override
        public synchronized boolean isSet() {
            return flag;
        }

        @Override
        public synchronized void await() throws InterruptedException {
            while (!flag) {
                wait();
            }
        }

        @Override
        public synchronized boolean await(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + WaitCore.nanos(timeout);
            while (!flag) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }

        @Override
        public synchronized String toString() {
            return "Event(" + (flag ? "set" : "unset") + ")";
        }
    }

    /** Python's Barrier. */
    public static final class BarrierObject implements ManagedBarrier {
        /** One round of the barrier: broken for the parties of that round only, until a reset starts a new one. */
        private static final class Generation {
            boolean broken;
        }

        private final int parties;
        private Generation generation = new Generation(); // guarded by this
        private int arrived; // in this generation, guarded by this

        /**
         * A barrier.
         *
         * @param parties how many parties each round waits for
         * @throws IllegalArgumentException if {@code parties} is less than 1
         */
        public BarrierObject(int parties) {
            if (parties < 1) {
                throw new IllegalArgumentException("parties=" + parties + " (expected >= 1)");
            }
            this.parties = parties;
        }

        @Override
        public int await() throws BrokenBarrierException, InterruptedException {
            try {
                return await(-1);
            } catch (TimeoutException e) {
                throw new IllegalStateException(e); // no timeout given
            }
        }

        @Override
        public int await(Duration timeout) throws BrokenBarrierException, InterruptedException, TimeoutException {
            return await(WaitCore.nanos(timeout));
        }

        /** Waits for the round; {@code nanos} negative waits forever. A timeout or an interrupt breaks it. */
        private synchronized int await(long nanos) throws BrokenBarrierException, InterruptedException,
                TimeoutException {
            Generation round = generation;
            if (round.broken) {
                throw new BrokenBarrierException();
            }
            int index = parties - 1 - arrived;
            arrived++;
            if (index == 0) { // the last party: the round is complete
                generation = new Generation();
                arrived = 0;
                notifyAll();
                return 0;
            }
            long deadline = System.nanoTime() + nanos;
            while (true) {
                try {
                    if (nanos < 0) {
                        wait();
                    } else {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            if (round == generation) {
                                breakRound();
                            }
                            throw new TimeoutException("the barrier's other parties did not come in time");
                        }
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    }
                } catch (InterruptedException e) {
                    if (round == generation && !round.broken) {
                        breakRound();
                    }
                    throw e;
                }
                if (round.broken) {
                    throw new BrokenBarrierException();
                }
                if (round != generation) {
                    return index;
                }
            }
        }

        private void breakRound() {
            generation.broken = true;
            arrived = 0;
            notifyAll();
        }

        @Override
        public synchronized void abort() {
            breakRound(); // lasting until reset, as Python's
        }

        @Override
        public synchronized void reset() {
            if (arrived > 0) {
                generation.broken = true; // its waiters get BrokenBarrierException
            }
            generation = new Generation();
            arrived = 0;
            notifyAll();
        }

        @Override
        public int getParties() {
            return parties;
        }

        @Override
        public synchronized int getNumberWaiting() {
            return arrived;
        }

        @Override
        public synchronized boolean isBroken() {
            return generation.broken;
        }

        @Override
        public synchronized String toString() {
            return "Barrier(parties=" + parties + ", waiting=" + arrived + (generation.broken ? ", broken" : "") + ")";
        }
    }
}

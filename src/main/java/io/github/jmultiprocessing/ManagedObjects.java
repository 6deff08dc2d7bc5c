package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.manager.ManagerServer;
import io.github.jmultiprocessing.internal.sync.WaitCore;
import java.io.Serializable;
import java.time.Duration;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The objects a {@link Manager}'s server holds for its standard types, as Python's {@code SyncManager} holds a
 * {@code dict}, a {@code list}, a {@code threading.Lock} and so on. They run in the server, each call on the thread
 * of the calling client's connection; collections are synchronized (one call at a time, as the GIL makes Python's),
 * and what would be a view or an iterator of them is a copy, since it travels to the client.
 */
final class ManagedObjects {

    private ManagedObjects() {
    }

    /** A dict: insertion-ordered, as Python's. */
    static final class Dict<K, V> extends AbstractMap<K, V> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final LinkedHashMap<K, V> map;

        Dict(Map<? extends K, ? extends V> initial) {
            map = initial == null ? new LinkedHashMap<>() : new LinkedHashMap<>(initial);
        }

        @Override
        public synchronized int size() {
            return map.size();
        }

        @Override
        public synchronized boolean isEmpty() {
            return map.isEmpty();
        }

        @Override
        public synchronized boolean containsKey(Object key) {
            return map.containsKey(key);
        }

        @Override
        public synchronized boolean containsValue(Object value) {
            return map.containsValue(value);
        }

        @Override
        public synchronized V get(Object key) {
            return map.get(key);
        }

        @Override
        public synchronized V put(K key, V value) {
            return map.put(key, value);
        }

        @Override
        public synchronized V remove(Object key) {
            return map.remove(key);
        }

        @Override
        public synchronized void putAll(Map<? extends K, ? extends V> m) {
            map.putAll(m);
        }

        @Override
        public synchronized void clear() {
            map.clear();
        }

        @Override
        public synchronized Set<K> keySet() {
            return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(map.keySet())); // a copy: no writes
        }

        @Override
        public synchronized Collection<V> values() {
            return java.util.Collections.unmodifiableList(new ArrayList<>(map.values()));
        }

        @Override
        public synchronized Set<Entry<K, V>> entrySet() {
            Set<Entry<K, V>> copy = new LinkedHashSet<>();
            for (Entry<K, V> entry : map.entrySet()) {
                copy.add(new SimpleImmutableEntry<>(entry));
            }
            return java.util.Collections.unmodifiableSet(copy);
        }

        @Override
        public synchronized void replaceAll(java.util.function.BiFunction<? super K, ? super V, ? extends V> f) {
            map.replaceAll(f);
        }

        @Override
        public synchronized boolean equals(Object o) {
            return map.equals(o);
        }

        @Override
        public synchronized int hashCode() {
            return map.hashCode();
        }

        @Override
        public synchronized String toString() {
            return map.toString();
        }
    }

    /** A list. */
    static final class ListObject<E> extends AbstractList<E> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final ArrayList<E> list;

        ListObject(Collection<? extends E> initial) {
            list = initial == null ? new ArrayList<>() : new ArrayList<>(initial);
        }

        @Override
        public synchronized E get(int index) {
            return list.get(index);
        }

        @Override
        public synchronized E set(int index, E element) {
            return list.set(index, element);
        }

        @Override
        public synchronized void add(int index, E element) {
            list.add(index, element);
        }

        @Override
        public synchronized boolean add(E element) {
            return list.add(element);
        }

        @Override
        public synchronized E remove(int index) {
            return list.remove(index);
        }

        @Override
        public synchronized boolean remove(Object o) {
            return list.remove(o);
        }

        @Override
        public synchronized int size() {
            return list.size();
        }

        @Override
        public synchronized boolean contains(Object o) {
            return list.contains(o);
        }

        @Override
        public synchronized int indexOf(Object o) {
            return list.indexOf(o);
        }

        @Override
        public synchronized int lastIndexOf(Object o) {
            return list.lastIndexOf(o);
        }

        @Override
        public synchronized boolean addAll(Collection<? extends E> c) {
            return list.addAll(c);
        }

        @Override
        public synchronized boolean addAll(int index, Collection<? extends E> c) {
            return list.addAll(index, c);
        }

        @Override
        public synchronized boolean removeAll(Collection<?> c) {
            return list.removeAll(c);
        }

        @Override
        public synchronized boolean retainAll(Collection<?> c) {
            return list.retainAll(c);
        }

        @Override
        public synchronized boolean removeIf(Predicate<? super E> filter) {
            return list.removeIf(filter);
        }

        @Override
        public synchronized void replaceAll(UnaryOperator<E> operator) {
            list.replaceAll(operator);
        }

        @Override
        public synchronized void sort(Comparator<? super E> c) {
            list.sort(c);
        }

        @Override
        public synchronized void clear() {
            list.clear();
        }

        @Override
        public synchronized Object[] toArray() {
            return list.toArray();
        }

        @Override
        public synchronized <T> T[] toArray(T[] a) {
            return list.toArray(a);
        }

        @Override
        public synchronized List<E> subList(int fromIndex, int toIndex) {
            return java.util.Collections.unmodifiableList(new ArrayList<>(list.subList(fromIndex, toIndex)));
        }

        @Override
        public synchronized boolean equals(Object o) {
            return list.equals(o);
        }

        @Override
        public synchronized int hashCode() {
            return list.hashCode();
        }

        @Override
        public synchronized String toString() {
            return list.toString();
        }
    }

    /** A namespace. */
    static final class NamespaceObject implements Namespace {
        private final Map<String, Object> attributes = new LinkedHashMap<>();

        @Override
        public synchronized Object get(String name) {
            if (!attributes.containsKey(name)) {
                throw new NoSuchElementException("attribute " + name + " (expected one of " + attributes.keySet()
                        + ")");
            }
            return attributes.get(name);
        }

        @Override
        public synchronized void set(String name, Object value) {
            attributes.put(java.util.Objects.requireNonNull(name, "name"), value);
        }

        @Override
        public synchronized void delete(String name) {
            if (!attributes.containsKey(name)) {
                throw new NoSuchElementException("attribute " + name + " (expected one of " + attributes.keySet()
                        + ")");
            }
            attributes.remove(name);
        }

        @Override
        public synchronized Map<String, Object> attributes() {
            return new LinkedHashMap<>(attributes);
        }

        @Override
        public synchronized String toString() {
            StringBuilder text = new StringBuilder("Namespace(");
            String separator = "";
            for (Map.Entry<String, Object> entry : attributes.entrySet()) {
                text.append(separator).append(entry.getKey()).append('=').append(entry.getValue());
                separator = ", ";
            }
            return text.append(')').toString();
        }
    }

    /**
     * A queue, maybe joinable: CPython 3.13's {@code queue.Queue} (which its manager serves for both {@code Queue}
     * and {@code JoinableQueue}) in Java, one lock and three conditions as there, so that {@code shutdown} is atomic
     * with every put and get: after it, no put succeeds, gets drain then throw, and every waiting caller (each a
     * connection thread of the server) wakes and throws. Iterators walk a copy.
     */
    static final class QueueObject<E> extends java.util.AbstractQueue<E> implements ManagedJoinableQueue<E> {
        private final int maxsize;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition notEmpty = lock.newCondition();
        private final Condition notFull = lock.newCondition();
        private final Condition allTasksDone = lock.newCondition();
        private final java.util.ArrayDeque<E> items = new java.util.ArrayDeque<>(); // guarded by lock
        private long unfinished; // guarded by lock
        private boolean shutDown; // guarded by lock

        QueueObject(int maxsize) {
            this.maxsize = Math.max(0, maxsize);
        }

        private boolean isFull() {
            return maxsize > 0 && items.size() >= maxsize;
        }

        private QueueShutDownException shutDownOnPut() {
            return new QueueShutDownException("the managed queue is shut down: put refused");
        }

        private QueueShutDownException shutDownOnGet() {
            return new QueueShutDownException("the managed queue is shut down and empty");
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
    static final class LockObject implements ManagedLock, ManagerServer.Holder {
        private boolean locked; // guarded by this
        private Thread holder; // the connection thread that took it, null if released by another; guarded by this

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
    static class RLockObject implements ManagedLock, ManagerServer.Holder {
        final ReentrantLock lock = new ReentrantLock();

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
    static final class ConditionObject extends RLockObject implements ManagedCondition {
        private final Condition condition = lock.newCondition();

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
    static final class SemaphoreObject implements ManagedSemaphore {
        private final Semaphore permits;
        private final int bound; // 0 for none

        SemaphoreObject(int value, boolean bounded) {
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
    static final class EventObject implements ManagedEvent {
        private boolean flag; // guarded by this

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
    static final class BarrierObject implements ManagedBarrier {
        /** One round of the barrier: broken for the parties of that round only, until a reset starts a new one. */
        private static final class Generation {
            boolean broken;
        }

        private final int parties;
        private Generation generation = new Generation(); // guarded by this
        private int arrived; // in this generation, guarded by this

        BarrierObject(int parties) {
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

    /** Python's Array: numbers of one type code, in memory of the server's. */
    static final class ArrayObject implements ManagedArray {
        private final io.github.jmultiprocessing.internal.ctypes.TypeCode type;
        private final java.lang.foreign.MemorySegment memory;
        private final int length;

        ArrayObject(char typecode, List<?> values) {
            type = io.github.jmultiprocessing.internal.ctypes.TypeCode.of(typecode);
            length = values.size();
            memory = java.lang.foreign.Arena.ofAuto().allocate((long) Math.max(1, length) * type.size(), 8);
            for (int i = 0; i < length; i++) {
                set(i, values.get(i));
            }
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public synchronized Object get(int index) {
            java.util.Objects.checkIndex(index, length);
            return type.getBoxed(memory, (long) index * type.size());
        }

        @Override
        public synchronized void set(int index, Object value) {
            java.util.Objects.checkIndex(index, length);
            type.setBoxed(memory, (long) index * type.size(), value);
        }

        @Override
        public synchronized List<Object> toList() {
            List<Object> values = new ArrayList<>(length);
            for (int i = 0; i < length; i++) {
                values.add(get(i));
            }
            return values;
        }

        @Override
        public String toString() {
            return "Array('" + type.code() + "', " + toList() + ")";
        }
    }

    /** Python's Value. */
    static final class ValueObject<T> implements ManagedValue<T> {
        private T value; // guarded by this

        ValueObject(T value) {
            this.value = value;
        }

        @Override
        public synchronized T get() {
            return value;
        }

        @Override
        public synchronized void set(T value) {
            this.value = value;
        }

        @Override
        public synchronized String toString() {
            return "Value(" + value + ")";
        }
    }
}

package io.github.jmultiprocessing.internal.pool;

import io.github.jmultiprocessing.internal.events.Recording;
import io.github.jmultiprocessing.internal.events.PoolTaskEvent;
import io.github.jmultiprocessing.internal.shm.LibraryThreads;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dispatcher's side of one worker: a sender thread, a receiver thread, the tasks it is running, over the
 * worker's {@link Link}.
 *
 * <p>Implementation notes. The sender takes tasks from the dispatcher's queue while it holds a credit of the
 * worker's {@link CreditWindow}, and sends them (each call's function first, if the worker does not have it yet;
 * small tasks several to a TASKS message); a caller's thread may send a lone task itself
 * ({@link Dispatcher#submit}). {@code sendLock} orders what goes down the pipe: a call's JOB before its TASKs,
 * nothing after STOP or the end. A task is in {@code inFlight} from just before its message is sent until its
 * result comes (the receiver) or the worker's end is handled ({@link Dispatcher#ended}); a task the sender took and
 * could not send goes back to the front of the queue.
 */
final class WorkerLink {
    private final Dispatcher pool;
    final Link link;
    final CreditWindow credits = new CreditWindow();
    final Map<Long, Sent> inFlight = new ConcurrentHashMap<>();
    /** Guards what goes down the pipe: a call's JOB before its TASKs, nothing after STOP or the end. */
    final java.util.concurrent.locks.ReentrantLock sendLock = new java.util.concurrent.locks.ReentrantLock();
    final Set<Long> knownJobs = new LinkedHashSet<>(); // guarded by sendLock
    int sent; // tasks sent, guarded by sendLock
    long sequence; // of tasks sent, guarded by sendLock
    boolean gone; // the worker ended, guarded by sendLock
    final Thread sender;
    final Thread receiver;
    volatile boolean stopSent; // written under sendLock
    /** The worker JVM booted, ran the initializer and runs the worker loop. */
    volatile boolean ready;
    /** The worker said it retires (maxTasksPerChild): its end is expected. */
    volatile boolean retired;
    /** Counted among the pool's booting workers (Dispatcher.startWorkers); guarded by the dispatcher. */
    boolean booting;

    WorkerLink(Dispatcher pool, Link link) {
        this.pool = pool;
        this.link = link;
        String label = pool.name + " " + link.name();
        this.sender = LibraryThreads.unstarted(label + "-sender", this::send);
        this.receiver = LibraryThreads.unstarted(label + "-receiver", this::receive);
    }

    /**
     * Sends tasks (each call's function first, if this worker does not have it yet), by the sender thread or a
     * caller's: one message, or a TASKS batch of several.
     *
     * @param tasks    the tasks, each holding a credit
     * @param messages their TASK or CALL messages
     * @param wait     false to give up at once if another send is under way (a caller's thread)
     * @return false if this worker takes no more tasks (stopped, ended, or at maxTasksPerChild), or if not
     *         waiting and another send is under way
     * @throws IOException if the pipe is broken: none of the tasks is in flight (nor on InterruptedException)
     */
    boolean deliver(List<Task> tasks, List<byte[]> messages, boolean wait)
            throws IOException, InterruptedException {
        if (wait) {
            sendLock.lock();
        } else if (!sendLock.tryLock()) {
            return false; // a caller never waits behind a send blocked on a full pipe: it queues instead
        }
        try {
            if (gone || stopSent || (pool.maxTasksPerChild > 0 && sent + tasks.size() > pool.maxTasksPerChild)
                    || pool.state == Dispatcher.State.TERMINATED || pool.state == Dispatcher.State.BROKEN) {
                return false;
            }
            List<Long> forget = null; // after the tasks: a batch may hold a task of the job it evicts
            try {
                for (Task task : tasks) {
                    if (!task.job.single && knownJobs.add(task.job.id)) {
                        byte[] job = PoolFrames.job(task.job.id, task.job.form, task.job.functionBytes());
                        try {
                            link.send(job);
                        } catch (IOException | InterruptedException | RuntimeException e) {
                            knownJobs.remove(task.job.id);
                            PoolFrames.discard(job); // not sent (a message half sent is not read either)
                            throw e;
                        }
                        if (knownJobs.size() > Dispatcher.KNOWN_JOBS) {
                            long oldest = knownJobs.iterator().next();
                            knownJobs.remove(oldest);
                            forget = forget == null ? new ArrayList<>() : forget;
                            forget.add(oldest);
                        }
                    }
                }
                long now = System.nanoTime();
                for (Task task : tasks) {
                    inFlight.put(task.id, new Sent(task, ++sequence, now));
                }
                link.send(messages.size() == 1 ? messages.get(0)
                        : PoolFrames.batch(PoolFrames.TASKS, messages));
            } catch (IOException | InterruptedException | RuntimeException e) {
                for (Task task : tasks) {
                    inFlight.remove(task.id); // never reached the worker: another one runs it
                }
                throw e;
            }
            sent += tasks.size();
            forget(forget);
            return true;
        } finally {
            sendLock.unlock();
        }
    }

    /** Sends FORGETs of the jobs evicted while sending tasks, unless a later task sent them again. */
    private void forget(List<Long> jobs) {
        if (jobs == null) {
            return;
        }
        try {
            for (long job : jobs) {
                if (!knownJobs.contains(job)) {
                    link.send(PoolFrames.numbered(PoolFrames.FORGET, job, null));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the worker is ending (its receiver handles that); the tasks are in flight all the same
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // a FORGET left out costs the worker a function kept
        }
    }

    private void sendStop() throws IOException, InterruptedException {
        sendLock.lock();
        try {
            stopSent = true; // this worker is not replaced, even if the STOP does not reach it
            if (!gone) {
                link.send(new byte[] {PoolFrames.STOP});
            }
        } finally {
            sendLock.unlock();
        }
    }

    /** Marks the worker ended: no send starts after this; one under way has finished. */
    void markGone() {
        sendLock.lock();
        try {
            gone = true;
        } finally {
            sendLock.unlock();
        }
    }

    private void send() {
        List<Task> batch = new ArrayList<>(); // taken from the queue and not yet handed to the worker
        List<byte[]> messages = new ArrayList<>();
        try {
            while (true) {
                credits.acquire();
                Task task = pool.pending.take();
                if (task == Task.STOP) {
                    if (pool.state == Dispatcher.State.TERMINATED) {
                        pool.pending.addFirst(Task.STOP); // for the other senders
                        return;
                    }
                    sendStop();
                    return;
                }
                // more small tasks waiting and credits free: one message for them all (chunksize=1 maps)
                int bytes = take(task, batch, messages);
                while (pool.maxTasksPerChild == 0 && bytes < Dispatcher.BATCH_BYTES
                        && batch.size() < Dispatcher.MAX_BATCH && credits.tryAcquire()) {
                    Task next = pool.pending.pollFirst();
                    if (next == null || next == Task.STOP) {
                        if (next != null) {
                            pool.pending.addFirst(next);
                        }
                        credits.giveBack(1);
                        break;
                    }
                    bytes += take(next, batch, messages);
                }
                if (!batch.isEmpty() && !deliver(batch, messages, true)) {
                    return; // at maxTasksPerChild (or ended): the tasks go back for another worker
                }
                batch.clear();
                messages.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // the worker or its connection is gone: the receiver handles the end
        } finally {
            for (int i = batch.size() - 1; i >= 0; i--) {
                PoolFrames.discard(messages.get(i)); // a task requeued is encoded again when next sent
                pool.requeue(batch.get(i));
            }
        }
    }

    /**
     * Adds a task holding a credit to the batch with its message, unless it is over or does not encode.
     *
     * @return the message's size, 0 if it was not added
     */
    private int take(Task task, List<Task> batch, List<byte[]> messages) {
        if (task.job.over() || !task.job.start()) { // failed or cancelled meanwhile
            credits.giveBack(1);
            return 0;
        }
        byte[] message;
        try {
            message = task.message();
        } catch (RuntimeException e) { // an item that cannot be serialized fails this chunk
            credits.giveBack(1);
            task.job.failed(task, e);
            return 0;
        }
        batch.add(task);
        messages.add(message);
        return message.length;
    }

    private void receive() {
        try {
            while (true) {
                byte[] message = link.receive();
                long now = System.nanoTime();
                byte kind = PoolFrames.kind(message);
                if (kind == PoolFrames.RETIRE) {
                    retired = true;
                    continue; // it exits next: the end below starts a fresh one
                }
                if (kind == PoolFrames.READY) {
                    ready = true;
                    pool.readied(this);
                    continue;
                }
                if (kind == PoolFrames.BROKEN) {
                    Throwable thrown = pool.remote(message, 1);
                    pool.breakPool("a worker's initializer threw " + thrown, thrown);
                    continue;
                }
                if (kind != PoolFrames.DONE && kind != PoolFrames.FAILED) {
                    throw new IOException("unknown pool message kind " + kind);
                }
                Sent sent = inFlight.remove(PoolFrames.number(message));
                // credits first: a caller woken by its result finds this worker free again
                credits.completed(1, now, sent != null ? sent.nanos() : now);
                if (sent != null && Recording.on()) {
                    PoolTaskEvent event = new PoolTaskEvent();
                    if (event.shouldCommit()) {
                        event.pool = pool.name;
                        event.worker = link.name();
                        event.task = sent.task().id;
                        event.queued = sent.nanos() - sent.task().created;
                        event.run = now - sent.nanos();
                        event.failed = kind == PoolFrames.FAILED;
                        event.commit();
                    }
                }
                if (sent != null) {
                    pool.finish(sent.task(), message);
                }
            }
        } catch (EOFException | IllegalStateException e) {
            // the worker ended: see below
        } catch (IOException | InterruptedException | RuntimeException e) {
            // a broken connection or message: the worker is ended below (its tasks fail, a fresh one starts)
        } finally {
            pool.ended(this);
        }
    }

    /** A task in flight to a worker: its place in the worker's pipe, and when it was sent. */
    record Sent(Task task, long order, long nanos) {
    }
}

package io.github.jmultiprocessing.internal.pool;

import java.util.List;

/**
 * One chunk of a call ({@link Job}): the items a worker applies the call's function to in one message.
 *
 * <p>Implementation notes. A task is made once and may be sent more than once: a worker that ends with it in its
 * pipe, before it started it, hands it back to the front of the pool's queue; its message is encoded again for the
 * next worker (each encoding takes its own tickets for the shared objects the items carry). {@link #STOP} is the
 * queue's marker for "a worker is to exit here", never sent as a task.
 */
public final class Task {

    /** The queue's marker telling the sender that takes it to stop its worker. */
    public static final Task STOP = new Task(0, null, 0, List.of());

    /** The task's number, from the pool's one counter (calls and tasks never share a number). */
    public final long id;
    /** The call it is a chunk of; null for {@link #STOP}. */
    public final Job job;
    /** Its first item's index in the call's items (a streaming call's: its chunk's number). */
    public final int from;
    /** Its items, never changed. */
    public final List<Object> items;
    /** {@link System#nanoTime()} when it was made: its time in the queue, for the pool's JFR event. */
    final long created = System.nanoTime();
    /** Workers that ended with it in their pipe before they started it; guarded by the pool's lock. */
    public int lostWorkers;

    /**
     * A task.
     *
     * @param id    its number
     * @param job   its call
     * @param from  its first item's index in the call (a streaming call's: the chunk's number)
     * @param items its items
     */
    public Task(long id, Job job, int from, List<Object> items) {
        this.id = id;
        this.job = job;
        this.from = from;
        this.items = items;
    }

    /** {@return its message: a CALL if it is its call's only task, else a TASK after its call's JOB} */
    public byte[] message() {
        return job.single ? PoolFrames.call(id, job.form, job.functionBytes(), items)
                : PoolFrames.task(id, job.id, items);
    }
}

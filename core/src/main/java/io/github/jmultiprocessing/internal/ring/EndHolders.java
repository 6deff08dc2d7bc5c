package io.github.jmultiprocessing.internal.ring;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The processes that hold a copy of one end of a pipe, so that the other end sees the end of the stream only
 * once every process has closed its copy or died: Python's file-descriptor semantics, where {@code close()} is per
 * process.
 *
 * <p>The bytes are described by {@link EndHoldersLayout}: {@link #SLOTS} slots of a pid (0 = free, -1 = being
 * reclaimed) and a count (signed).
 *
 * <p>Implementation notes. A process adds +1 for each copy it opens and -1 for each it closes; a copy sent to a
 * child being started is counted on the child's pid once the child runs (the parent moves its credit), so a
 * count may dip below zero for a moment when the child closes before the parent moved it. A pid's copies are the
 * sum over its slots (two processes may both claim a slot for the same pid). A slot is claimed by CASing its pid
 * from 0; a slot whose process died is reclaimed by CASing its pid to -1, zeroing the count, then freeing it.
 * Non-invariants: liveness is judged by pid (a recycled pid keeps a dead holder's copies open until it exits);
 * more than {@link #SLOTS} holding processes at once are refused.
 */
public final class EndHolders {

    /** Slots per end. */
    public static final int SLOTS = EndHoldersLayout.SLOTS;

    /** Bytes of one end's table. */
    public static final long SIZE = EndHoldersLayout.SIZE;

    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final int RECLAIMING = -1;
    private static final long RECHECK_NANOS = 10_000_000L;

    private final MemorySegment table;
    private volatile Alive lastAlive; // the last other process seen alive

    /**
     * Views one end's table.
     *
     * @param table {@link #SIZE} bytes, zero when the pipe is new
     */
    public EndHolders(MemorySegment table) {
        this.table = table;
    }

    /**
     * Counts copies opened (positive) or closed (negative) by a process.
     *
     * @param pid   the process
     * @param delta copies
     * @throws IllegalStateException if every slot is held by a live process
     */
    public void add(long pid, int delta) {
        int me = (int) pid;
        for (int i = 0; i < SLOTS; i++) {
            if ((int) INT.getVolatile(table, EndHoldersLayout.pid(i)) == me) {
                INT.getAndAdd(table, EndHoldersLayout.count(i), delta);
                return;
            }
        }
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < SLOTS; i++) {
                if (INT.compareAndSet(table, EndHoldersLayout.pid(i), 0, me)) {
                    INT.getAndAdd(table, EndHoldersLayout.count(i), delta);
                    return;
                }
            }
            reclaimDead();
        }
        throw new IllegalStateException("more than " + SLOTS + " live processes hold one end of a pipe (expected at"
                + " most " + SLOTS + ")");
    }

    private void reclaimDead() {
        for (int i = 0; i < SLOTS; i++) {
            int pid = (int) INT.getVolatile(table, EndHoldersLayout.pid(i));
            if (pid > 0 && pid != ProcessIdentity.pid() && !ProcessIdentity.isAlive(pid)
                    && INT.compareAndSet(table, EndHoldersLayout.pid(i), pid, RECLAIMING)) {
                INT.setVolatile(table, EndHoldersLayout.count(i), 0);
                INT.setVolatile(table, EndHoldersLayout.pid(i), 0);
            }
        }
    }

    /**
     * {@return true if some live process holds a copy} Cheap enough to call on every send and while spinning: no
     * lock, no allocation, and another process's liveness is checked at most every 10 ms.
     */
    public boolean held() {
        return held(false);
    }

    /**
     * {@return true if some live process holds a copy, every other process's liveness read now} For a decision
     * that is not made again, such as unlinking the pipe at a close: {@link #held()}'s 10 ms cache may hold a
     * process seen alive by a thread that read it just before it died and stored that after another thread saw it
     * dead.
     */
    public boolean heldNow() {
        return held(true);
    }

    private boolean held(boolean now) {
        for (int i = 0; i < SLOTS; i++) {
            int pid = (int) INT.getAcquire(table, EndHoldersLayout.pid(i));
            if (pid <= 0 || seenBefore(pid, i)) {
                continue;
            }
            int count = 0; // a pid's copies: the sum over its slots (two processes may claim one each for it)
            for (int j = i; j < SLOTS; j++) {
                if ((int) INT.getAcquire(table, EndHoldersLayout.pid(j)) == pid) {
                    count += (int) INT.getAcquire(table, EndHoldersLayout.count(j));
                }
            }
            if (count > 0 && (now ? pid == ProcessIdentity.pid() || ProcessIdentity.isAlive(pid) : alive(pid))) {
                return true;
            }
        }
        return false;
    }

    private boolean seenBefore(int pid, int slot) {
        for (int j = 0; j < slot; j++) {
            if ((int) INT.getAcquire(table, EndHoldersLayout.pid(j)) == pid) {
                return true;
            }
        }
        return false;
    }

    /** A process seen alive, and until when that is trusted. */
    private record Alive(long pid, long until) {
    }

    /**
     * {@return true if the process runs} Checked at most every 10 ms for the last process seen alive.
     *
     * @param pid the process
     */
    public boolean alive(long pid) {
        if (pid == ProcessIdentity.pid()) {
            return true;
        }
        long now = System.nanoTime();
        Alive cached = lastAlive;
        if (cached != null && cached.pid == pid && now - cached.until < 0) {
            return true;
        }
        if (ProcessIdentity.isAlive(pid)) {
            lastAlive = new Alive(pid, now + RECHECK_NANOS);
            return true;
        }
        return false;
    }
}

package io.github.jmultiprocessing.internal.sync;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The protocol of a condition variable over a {@link ConditionLayout}, used with a lock the caller holds.
 *
 * <p>Implementation notes. A waiter takes a slot (state {@code WAITING}, its pid and an arrival ticket) while it
 * holds the lock, releases the lock, and sleeps on the event count until its slot says {@code NOTIFIED}.
 * {@code notify(n)}, called with the lock held, marks the {@code n} waiting slots with the lowest tickets
 * {@code NOTIFIED} (FIFO, exactly {@code n} when that many wait) and wakes all sleepers, who each re-check their
 * own slot. A waiter that times out decides, after re-acquiring the lock, from its slot: notified (the
 * notification counts) or not (it frees the slot), so a notification is never lost to a waiter that has given
 * up. Slots of waiters whose process has died are freed by {@code notify}, which skips them, and taken over by
 * {@code enqueue} when no slot is free (a waiter killed after being notified leaves a notified slot). Every slot
 * change happens under the lock; waiters only read their slot while they sleep. Non-invariants: liveness is
 * judged by pid; at most {@link ConditionLayout#SLOTS} waiters at once.
 */
public final class ConditionWord {

    private static final VarHandle INT_VH = JAVA_INT.varHandle();
    private static final int PID = (int) ProcessIdentity.pid();

    private ConditionWord() {
    }

    private static long slot(int index) {
        return ConditionLayout.SLOTS_OFFSET + index * ConditionLayout.SLOT.byteSize();
    }

    /**
     * Takes a waiter slot; the caller holds the lock.
     *
     * @param cond its memory
     * @return the slot index
     * @throws IllegalStateException if all slots are taken
     */
    public static int enqueue(MemorySegment cond) {
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < ConditionLayout.SLOTS; i++) {
                long slot = slot(i);
                int state = (int) INT_VH.getVolatile(cond, slot + ConditionLayout.SLOT_STATE);
                int pid = (int) INT_VH.getVolatile(cond, slot + ConditionLayout.SLOT_PID);
                // second pass: slots of waiters that died (waiting or notified) are taken over
                if (state == ConditionLayout.FREE
                        || (pass == 1 && pid != PID && !ProcessIdentity.isAlive(pid))) {
                    int ticket = (int) INT_VH.getAndAdd(cond, ConditionLayout.TICKETS, 1);
                    INT_VH.setVolatile(cond, slot + ConditionLayout.SLOT_PID, PID);
                    INT_VH.setVolatile(cond, slot + ConditionLayout.SLOT_TICKET, ticket);
                    INT_VH.setVolatile(cond, slot + ConditionLayout.SLOT_STATE, ConditionLayout.WAITING);
                    return i;
                }
            }
        }
        throw new IllegalStateException("more than " + ConditionLayout.SLOTS
                + " threads wait on one SharedCondition (expected at most that many at once)");
    }

    /**
     * {@return true if the waiter in the slot was notified}
     * @param cond its memory
     * @param index the slot
     */
    public static boolean isNotified(MemorySegment cond, int index) {
        return (int) INT_VH.getVolatile(cond, slot(index) + ConditionLayout.SLOT_STATE) == ConditionLayout.NOTIFIED;
    }

    /**
     * Frees a slot; the caller holds the lock.
     *
     * @param cond  its memory
     * @param index the slot
     */
    public static void free(MemorySegment cond, int index) {
        INT_VH.setVolatile(cond, slot(index) + ConditionLayout.SLOT_STATE, ConditionLayout.FREE);
    }

    /**
     * Notifies up to {@code n} waiters, longest waiting first; the caller holds the lock.
     *
     * @param cond its memory
     * @param n    how many; {@code Integer.MAX_VALUE} for all
     * @return how many were notified
     */
    public static int notify(MemorySegment cond, int n) {
        int notified = 0;
        while (notified < n) {
            int oldest = -1;
            int oldestTicket = 0;
            for (int i = 0; i < ConditionLayout.SLOTS; i++) {
                long slot = slot(i);
                if ((int) INT_VH.getVolatile(cond, slot + ConditionLayout.SLOT_STATE) != ConditionLayout.WAITING) {
                    continue;
                }
                int ticket = (int) INT_VH.getVolatile(cond, slot + ConditionLayout.SLOT_TICKET);
                if (oldest < 0 || ticket - oldestTicket < 0) { // wrap-safe comparison
                    oldest = i;
                    oldestTicket = ticket;
                }
            }
            if (oldest < 0) {
                break;
            }
            long slot = slot(oldest);
            int pid = (int) INT_VH.getVolatile(cond, slot + ConditionLayout.SLOT_PID);
            if (pid != PID && !ProcessIdentity.isAlive(pid)) {
                INT_VH.setVolatile(cond, slot + ConditionLayout.SLOT_STATE, ConditionLayout.FREE); // a dead waiter
                continue;
            }
            INT_VH.setVolatile(cond, slot + ConditionLayout.SLOT_STATE, ConditionLayout.NOTIFIED);
            notified++;
        }
        if (notified > 0) {
            WaitCore.signal(cond, ConditionLayout.SEQ, ConditionLayout.WAITERS, Integer.MAX_VALUE);
        }
        return notified;
    }

    /**
     * Waits until the slot is notified; the caller has released the lock.
     *
     * @param cond          its memory
     * @param index         the slot
     * @param timeoutNanos  the longest wait; negative waits forever
     * @param interruptible true to throw on interrupt
     * @return true if notified before the timeout
     * @throws InterruptedException if interruptible and interrupted
     */
    public static boolean await(MemorySegment cond, int index, long timeoutNanos, boolean interruptible)
            throws InterruptedException {
        return Waiting.until(cond, ConditionLayout.SEQ, ConditionLayout.WAITERS, () -> isNotified(cond, index),
                timeoutNanos, interruptible);
    }
}

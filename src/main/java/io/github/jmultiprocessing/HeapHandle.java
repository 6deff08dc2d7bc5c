package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.shm.HeapBlock;
import io.github.jmultiprocessing.internal.shm.SharedHeap;
import io.github.jmultiprocessing.internal.sync.EventLayout;
import io.github.jmultiprocessing.internal.sync.LockLayout;
import io.github.jmultiprocessing.internal.sync.SemaphoreLayout;
import io.github.jmultiprocessing.internal.sync.SemaphoreWord;
import java.io.Serial;
import java.io.Serializable;

/**
 * The serialized form of the shared objects that are nothing but a block of the shared heap (locks, events,
 * semaphores): what the object is and where it lives; the receiving process attaches to the same block. A plain
 * class, not a record: deserializing a record spins method handles, which costs a child milliseconds.
 */
final class HeapHandle implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** What the block holds. */
    enum Kind {
        /** A {@link SharedLock}. */
        LOCK,
        /** A {@link SharedRLock}. */
        RLOCK,
        /** A {@link SharedEvent}. */
        EVENT,
        /** A {@link SharedSemaphore} or {@link SharedBoundedSemaphore}. */
        SEMAPHORE
    }

    private final Kind kind;
    private final String segment;
    private final long offset;
    private final long transfer;

    HeapHandle(Kind kind, HeapBlock block, SharedHeap.Claim claim) {
        this.kind = kind;
        this.segment = block.segmentName();
        this.offset = block.offset();
        this.transfer = claim.send(); // last: a handle that is not made takes no ticket
    }

    @Serial
    private Object readResolve() {
        return switch (kind) {
            case LOCK -> new SharedLock(SharedHeap.attach(segment, offset, LockLayout.SIZE, transfer));
            case RLOCK -> new SharedRLock(SharedHeap.attach(segment, offset, LockLayout.SIZE, transfer));
            case EVENT -> new SharedEvent(SharedHeap.attach(segment, offset, EventLayout.SIZE, transfer));
            case SEMAPHORE -> {
                HeapBlock block = SharedHeap.attach(segment, offset, SemaphoreLayout.SIZE, transfer);
                yield SemaphoreWord.bound(block.memory()) >= 0 ? new SharedBoundedSemaphore(block)
                        : new SharedSemaphore(block);
            }
        };
    }
}

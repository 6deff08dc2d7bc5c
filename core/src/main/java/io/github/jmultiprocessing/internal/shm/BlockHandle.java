package io.github.jmultiprocessing.internal.shm;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;

/**
 * The serialized form of a shared object that is one block of the shared heap: where the block lives and the ticket
 * its sending took. A shared type's nested {@code Handle} extends it and rebuilds the object in its
 * {@code readResolve}, from {@link #attach}. A plain class, not a record: deserializing a record spins method
 * handles, which costs a child milliseconds. The same fields also travel without Java serialization, in a child's
 * compact bootstrap ({@link #writeTo}, {@link #BlockHandle(DataInputStream)}).
 */
public abstract class BlockHandle implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String segment;
    private final long offset;
    private final long transfer;

    /**
     * Describes a block being sent.
     *
     * @param block the object's block
     * @param claim this process's claim on it: sending takes a ticket, which the receiver gives back
     */
    protected BlockHandle(HeapBlock block, SharedHeap.Claim claim) {
        this.segment = block.segmentName();
        this.offset = block.offset();
        this.transfer = claim.send(); // last: a handle that is not made takes no ticket
    }

    /**
     * {@return the block, attached in the receiving process (its ticket given back)}
     *
     * @param size the block's size, checked against the heap's record
     */
    /**
     * Reads a handle's fields, as {@link #writeTo} wrote them.
     *
     * @param in where to read
     * @throws IOException if they are not there
     */
    protected BlockHandle(DataInputStream in) throws IOException {
        this.segment = in.readUTF();
        this.offset = in.readLong();
        this.transfer = in.readLong();
    }

    /**
     * Writes the handle's fields.
     *
     * @param out where to write
     * @throws IOException if it cannot
     */
    public final void writeTo(DataOutputStream out) throws IOException {
        out.writeUTF(segment);
        out.writeLong(offset);
        out.writeLong(transfer);
    }

    protected final HeapBlock attach(long size) {
        return SharedHeap.attach(segment, offset, size, transfer);
    }
}

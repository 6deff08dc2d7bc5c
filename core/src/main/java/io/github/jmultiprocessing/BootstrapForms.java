package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.codec.CompactCodec;
import io.github.jmultiprocessing.internal.shm.LibraryThreads;
import io.github.jmultiprocessing.internal.sync.Futex;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Companion of the shared types: their forms in a child's compact bootstrap ({@link CompactCodec}). Each writes
 * the handle the object's {@code writeReplace} makes (so sending has the same effects as with Java serialization:
 * tickets taken, pipe copies counted) and reads it back through the handle's {@code readResolve}, without
 * reflection. The list's order is the forms' numbering: parent and child run the same library.
 */
final class BootstrapForms implements CompactCodec.Form<Object> {

    private static final int LOCK = 0;
    private static final int RLOCK = 1;
    private static final int EVENT = 2;
    private static final int SEMAPHORE = 3;
    private static final int BOUNDED_SEMAPHORE = 4;
    private static final int VALUE = 5;
    private static final int ARRAY = 6;
    private static final int CONDITION = 7;
    private static final int BARRIER = 8;
    private static final int MEMORY = 9;
    private static final int CONNECTION = 10;
    private static final int QUEUE = 11;
    private static final int JOINABLE_QUEUE = 12;
    private static final int SIMPLE_QUEUE = 13;
    private static final int CODEC = 14;

    /** Every form, by number. */
    static final List<CompactCodec.Form<?>> ALL = List.of(new BootstrapForms(LOCK, SharedLock.class),
            new BootstrapForms(RLOCK, SharedRLock.class), new BootstrapForms(EVENT, SharedEvent.class),
            new BootstrapForms(SEMAPHORE, SharedSemaphore.class),
            new BootstrapForms(BOUNDED_SEMAPHORE, SharedBoundedSemaphore.class),
            new BootstrapForms(VALUE, SharedValue.class), new BootstrapForms(ARRAY, SharedArray.class),
            new BootstrapForms(CONDITION, SharedCondition.class), new BootstrapForms(BARRIER, SharedBarrier.class),
            new BootstrapForms(MEMORY, SharedMemory.class), new BootstrapForms(CONNECTION, Connection.class),
            new BootstrapForms(QUEUE, SharedQueue.class), new BootstrapForms(JOINABLE_QUEUE, SharedJoinableQueue.class),
            new BootstrapForms(SIMPLE_QUEUE, SharedSimpleQueue.class), new BootstrapForms(CODEC, BuiltinCodec.class));

    private static final AtomicBoolean FUTEX_PREPARED = new AtomicBoolean();

    private final int kind;
    private final Class<?> type;

    private BootstrapForms(int kind, Class<?> type) {
        this.kind = kind;
        this.type = type;
    }

    @Override
    public Class<?> type() {
        return type;
    }

    @Override
    public void write(Object value, CompactCodec.Writer out) throws IOException {
        switch (kind) {
            case LOCK -> SharedLock.writeForm(((SharedLock) value).writeReplace(), out);
            case RLOCK -> SharedRLock.writeForm(((SharedRLock) value).writeReplace(), out);
            case EVENT -> SharedEvent.writeForm(((SharedEvent) value).writeReplace(), out);
            case SEMAPHORE, BOUNDED_SEMAPHORE -> SharedSemaphore.writeForm(((SharedSemaphore) value).writeReplace(), out);
            case VALUE -> SharedValue.writeForm(((SharedValue) value).writeReplace(), out);
            case ARRAY -> SharedArray.writeForm(((SharedArray) value).writeReplace(), out);
            case CONDITION -> SharedCondition.writeForm(((SharedCondition) value).writeReplace(), out);
            case BARRIER -> SharedBarrier.writeForm(((SharedBarrier) value).writeReplace(), out);
            case MEMORY -> SharedMemory.writeForm(((SharedMemory) value).writeReplace(), out);
            case CONNECTION -> Connection.writeForm(((Connection) value).writeReplace(), out);
            case QUEUE, JOINABLE_QUEUE -> SharedQueue.writeForm(((SharedQueue<?>) value).writeReplace(), out);
            case SIMPLE_QUEUE -> SharedQueue.writeForm(((SharedSimpleQueue<?>) value).writeReplace(), out);
            case CODEC -> out.data().writeByte(((BuiltinCodec) value).ordinal());
            default -> throw new AssertionError(kind);
        }
    }

    @Override
    public Object read(CompactCodec.Reader in) throws IOException, ClassNotFoundException {
        if (!FUTEX_PREPARED.getAndSet(true)) {
            // A shared object arrives: its waits and wake-ups need the futex call, whose linking costs a cold JVM
            // ~40 ms (no AOT cache keeps it). Started now, it runs beside the rest of the bootstrap; a child whose
            // target captures no shared object never pays for it.
            LibraryThreads.start("futex", Futex::prepare);
        }
        return switch (kind) {
            case LOCK -> SharedLock.readForm(in);
            case RLOCK -> SharedRLock.readForm(in);
            case EVENT -> SharedEvent.readForm(in);
            case SEMAPHORE, BOUNDED_SEMAPHORE -> SharedSemaphore.readForm(in);
            case VALUE -> SharedValue.readForm(in);
            case ARRAY -> SharedArray.readForm(in);
            case CONDITION -> SharedCondition.readForm(in);
            case BARRIER -> SharedBarrier.readForm(in);
            case MEMORY -> SharedMemory.readForm(in);
            case CONNECTION -> Connection.readForm(in);
            case QUEUE, JOINABLE_QUEUE, SIMPLE_QUEUE -> SharedQueue.readForm(in);
            case CODEC -> {
                int ordinal = in.data().readUnsignedByte();
                BuiltinCodec[] all = BuiltinCodec.values();
                if (ordinal >= all.length) {
                    throw new InvalidObjectException("built-in codec " + ordinal + " of " + all.length);
                }
                yield all[ordinal];
            }
            default -> throw new AssertionError(kind);
        };
    }

    /**
     * {@return the next value of a graph, checked to be of a type} (a handle's field).
     *
     * @param in   the graph
     * @param type what the field holds
     * @param <T>  the type
     * @throws InvalidObjectException if the value is of another type
     */
    static <T> T read(CompactCodec.Reader in, Class<T> type) throws IOException, ClassNotFoundException {
        Object value = in.readValue();
        if (value != null && !type.isInstance(value)) {
            throw new InvalidObjectException("a " + value.getClass().getName() + " where a " + type.getName()
                    + " was expected");
        }
        return type.cast(value);
    }
}

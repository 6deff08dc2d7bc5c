package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.codec.CompactCodec;
import io.github.jmultiprocessing.internal.manager.ManagerServer;
import io.github.jmultiprocessing.internal.sync.Futex;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.net.UnixDomainSocketAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Companion of the shared types: their forms in a child's compact bootstrap ({@link CompactCodec}). Each writes
 * the handle the object's {@code writeReplace} makes (so sending has the same effects as with Java serialization:
 * tickets taken, pipe copies counted) and reads it back through the handle's {@code readResolve}, without
 * reflection. Also the forms of what a manager's server starts with: its types ({@link ManagerTypes}, the
 * registered specs, the map of them) and its Unix domain socket address. The list's order is the forms'
 * numbering: parent and child run the same library.
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
    private static final int MANAGER_TYPE = 15;
    private static final int TYPE_SPEC = 16;
    private static final int LINKED_MAP = 17;
    private static final int HASH_MAP = 18;
    private static final int UNIX_ADDRESS = 19;

    /** Every form, by number. */
    static final List<CompactCodec.Form<?>> ALL = List.of(new BootstrapForms(LOCK, SharedLock.class),
            new BootstrapForms(RLOCK, SharedRLock.class), new BootstrapForms(EVENT, SharedEvent.class),
            new BootstrapForms(SEMAPHORE, SharedSemaphore.class),
            new BootstrapForms(BOUNDED_SEMAPHORE, SharedBoundedSemaphore.class),
            new BootstrapForms(VALUE, SharedValue.class), new BootstrapForms(ARRAY, SharedArray.class),
            new BootstrapForms(CONDITION, SharedCondition.class), new BootstrapForms(BARRIER, SharedBarrier.class),
            new BootstrapForms(MEMORY, SharedMemory.class), new BootstrapForms(CONNECTION, Connection.class),
            new BootstrapForms(QUEUE, SharedQueue.class), new BootstrapForms(JOINABLE_QUEUE, SharedJoinableQueue.class),
            new BootstrapForms(SIMPLE_QUEUE, SharedSimpleQueue.class), new BootstrapForms(CODEC, BuiltinCodec.class),
            // what a manager's server is started with: its types and its address
            new BootstrapForms(MANAGER_TYPE, ManagerTypes.class),
            new BootstrapForms(TYPE_SPEC, ManagerServer.TypeSpec.class), new BootstrapForms(LINKED_MAP,
                    LinkedHashMap.class), new BootstrapForms(HASH_MAP, HashMap.class),
            new BootstrapForms(UNIX_ADDRESS, UnixDomainSocketAddress.class));

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
            case MANAGER_TYPE -> out.data().writeByte(((ManagerTypes) value).ordinal());
            case TYPE_SPEC -> {
                ManagerServer.TypeSpec spec = (ManagerServer.TypeSpec) value;
                out.data().writeUTF(spec.proxyInterface().getName());
                out.data().writeInt(spec.exposed() == null ? -1 : spec.exposed().size());
                if (spec.exposed() != null) {
                    for (String name : spec.exposed()) {
                        out.data().writeUTF(name);
                    }
                }
                out.writeValue(spec.factory());
            }
            case LINKED_MAP, HASH_MAP -> {
                Map<?, ?> map = (Map<?, ?>) value;
                out.data().writeInt(map.size());
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    out.writeValue(entry.getKey());
                    out.writeValue(entry.getValue());
                }
            }
            case UNIX_ADDRESS -> out.data().writeUTF(((UnixDomainSocketAddress) value).getPath().toString());
            default -> throw new AssertionError(kind);
        }
    }

    @Override
    public Object read(CompactCodec.Reader in) throws IOException, ClassNotFoundException {
        if (kind < CODEC) {
            // A shared object arrives: its wake-ups need the futex call, whose linking costs a cold JVM 40-75 ms
            // (no AOT cache keeps it). Started now, it runs beside the rest of the bootstrap and the target's first
            // waits; a child whose target captures no shared object never pays for it.
            Futex.linkInBackground();
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
            case CODEC -> constant(in, BuiltinCodec.values(), "built-in codec");
            case MANAGER_TYPE -> constant(in, ManagerTypes.values(), "manager type");
            case TYPE_SPEC -> {
                String interfaceName = in.data().readUTF();
                int count = in.data().readInt();
                if (count < -1 || count > in.data().available()) {
                    throw new InvalidObjectException("a type exposing " + count + " methods");
                }
                Set<String> exposed = count < 0 ? null : new LinkedHashSet<>();
                for (int i = 0; i < count; i++) {
                    exposed.add(in.data().readUTF());
                }
                @SuppressWarnings("unchecked")
                Function<Object[], Object> factory = (Function<Object[], Object>) read(in, Function.class);
                yield new ManagerServer.TypeSpec(factory, Class.forName(interfaceName, false, loader()), exposed);
            }
            case LINKED_MAP, HASH_MAP -> {
                int count = in.data().readInt();
                if (count < 0 || count > in.data().available()) {
                    throw new InvalidObjectException("a map of " + count + " entries");
                }
                Map<Object, Object> map = kind == LINKED_MAP ? new LinkedHashMap<>() : new HashMap<>();
                for (int i = 0; i < count; i++) {
                    Object key = in.readValue();
                    map.put(key, in.readValue());
                }
                yield map;
            }
            case UNIX_ADDRESS -> UnixDomainSocketAddress.of(in.data().readUTF());
            default -> throw new AssertionError(kind);
        };
    }

    /** {@return the constant of an enum written as its ordinal} */
    private static <E> E constant(CompactCodec.Reader in, E[] all, String what) throws IOException {
        int ordinal = in.data().readUnsignedByte();
        if (ordinal >= all.length) {
            throw new InvalidObjectException(what + " " + ordinal + " of " + all.length);
        }
        return all[ordinal];
    }

    /** {@return the loader the classes named in a bootstrap are found by} */
    private static ClassLoader loader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : BootstrapForms.class.getClassLoader();
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

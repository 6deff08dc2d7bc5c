package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.manager.ServedCollections;
import io.github.jmultiprocessing.internal.manager.ServedSynchronizers;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Companion of {@link Manager}: the factories of its built-in types, in the server. Enum constants, not lambdas:
 * they travel to the server's JVM as their names (one class to load there, where fourteen lambdas would each spin
 * a class of their own as they are read, ~1-2 ms apiece in a cold JVM).
 */
@SuppressWarnings({"unchecked", "rawtypes"})
enum ManagerTypes implements SerializableFunction<Object[], Object> {
    DICT(Map.class),
    LIST(List.class),
    NAMESPACE(Namespace.class),
    QUEUE(ManagedQueue.class),
    JOINABLE_QUEUE(ManagedJoinableQueue.class),
    LOCK(ManagedLock.class),
    RLOCK(ManagedLock.class),
    SEMAPHORE(ManagedSemaphore.class),
    BOUNDED_SEMAPHORE(ManagedSemaphore.class),
    CONDITION(ManagedCondition.class),
    EVENT(ManagedEvent.class),
    BARRIER(ManagedBarrier.class),
    VALUE(ManagedValue.class),
    ARRAY(ManagedArray.class);

    private final Class<?> proxyInterface;

    ManagerTypes(Class<?> proxyInterface) {
        this.proxyInterface = proxyInterface;
    }

    /** {@return the interface the type's proxies implement} */
    Class<?> proxyInterface() {
        return proxyInterface;
    }

    /** {@return the type's name, as Python's managers call it} */
    String typeid() {
        return switch (this) {
            case DICT -> "dict";
            case LIST -> "list";
            case NAMESPACE -> "Namespace";
            case QUEUE -> "Queue";
            case JOINABLE_QUEUE -> "JoinableQueue";
            case LOCK -> "Lock";
            case RLOCK -> "RLock";
            case SEMAPHORE -> "Semaphore";
            case BOUNDED_SEMAPHORE -> "BoundedSemaphore";
            case CONDITION -> "Condition";
            case EVENT -> "Event";
            case BARRIER -> "Barrier";
            case VALUE -> "Value";
            case ARRAY -> "Array";
        };
    }

    @Override
    public Object apply(Object[] args) {
        return switch (this) {
            case DICT -> new ServedCollections.Dict<>((Map) args[0]);
            case LIST -> new ServedCollections.ListObject<>((Collection) args[0]);
            case NAMESPACE -> new ServedCollections.NamespaceObject();
            case QUEUE, JOINABLE_QUEUE -> new ServedSynchronizers.QueueObject<>((Integer) args[0],
                    QueueShutDownException::new);
            case LOCK -> new ServedSynchronizers.LockObject();
            case RLOCK -> new ServedSynchronizers.RLockObject();
            case SEMAPHORE -> new ServedSynchronizers.SemaphoreObject((Integer) args[0], false);
            case BOUNDED_SEMAPHORE -> new ServedSynchronizers.SemaphoreObject((Integer) args[0], true);
            case CONDITION -> new ServedSynchronizers.ConditionObject();
            case EVENT -> new ServedSynchronizers.EventObject();
            case BARRIER -> new ServedSynchronizers.BarrierObject((Integer) args[0]);
            case VALUE -> new ServedCollections.ValueObject<>(args[0]);
            case ARRAY -> new ServedCollections.ArrayObject((Character) args[0], (List<?>) args[1]);
        };
    }
}

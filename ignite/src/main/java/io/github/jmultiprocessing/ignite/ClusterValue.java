package io.github.jmultiprocessing.ignite;

import io.github.jmultiprocessing.ManagedValue;
import io.github.jmultiprocessing.ignite.ObjectOps.Holder;
import java.io.Serial;
import java.io.Serializable;
import org.apache.ignite.Ignite;

/**
 * A {@link ClusterManager}'s value: one entry of the objects cache.
 *
 * @param <T> the value's type
 */
final class ClusterValue<T> implements ManagedValue<T>, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final ClusterRef ref;

    private ClusterValue(ClusterRef ref) {
        this.ref = ref;
    }

    /** {@return a new value in the cluster, named {@code name}} */
    static <T> ClusterValue<T> create(Ignite ignite, String name, T initial) {
        ignite.getOrCreateCache(ClusterRef.objectsCache()).put(name, new Holder(initial));
        return new ClusterValue<>(new ClusterRef(ignite, name));
    }

    @Override
    @SuppressWarnings("unchecked")
    public T get() {
        Object holder = ref.objects().get(ref.name);
        if (holder == null) {
            throw ref.gone();
        }
        return (T) ((Holder) holder).value();
    }

    @Override
    public void set(T value) {
        if (!ref.objects().replace(ref.name, new Holder(value))) {
            throw ref.gone();
        }
    }

    @Override
    public String toString() {
        return "Value(" + get() + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterValue<?> other && other.ref.equals(ref);
    }

    @Override
    public int hashCode() {
        return ref.hashCode();
    }
}

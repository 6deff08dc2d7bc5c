package io.github.jmultiprocessing.ignite;

import io.github.jmultiprocessing.ignite.ObjectOps.DictPut;
import io.github.jmultiprocessing.ignite.ObjectOps.DictRemove;
import io.github.jmultiprocessing.ignite.ObjectOps.Holder;
import io.github.jmultiprocessing.ignite.ObjectOps.Slot;
import io.github.jmultiprocessing.ignite.ObjectOps.When;
import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.cache.Cache;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.configuration.CacheConfiguration;

/**
 * A {@link ClusterManager}'s dict: an Ignite cache of its own (atomic, in the dicts' cache group, one backup), each
 * key an entry, so a call costs one round trip to the key's node and the dict can be as large as the cluster. A
 * call that Ignite applies again after a failover (an atomic cache's entry processor may run twice when the key's
 * node leaves in the middle) leaves the same entries, but may return another previous value. Keys keep
 * their insertion order, as Python's dict: each value is stored with a sequence number drawn when its key is first
 * put (one more round trip a put), and copies ({@link #entrySet()}, {@code toString}) are sorted by it (two
 * processes putting new keys at once are ordered by when they drew their numbers). Null values are allowed, as
 * Python's {@code None}; null keys are not. Keys are compared by Ignite's binary form of them, not by
 * {@code equals}: a key of one class (a {@code List.of(1, 2)}) does not find one of another class that equals it
 * (an {@code ArrayList}). Views are copies, as the local manager's.
 *
 * @param <K> keys
 * @param <V> values
 */
final class ClusterDict<K, V> extends AbstractMap<K, V> implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final ClusterRef ref;
    private transient volatile IgniteCache<Object, Slot> cache;

    private ClusterDict(ClusterRef ref) {
        this.ref = ref;
    }

    /** {@return a new empty dict in the cluster, named {@code name}} */
    static <K, V> ClusterDict<K, V> create(Ignite ignite, String name) {
        ignite.getOrCreateCache(ClusterRef.sequencesCache()).put(sequence(name), 0L);
        ignite.createCache(new CacheConfiguration<Object, Slot>(name).setGroupName(ClusterRef.DICTS)
                .setAtomicityMode(CacheAtomicityMode.ATOMIC).setCacheMode(CacheMode.PARTITIONED).setBackups(1));
        return new ClusterDict<>(new ClusterRef(ignite, name));
    }

    /** Removes a dict from the cluster. */
    static void destroy(Ignite ignite, String name) {
        ignite.getOrCreateCache(ClusterRef.sequencesCache()).remove(sequence(name));
        ignite.destroyCache(name);
    }

    private static String sequence(String name) {
        return name + ":seq";
    }

    private IgniteCache<Object, Slot> cache() {
        IgniteCache<Object, Slot> known = cache;
        if (known == null) {
            known = ref.ignite().cache(ref.name);
            if (known == null) {
                throw ref.gone();
            }
            cache = known;
        }
        return known;
    }

    private long reserve(int count) {
        return ref.invoke(ref.ignite().getOrCreateCache(ClusterRef.sequencesCache()), sequence(ref.name),
                new ObjectOps.Add(count, 0)) - count;
    }

    private Object invoke(Object key, EntryProcessor<Object, Slot, ?> op) {
        try {
            return cache().invoke(key, op);
        } catch (EntryProcessorException e) {
            throw ClusterRef.unwrap(e);
        } catch (IllegalStateException e) {
            throw gone(e);
        }
    }

    private IllegalStateException gone(IllegalStateException e) {
        IllegalStateException gone = ref.gone();
        gone.initCause(e);
        return gone;
    }

    @SuppressWarnings("unchecked")
    private static <V> V value(Object previous) {
        return previous instanceof Holder holder ? (V) holder.value() : null;
    }

    @Override
    public int size() {
        return cache().size();
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public boolean containsKey(Object key) {
        return cache().containsKey(requireKey(key));
    }

    @Override
    public boolean containsValue(Object value) {
        return snapshot().containsValue(value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        Slot slot = cache().get(requireKey(key));
        return slot == null ? null : (V) slot.value();
    }

    @Override
    public V put(K key, V value) {
        return value(invoke(requireKey(key), new DictPut(reserve(1), value, When.ALWAYS, null)));
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> entries) {
        if (entries.isEmpty()) {
            return;
        }
        long seq = reserve(entries.size());
        Map<Object, EntryProcessor<Object, Slot, Object>> ops = new LinkedHashMap<>();
        for (Map.Entry<? extends K, ? extends V> entry : entries.entrySet()) {
            ops.put(requireKey(entry.getKey()), new DictPut(seq++, entry.getValue(), When.ALWAYS, null));
        }
        try {
            cache().invokeAll(ops);
        } catch (IllegalStateException e) {
            throw gone(e);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public V putIfAbsent(K key, V value) {
        Slot present = cache().getAndPutIfAbsent(requireKey(key), new Slot(reserve(1), value));
        return present == null ? null : (V) present.value();
    }

    @Override
    @SuppressWarnings("unchecked")
    public V remove(Object key) {
        Slot removed = cache().getAndRemove(requireKey(key));
        return removed == null ? null : (V) removed.value();
    }

    @Override
    public boolean remove(Object key, Object value) {
        return (Boolean) invoke(requireKey(key), new DictRemove(value));
    }

    @Override
    public V replace(K key, V value) {
        return value(invoke(requireKey(key), new DictPut(0, value, When.PRESENT, null)));
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        return invoke(requireKey(key), new DictPut(0, newValue, When.EQUAL, oldValue)) != Boolean.FALSE;
    }

    @Override
    public void clear() {
        cache().removeAll();
    }

    /** {@return a copy of the dict, in insertion order} */
    @SuppressWarnings("unchecked")
    private LinkedHashMap<K, V> snapshot() {
        TreeMap<Long, Cache.Entry<Object, Slot>> ordered = new TreeMap<>();
        for (Cache.Entry<Object, Slot> entry : cache()) {
            ordered.put(entry.getValue().seq(), entry);
        }
        LinkedHashMap<K, V> copy = new LinkedHashMap<>();
        for (Cache.Entry<Object, Slot> entry : ordered.values()) {
            copy.put((K) entry.getKey(), (V) entry.getValue().value());
        }
        return copy;
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return Collections.unmodifiableMap(snapshot()).entrySet(); // its entries refuse setValue too
    }

    /**
     * Replaces each value with the function's result, key by key, each a compare-and-set against the value the
     * function saw (again with the new value if another process changed it meanwhile); keys removed meanwhile are
     * skipped. Not one atomic step over the whole dict.
     */
    @Override
    @SuppressWarnings("unchecked")
    public void replaceAll(java.util.function.BiFunction<? super K, ? super V, ? extends V> function) {
        java.util.Objects.requireNonNull(function, "function");
        for (Entry<K, V> entry : snapshot().entrySet()) {
            K key = entry.getKey();
            V seen = entry.getValue();
            while (!replace(key, seen, function.apply(key, seen))) {
                Slot now = cache().get(key);
                if (now == null) {
                    break;
                }
                seen = (V) now.value();
            }
        }
    }

    @Override
    public Set<K> keySet() {
        return Collections.unmodifiableSet(snapshot().keySet());
    }

    @Override
    public Collection<V> values() {
        return Collections.unmodifiableList(new ArrayList<>(snapshot().values()));
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }

    /** The same dict (same cluster, same name), as the local manager's proxies compare. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterDict<?, ?> other && other.ref.equals(ref);
    }

    @Override
    public int hashCode() {
        return ref.hashCode();
    }

    private static Object requireKey(Object key) {
        if (key == null) {
            throw new NullPointerException("a cluster dict's key cannot be null");
        }
        return key;
    }

}

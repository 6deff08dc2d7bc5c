package io.github.jmultiprocessing.ignite;

import java.io.Serial;
import java.io.Serializable;
import java.util.UUID;
import javax.cache.processor.EntryProcessorException;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.IgniteInterruptedException;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.configuration.CacheConfiguration;

/**
 * What a proxy of a {@link ClusterManager}'s object refers to: its cluster (found again wherever the proxy is
 * read, {@link ClusterClient#forCluster}) and its name there. Proxies are serializable: passed to a child process or
 * a cluster task, or stored in another managed object, they reach the same object. Ignite's handles are looked up
 * by name at first use in each process.
 */
final class ClusterRef implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The cache of the objects that are one entry: lists, namespaces, values, the state of queues and barriers. */
    static final String OBJECTS = "jmultiprocessing-objects";
    /** The group of the objects cache: transactional, so that an entry processor is applied once or not at all. */
    static final String GROUP = "jmultiprocessing";
    /** The cache of the dicts' insertion sequences (atomic: a number drawn twice on a failover only leaves a gap). */
    static final String SEQUENCES = "jmultiprocessing-dict-sequences";
    /** The group of the dicts' caches and their sequences: atomic, one round trip a call. */
    static final String DICTS = "jmultiprocessing-dicts";

    private final UUID cluster;
    private final ClusterConfig config; // null if the manager's node was not started by this library
    final String name;
    private transient volatile Ignite ignite;

    ClusterRef(Ignite ignite, String name) {
        this.cluster = ignite.cluster().id();
        this.config = ClusterClient.configOf(ignite);
        this.name = name;
        this.ignite = ignite;
    }

    /** {@return a node of this process in the object's cluster} */
    Ignite ignite() {
        Ignite known = ignite;
        if (known == null) {
            known = ClusterClient.forCluster(cluster, config);
            ignite = known;
        }
        return known;
    }

    /** {@return the configuration of the objects cache} */
    static CacheConfiguration<String, Object> objectsCache() {
        return new CacheConfiguration<String, Object>(OBJECTS).setGroupName(GROUP)
                .setAtomicityMode(CacheAtomicityMode.TRANSACTIONAL).setCacheMode(CacheMode.PARTITIONED).setBackups(1);
    }

    /** {@return the configuration of the dicts' sequences cache} */
    static CacheConfiguration<String, Object> sequencesCache() {
        return new CacheConfiguration<String, Object>(SEQUENCES).setGroupName(DICTS)
                .setAtomicityMode(CacheAtomicityMode.ATOMIC).setCacheMode(CacheMode.PARTITIONED).setBackups(1);
    }

    /** {@return the objects cache} */
    IgniteCache<String, Object> objects() {
        return ignite().getOrCreateCache(objectsCache());
    }

    /** {@return an error for a use of this object after its manager closed} */
    IllegalStateException gone() {
        return new IllegalStateException(name + " no longer exists (the ClusterManager that made it was"
                + " closed)");
    }

    /**
     * {@return the result of an operation on one of this object's entries of a cache}, the operation's own
     * exception rethrown as it was, and a missing entry as {@link #gone()}
     *
     * @param cache the cache (the objects cache, unless a dict's sequences)
     * @param key   the entry
     * @param op    the operation
     * @param <R>   its result's type
     */
    <R> R invoke(IgniteCache<String, Object> cache, String key, ObjectOps.ObjectOp<R> op) {
        try {
            return cache.invoke(key, op);
        } catch (EntryProcessorException e) {
            throw e.getCause() instanceof ObjectOps.Gone ? gone() : unwrap(e);
        }
    }

    /** {@return the result of an operation on an entry of the objects cache}: see the other {@code invoke} */
    <R> R invoke(String key, ObjectOps.ObjectOp<R> op) {
        return invoke(objects(), key, op);
    }

    /** {@return the cause a call's entry processor threw, rethrown as it was} */
    static RuntimeException unwrap(EntryProcessorException e) {
        Throwable cause = e.getCause();
        return cause instanceof RuntimeException runtime ? runtime : e;
    }

    /** {@return a timeout in nanoseconds, 0 if negative, saturated at a quarter of Long.MAX_VALUE (no overflow)} */
    static long nanos(java.time.Duration timeout) {
        if (timeout.isNegative()) {
            return 0;
        }
        return timeout.compareTo(java.time.Duration.ofNanos(Long.MAX_VALUE / 4)) >= 0 ? Long.MAX_VALUE / 4
                : timeout.toNanos();
    }

    /** {@return an Ignite interrupt as Java's, the thread's flag set again} */
    static InterruptedException interrupted(IgniteInterruptedException e) {
        Thread.interrupted();
        InterruptedException interrupted = new InterruptedException(e.getMessage());
        interrupted.initCause(e);
        return interrupted;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterRef other && other.name.equals(name) && other.cluster.equals(cluster);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}

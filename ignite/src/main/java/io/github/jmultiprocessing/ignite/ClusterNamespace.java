package io.github.jmultiprocessing.ignite;

import io.github.jmultiprocessing.Namespace;
import io.github.jmultiprocessing.ignite.ObjectOps.Holder;
import io.github.jmultiprocessing.ignite.ObjectOps.NamespaceCall;
import io.github.jmultiprocessing.ignite.ObjectOps.NamespaceOp;
import java.io.Serial;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.ignite.Ignite;

/** A {@link ClusterManager}'s namespace: one entry of the objects cache, each call an entry processor there. */
final class ClusterNamespace implements Namespace, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final ClusterRef ref;

    private ClusterNamespace(ClusterRef ref) {
        this.ref = ref;
    }

    /** {@return a new namespace in the cluster, named {@code name}} */
    static ClusterNamespace create(Ignite ignite, String name) {
        ignite.getOrCreateCache(ClusterRef.objectsCache()).put(name, new LinkedHashMap<String, Object>());
        return new ClusterNamespace(new ClusterRef(ignite, name));
    }

    private Object call(NamespaceCall call, String attribute, Object value) {
        return ref.invoke(ref.name, new NamespaceOp(call, attribute, value));
    }

    @Override
    public Object get(String name) {
        return ((Holder) call(NamespaceCall.GET, name, null)).value();
    }

    @Override
    public void set(String name, Object value) {
        call(NamespaceCall.SET, name, value);
    }

    @Override
    public void delete(String name) {
        call(NamespaceCall.DELETE, name, null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> attributes() {
        return (Map<String, Object>) call(NamespaceCall.COPY, null, null);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("Namespace(");
        String separator = "";
        for (Map.Entry<String, Object> entry : attributes().entrySet()) {
            text.append(separator).append(entry.getKey()).append('=').append(entry.getValue());
            separator = ", ";
        }
        return text.append(')').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterNamespace other && other.ref.equals(ref);
    }

    @Override
    public int hashCode() {
        return ref.hashCode();
    }
}

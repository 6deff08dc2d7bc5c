package io.github.jmultiprocessing.ignite;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.UUID;
import javax.cache.processor.MutableEntry;
import org.apache.ignite.cache.CacheEntryProcessor;

/**
 * The operations a {@link ClusterManager}'s objects run where their data is (Ignite's entry processors, each atomic
 * on its entry): a counter, a list, a namespace, a dict's slots. They run on server nodes, so these classes must be
 * on the nodes' class path ({@link LocalCluster}'s are) or reach them by peer class loading.
 */
final class ObjectOps {

    private ObjectOps() {
    }

    /** Thrown where an object's entry is missing: its manager was closed. */
    static final class Gone extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        Gone() {
            super("gone", null, false, false);
        }
    }

    /**
     * An operation on an entry of the objects cache, which must exist (a missing one means its manager was closed);
     * it returns the operation's result.
     *
     * @param <R> the result's type
     */
    abstract static class ObjectOp<R> implements CacheEntryProcessor<String, Object, R> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public final R process(MutableEntry<String, Object> entry, Object... args) {
            if (!entry.exists()) {
                throw new Gone();
            }
            return apply(entry, entry.getValue());
        }

        /** {@return the result} having changed the entry as the operation does, given its present value */
        abstract R apply(MutableEntry<String, Object> entry, Object present);
    }

    /** A value with its place in a dict's insertion order (a dict's values may be null; an entry's may not). */
    static final class Slot implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        private final long seq;
        private final Object value;

        Slot(long seq, Object value) {
            this.seq = seq;
            this.value = value;
        }

        long seq() {
            return seq;
        }

        Object value() {
            return value;
        }
    }

    /** A value that may be null, as a cache entry. */
    static final class Holder implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        private final Object value;

        Holder(Object value) {
            this.value = value;
        }

        Object value() {
            return value;
        }
    }

    /**
     * Adds to a counter, refusing to take it below {@code min} (or stopping there, if clamped); returns the new
     * count.
     */
    static final class Add extends ObjectOp<Long> {
        @Serial
        private static final long serialVersionUID = 1L;
        private final long delta;
        private final long min;
        private final boolean clamp;

        Add(long delta, long min) {
            this(delta, min, false);
        }

        Add(long delta, long min, boolean clamp) {
            this.delta = delta;
            this.min = clamp ? 0 : min;
            this.clamp = clamp;
        }
        @Override
        Long apply(MutableEntry<String, Object> entry, Object present) {
            long next = (Long) present + delta;
            if (next < min && clamp) {
                next = min;
            } else if (next < min) {
                throw new IllegalStateException("called more times than elements were added (task_done)");
            }
            entry.setValue(next);
            return next;
        }
    }

    /** Sets a flag word to a value; returns the previous value. */
    static final class Swap extends ObjectOp<Long> {
        @Serial
        private static final long serialVersionUID = 1L;
        private final long value;

        Swap(long value) {
            this.value = value;
        }
        @Override
        Long apply(MutableEntry<String, Object> entry, Object present) {
            long previous = (Long) present;
            entry.setValue(value);
            return previous;
        }
    }

    /** What a list operation does. */
    enum ListCall { GET, SET, ADD, ADD_AT, ADD_ALL, ADD_ALL_AT, REMOVE_AT, REMOVE, CLEAR, SIZE, COPY, INDEX_OF,
        LAST_INDEX_OF, CONTAINS, RANGE }

    /** An operation on a list, a cache entry holding an {@link ArrayList}; returns its result. */
    static final class ListOp extends ObjectOp<Object> {
        @Serial
        private static final long serialVersionUID = 1L;
        private final ListCall call;
        private final int index;
        private final Object arg;

        ListOp(ListCall call, int index, Object arg) {
            this.call = call;
            this.index = index;
            this.arg = arg;
        }
        @Override
        @SuppressWarnings("unchecked")
        Object apply(MutableEntry<String, Object> entry, Object present) {
            List<Object> list = (List<Object>) present;
            switch (call) {
                case GET: return new Holder(list.get(index));
                case SIZE: return list.size();
                case COPY: return new ArrayList<>(list);
                case RANGE: return new ArrayList<>(list.subList(index, (Integer) arg));
                case INDEX_OF: return list.indexOf(arg);
                case LAST_INDEX_OF: return list.lastIndexOf(arg);
                case CONTAINS: return list.contains(arg);
                default: break;
            }
            List<Object> changed = new ArrayList<>(list);
            Object result = switch (call) {
                case SET -> new Holder(changed.set(index, arg));
                case ADD -> changed.add(arg);
                case ADD_AT -> {
                    changed.add(index, arg);
                    yield null;
                }
                case ADD_ALL -> changed.addAll((Collection<Object>) arg);
                case ADD_ALL_AT -> changed.addAll(index, (Collection<Object>) arg);
                case REMOVE_AT -> new Holder(changed.remove(index));
                case REMOVE -> changed.remove(arg);
                case CLEAR -> {
                    changed.clear();
                    yield null;
                }
                default -> throw new AssertionError(call);
            };
            entry.setValue(changed);
            return result;
        }
    }

    /** What a namespace operation does. */
    enum NamespaceCall { GET, SET, DELETE, COPY }

    /** An operation on a namespace, a cache entry holding a {@link LinkedHashMap}; returns its result. */
    static final class NamespaceOp extends ObjectOp<Object> {
        @Serial
        private static final long serialVersionUID = 1L;
        private final NamespaceCall call;
        private final String attribute;
        private final Object value;

        NamespaceOp(NamespaceCall call, String attribute, Object value) {
            this.call = call;
            this.attribute = attribute;
            this.value = value;
        }
        @Override
        @SuppressWarnings("unchecked")
        Object apply(MutableEntry<String, Object> entry, Object present) {
            LinkedHashMap<String, Object> attributes = (LinkedHashMap<String, Object>) present;
            if (call == NamespaceCall.COPY) {
                return new LinkedHashMap<>(attributes);
            }
            if (call != NamespaceCall.SET && !attributes.containsKey(attribute)) {
                throw new NoSuchElementException("attribute " + attribute + " (expected one of "
                        + attributes.keySet() + ")");
            }
            if (call == NamespaceCall.GET) {
                return new Holder(attributes.get(attribute));
            }
            LinkedHashMap<String, Object> changed = new LinkedHashMap<>(attributes);
            if (call == NamespaceCall.SET) {
                changed.put(attribute, value);
            } else {
                changed.remove(attribute);
            }
            entry.setValue(changed);
            return null;
        }
    }

    /**
     * Puts a dict's value, keeping the key's place if it has one (as Python's dict does), only if a condition on
     * the present value holds; returns the previous value, as a {@link Holder}, or null if there was none; an
     * unchanged entry returns {@link Boolean#FALSE}.
     */
    static final class DictPut implements CacheEntryProcessor<Object, Slot, Object> {
        @Serial
        private static final long serialVersionUID = 1L;
        private final long seq;
        private final Object value;
        private final When when;
        private final Object expected;

        DictPut(long seq, Object value, When when, Object expected) {
            this.seq = seq;
            this.value = value;
            this.when = when;
            this.expected = expected;
        }
        @Override
        public Object process(MutableEntry<Object, Slot> entry, Object... args) {
            Slot present = entry.exists() ? entry.getValue() : null;
            boolean apply = switch (when) {
                case ALWAYS -> true;
                case PRESENT -> present != null;
                case EQUAL -> present != null && Objects.equals(present.value(), expected);
            };
            if (!apply) {
                return Boolean.FALSE;
            }
            entry.setValue(new Slot(present != null ? present.seq() : seq, value));
            return present == null ? null : new Holder(present.value());
        }
    }

    /** When a {@link DictPut} applies. */
    enum When { ALWAYS, PRESENT, EQUAL }

    /** Removes a dict's key if its value equals one; returns true if removed. */
    static final class DictRemove implements CacheEntryProcessor<Object, Slot, Boolean> {
        @Serial
        private static final long serialVersionUID = 1L;
        private final Object expected;

        DictRemove(Object expected) {
            this.expected = expected;
        }
        @Override
        public Boolean process(MutableEntry<Object, Slot> entry, Object... args) {
            if (entry.exists() && Objects.equals(entry.getValue().value(), expected)) {
                entry.remove();
                return true;
            }
            return false;
        }
    }

    /**
     * A lock's or semaphore's state: the free permits, the bound of a lock or bounded semaphore (0: none), and how
     * many permits each node holds, so that those of a node that left the cluster are given back.
     */
    static final class Permits implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        private final int free;
        private final int bound;
        private final HashMap<UUID, Integer> holders;

        Permits(int free, int bound, HashMap<UUID, Integer> holders) {
            this.free = free;
            this.bound = bound;
            this.holders = holders;
        }

        int free() {
            return free;
        }
    }

    /**
     * Takes a permit for a node, first giving back those of the departed nodes named; returns
     * {@link Boolean#TRUE} if taken, else the nodes holding permits (a {@code HashSet<UUID>}), for the caller to
     * see which have left.
     */
    static final class Acquire extends ObjectOp<Object> {
        @Serial
        private static final long serialVersionUID = 1L;
        private final UUID node;
        private final HashSet<UUID> departed;

        Acquire(UUID node, HashSet<UUID> departed) {
            this.node = node;
            this.departed = departed;
        }

        @Override
        Object apply(MutableEntry<String, Object> entry, Object present) {
            Permits state = (Permits) present;
            int free = state.free;
            HashMap<UUID, Integer> holders = new HashMap<>(state.holders);
            for (UUID gone : departed) {
                Integer held = holders.remove(gone);
                free += held == null ? 0 : held;
            }
            if (free == 0) {
                if (free != state.free || holders.size() != state.holders.size()) {
                    entry.setValue(new Permits(free, state.bound, holders));
                }
                return new HashSet<>(holders.keySet());
            }
            holders.merge(node, 1, Integer::sum);
            entry.setValue(new Permits(free - 1, state.bound, holders));
            return Boolean.TRUE;
        }
    }

    /**
     * Gives a permit back, from the node's holding if it has one, else from another holder's (Python's
     * {@code Lock} is released by anyone), refusing a release beyond the bound.
     */
    static final class Release extends ObjectOp<Object> {
        @Serial
        private static final long serialVersionUID = 1L;
        private final UUID node;
        private final String beyondBound;

        Release(UUID node, String beyondBound) {
            this.node = node;
            this.beyondBound = beyondBound;
        }

        @Override
        Object apply(MutableEntry<String, Object> entry, Object present) {
            Permits state = (Permits) present;
            if (state.bound > 0 && state.free >= state.bound) {
                throw new IllegalStateException(beyondBound);
            }
            HashMap<UUID, Integer> holders = new HashMap<>(state.holders);
            UUID from = holders.containsKey(node) ? node : holders.keySet().stream().findFirst().orElse(null);
            if (from != null) {
                holders.compute(from, (id, held) -> held == 1 ? null : held - 1);
            }
            entry.setValue(new Permits(state.free + 1, state.bound, holders));
            return null;
        }
    }

    /** Sets an event's flag, counting the set, or clears it: the entry is twice the sets, plus 1 while set. */
    static final class Flag extends ObjectOp<Object> {
        @Serial
        private static final long serialVersionUID = 1L;
        private final boolean set;

        Flag(boolean set) {
            this.set = set;
        }

        @Override
        Object apply(MutableEntry<String, Object> entry, Object present) {
            long state = (Long) present;
            boolean isSet = (state & 1) == 1;
            if (set && !isSet) {
                entry.setValue(state + 3); // from sets * 2 to (sets + 1) * 2 + 1
            } else if (!set && isSet) {
                entry.setValue(state - 1);
            }
            return null;
        }
    }
}

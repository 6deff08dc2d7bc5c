package io.github.jmultiprocessing.internal.pool;

import io.github.jmultiprocessing.internal.codec.LambdaCodec;
import io.github.jmultiprocessing.internal.codec.MessageCodec;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.StreamCorruptedException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages between a pool and its workers, each one message of a pipe. Items travel through
 * {@link MessageCodec} (fast paths for numbers, strings and arrays), so a task of a thousand integers is one small
 * message, not a thousand serialization streams; the function of a call is sent to a worker once (JOB), and its
 * tasks name it.
 *
 * <pre>
 *   to a worker:   JOB    byte 1, long job, byte form, the function ({@link LambdaCodec} bytes)
 *                  TASK   byte 2, long task, long job, int n, byte packing, n items: packed values (all Long,
 *                         Integer or Double) or each an int length and codec bytes
 *                  FORGET byte 3, long job: the call is over, drop its function
 *                  STOP   byte 4
 *                  CALL   byte 5, long task, byte form, int n, n bytes of function, then the items as a TASK's:
 *                         a call of one task (apply), its function and items in one message, nothing to forget
 *                  TASKS  byte 6, int n, n times an int length and a TASK or CALL: queued small tasks in one go
 *                  (form: 0 a function of each item, 1 a callable, run once with no item)
 *   from a worker: DONE   byte 11, long task, int n, byte packing, n results (as a TASK's items)
 *                  FAILED byte 12, long task, the exception (codec bytes)
 *                  RETIRE byte 13: maxTasksPerChild reached, the worker exits
 *                  BROKEN byte 14, the initializer's exception (codec bytes): the worker exits
 *                  READY  byte 15: the initializer ran, tasks may start (first, once)
 * </pre>
 */
public final class PoolFrames {

    /** Kinds of message. */
    public static final byte JOB = 1;
    /** A task: a chunk of items. */
    public static final byte TASK = 2;
    /** The end of a call. */
    public static final byte FORGET = 3;
    /** The worker is to exit. */
    public static final byte STOP = 4;
    /** A call of one task. */
    public static final byte CALL = 5;
    /** Several tasks. */
    public static final byte TASKS = 6;
    /** Where a CALL's function starts. */
    public static final int CALL_FUNCTION = 14;
    /** Where a JOB's function starts. */
    public static final int JOB_FUNCTION = 10;
    /** A function's form: a function of an item. */
    public static final byte FUNCTION = 0;
    /** A function's form: a callable, of no item. */
    public static final byte CALLABLE = 1;
    /** A task's results. */
    public static final byte DONE = 11;
    /** A task's exception. */
    public static final byte FAILED = 12;
    /** The worker retires. */
    public static final byte RETIRE = 13;
    /** The initializer failed. */
    public static final byte BROKEN = 14;
    /** Worker -> pool: the worker JVM booted, ran the initializer and runs its loop (sent once, first). */
    public static final byte READY = 15;

    private PoolFrames() {
    }

    /**
     * {@return a TASKS message: several messages in one}
     *
     * @param kind     TASKS
     * @param messages the messages
     */
    public static byte[] batch(byte kind, List<byte[]> messages) {
        long size = 5;
        for (byte[] message : messages) {
            size += 4 + message.length;
        }
        ByteBuffer out = allocate(size).put(kind).putInt(messages.size());
        for (byte[] message : messages) {
            out.putInt(message.length).put(message);
        }
        return out.array();
    }

    /**
     * {@return the messages in a TASKS message}
     *
     * @param message the batch
     * @throws StreamCorruptedException if its counts do not match its bytes
     */
    public static List<byte[]> unbatch(byte[] message) throws StreamCorruptedException {
        ByteBuffer in = ByteBuffer.wrap(message);
        int count = message.length < 5 ? -1 : in.getInt(1);
        if (count < 0 || count > (message.length - 5) / 5) {
            throw new StreamCorruptedException("a batch of " + count + " in " + message.length + " bytes");
        }
        List<byte[]> messages = new ArrayList<>(count);
        int at = 5;
        for (int i = 0; i < count; i++) {
            int length = at + 4 <= message.length ? in.getInt(at) : -1;
            if (length < 1 || at + 4L + length > message.length) {
                throw new StreamCorruptedException("batched message " + i + " of " + length + " bytes at " + at);
            }
            messages.add(java.util.Arrays.copyOfRange(message, at + 4, at + 4 + length));
            at += 4 + length;
        }
        if (at != message.length) {
            throw new StreamCorruptedException((message.length - at) + " bytes after a batch");
        }
        return messages;
    }

    /**
     * {@return a function's bytes, as JOB and CALL carry it}
     *
     * @param function the function, serializable
     * @throws IllegalArgumentException if it cannot be serialized
     */
    public static byte[] function(Object function) {
        return LambdaCodec.encode(function);
    }

    /**
     * {@return a JOB message}
     *
     * @param job      the call's number
     * @param form     {@link #FUNCTION} or {@link #CALLABLE}
     * @param function the function's bytes ({@link #function})
     */
    public static byte[] job(long job, byte form, byte[] function) {
        return ByteBuffer.allocate(JOB_FUNCTION + function.length).put(JOB).putLong(job).put(form).put(function)
                .array();
    }

    /**
     * {@return a CALL message}
     *
     * @param task     the task's number
     * @param form     {@link #FUNCTION} or {@link #CALLABLE}
     * @param function the function's bytes ({@link #function})
     * @param items    the items
     * @throws IllegalArgumentException if an item cannot be serialized
     */
    public static byte[] call(long task, byte form, byte[] function, List<?> items) {
        return withItems(ByteBuffer.allocate(CALL_FUNCTION + function.length).put(CALL).putLong(task).put(form)
                .putInt(function.length).put(function).array(), items);
    }

    /**
     * {@return the function of a JOB or CALL}
     *
     * @param message the message
     * @throws IOException if it does not decode (a class missing here included)
     */
    public static Object function(byte[] message) throws IOException {
        int at = kind(message) == CALL ? CALL_FUNCTION : JOB_FUNCTION; // an empty message fails in kind
        int length = message[0] == CALL ? functionLength(message) : message.length - at;
        try {
            return LambdaCodec.decode(message, at, length);
        } catch (ClassNotFoundException e) {
            throw new InvalidClassException("class " + e.getMessage() + " not found here");
        }
    }

    /**
     * {@return the form of a JOB's or CALL's function: {@link #FUNCTION} or {@link #CALLABLE}}
     *
     * @param message the message
     * @throws StreamCorruptedException if it is too short
     */
    public static byte form(byte[] message) throws StreamCorruptedException {
        int at = 9; // after the kind and the number, in both
        if (message.length <= at) {
            throw new StreamCorruptedException("a pool message of " + message.length + " bytes");
        }
        return message[at];
    }

    /**
     * {@return where a CALL's items start}
     *
     * @param message a CALL
     * @throws StreamCorruptedException if it is too short
     */
    public static int callItems(byte[] message) throws StreamCorruptedException {
        return CALL_FUNCTION + functionLength(message);
    }

    private static int functionLength(byte[] message) throws StreamCorruptedException {
        if (message.length < CALL_FUNCTION) {
            throw new StreamCorruptedException("a call of " + message.length + " bytes");
        }
        int length = ByteBuffer.wrap(message).getInt(10);
        if (length < 1 || length > message.length - CALL_FUNCTION) {
            throw new StreamCorruptedException("a function of " + length + " bytes in a call of " + message.length);
        }
        return length;
    }

    /**
     * Reads a JOB, CALL or TASK message that will not be sent after all, and drops what it holds, so that the
     * handles in it (shared values, queues) give back the tickets their encoding took: each encoding of a handle
     * is to be read exactly once. What does not read is dropped quietly.
     *
     * @param message the message
     */
    public static void discard(byte[] message) {
        try {
            switch (kind(message)) {
                case JOB -> function(message);
                case CALL -> {
                    function(message);
                    items(message, callItems(message));
                }
                case TASK -> items(message, 17);
                default -> { }
            }
        } catch (IOException | RuntimeException e) {
            // a class missing here, or a handle already gone: nothing more to give back
        }
    }

    /**
     * {@return a TASK message}
     *
     * @param task  the task's number
     * @param job   the call's number
     * @param items the chunk
     * @throws IllegalArgumentException if an item cannot be serialized
     */
    public static byte[] task(long task, long job, List<?> items) {
        return withItems(ByteBuffer.allocate(17).put(TASK).putLong(task).putLong(job).array(), items);
    }

    /**
     * {@return a DONE message}
     *
     * @param task    the task's number
     * @param results its results
     * @throws IllegalArgumentException if a result cannot be serialized
     */
    public static byte[] done(long task, List<?> results) {
        return withItems(ByteBuffer.allocate(9).put(DONE).putLong(task).array(), results);
    }

    /**
     * A header, then the items: an int count, a packing byte, then either the items as they are packed (all
     * {@code Long}s, {@code Integer}s or {@code Double}s: their values back to back, no per-item encoding) or each
     * one as an int length and codec bytes.
     */
    private static byte[] withItems(byte[] head, List<?> items) {
        int n = items.size();
        byte packing = packing(items);
        int width = packing == LONGS || packing == DOUBLES ? 8 : packing == INTS ? 4 : 0;
        if (width > 0) {
            ByteBuffer out = allocate(head.length + 5L + (long) width * n).put(head).putInt(n).put(packing);
            for (Object item : items) {
                switch (packing) {
                    case LONGS -> out.putLong((Long) item);
                    case INTS -> out.putInt((Integer) item);
                    default -> out.putDouble((Double) item);
                }
            }
            return out.array();
        }
        List<byte[]> encoded = new ArrayList<>(n);
        long size = head.length + 5L;
        for (Object item : items) {
            byte[] bytes = MessageCodec.encode(item);
            encoded.add(bytes);
            size += 4 + bytes.length;
        }
        ByteBuffer out = allocate(size).put(head).putInt(n).put(EACH);
        for (byte[] bytes : encoded) {
            out.putInt(bytes.length).put(bytes);
        }
        return out.array();
    }

    private static final byte EACH = 0;
    private static final byte LONGS = 1;
    private static final byte INTS = 2;
    private static final byte DOUBLES = 3;

    private static byte packing(List<?> items) {
        if (items.isEmpty()) {
            return EACH;
        }
        Class<?> type = items.get(0) == null ? null : items.get(0).getClass();
        byte packing = type == Long.class ? LONGS : type == Integer.class ? INTS : type == Double.class ? DOUBLES
                : EACH;
        if (packing != EACH) {
            for (Object item : items) {
                if (item == null || item.getClass() != type) {
                    return EACH;
                }
            }
        }
        return packing;
    }

    /**
     * {@return a message of one number: FORGET (a job) or FAILED's header}
     *
     * @param kind   the kind
     * @param number the number
     * @param body   codec bytes after it, or null
     */
    public static byte[] numbered(byte kind, long number, byte[] body) {
        int length = body == null ? 0 : body.length;
        ByteBuffer out = ByteBuffer.allocate(9 + length).put(kind).putLong(number);
        if (body != null) {
            out.put(body);
        }
        return out.array();
    }

    /**
     * {@return a message of a kind and codec bytes: BROKEN}
     *
     * @param kind the kind
     * @param body codec bytes
     */
    public static byte[] plain(byte kind, byte[] body) {
        return ByteBuffer.allocate(1 + body.length).put(kind).put(body).array();
    }

    private static ByteBuffer allocate(long size) {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a task or result of " + size + " bytes (expected < 2 GiB: a smaller"
                    + " chunksize)");
        }
        return ByteBuffer.allocate((int) size);
    }

    /**
     * {@return the kind of a message}
     *
     * @param message the message
     * @throws StreamCorruptedException if it is empty
     */
    public static byte kind(byte[] message) throws StreamCorruptedException {
        if (message.length == 0) {
            throw new StreamCorruptedException("an empty pool message");
        }
        return message[0];
    }

    /**
     * {@return the number after the kind}
     *
     * @param message the message
     * @throws StreamCorruptedException if it is too short
     */
    public static long number(byte[] message) throws StreamCorruptedException {
        if (message.length < 9) {
            throw new StreamCorruptedException("a pool message of " + message.length + " bytes (expected >= 9)");
        }
        return ByteBuffer.wrap(message).getLong(1);
    }

    /**
     * {@return the job of a TASK}
     *
     * @param message a TASK
     * @throws StreamCorruptedException if it is too short
     */
    public static long taskJob(byte[] message) throws StreamCorruptedException {
        if (message.length < 21) {
            throw new StreamCorruptedException("a task of " + message.length + " bytes (expected >= 21)");
        }
        return ByteBuffer.wrap(message).getLong(9);
    }

    /**
     * {@return the object encoded from {@code offset} to the end}
     *
     * @param message the message
     * @param offset  where the codec bytes start
     * @throws IOException if they do not decode (a class missing here included)
     */
    public static Object body(byte[] message, int offset) throws IOException {
        if (offset < 0 || offset >= message.length) {
            throw new StreamCorruptedException("a pool message of " + message.length + " bytes (expected a body after"
                    + " its first " + offset + ")");
        }
        try {
            return MessageCodec.decode(message, offset, message.length - offset);
        } catch (ClassNotFoundException e) {
            throw new InvalidClassException("class " + e.getMessage() + " not found here");
        }
    }

    /**
     * {@return the DONE message of a function applied to a TASK's or CALL's items} Packed numbers are read, applied
     * and their results written in one pass, without lists of boxes in between, while the results are all of
     * the first one's packable type; otherwise as {@link #items} then {@link #done}.
     *
     * @param message  the TASK or CALL
     * @param offset   where its items are
     * @param task     the task's number
     * @param function the function
     * @throws IOException              if the items do not decode
     * @throws IllegalArgumentException if a result cannot be serialized
     */
    public static byte[] applied(byte[] message, int offset, long task,
            java.util.function.Function<Object, Object> function) throws IOException {
        if (message.length < offset + 5 || message[offset + 4] == EACH) {
            return appliedEach(items(message, offset), 0, new ArrayList<>(), task, function);
        }
        ByteBuffer in = ByteBuffer.wrap(message);
        int count = in.getInt(offset);
        byte packing = message[offset + 4];
        int width = packing == INTS ? 4 : 8;
        int at = offset + 5;
        if (count < 0 || (packing != LONGS && packing != INTS && packing != DOUBLES)
                || at + (long) count * width != message.length) {
            return appliedEach(items(message, offset), 0, new ArrayList<>(), task, function); // throws
        }
        ByteBuffer out = null;
        Class<?> type = null;
        for (int i = 0; i < count; i++, at += width) {
            Object item = packing == LONGS ? (Object) in.getLong(at) : packing == INTS ? (Object) in.getInt(at)
                    : (Object) in.getDouble(at);
            Object result = function.apply(item);
            if (out == null) {
                type = result == null ? null : result.getClass();
                byte resultPacking = type == Long.class ? LONGS : type == Integer.class ? INTS
                        : type == Double.class ? DOUBLES : EACH;
                if (resultPacking == EACH) {
                    List<Object> results = new ArrayList<>(count);
                    results.add(result);
                    return appliedEach(items(message, offset), 1, results, task, function);
                }
                out = allocate(14 + (long) count * (resultPacking == INTS ? 4 : 8)).put(DONE).putLong(task)
                        .putInt(count).put(resultPacking);
            }
            if (result == null || result.getClass() != type) { // mixed results: the rest the general way
                List<Object> results = new ArrayList<>(count);
                ByteBuffer written = ByteBuffer.wrap(out.array(), 14, out.position() - 14);
                for (int j = 0; j < i; j++) {
                    results.add(type == Long.class ? (Object) written.getLong() : type == Integer.class
                            ? (Object) written.getInt() : (Object) written.getDouble());
                }
                results.add(result);
                return appliedEach(items(message, offset), i + 1, results, task, function);
            }
            switch (result) {
                case Long value -> out.putLong(value);
                case Integer value -> out.putInt(value);
                default -> out.putDouble((Double) result);
            }
        }
        return out == null ? done(task, List.of()) : out.array();
    }

    private static byte[] appliedEach(List<Object> items, int from, List<Object> results, long task,
            java.util.function.Function<Object, Object> function) {
        for (int i = from; i < items.size(); i++) {
            results.add(function.apply(items.get(i)));
        }
        return done(task, results);
    }

    /**
     * {@return the items of a TASK or the results of a DONE} Packed numbers come as a read-only view of the message
     * ({@link PackedItems}), boxed as read; other items as a list of their own.
     *
     * @param message the message
     * @param offset  where the count is (17 for a TASK, 9 for a DONE)
     * @throws IOException if they do not decode
     */
    public static List<Object> items(byte[] message, int offset) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(message);
        if (message.length < offset + 5) {
            throw new StreamCorruptedException("a pool message of " + message.length + " bytes");
        }
        int count = in.getInt(offset);
        byte packing = message[offset + 4];
        int at = offset + 5;
        int width = packing == LONGS || packing == DOUBLES ? 8 : packing == INTS ? 4 : packing == EACH ? 5 : -1;
        if (width < 0 || count < 0 || count > (message.length - at) / width) {
            throw new StreamCorruptedException("item count=" + count + " packing=" + packing + " in "
                    + message.length + " bytes");
        }
        if (packing != EACH) {
            if (at + (long) count * width != message.length) {
                throw new StreamCorruptedException(count + " packed items in " + (message.length - at) + " bytes");
            }
            return new PackedItems(message, at, count, packing == LONGS ? PackedItems.Kind.LONGS
                    : packing == INTS ? PackedItems.Kind.INTS : PackedItems.Kind.DOUBLES);
        }
        List<Object> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (at + 4 > message.length) {
                throw new StreamCorruptedException("item " + i + " of " + count + " is missing");
            }
            int length = in.getInt(at);
            if (length < 1 || at + 4 + (long) length > message.length) {
                throw new StreamCorruptedException("item length=" + length + " at " + at);
            }
            try {
                items.add(MessageCodec.decode(message, at + 4, length));
            } catch (ClassNotFoundException e) {
                throw new InvalidClassException("class " + e.getMessage() + " not found here");
            }
            at += 4 + length;
        }
        return items;
    }
}

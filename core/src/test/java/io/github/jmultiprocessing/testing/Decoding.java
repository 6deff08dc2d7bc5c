package io.github.jmultiprocessing.testing;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How the decoder fuzz tests run one decode: on a thread of their own, bounded in time (a decode that does not end
 * within {@link #BOUND_SECONDS} is a hang), its allocation measured (a decoder that allocates far more than its
 * input used a length it had not checked, whether or not the heap was large enough to survive it), and any
 * {@link Error} (an OutOfMemoryError, a StackOverflowError) reported as a failure, not a clear exception. Plus the
 * mutations that turn a valid input into a plausible bad one.
 */
public final class Decoding {

    /** The longest a decode may take. */
    public static final long BOUND_SECONDS = 5;
    /** Allocation allowed whatever the input: buffers, class metadata read the first time a class is met. */
    public static final long FIXED_ALLOWANCE = 4L << 20;
    /** Allocation allowed per input byte (an array of references per input byte is 8; a String 2 per byte). */
    public static final long PER_BYTE_ALLOWANCE = 64;

    private static final ExecutorService DECODERS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "decoder-fuzz");
        thread.setDaemon(true);
        return thread;
    });

    private Decoding() {
    }

    /**
     * What a decode did.
     *
     * @param value     what it returned (null if it threw)
     * @param failure   what it threw, or null
     * @param allocated bytes it allocated
     * @param <T>       the value's type
     */
    public record Outcome<T>(T value, Throwable failure, long allocated) {
    }

    /**
     * Runs a decode, bounded; fails on a hang, an Error, or an allocation out of proportion to the input.
     *
     * @param input   what it decodes (for the failure message and the allocation bound)
     * @param decoder the decode
     * @param <T>     its value's type
     * @return its outcome
     */
    public static <T> Outcome<T> decode(byte[] input, Callable<T> decoder) {
        return decode(input.length, () -> describe(input), decoder);
    }

    /**
     * Runs a decode, bounded; fails on a hang, an Error, or an allocation out of proportion to the input.
     *
     * @param inputBytes the input's size
     * @param described  the input, for failure messages
     * @param decoder    the decode
     * @param <T>        its value's type
     * @return its outcome
     */
    public static <T> Outcome<T> decode(long inputBytes, java.util.function.Supplier<String> described,
            Callable<T> decoder) {
        Future<Outcome<T>> running = DECODERS.submit(() -> {
            long before = allocated();
            T value = null;
            Throwable failure = null;
            try {
                value = decoder.call();
            } catch (Throwable t) {
                failure = t;
            }
            return new Outcome<>(value, failure, allocated() - before);
        });
        Outcome<T> outcome;
        try {
            outcome = running.get(BOUND_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            running.cancel(true);
            throw new AssertionError("the decode did not end within " + BOUND_SECONDS + " s (a hang) on "
                    + described.get());
        } catch (ExecutionException | InterruptedException e) {
            throw new AssertionError(e);
        }
        if (outcome.failure() instanceof Error error) {
            throw new AssertionError("a JVM error, not a clear exception: " + error + " on " + described.get(),
                    error);
        }
        long allowed = FIXED_ALLOWANCE + PER_BYTE_ALLOWANCE * inputBytes;
        if (outcome.allocated() > allowed) {
            throw new AssertionError("the decode allocated " + outcome.allocated() + " bytes for " + inputBytes
                    + " bytes of input (expected at most " + allowed + ": a length used before it was checked?) on "
                    + described.get());
        }
        return outcome;
    }

    /**
     * Checks that a decode failed clearly: with an exception of one of the documented kinds, and a message.
     *
     * @param outcome    the outcome (a failure)
     * @param input      what it decoded, for the failure message
     * @param documented the kinds its decoder documents
     */
    @SafeVarargs
    public static void assertClear(Outcome<?> outcome, String input, Class<? extends Throwable>... documented) {
        Throwable failure = outcome.failure();
        if (failure == null) {
            return;
        }
        boolean expected = Arrays.stream(documented).anyMatch(kind -> kind.isInstance(failure));
        if (!expected) {
            throw new AssertionError("an undocumented " + failure + " (expected one of "
                    + Arrays.stream(documented).map(Class::getSimpleName).toList() + ") on " + input, failure);
        }
        if (failure.getMessage() == null || failure.getMessage().isBlank()) {
            throw new AssertionError("a " + failure.getClass().getName() + " without a message on " + input, failure);
        }
    }

    /** {@return the bytes this thread allocated so far} (reflection: the module does not read java.management) */
    private static long allocated() {
        try {
            Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                    .invoke(null);
            return (long) Class.forName("com.sun.management.ThreadMXBean")
                    .getMethod("getCurrentThreadAllocatedBytes").invoke(threads);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@return a valid input changed by one to three mutations: bytes flipped, cut short, bytes appended, an int
     * or a long overwritten with an extreme value (a huge or negative length), a range removed or repeated}
     *
     * @param valid  the valid input
     * @param random where the mutations come from
     */
    public static byte[] mutate(byte[] valid, Random random) {
        byte[] bytes = valid.clone();
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            int n = bytes.length;
            switch (random.nextInt(7)) {
                case 0 -> {
                    if (n > 0) {
                        int at = random.nextInt(n);
                        bytes[at] ^= (byte) (1 + random.nextInt(255));
                    }
                }
                case 1 -> bytes = Arrays.copyOf(bytes, n == 0 ? 0 : random.nextInt(n));
                case 2 -> {
                    bytes = Arrays.copyOf(bytes, n + 1 + random.nextInt(16));
                    for (int i = n; i < bytes.length; i++) {
                        bytes[i] = (byte) random.nextInt(256);
                    }
                }
                case 3 -> {
                    if (n >= 4) {
                        int[] extremes = {-1, 0, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 30,
                            Integer.MAX_VALUE - 8, n, n + 1, n - 1, random.nextInt()};
                        int value = extremes[random.nextInt(extremes.length)];
                        int at = random.nextInt(n - 3);
                        boolean little = random.nextBoolean();
                        for (int i = 0; i < 4; i++) {
                            int shift = little ? 8 * i : 8 * (3 - i);
                            bytes[at + i] = (byte) (value >>> shift);
                        }
                    }
                }
                case 4 -> {
                    if (n >= 8) {
                        long[] extremes = {-1L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40, random.nextLong()};
                        long value = extremes[random.nextInt(extremes.length)];
                        int at = random.nextInt(n - 7);
                        for (int i = 0; i < 8; i++) {
                            bytes[at + i] = (byte) (value >>> (8 * (7 - i)));
                        }
                    }
                }
                case 5 -> {
                    if (n > 1) {
                        int from = random.nextInt(n);
                        int to = from + 1 + random.nextInt(n - from);
                        byte[] shorter = new byte[n - (to - from)];
                        System.arraycopy(bytes, 0, shorter, 0, from);
                        System.arraycopy(bytes, to, shorter, from, n - to);
                        bytes = shorter;
                    }
                }
                default -> {
                    if (n > 0) {
                        int from = random.nextInt(n);
                        int to = from + 1 + random.nextInt(Math.min(64, n - from));
                        byte[] longer = new byte[n + (to - from)];
                        System.arraycopy(bytes, 0, longer, 0, to);
                        System.arraycopy(bytes, from, longer, to, n - from);
                        bytes = longer;
                    }
                }
            }
        }
        return bytes;
    }

    /** {@return the input as hex (its first 200 bytes), for failure messages} */
    public static String describe(byte[] input) {
        String hex = java.util.HexFormat.of().formatHex(input, 0, Math.min(input.length, 200));
        return input.length + " bytes [" + hex + (input.length > 200 ? "..." : "") + "]";
    }
}

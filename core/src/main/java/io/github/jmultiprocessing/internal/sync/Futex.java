package io.github.jmultiprocessing.internal.sync;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Linux futex wait and wake on a 32-bit word of a shared mapping, through {@code syscall(SYS_futex, ...)}.
 *
 * <p>One of the library's two classes that make a restricted FFM call (the other, {@code internal.shm}'s
 * {@code SegmentBacking}, allocates segment files). It is used only where the library's module
 * has native access enabled ({@code --enable-native-access}); the non-private futex operations are used because
 * the word is shared between processes. {@link #AVAILABLE} is false elsewhere, or when the system property
 * {@value #PROPERTY} is {@code false}, and callers then back off in pure Java. On Linux without native access,
 * the first use logs one warning (logger {@code io.github.jmultiprocessing.internal.sync.Futex}) that says how
 * to enable it.
 */
@SuppressWarnings("restricted") // the one class here that makes a restricted call, by design
public final class Futex {

    /** System property: {@code false} turns the futex path off (the pure-Java backoff is used instead). */
    public static final String PROPERTY = "jmultiprocessing.futex";

    private static final long FUTEX_WAIT = 0;
    private static final long FUTEX_WAKE = 1;

    private static final MethodHandle SYSCALL;
    private static final long SYS_FUTEX;

    /** True if futex waits can be used in this JVM. */
    public static final boolean AVAILABLE;

    private static final ThreadLocal<MemorySegment> TIMESPEC =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(16, 8));

    static {
        MethodHandle handle = null;
        long number = -1;
        String arch = System.getProperty("os.arch");
        boolean linux = System.getProperty("os.name", "").toLowerCase().contains("linux");
        if (linux && arch != null) {
            number = switch (arch) {
                case "amd64", "x86_64" -> 202;
                case "aarch64", "arm64" -> 98;
                case "riscv64" -> 98;
                default -> -1;
            };
        }
        boolean wanted = number > 0 && !"false".equalsIgnoreCase(System.getProperty(PROPERTY));
        if (wanted && !Futex.class.getModule().isNativeAccessEnabled()) {
            Module module = Futex.class.getModule();
            System.getLogger(Futex.class.getName()).log(System.Logger.Level.WARNING, "native access is not enabled"
                    + " for " + (module.isNamed() ? "module " + module.getName() : "the class path") + ": waiting"
                    + " processes back off in pure Java (slower wake-ups, some CPU while waiting) instead of sleeping"
                    + " on a futex; start the JVM with --enable-native-access=" + (module.isNamed() ? module.getName()
                    : "ALL-UNNAMED") + " (or the manifest attribute Enable-Native-Access: ALL-UNNAMED of an"
                    + " executable jar), or set -D" + PROPERTY + "=false to choose the pure-Java waits quietly");
        }
        if (wanted && Futex.class.getModule().isNativeAccessEnabled()) {
            try {
                Linker linker = Linker.nativeLinker();
                Optional<MemorySegment> syscall = linker.defaultLookup().find("syscall");
                if (syscall.isPresent()) {
                    // long syscall(long number, ...): uaddr, op, val, timeout pointer; glibc reads every variadic
                    // argument as a long, so all are passed as longs
                    handle = linker.downcallHandle(syscall.get(),
                            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                            Linker.Option.firstVariadicArg(1));
                }
            } catch (RuntimeException | LinkageError e) {
                handle = null;
            }
        }
        SYSCALL = handle;
        SYS_FUTEX = number;
        AVAILABLE = handle != null;
    }

    private Futex() {
    }

    /**
     * Links the futex call and makes a first wake and a first wait (which returns at once), so that the first real
     * one is not the one to pay for it: a cold JVM spends ~40 ms on the linker's first downcall handle, which an AOT
     * cache does not keep. A child JVM runs this on a thread of its own as it starts.
     */
    public static void prepare() {
        if (AVAILABLE) {
            MemorySegment word = Arena.ofAuto().allocate(4, 4);
            wake(word, 0, 1);
            await(word, 0, 1, 1); // the word holds 0: returns at once
        }
    }

    /**
     * Sleeps while the word holds {@code expected}, at most {@code timeoutNanos}; returns early on a wake-up, a
     * signal, or at once if the word differs. Callers re-check their condition in every case.
     *
     * @param memory       the mapping
     * @param offset       the word's offset, 4-aligned
     * @param expected     the value the caller saw
     * @param timeoutNanos the longest sleep, greater than zero
     */
    public static void await(MemorySegment memory, long offset, int expected, long timeoutNanos) {
        MemorySegment timespec = TIMESPEC.get();
        timespec.set(JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
        timespec.set(JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
        try {
            long ignored = (long) SYSCALL.invokeExact(SYS_FUTEX, memory.address() + offset, FUTEX_WAIT,
                    (long) expected, timespec.address());
        } catch (Throwable e) {
            throw new IllegalStateException("futex wait failed", e);
        }
    }

    /**
     * Wakes up to {@code count} processes or threads sleeping on the word.
     *
     * @param memory the mapping
     * @param offset the word's offset, 4-aligned
     * @param count  how many to wake
     */
    public static void wake(MemorySegment memory, long offset, int count) {
        try {
            long ignored = (long) SYSCALL.invokeExact(SYS_FUTEX, memory.address() + offset, FUTEX_WAKE, (long) count, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException("futex wake failed", e);
        }
    }
}

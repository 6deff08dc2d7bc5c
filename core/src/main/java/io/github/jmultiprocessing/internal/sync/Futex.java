package io.github.jmultiprocessing.internal.sync;

import io.github.jmultiprocessing.internal.config.Configuration;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.github.jmultiprocessing.internal.shm.LibraryThreads;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Linux futex wait and wake on a 32-bit word of a shared mapping, through {@code syscall(SYS_futex, ...)}.
 *
 * <p>One of the library's two classes that make a restricted FFM call (the other, {@code internal.shm}'s
 * {@code SegmentBacking}, allocates segment files). It is used only where the library's module
 * has native access enabled ({@code --enable-native-access}); the non-private futex operations are used because
 * the word is shared between processes. {@link #AVAILABLE} is false elsewhere, or when the system property
 * {@code jmultiprocessing.futex} is {@code false}, and callers then back off in pure Java. On Linux without native
 * access,
 * the first use logs one warning (logger {@code io.github.jmultiprocessing.internal.sync.Futex}) that says how
 * to enable it.
 */
@SuppressWarnings("restricted") // the one class here that makes a restricted call, by design
public final class Futex {

    private static final long FUTEX_WAIT = 0;
    private static final long FUTEX_WAKE = 1;

    private static final long SYS_FUTEX;

    /**
     * True if futex waits are used in this JVM: Linux on a known architecture, native access enabled, not turned
     * off by {@code jmultiprocessing.futex}. Decided without linking the call, which happens once, on a thread of
     * its own
     * ({@link #linkInBackground}); until it is done, {@link #linked()} is false and waiters back off in pure Java.
     */
    public static final boolean AVAILABLE;

    private static final AtomicBoolean LINKING = new AtomicBoolean();
    private static volatile boolean linked;

    /** A class, not a lambda: a child's first wait would spin the lambda's class (milliseconds, cold). */
    private static final ThreadLocal<MemorySegment> TIMESPEC = new ThreadLocal<>() {
        @Override
        protected MemorySegment initialValue() {
            return Arena.ofAuto().allocate(16, 8);
        }
    };

    static {
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
        boolean wanted = number > 0 && !Configuration.FUTEX.isOff();
        Module module = Futex.class.getModule();
        if (wanted && !module.isNativeAccessEnabled()) {
            System.getLogger(Futex.class.getName()).log(System.Logger.Level.WARNING, "native access is not enabled"
                    + " for " + (module.isNamed() ? "module " + module.getName() : "the class path") + ": waiting"
                    + " processes back off in pure Java (slower wake-ups, some CPU while waiting) instead of sleeping"
                    + " on a futex; start the JVM with --enable-native-access=" + (module.isNamed() ? module.getName()
                    : "ALL-UNNAMED") + " (or the manifest attribute Enable-Native-Access: ALL-UNNAMED of an"
                    + " executable jar), or set " + Configuration.FUTEX.option("false") + " to choose the pure-Java"
                    + " waits quietly");
        }
        SYS_FUTEX = number;
        AVAILABLE = wanted && module.isNativeAccessEnabled();
    }

    /**
     * The linked call. Its initialization is the link: ~40-75 ms in a cold JVM (the linker spins ~30 classes for a
     * downcall, which no AOT cache of JDK 25 keeps), so only {@link #wake} and {@link #prepare} wait for it.
     */
    private static final class Syscall {
        static final MethodHandle HANDLE = link();

        static {
            linked = HANDLE != null;
        }

        private static MethodHandle link() {
            try {
                Linker linker = Linker.nativeLinker();
                Optional<MemorySegment> syscall = linker.defaultLookup().find("syscall");
                if (syscall.isPresent()) {
                    // long syscall(long number, ...): uaddr, op, val, timeout pointer; glibc reads every variadic
                    // argument as a long, so all are passed as longs
                    return linker.downcallHandle(syscall.get(),
                            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                            Linker.Option.firstVariadicArg(1));
                }
                failed(null);
            } catch (RuntimeException | LinkageError e) {
                failed(e);
            }
            return null;
        }

        private static void failed(Throwable e) {
            System.getLogger(Futex.class.getName()).log(System.Logger.Level.WARNING, "the futex call could not be"
                    + " linked: this JVM's waits back off in pure Java, and processes sleeping on a futex that"
                    + " this JVM signals wake up only at the end of their time slices", e);
        }
    }

    private Futex() {
    }

    /**
     * {@return true once the futex call is linked} Never blocks. While false, {@link #await} must not be called:
     * the caller backs off in pure Java instead (and calls {@link #linkInBackground}).
     */
    public static boolean linked() {
        return linked;
    }

    /**
     * Starts linking the futex call on a daemon thread of its own, once per JVM; later calls do nothing. A child
     * JVM starts it as soon as a shared object arrives, so the link runs beside the rest of its start.
     */
    public static void linkInBackground() {
        if (AVAILABLE && !linked && !LINKING.getAndSet(true)) {
            LibraryThreads.start("futex-link", Futex::prepare);
        }
    }

    /**
     * Links the futex call and makes a first wake and a first wait (which returns at once), so that the first real
     * one is not the one to pay for it: a cold JVM spends ~40 ms on the linker's first downcall handle, which an AOT
     * cache does not keep. Blocks until done; {@link #linkInBackground} runs it on a thread of its own.
     */
    public static void prepare() {
        if (AVAILABLE && Syscall.HANDLE != null) {
            MemorySegment word = Arena.ofAuto().allocate(4, 4);
            wake(word, 0, 1);
            await(word, 0, 1, 1); // the word holds 0: returns at once
        }
    }

    /**
     * Sleeps while the word holds {@code expected}, at most {@code timeoutNanos}; returns early on a wake-up, a
     * signal, or at once if the word differs. Callers re-check their condition in every case. Called once
     * {@link #linked()} (or it waits for the link).
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
        MethodHandle handle = Syscall.HANDLE;
        if (handle == null) {
            LockSupport.parkNanos(Math.min(timeoutNanos, 1_000_000L)); // not linkable: a short pure-Java sleep
            return;
        }
        try {
            long ignored = (long) handle.invokeExact(SYS_FUTEX, memory.address() + offset, FUTEX_WAIT,
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
        MethodHandle handle = Syscall.HANDLE; // waits for the link if it is under way (a waker cannot do without)
        if (handle == null) {
            return; // not linkable: logged once; sleepers wake at the end of their slices
        }
        try {
            long ignored = (long) handle.invokeExact(SYS_FUTEX, memory.address() + offset, FUTEX_WAKE, (long) count, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException("futex wake failed", e);
        }
    }
}

package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.Poll;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ProcessPool against CPython's Pool where they differed (issue 13, "Pool"), across real worker JVMs. */
class ProcessPoolParityIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static ProcessPool pool;

    @BeforeAll
    static void startPool() {
        pool = new ProcessPool(2);
    }

    @AfterAll
    static void closePool() {
        if (pool != null) {
            pool.close();
        }
    }

    static int square(int x) {
        return x * x;
    }

    static int failOn(int x) {
        if (x == 13) {
            throw new ArithmeticException("unlucky " + x);
        }
        return x;
    }

    static Object unsendable(int x) {
        return new Object();
    }

    static int refuse(int x) {
        throw new IllegalArgumentException("refused " + x);
    }

    static int sleepThen(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return millis;
    }

    static int sleepFor(long millis, SharedValue started) {
        started.set(ProcessHandle.current().pid());
        return sleepThen((int) millis);
    }

    /** An input that yields 0, 1, 2 and then throws. */
    static Iterable<Integer> failingInput() {
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                if (next == 3) {
                    throw new IllegalStateException("the input broke");
                }
                return next++;
            }
        };
    }

    @Test
    void shouldGiveTheResultsBeforeTheInputsExceptionThenTheExceptionThenTheEnd() {
        for (int chunksize : new int[] {1, 2}) {
            Iterator<Integer> results = pool.imap(ProcessPoolParityIT::square, failingInput(), chunksize);
            assertEquals(0, results.next(), "chunksize " + chunksize);
            assertEquals(1, results.next());
            assertEquals(4, results.next());
            IllegalStateException e = assertThrows(IllegalStateException.class, results::next);
            assertEquals("the input broke", e.getMessage());
            assertFalse(results.hasNext(), "then the end, as CPython's imap");
        }
        Iterator<Integer> unordered = pool.imapUnordered(ProcessPoolParityIT::square, failingInput(), 1);
        Set<Integer> got = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            got.add(unordered.next());
        }
        assertEquals(Set.of(0, 1, 4), got);
        assertThrows(IllegalStateException.class, unordered::next);
        assertFalse(unordered.hasNext());
    }

    @Test
    void shouldDeliverEveryResultOfAStreamMadeBeforeShutdownAlsoWhenJoinedFirst() throws Exception {
        // CPython: it = p.imap(f, xs); p.close(); p.join(); list(it) gives every result
        try (ProcessPool closing = new ProcessPool(2)) {
            List<Integer> input = java.util.stream.IntStream.range(0, 300).boxed().toList();
            Iterator<Integer> ordered = closing.imap(ProcessPoolParityIT::square, input, 1);
            Iterator<Integer> unordered = closing.imapUnordered(ProcessPoolParityIT::square, input, 7);
            Iterator<Integer> mapped = closing.asExecutorService().map(ProcessPoolParityIT::square, input,
                    Duration.ofSeconds(60), 3);
            assertEquals(0, ordered.next(), "one result taken before the shutdown");
            closing.shutdown();
            assertTrue(closing.join(WAIT), "the workers stop once every queued chunk ran");
            List<Integer> expected = input.stream().map(ProcessPoolParityIT::square).toList();
            List<Integer> got = new ArrayList<>(List.of(0));
            ordered.forEachRemaining(got::add);
            assertEquals(expected, got, "imap");
            List<Integer> any = new ArrayList<>();
            unordered.forEachRemaining(any::add);
            assertEquals(new HashSet<>(expected), new HashSet<>(any), "imapUnordered");
            assertEquals(expected.size(), any.size());
            List<Integer> viaExecutor = new ArrayList<>();
            mapped.forEachRemaining(viaExecutor::add);
            assertEquals(expected, viaExecutor, "the executor's map");
        }
    }

    @Test
    void shouldFailAResultThatCannotBeSentWithMaybeEncodingException() throws Exception {
        MaybeEncodingException e = assertThrows(MaybeEncodingException.class, () -> pool.apply(() -> new Object()));
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
        assertInstanceOf(IllegalArgumentException.class, e, "caught where IllegalArgumentException was");
        assertThrows(MaybeEncodingException.class, () -> pool.map(ProcessPoolParityIT::unsendable, List.of(1, 2)));
        ExecutionException async = assertThrows(ExecutionException.class,
                () -> pool.mapAsync(ProcessPoolParityIT::unsendable, List.of(1, 2, 3), 1).get(WAIT));
        assertInstanceOf(MaybeEncodingException.class, async.getCause());

        // a task's own IllegalArgumentException stays itself: the two are told apart
        IllegalArgumentException own = assertThrows(IllegalArgumentException.class, () -> pool.apply(() -> {
            throw new IllegalArgumentException("mine");
        }));
        assertFalse(own instanceof MaybeEncodingException, own.toString());
        assertEquals("mine", own.getMessage());
        IllegalArgumentException mapped = assertThrows(IllegalArgumentException.class,
                () -> pool.map(ProcessPoolParityIT::refuse, List.of(1, 2)));
        assertFalse(mapped instanceof MaybeEncodingException, mapped.toString());
        assertEquals(List.of(1, 4), pool.map(ProcessPoolParityIT::square, List.of(1, 2)), "the workers go on");
    }

    @Test
    void shouldThrowItsOwnTypeWhenBrokenAndNotWhenMerelyShutDown() throws Exception {
        try (ProcessPool broken = new ProcessPool(1, () -> {
            throw new IllegalStateException("no database");
        }, 0, null)) {
            BrokenProcessPoolException e = assertThrows(BrokenProcessPoolException.class,
                    () -> broken.map(ProcessPoolParityIT::square, List.of(1, 2)));
            assertInstanceOf(IllegalStateException.class, e, "caught where IllegalStateException was");
            assertTrue(e.getMessage().contains("no database"), e.getMessage());
            assertThrows(BrokenProcessPoolException.class, () -> broken.apply(() -> 1), "and every later call");
        }
        ProcessPool closed = new ProcessPool(1);
        closed.shutdown();
        IllegalStateException notRunning = assertThrows(IllegalStateException.class, () -> closed.apply(() -> 1));
        assertFalse(notRunning instanceof BrokenProcessPoolException, notRunning.toString());
        closed.join();
    }

    /** The caller's frames as the exception's own, the worker's once, in its RemoteTraceback cause. */
    private static void assertCallersFramesAndWorkersOnce(Throwable e, String callerMethod) {
        List<StackTraceElement> frames = Arrays.asList(e.getStackTrace());
        String head = frames.subList(0, Math.min(8, frames.size())).toString();
        // the pool's frame where the caller waited: ProcessPool's, or its machinery's (an imap iterator's next)
        assertTrue(frames.stream().anyMatch(f -> (f.getClassName().startsWith(ProcessPool.class.getName())
                || f.getClassName().startsWith(ProcessPool.class.getPackageName() + ".internal.pool."))
                && f.getMethodName().equals(callerMethod)), "where the caller waited (" + callerMethod + "): " + head);
        assertTrue(frames.stream().anyMatch(f -> f.getClassName().equals(ProcessPoolParityIT.class.getName())),
                "the caller's own frames: " + head);
        assertTrue(frames.stream().noneMatch(f -> f.getMethodName().equals("failOn")), "no worker frame: " + head);
        assertInstanceOf(RemoteTraceback.class, e.getCause(), "the worker's trace as cause");
        assertTrue(e.getCause().getMessage().contains("failOn"), e.getCause().getMessage());
        StringWriter printed = new StringWriter();
        e.printStackTrace(new PrintWriter(printed));
        Matcher worker = Pattern.compile("\\.failOn\\(").matcher(printed.toString());
        int count = 0;
        while (worker.find()) {
            count++;
        }
        assertEquals(1, count, "the worker's frames printed once:\n" + printed);
    }

    @Test
    void shouldThrowATasksExceptionWithTheCallersFramesAndTheWorkersAsItsCause() throws Exception {
        assertCallersFramesAndWorkersOnce(assertThrows(ArithmeticException.class,
                () -> pool.apply(() -> failOn(13))), "apply");
        assertCallersFramesAndWorkersOnce(assertThrows(ArithmeticException.class,
                () -> pool.map(ProcessPoolParityIT::failOn, List.of(12, 13), 1)), "map");
        Iterator<Integer> results = pool.imap(ProcessPoolParityIT::failOn, List.of(13));
        assertCallersFramesAndWorkersOnce(assertThrows(ArithmeticException.class, results::next), "next");

        // through a Future: the ExecutionException has the caller's frames, its cause the worker's once
        ExecutionException wrapped = assertThrows(ExecutionException.class,
                () -> pool.applyAsync(() -> failOn(13)).get(WAIT));
        Throwable task = wrapped.getCause();
        assertInstanceOf(ArithmeticException.class, task);
        assertTrue(Arrays.stream(task.getStackTrace()).noneMatch(f -> f.getMethodName().equals("failOn")),
                Arrays.toString(task.getStackTrace()));
        assertInstanceOf(RemoteTraceback.class, task.getCause());
        assertTrue(task.getCause().getMessage().contains("failOn"), task.getCause().getMessage());
    }

    /** An exception that takes no cause later (its cause was given, null) and no suppressed ones. */
    static final class Unattachable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unattachable(String message) {
            super(message, null, false, true);
        }
    }

    static int throwUnattachable() {
        throw new Unattachable("no room for a RemoteTraceback");
    }

    /**
     * A task's exception to which no RemoteTraceback can be attached keeps the worker's frames as its own, rather
     * than arriving with no frames at all.
     */
    @Test
    void shouldKeepTheWorkersFramesOfAnExceptionThatTakesNoRemoteTraceback() throws Exception {
        Unattachable e = assertThrows(Unattachable.class, () -> pool.apply(ProcessPoolParityIT::throwUnattachable));
        assertEquals("no room for a RemoteTraceback", e.getMessage());
        assertTrue(Arrays.stream(e.getStackTrace()).anyMatch(f -> f.getMethodName().equals("throwUnattachable")),
                "the worker's frames: " + Arrays.toString(e.getStackTrace()));
        ExecutionException wrapped = assertThrows(ExecutionException.class,
                () -> pool.applyAsync(ProcessPoolParityIT::throwUnattachable).get(WAIT));
        assertTrue(Arrays.stream(wrapped.getCause().getStackTrace())
                .anyMatch(f -> f.getMethodName().equals("throwUnattachable")), "through a Future too");
    }

    /** An item whose encoding, done by a sender thread of the pool, takes a while: the sender holds its task. */
    static final class SlowToSend implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        static final java.util.concurrent.CountDownLatch SENDING = new java.util.concurrent.CountDownLatch(1);

        @java.io.Serial
        private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
            SENDING.countDown();
            long until = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() - until < 0) { // not cut short by an interrupt
                Thread.onSpinWait();
            }
            out.defaultWriteObject();
        }
    }

    /**
     * terminate() cancels every outstanding call by the time it returns, also one whose task a sender thread had
     * taken from the queue and was encoding (in neither the queue nor a worker's tasks in flight).
     */
    @Test
    void shouldCancelACallWhoseTaskASenderHoldsByTheTimeTerminateReturns() throws Exception {
        ProcessPool own = new ProcessPool(1);
        try {
            AsyncResult<List<Object>> call = own.mapAsync(x -> x, List.of(new SlowToSend(), 1), 1);
            assertTrue(SlowToSend.SENDING.await(60, java.util.concurrent.TimeUnit.SECONDS), "a sender encodes it");
            own.terminate();
            assertTrue(call.isDone(), "done when terminate returns");
            assertThrows(CancellationException.class, () -> call.get(Duration.ZERO));
        } finally {
            own.terminate();
            own.join();
        }
    }

    @Test
    void shouldWaitForTheNextResultWithATimeoutAndTakeCallsWithoutAChunkSize() throws Exception {
        IMapIterator<Integer> slow = pool.imap(ProcessPoolParityIT::sleepThen, List.of(2000));
        long start = System.nanoTime();
        assertThrows(TimeoutException.class, () -> slow.next(Duration.ofMillis(50)));
        assertTrue(System.nanoTime() - start < 1_800_000_000L, "gave up at the timeout, not at the result");
        assertEquals(2000, slow.next(WAIT), "the result is there for the next call");
        assertFalse(slow.hasNext());
        assertThrows(NoSuchElementException.class, () -> slow.next(Duration.ZERO));

        List<Integer> unordered = new ArrayList<>();
        pool.imapUnordered(ProcessPoolParityIT::square, List.of(1, 2, 3)).forEachRemaining(unordered::add);
        assertEquals(Set.of(1, 4, 9), new HashSet<>(unordered));
        assertEquals(List.of(1, 4), pool.mapAsync(ProcessPoolParityIT::square, List.of(1, 2)).get(WAIT));
        List<Object[]> tuples = List.of(new Object[] {2, 3}, new Object[] {3, 2});
        assertEquals(List.of(8, 9), pool.starmap(args -> (int) Math.pow((int) args[0], (int) args[1]), tuples));
        assertEquals(List.of(8, 9), pool.starmapAsync(args -> (int) Math.pow((int) args[0], (int) args[1]), tuples)
                .get(WAIT));
    }

    @Test
    void shouldCancelACallNoWorkerHasSoThatItNeverRuns() throws Exception {
        try (ProcessPool one = new ProcessPool(1)) {
            SharedValue started = SharedValue.of('q', 0L);
            SharedValue ran = SharedValue.of('i', 0);
            // a fresh worker holds two tasks: the one it runs, and the next in its pipe; the third waits in the pool
            AsyncResult<Integer> running = one.applyAsync(() -> sleepFor(1000, started));
            AsyncResult<Integer> held = one.applyAsync(() -> 2);
            AsyncResult<Object> queued = one.applyAsync(() -> ran.incrementAndGet());
            Poll.until("the first task to start", WAIT, () -> ((Number) started.get()).longValue() != 0);
            assertTrue(queued.cancel(true), "withdrawn from the pool's queue");
            assertTrue(queued.isCancelled());
            assertTrue(queued.ready());
            assertThrows(CancellationException.class, () -> queued.get(WAIT));
            assertFalse(queued.cancel(true), "once");
            assertFalse(held.cancel(true), "the worker has it: it counts as running");
            assertFalse(running.cancel(true));
            assertEquals(1000, running.get(WAIT));
            assertEquals(2, held.get(WAIT));
            assertEquals(0, one.apply(() -> ran.getInt()), "the cancelled call never ran (it was ahead of this one)");
        }
    }
}

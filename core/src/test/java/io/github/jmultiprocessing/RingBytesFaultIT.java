package io.github.jmultiprocessing;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.github.jmultiprocessing.internal.codec.MessageCodec;
import io.github.jmultiprocessing.internal.config.Configuration;
import io.github.jmultiprocessing.internal.connection.PipeLayout;
import io.github.jmultiprocessing.internal.queue.QueueLayout;
import io.github.jmultiprocessing.internal.ring.CorruptRingException;
import io.github.jmultiprocessing.internal.shm.MappedSegment;
import io.github.jmultiprocessing.internal.shm.SegmentTable;
import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import io.github.jmultiprocessing.testing.FaultTally.Count;
import io.github.jmultiprocessing.testing.FaultTally;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Fault suite (issue 14), hostile bytes: another process (a child JVM mapping the same segment file) writes random
 * bytes into a queue's or a pipe's ring while a producer and a consumer (child JVMs) run. Three scenarios, each a pair
 * of rows, checksum on ({@link MessageChecksum#CRC32C}) and off ({@link MessageChecksum#NONE}), trials alternating:
 * <ul>
 * <li>a queue's ring header words (positions, wait words, the record header at the head) set to plausible values
 *     ("subtle"),
 * <li>random bytes in a queue's payload (the records between the consumer's head and the producer's tail),
 * <li>a pipe's payload or ring header, half each; every eighth message is 40 KB, so in pieces.
 * </ul>
 * Every message carries its own test check: its sequence number, and bytes that follow from it, compared whole by the
 * consumer; a message that differs is GARBAGE. A producer or consumer inside one put, get, send or receive for longer
 * than {@link #HANG_BOUND} with no message and no exception is a HANG (the trial is cut short, its children killed and
 * started again). A trial ends when both have ended with an exception (the queue or pipe found corrupt and broken
 * for both: the recovery is the time from the write to the later of the two exceptions), or when both are still
 * moving messages {@link #WINDOW} after the write (the write did no harm that shows, or only cost messages that failed
 * their checksum). Allowances: checksum off, GARBAGE is counted and not bounded (README's threat model: without a
 * checksum, bytes changed in a payload may be delivered as they are); everything else is 0 in both rows.
 *
 * <p>The three children (producer, consumer, writer of bytes) live for a whole scenario, driven by one-line commands on
 * stdin, with their own working directory (for {@code hs_err} files) and {@code -Djmultiprocessing.shm.dir}; leaks are
 * the files left in that directory once both ends closed the trial's queue or pipe.
 */
class RingBytesFaultIT {

    private static final int TRIALS = Integer.getInteger("jmultiprocessing.faults.trials", 20);
    private static final long SEED = Long.getLong("jmultiprocessing.faults.seed", System.nanoTime());
    private static final Duration HANG_BOUND = Duration.ofSeconds(5);
    private static final Duration WINDOW = Duration.ofMillis(300);
    private static final Duration REPLY = Duration.ofSeconds(20); // a command's answer (a JVM on a busy machine)
    private static final int MAXSIZE = 16; // a bounded queue: a producer ahead of a stalled consumer waits
    private static final long RING_DATA = 640; // SpscRing's data area within a ring
    private static final long RING_CAPACITY = 516; // SpscRing's capacity word

    @Test
    void shouldNeverHangOrDeliverGarbageWithAChecksumWhenAQueuesRingHeaderIsOverwritten() throws Exception {
        scenario("queue", "header", "random bytes in a queue's ring header (subtle: plausible positions, wait words,"
                + " record header)", 1);
    }

    @Test
    void shouldNeverHangOrDeliverGarbageWithAChecksumWhenAQueuesPayloadIsOverwritten() throws Exception {
        scenario("queue", "payload", "random bytes in a queue's payload", 2);
    }

    @Test
    void shouldNeverHangOrDeliverGarbageWithAChecksumWhenAPipesPayloadOrHeaderIsOverwritten() throws Exception {
        scenario("pipe", "mixed", "random bytes in a pipe's payload or ring header", 3);
    }

    // ---- the orchestrator (this JVM)

    private static void scenario(String kind, String mode, String name, long salt) throws Exception {
        long seed = SEED ^ salt;
        Random random = new Random(seed);
        FaultTally on = new FaultTally(name + ", checksum on");
        FaultTally off = new FaultTally(name + ", checksum off");
        Path work = Files.createDirectories(Path.of("target", "ring-faults"))
                .resolve(kind + "-" + mode + "-" + System.nanoTime());
        Path shm = Files.createDirectories(work.resolve("shm"));
        List<Long> pids = new ArrayList<>();
        Trio trio = new Trio(work, shm, pids);
        Outcomes onOutcomes = new Outcomes();
        Outcomes offOutcomes = new Outcomes();
        long start = System.nanoTime();
        try {
            for (int trial = 0; trial < 2 * TRIALS; trial++) {
                boolean checksum = trial % 2 == 0;
                FaultTally tally = checksum ? on : off;
                tally.trial();
                String where = "seed=" + SEED + " trial=" + trial + " checksum=" + checksum;
                try {
                    trial(trio, kind, mode, checksum, random.nextLong(), tally, where, checksum ? onOutcomes
                            : offOutcomes);
                } catch (IOException | RuntimeException | AssertionError e) {
                    tally.add(Count.FAILURES, 1, where + ": " + e);
                    trio.restart();
                }
                // The children's own ledgers (one file per live process of the library) stay until they exit.
                List<String> left = FaultTally.files(shm).stream().filter(f -> !f.startsWith("jmp-ledger-")).toList();
                if (!left.isEmpty()) {
                    tally.add(Count.LEAKED_SEGMENTS, left.size(), where + ": " + left);
                    clean(shm);
                }
            }
        } finally {
            List<Long> started = List.copyOf(pids);
            trio.exit();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (FaultTally.alive(started) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            long orphans = FaultTally.alive(started);
            on.add(Count.ORPHANS, orphans, "children alive 5 s after the scenario: seed=" + SEED);
            started.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            List<String> left = FaultTally.files(shm);
            on.add(Count.LEAKED_SEGMENTS, left.size(), "files left once every child exited: " + left + ", seed="
                    + SEED);
            long crashes = FaultTally.crashFiles(work, started);
            on.add(Count.CRASHES, crashes, "hs_err files in " + work + ": seed=" + SEED);
            System.out.printf("%s: %d trials in %d ms, seed=%d; checksum on: %s; off: %s%n", name, 2 * TRIALS,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), SEED, onOutcomes, offOutcomes);
        }
        on.report();
        off.report();
        if (on.get(Count.CRASHES) == 0 && on.get(Count.FAILURES) == 0 && off.get(Count.FAILURES) == 0) {
            deleteTree(work);
        }
        // With the checksum on, nothing changed is delivered: the consumer checks and decodes one private copy.
        on.assertWithin(Map.of());
        // Documented allowance: without a checksum, bytes changed in a payload (or a plausible header) may be
        // delivered as they are (README, "Integrity of messages in shared memory").
        off.assertWithin(Map.of(Count.GARBAGE, Long.MAX_VALUE));
    }

    /** What the trials of one row came to, for the scenario's line in the test output. */
    private static final class Outcomes {
        final java.util.Map<String, Integer> counts = new java.util.TreeMap<>();

        void add(String outcome) {
            counts.merge(outcome, 1, Integer::sum);
        }

        @Override
        public String toString() {
            return counts.toString();
        }
    }

    private static void trial(Trio trio, String kind, String mode, boolean checksum, long seed, FaultTally tally,
            String where, Outcomes outcomes) throws Exception {
        String option = checksum ? "CRC32C" : "NONE";
        String[] made = trio.producer.ask(kind + " " + option, "made").split(" ");
        String handle = made[1];
        String segment = made[2];
        long base = Long.parseLong(made[3]);
        trio.consumer.ask("attach " + handle, "attached");
        trio.producer.ask("release", "released");
        trio.producer.ask("start " + seed, "started");
        trio.consumer.ask("start " + seed, "started");
        Random random = new Random(seed);
        Thread.sleep(20 + random.nextInt(120)); // the write lands at a random moment of the stream
        String[] done = trio.writer.ask("corrupt " + segment + " " + base + " " + mode + " " + seed, "done")
                .split(" ", 3);
        tally.injected(1);
        long wroteAt = Long.parseLong(done[1]);
        String wrote = done[2];
        long injected = System.nanoTime();
        Status producer;
        Status consumer;
        long lastP = -1;
        long lastC = -1;
        long movingSince = System.nanoTime();
        while (true) {
            producer = trio.producer.status();
            consumer = trio.consumer.status();
            if (producer.ended() && consumer.ended()) {
                break;
            }
            long now = System.nanoTime();
            if (producer.count() == lastP || consumer.count() == lastC) {
                movingSince = now;
            }
            lastP = producer.count();
            lastC = consumer.count();
            if (!producer.ended() && !consumer.ended() && now - injected > WINDOW.toNanos()
                    && now - movingSince > WINDOW.toNanos() / 3) {
                break; // both still move messages: nothing that shows broke
            }
            if (producer.opMillis() > HANG_BOUND.toMillis() || consumer.opMillis() > HANG_BOUND.toMillis()
                    || now - injected > 3 * HANG_BOUND.toNanos()) {
                tally.add(Count.HANGS, 1, where + ": after " + wrote + ": producer " + producer + ", consumer "
                        + consumer);
                outcomes.add("hang");
                trio.restart();
                clean(trio.shm);
                return;
            }
            Thread.sleep(10);
        }
        if (producer.ended() && consumer.ended()) {
            tally.recovery(Duration.ofMillis(Math.max(0, Math.max(producer.endedAt(), consumer.endedAt()) - wroteAt)));
        }
        for (Status s : List.of(producer, consumer)) {
            if (s.ended() && !s.broken()) {
                tally.add(Count.FAILURES, 1, where + ": after " + wrote + ": ended with " + s.how()
                        + " (expected the queue or pipe broken: CorruptRingException)");
            }
        }
        String stopped = trio.producer.ask("stop", "stopped");
        if (stopped.startsWith("stopped stuck")) {
            tally.add(Count.HANGS, 1, where + ": after " + wrote + ": the producer did not stop: " + stopped);
            trio.restart();
            clean(trio.shm);
            return;
        }
        String[] report = trio.consumer.ask("stop", "stopped").split(" ", 5);
        if (report[1].equals("stuck")) {
            tally.add(Count.HANGS, 1, where + ": after " + wrote + ": the consumer did not stop: "
                    + String.join(" ", report));
            trio.restart();
            clean(trio.shm);
            return;
        }
        long garbage = Long.parseLong(report[2]);
        tally.add(Count.GARBAGE, garbage, where + ": after " + wrote + ": " + report[4]);
        long odd = Long.parseLong(report[3]);
        long dropped = Long.parseLong(report[4].substring("dropped ".length(), report[4].indexOf(',')));
        String outcome = producer.broken() && consumer.broken() ? "broken" : garbage > 0 ? "garbage delivered"
                : dropped > 0 ? "messages dropped, told" : odd > 0 ? "other exception" : "no effect seen";
        outcomes.add(outcome);
        if (Boolean.getBoolean("jmultiprocessing.faults.verbose")) {
            System.out.println(where + ": " + wrote + " -> " + outcome + " (" + report[4] + ")");
        }
        if (checksum) { // no changed byte reaches the decoder: any other exception is a fault of the library
            tally.add(Count.FAILURES, odd, where + ": after " + wrote + ": " + report[4]);
        }
        trio.producer.ask("close", "closed");
        trio.consumer.ask("close", "closed");
    }

    /** What a child's worker reports: messages moved, how long the current operation has run, how it ended. */
    private record Status(long count, long opMillis, String how, long endedAt) {

        static Status parse(String line) { // @status count opMillis endedAt how...
            String[] parts = line.split(" ", 5);
            return new Status(Long.parseLong(parts[1]), Long.parseLong(parts[2]), parts[4], Long.parseLong(parts[3]));
        }

        boolean ended() {
            return !how.equals("running");
        }

        boolean broken() {
            return how.startsWith("broken");
        }
    }

    /** The three children of a scenario, started again after a hang. */
    private static final class Trio {

        final Path work;
        final Path shm;
        final List<Long> pids;
        Child producer;
        Child consumer;
        Child writer;

        Trio(Path work, Path shm, List<Long> pids) throws IOException {
            this.work = work;
            this.shm = shm;
            this.pids = pids;
            start();
        }

        private void start() throws IOException {
            producer = new Child("producer", work, shm, pids);
            consumer = new Child("consumer", work, shm, pids);
            writer = new Child("writer", work, shm, pids);
        }

        void restart() throws IOException, InterruptedException {
            for (Child child : List.of(producer, consumer, writer)) {
                child.kill();
            }
            start();
        }

        void exit() throws InterruptedException {
            for (Child child : List.of(producer, consumer, writer)) {
                child.exit();
            }
        }
    }

    /** A child JVM driven by one-line commands; it answers each with one line starting with {@code @}. */
    private static final class Child {

        private final String role;
        private final Process process;
        private final Writer commands;
        private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();

        Child(String role, Path work, Path shm, List<Long> pids) throws IOException {
            this.role = role;
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx96m",
                    "-D" + Configuration.SHM_DIR.property() + "=" + shm.toAbsolutePath(),
                    "-cp", System.getProperty("java.class.path"), Subject.class.getName(), role);
            process = new ProcessBuilder(command).directory(work.toFile())
                    .redirectError(work.resolve(role + "-" + System.nanoTime() + ".err").toFile()).start();
            pids.add(process.pid());
            commands = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.startsWith("@")) {
                            replies.add(line.substring(1));
                        }
                    }
                } catch (IOException e) {
                    // the child is gone
                }
            }, "ring-fault-" + role);
            reader.setDaemon(true);
            reader.start();
        }

        String ask(String command, String expected) throws IOException, InterruptedException {
            commands.write(command + "\n");
            commands.flush();
            String reply = replies.poll(REPLY.toMillis(), TimeUnit.MILLISECONDS);
            if (reply == null || !reply.startsWith(expected)) {
                throw new IOException(role + " answered " + reply + " to " + command.split(" ")[0] + " (expected "
                        + expected + ", alive=" + process.isAlive() + ")");
            }
            return reply;
        }

        Status status() throws IOException, InterruptedException {
            return Status.parse(ask("status", "status"));
        }

        void kill() throws InterruptedException {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        void exit() throws InterruptedException {
            try {
                commands.write("exit\n");
                commands.close();
            } catch (IOException e) {
                // gone already
            }
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    private static void clean(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    // ---- the children

    /** The messages of a trial: a sequence number, a length, and bytes that follow from both and the trial's seed. */
    static byte[] message(long seed, long seq, boolean pipe) {
        Random random = new Random(seed * 1_000_003L + seq);
        int body = pipe && seq % 8 == 7 ? 40_000 + random.nextInt(1_000) : 16 + random.nextInt(240);
        byte[] bytes = new byte[12 + body];
        byte[] tail = new byte[body];
        random.nextBytes(tail);
        ByteBuffer.wrap(bytes).putLong(seq).putInt(body).put(tail);
        return bytes;
    }

    /** {@return null if the message is one that was sent, else what is wrong with it} */
    static String check(long seed, byte[] got, boolean pipe) {
        if (got.length < 12) {
            return "length=" + got.length;
        }
        long seq = ByteBuffer.wrap(got).getLong();
        if (seq < 0 || seq > 1L << 40) {
            return "seq=" + seq;
        }
        return Arrays.equals(got, message(seed, seq, pipe)) ? null : "message " + seq + " with other bytes";
    }

    /** The child: a producer, a consumer or a writer of bytes, by its argument. */
    public static final class Subject {

        private static final PrintStream OUT = System.out;

        private static Object queueOrPipe; // the producer's SharedQueue or Pipe, the consumer's SharedQueue or Connection
        private static Thread worker;
        private static volatile boolean stop;
        private static volatile long count;
        private static volatile long opStart; // 0 between operations
        private static volatile String how = "running";
        private static volatile long endedAt;
        private static volatile long garbage;
        private static volatile long dropped;
        private static volatile long odd; // runtime exceptions from a get or receive, other than a break
        private static volatile String firstGarbage = "-";
        private static volatile String firstOdd = "-";

        private Subject() {
        }

        public static void main(String[] args) throws Exception {
            String role = args[0];
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                String[] words = line.split(" ");
                try {
                    switch (words[0]) {
                        case "queue", "pipe" -> make(words[0], MessageChecksum.valueOf(words[1]));
                        case "attach" -> {
                            queueOrPipe = MessageCodec.decode(Base64.getDecoder().decode(words[1]), 0,
                                    Base64.getDecoder().decode(words[1]).length);
                            reply("attached");
                        }
                        case "release" -> {
                            if (queueOrPipe instanceof Pipe pipe) {
                                pipe.left().close(); // the consumer holds the receiving end now
                            }
                            reply("released");
                        }
                        case "start" -> start(role, Long.parseLong(words[1]));
                        case "status" -> {
                            long since = opStart; // read once: the worker clears it between operations
                            reply("status " + count + " " + (since == 0 ? -1
                                    : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since)) + " " + endedAt + " "
                                    + how);
                        }
                        case "stop" -> stopWorker();
                        case "close" -> {
                            closeAll();
                            reply("closed");
                        }
                        case "corrupt" -> reply("done " + corrupt(words[1], Long.parseLong(words[2]), words[3],
                                Long.parseLong(words[4])));
                        case "exit" -> {
                            return;
                        }
                        default -> reply("unknown " + line);
                    }
                } catch (Exception | Error e) {
                    reply("error " + e.toString().replace('\n', ' '));
                }
            }
        }

        private static void reply(String line) {
            OUT.println("@" + line);
            OUT.flush();
        }

        private static void make(String kind, MessageChecksum checksum) {
            Object handle;
            String segment;
            long base;
            if (kind.equals("queue")) {
                SharedQueue<Object> queue = new SharedQueue<>(MAXSIZE, checksum);
                queueOrPipe = queue;
                handle = queue;
                segment = queue.channel().name() + ".0";
                base = QueueLayout.RING;
            } else {
                Pipe pipe = Pipe.open(false, checksum);
                queueOrPipe = pipe;
                handle = pipe.left();
                segment = pipe.left().segmentName();
                base = PipeLayout.RINGS;
            }
            reply("made " + Base64.getEncoder().encodeToString(MessageCodec.encode(handle)) + " " + segment + " "
                    + base);
        }

        private static void start(String role, long seed) {
            stop = false;
            count = 0;
            opStart = 0;
            how = "running";
            endedAt = 0;
            garbage = 0;
            dropped = 0;
            odd = 0;
            firstGarbage = "-";
            Object target = queueOrPipe;
            worker = new Thread(() -> {
                try {
                    if (role.equals("producer")) {
                        produce(target, seed);
                    } else {
                        consume(target, seed);
                    }
                    how = "stopped";
                } catch (InterruptedException e) {
                    how = "running"; // stopped while waiting: not an end of its own
                } catch (Throwable e) {
                    how = (isBroken(e) ? "broken " : "failed ") + e.toString().replace('\n', ' ');
                    endedAt = System.currentTimeMillis();
                } finally {
                    opStart = 0;
                }
            }, role);
            worker.start();
            reply("started");
        }

        private static boolean isBroken(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof CorruptRingException) {
                    return true;
                }
            }
            return false;
        }

        private static void produce(Object target, long seed) throws Exception {
            boolean pipe = target instanceof Pipe;
            @SuppressWarnings("unchecked")
            SharedQueue<Object> queue = pipe ? null : (SharedQueue<Object>) target;
            Connection out = pipe ? ((Pipe) target).right() : null;
            for (long seq = 0; !stop; seq++) {
                byte[] message = message(seed, seq, pipe);
                opStart = System.nanoTime();
                if (pipe) {
                    out.sendBytes(message);
                } else {
                    queue.put(message);
                }
                opStart = 0;
                count = seq + 1;
                LockSupport.parkNanos(100_000); // a steady stream, not a busy core
            }
        }

        private static void consume(Object target, long seed) throws Exception {
            boolean pipe = target instanceof Connection;
            @SuppressWarnings("unchecked")
            SharedQueue<Object> queue = pipe ? null : (SharedQueue<Object>) target;
            Connection in = pipe ? (Connection) target : null;
            while (!stop) {
                Object got;
                opStart = System.nanoTime();
                try {
                    got = pipe ? in.recvBytes() : queue.get();
                } catch (UncheckedIOException | IOException e) {
                    if (isBroken(e) || e instanceof EOFException) {
                        throw e;
                    }
                    dropped++; // a message that failed its checksum, or that does not decode: told, not delivered
                    continue;
                } catch (RuntimeException e) {
                    if (isBroken(e)) {
                        throw e;
                    }
                    if (odd++ == 0) {
                        firstOdd = e.toString().replace('\n', ' ');
                    }
                    continue;
                } finally {
                    opStart = 0;
                }
                String wrong = got instanceof byte[] bytes ? check(seed, bytes, pipe)
                        : "a " + (got == null ? null : got.getClass().getName()) + " (expected a byte[])";
                if (wrong != null) {
                    if (garbage++ == 0) {
                        firstGarbage = wrong;
                    }
                }
                count++;
                LockSupport.parkNanos(150_000); // slower than the producer: the queue or pipe stays full of records
            }
        }

        private static void stopWorker() throws InterruptedException {
            Thread thread = worker;
            stop = true;
            if (thread != null) {
                thread.interrupt(); // ends a wait on an empty or full queue that nothing will end now
                thread.join(HANG_BOUND.toMillis());
                if (thread.isAlive()) {
                    reply("stopped stuck in " + Arrays.toString(thread.getStackTrace()).replace('\n', ' '));
                    return;
                }
            }
            reply("stopped " + count + " " + garbage + " " + odd + " dropped " + dropped + ", " + how + "; first garbage: "
                    + firstGarbage + "; first other exception: " + firstOdd);
        }

        private static void closeAll() throws Exception {
            Object target = queueOrPipe;
            queueOrPipe = null;
            worker = null;
            switch (target) {
                case SharedQueue<?> queue -> queue.close();
                case Pipe pipe -> {
                    pipe.left().close();
                    pipe.right().close();
                }
                case Connection connection -> connection.close();
                case null, default -> {
                }
            }
        }

        /** Writes random bytes into a ring at {@code base} of a segment; {@return when, and what} */
        private static String corrupt(String segment, long base, String mode, long seed) throws Exception {
            Random random = new Random(seed ^ 0x5DEECE66DL);
            MappedSegment mapped = SegmentTable.attach(segment);
            try {
                MemorySegment ring = mapped.segment();
                int capacity = ring.get(JAVA_INT, base + RING_CAPACITY);
                String what = switch (mode) {
                    case "header" -> header(ring, base, capacity, random);
                    case "payload" -> payload(ring, base, capacity, random);
                    default -> random.nextBoolean() ? header(ring, base, capacity, random)
                            : payload(ring, base, capacity, random);
                };
                return System.currentTimeMillis() + " " + what;
            } finally {
                SegmentTable.release(mapped);
            }
        }

        /** A plausible value in a ring header word, or a plausible record header at the head. */
        private static String header(MemorySegment ring, long base, int capacity, Random random) {
            int step = (1 + random.nextInt(16)) * (random.nextBoolean() ? 1 : -1);
            switch (random.nextInt(3)) {
                case 0 -> { // a position: tail, link position, cached head, head, remaining, consuming
                    long[] words = {0, 8, 16, 128, 136, 144};
                    long word = base + words[random.nextInt(words.length)];
                    long value = ring.get(JAVA_LONG, word) + 8L * step;
                    ring.set(JAVA_LONG, word, value);
                    return "position word at " + (word - base) + " = " + value;
                }
                case 1 -> { // a wait word: data seq, data waiters, space seq, space waiters
                    long[] words = {256, 260, 384, 388};
                    long word = base + words[random.nextInt(words.length)];
                    int value = ring.get(JAVA_INT, word) + step;
                    ring.set(JAVA_INT, word, value);
                    return "wait word at " + (word - base) + " = " + value;
                }
                default -> { // the record header at the head: a plausible length and kind
                    long head = ring.get(JAVA_LONG, base + 128);
                    long at = base + RING_DATA + (head & (capacity - 1) & ~7L);
                    int length = random.nextInt(300);
                    int kind = 1 + random.nextInt(6);
                    ring.set(JAVA_INT, at, length);
                    ring.set(JAVA_INT, at + 4, kind);
                    return "record header at the head " + head + " = length " + length + " kind " + kind;
                }
            }
        }

        /** 1 to 8 random bytes somewhere between the head and the tail (the records not read yet). */
        private static String payload(MemorySegment ring, long base, int capacity, Random random)
                throws InterruptedException {
            long head = 0;
            long tail = 0;
            for (int attempt = 0; attempt < 50; attempt++) { // the consumer keeps up: catch a moment with records
                head = ring.get(JAVA_LONG, base + 128);
                tail = ring.get(JAVA_LONG, base);
                if (tail - head > 16 && tail - head <= capacity) {
                    break;
                }
                Thread.sleep(1);
            }
            long used = tail - head > 16 && tail - head <= capacity ? tail - head : 64;
            long at = head + 8 + (long) (random.nextDouble() * (used - 8));
            int n = 1 + random.nextInt(8);
            for (int i = 0; i < n; i++) {
                long offset = base + RING_DATA + ((at + i) & (capacity - 1));
                ring.set(JAVA_BYTE, offset, (byte) (ring.get(JAVA_BYTE, offset) ^ (1 + random.nextInt(255))));
            }
            return n + " bytes at " + at + " (head " + head + ", tail " + tail + ")";
        }

        static {
            System.setOut(new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true));
        }
    }
}

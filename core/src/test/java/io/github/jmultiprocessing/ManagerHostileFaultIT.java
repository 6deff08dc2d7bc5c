package io.github.jmultiprocessing;

import io.github.jmultiprocessing.internal.manager.ManagerFrames;
import io.github.jmultiprocessing.testing.FaultTally;
import io.github.jmultiprocessing.testing.FaultTally.Count;
import io.github.jmultiprocessing.testing.HostilePeers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault suite, issue 14's manager row: a manager's server JVM (TCP on loopback) takes, per trial, 70 silent peers
 * (more than the old handshake limit of 64, which turned clients away) and two of every other hostile kind (half
 * lengths, 1 GiB lengths, random frames, wrong keys, half-written answers, closes and resets mid-handshake, and
 * serialized objects sent before authentication), while a good client opens a new connection at a random moment
 * and makes two calls. A good client refused, or served after more than 1 s, is a FAILURE (the longest is the row's
 * recovery). The serialized objects are {@link Marker}s, whose {@code readObject} creates a file: one seen after
 * any trial is a FAILURE (something was deserialized before authentication); at the end the same object sent by an
 * authenticated client must create its file, which shows the check can see the server deserialize. The server
 * shares this JVM's segment directory (a per-trial directory for it alone would hide its bootstrap pipe), so leaks
 * are the files there named after its pid.
 */
class ManagerHostileFaultIT {

    private static final byte[] KEY = "fault suite manager key".getBytes(StandardCharsets.UTF_8);
    private static final int SILENT = 70;
    private static final long GOOD_CLIENT_MILLIS = 1_000;
    private static final long HANG_MILLIS = 15_000;

    /** Creates the file it names when it is deserialized: evidence that a server read it. */
    public static final class Marker implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String path;

        Marker(Path path) {
            this.path = path.toString();
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            Files.write(Path.of(path), new byte[0]); // the side effect a hostile class would have
        }
    }

    private static byte[] serialized(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    @Test
    void shouldServeAGoodClientWithinASecondAndDeserializeNothingBeforeAuthentication(@TempDir Path markers)
            throws Exception {
        int trials = Integer.getInteger("jmultiprocessing.faults.trials", 20);
        long seed = Long.getLong("jmultiprocessing.faults.seed", System.nanoTime());
        Random random = new Random(seed);
        FaultTally tally = new FaultTally("manager under 70 silent and other hostile peers (seed " + seed + ")");
        long t0 = System.nanoTime();
        List<HostilePeers.Kind> others = new ArrayList<>(List.of(HostilePeers.Kind.values()));
        others.remove(HostilePeers.Kind.SILENT);
        long[] serverPid = {0};
        long connections = 0;
        Manager manager = new Manager(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), KEY);
        try {
            manager.start();
            serverPid[0] = manager.pid().orElseThrow();
            SocketAddress address = manager.address();
            Map<String, Integer> dict = manager.dict();
            dict.put("before", 1);
            for (int trial = 0; trial < trials; trial++) {
                tally.trial();
                Path marker = markers.resolve("pre-auth-" + trial);
                byte[] request = ManagerFrames.request(ManagerFrames.CALL, 1, "put",
                        new Object[] {"k", new Marker(marker)});
                byte[] raw = serialized(new Marker(marker));
                try (HostilePeers hostile = new HostilePeers(address, random, request, raw)) {
                    for (int i = 0; i < SILENT; i++) {
                        hostile.open(HostilePeers.Kind.SILENT);
                    }
                    List<HostilePeers.Kind> burst = new ArrayList<>(others);
                    burst.addAll(others);
                    Collections.shuffle(burst, random);
                    FutureTask<Void> hostileBurst = new FutureTask<>(() -> {
                        for (HostilePeers.Kind kind : burst) {
                            hostile.open(kind);
                        }
                        return null;
                    });
                    Thread.ofPlatform().daemon().start(hostileBurst);
                    Thread.sleep(random.nextInt(20)); // the good client comes at a random moment of the burst
                    int value = trial;
                    long start = System.nanoTime();
                    FutureTask<Integer> good = new FutureTask<>(() -> { // a new thread: a new connection
                        dict.put("trial", value);
                        return dict.get("before");
                    });
                    Thread.ofPlatform().daemon().start(good);
                    try {
                        Integer before = good.get(HANG_MILLIS, TimeUnit.MILLISECONDS);
                        Duration took = Duration.ofNanos(System.nanoTime() - start);
                        tally.recovery(took);
                        if (before == null || before != 1) {
                            tally.add(Count.FAILURES, 1, "the good client read " + before + " (seed " + seed + ")");
                        } else if (took.toMillis() > GOOD_CLIENT_MILLIS) {
                            tally.add(Count.FAILURES, 1, "the good client was served after " + took.toMillis()
                                    + " ms (expected <= 1 s; seed " + seed + ")");
                        }
                    } catch (TimeoutException e) {
                        tally.add(Count.HANGS, 1, "the good client not served within " + HANG_MILLIS + " ms (seed "
                                + seed + ")");
                    } catch (ExecutionException e) {
                        tally.add(Count.FAILURES, 1, "the good client was turned away: " + e.getCause() + " (seed "
                                + seed + ")");
                    }
                    try {
                        hostileBurst.get(HANG_MILLIS, TimeUnit.MILLISECONDS);
                    } catch (TimeoutException e) {
                        tally.add(Count.HANGS, 1, "the hostile burst did not end within " + HANG_MILLIS + " ms");
                    }
                    tally.add(Count.FAILURES, hostile.unexpected(), String.join("; ", hostile.problems()));
                    tally.injected(SILENT + burst.size());
                    connections += hostile.size() + 2; // the two wrong-key clients hold no socket here
                }
                Thread.sleep(50); // the server had its chance to read what the peers sent before they closed
                if (Files.exists(marker)) {
                    tally.add(Count.FAILURES, 1, "a Marker sent before authentication was deserialized (seed "
                            + seed + ")");
                }
            }
            Path control = markers.resolve("authenticated");
            Map<String, Object> objects = manager.dict();
            objects.put("control", new Marker(control)); // after authentication the server does deserialize it
            if (!Files.exists(control)) {
                tally.add(Count.FAILURES, 1, "a Marker sent by an authenticated client made no file: the pre-auth"
                        + " check proves nothing");
            }
        } finally {
            manager.close();
            long pid = serverPid[0];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pid != 0 && FaultTally.alive(List.of(pid)) > 0 && System.nanoTime() - deadline < 0) {
                Thread.sleep(20);
            }
            if (pid != 0) {
                tally.add(Count.ORPHANS, FaultTally.alive(List.of(pid)), "the manager's server outlived close()");
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                tally.add(Count.CRASHES, FaultTally.crashFiles(Path.of("").toAbsolutePath(), List.of(pid)),
                        "hs_err of the manager's server");
            }
            // the server shares this JVM's segment directory (its bootstrap pipe is there): count only its own files
            String mark = "-" + pid + "-";
            List<String> left = FaultTally.files(io.github.jmultiprocessing.internal.shm.ShmDirectory.directory())
                    .stream().filter(name -> pid != 0 && (name.contains(mark) || name.endsWith("-" + pid))).toList();
            tally.add(Count.LEAKED_SEGMENTS, left.size(), "left by the server: " + left);
            System.out.printf("manager hostile row: %d trials, %d hostile connections, %d ms, seed %d%n",
                    tally.trials(), connections, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), seed);
        }
        tally.report();
        tally.assertWithin(Map.of());
    }
}

package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.shm.ProcessIdentity;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A holder that died but was not reaped by its parent (a zombie) holds nothing: its lock is taken over. The
 * holder is a JVM started by {@code sh}, which then {@code exec}s {@code sleep}: the holder's parent is then a
 * process that never waits, so the holder, once killed, stays a zombie for as long as the test needs.
 */
class ZombieHolderIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Attaches to the lock given as serialized Base64, takes it, says so, and sleeps. */
    static final class HolderMain {
        public static void main(String[] args) throws Exception {
            SharedLock lock = (SharedLock) decode(args[0]);
            lock.lock();
            System.out.println("held " + ProcessIdentity.pid());
            System.out.flush();
            Thread.sleep(Duration.ofMinutes(2));
        }
    }

    static String encode(Object object) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    static Object decode(String text) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(text)))) {
            return in.readObject();
        }
    }

    /**
     * Starts {@code sh -c 'java ... HolderMain <lock> & exec sleep 120'}: the holder's parent becomes
     * {@code sleep}, which never reaps it.
     */
    static Process startUnreapedHolder(Class<?> main, String argument) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String shmDir = System.getProperty("jmultiprocessing.shm.dir");
        String script = "\"$0\" --enable-native-access=ALL-UNNAMED " + (shmDir == null ? "" : "-Djmultiprocessing.shm.dir=\"$3\" ")
                + "-cp \"$1\" \"$4\" \"$2\" & exec sleep 120";
        return new ProcessBuilder("/bin/sh", "-c", script, java, System.getProperty("java.class.path"), argument,
                shmDir == null ? "" : shmDir, main.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    static char stateOf(long pid) throws IOException {
        String text = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        return text.charAt(text.lastIndexOf(')') + 2);
    }

    @Test
    @Timeout(120)
    void shouldTakeOverTheLockOfAKilledHolderItsParentHasNotReaped() throws Exception {
        SharedLock lock = new SharedLock();
        Process sleeper = startUnreapedHolder(HolderMain.class, encode(lock));
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(sleeper.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(line, "the holder ended before taking the lock");
            assertTrue(line.startsWith("held "), line);
            long holder = Long.parseLong(line.substring("held ".length()));
            assertEquals(sleeper.pid(), ProcessHandle.of(holder).orElseThrow().parent().orElseThrow().pid(),
                    "the holder's parent must be the sleeper, which never reaps it");

            ProcessHandle.of(holder).orElseThrow().destroyForcibly();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (stateOf(holder) != 'Z') { // kill -9 is asynchronous: the holder becomes a zombie soon after
                assertTrue(System.nanoTime() < deadline, "the holder never became a zombie");
                Thread.sleep(5);
            }
            assertTrue(ProcessHandle.of(holder).map(ProcessHandle::isAlive).orElse(false),
                    "the JDK still calls a zombie alive: the case this test is about");

            long start = System.nanoTime();
            assertTrue(lock.tryLock(10, TimeUnit.SECONDS), "the lock of a zombie holder must be taken over");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals('Z', stateOf(holder), "taken over while the holder was still a zombie");
            lock.unlock();
            System.out.println("zombie holder's lock taken over in " + millis + " ms");
        } finally {
            sleeper.destroyForcibly(); // its zombie child goes to init (or a subreaper), which reaps it
            sleeper.waitFor(30, TimeUnit.SECONDS);
        }
    }
}

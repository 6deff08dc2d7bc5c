package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.Children;
import io.github.jmultiprocessing.testing.Poll;
import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Pipes across real child JVMs: Python's examples, end-of-stream per process, faults. */
class PipeIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    static void sendGreeting(Connection conn) {
        try {
            conn.send(new Object[] {42, null, "hello"});
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldReceiveFromAChildThenSeeTheEndOnceItExits() throws Exception {
        Pipe pipe = Pipe.open();
        Connection parentConn = pipe.left();
        Connection childConn = pipe.right();
        try (Children children = new Children()) {
            JvmProcess p = children.start(() -> sendGreeting(childConn)); // the child never closes: it exits
            childConn.close(); // this process's copy, at once: the child's own copy keeps the end open
            assertArrayEquals(new Object[] {42, null, "hello"}, (Object[]) parentConn.recv());
            assertEquals(0, Children.joinWithin(p, WAIT));
            assertTrue(parentConn.poll(WAIT), "the end of the stream makes poll true");
            assertThrows(EOFException.class, parentConn::recv);
        } finally {
            parentConn.close();
        }
    }

    static void echo(Connection conn) {
        try {
            while (true) {
                conn.sendBytes(conn.recvBytes());
            }
        } catch (EOFException e) {
            conn.close(); // the parent closed its end: done
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldEchoMessagesOfEverySizeThroughADuplexPipe() throws Exception {
        Pipe pipe = Pipe.open();
        Connection mine = pipe.left();
        try (Children children = new Children()) {
            Connection theirs = pipe.right();
            JvmProcess echo = children.start(() -> echo(theirs));
            theirs.close();
            int[] lengths = {0, 1, 100, Pipe.CAPACITY, 5 * Pipe.CAPACITY + 3, 7};
            for (int round = 0; round < 200; round++) {
                byte[] m = bytes(lengths[round % lengths.length], round);
                mine.sendBytes(m);
                assertArrayEquals(m, mine.recvBytes(), "round " + round);
            }
            mine.close();
            assertEquals(0, Children.joinWithin(echo, WAIT), "the child saw the end and returned");
        }
    }

    static void sendForever(Connection conn, byte[] big) {
        try {
            conn.sendBytes(big); // larger than the pipe: stuck in the middle until the parent reads
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static void sendOne(Connection conn, String text) {
        try {
            conn.send(text);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldDropTheHalfMessageOfAKilledSenderAndDeliverTheNext() throws Exception {
        Pipe pipe = Pipe.open(false);
        Connection reader = pipe.left();
        Connection writer = pipe.right();
        try (Children children = new Children()) {
            byte[] big = bytes(8 * Pipe.CAPACITY, 1);
            JvmProcess stuck = children.start(() -> sendForever(writer, big));
            Poll.until("the pipe to fill", WAIT, () -> poll(reader));
            Thread.sleep(200); // the rest of the first pieces
            stuck.kill();
            Children.joinWithin(stuck, WAIT);
            JvmProcess next = children.start(() -> sendOne(writer, "after"));
            writer.close();
            assertEquals("after", reader.recv(), "the killed sender's half message is dropped, not delivered");
            assertEquals(0, Children.joinWithin(next, WAIT));
            assertTrue(reader.poll(WAIT));
            assertThrows(EOFException.class, reader::recv);
        } finally {
            reader.close();
            writer.close();
        }
    }

    static void receiveOne(Connection conn) {
        try {
            conn.recvBytes(); // the big message: the parent kills this process while it waits for the rest
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static void sendBigThenAfter(Connection conn, byte[] big) {
        try {
            conn.sendBytes(big);
            conn.send("after");
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void signal(String signal, JvmProcess process) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid().orElseThrow()))
                .inheritIO().start();
        assertTrue(kill.waitFor(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue());
    }

    @Test
    void shouldLetAReceiverGoOnAfterAnotherWasKilledInTheMiddleOfAMessage() throws Exception {
        Pipe pipe = Pipe.open(false);
        Connection reader = pipe.left();
        Connection writer = pipe.right();
        try (Children children = new Children()) {
            byte[] big = bytes(8 * Pipe.CAPACITY, 2);
            JvmProcess sender = children.start(() -> sendBigThenAfter(writer, big));
            writer.close();
            Poll.until("the pipe to fill", WAIT, () -> poll(reader));
            Thread.sleep(200); // the sender now waits for room in the middle of the message
            signal("STOP", sender);
            try {
                JvmProcess victim = children.start(() -> receiveOne(reader));
                Poll.until("the victim to drain the pipe", WAIT, () -> !poll(reader));
                Thread.sleep(200); // the victim now waits for the rest of the message, holding the readers' lock
                victim.kill();
                Children.joinWithin(victim, WAIT);
            } finally {
                signal("CONT", sender);
            }
            assertEquals("after", reader.recv(), "the rest of the message the victim was reading is skipped");
            assertEquals(0, Children.joinWithin(sender, WAIT));
        } finally {
            reader.close();
        }
    }

    private static boolean poll(Connection conn) {
        try {
            return conn.poll();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void sendThenWaitForGo(Connection conn) {
        try {
            conn.send("hello");
            conn.recv(); // the parent's go
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldWaitForProcessesAndConnectionsTogether() throws Exception {
        Pipe pipe = Pipe.open();
        Connection mine = pipe.left();
        Connection theirs = pipe.right();
        try (Children children = new Children()) {
            JvmProcess child = children.start(() -> sendThenWaitForGo(theirs));
            theirs.close();
            List<Object> objects = List.of(child, mine);
            assertEquals(List.of(mine), Multiprocessing.wait(objects, WAIT), "the message, while the child lives");
            assertEquals("hello", mine.recv());
            assertEquals(List.of(), Multiprocessing.wait(objects, Duration.ofMillis(50)));
            mine.send("go");
            List<Object> ready = Multiprocessing.wait(objects, WAIT);
            assertTrue(ready.contains(child) || ready.contains(mine), "the child's end or its exit: " + ready);
            assertEquals(0, Children.joinWithin(child, WAIT));
            assertEquals(List.of(child, mine), Multiprocessing.wait(objects, WAIT), "ended, and end of stream");
        } finally {
            mine.close();
        }
    }
}

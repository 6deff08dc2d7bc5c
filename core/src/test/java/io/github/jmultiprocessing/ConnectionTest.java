package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConnectionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Starts a blocking call on a daemon thread of its own (the common pool may have a single worker). */
    private static <T> java.util.concurrent.Future<T> async(java.util.concurrent.Callable<T> call) {
        java.util.concurrent.FutureTask<T> task = new java.util.concurrent.FutureTask<>(call);
        Thread.ofPlatform().daemon().start(task);
        return task;
    }

    /** Runs a blocking call on a daemon thread, failing after 10 s instead of hanging the test JVM. */
    private static <T> T within(java.util.concurrent.Callable<T> call) throws Exception {
        return async(call).get(10, TimeUnit.SECONDS);
    }

    private static void closeAll(Pipe pipe) {
        pipe.left().close();
        pipe.right().close();
    }

    @Test
    void shouldUnlinkThePipeOnceBothEndsAreClosed() throws Exception {
        Pipe pipe = Pipe.open();
        String name = pipe.left().segmentName();
        java.nio.file.Path path = io.github.jmultiprocessing.internal.shm.ShmDirectory.pathOf(name);
        pipe.left().send("kept");
        pipe.left().close();
        assertTrue(java.nio.file.Files.exists(path), "unlinked while one end was open");
        assertEquals("kept", pipe.right().recv());
        pipe.right().close();
        assertFalse(java.nio.file.Files.exists(path), "left after both ends were closed");
    }

    @Test
    void shouldCarryObjectsBothWaysWithoutMergingOrSplittingMessages() throws Exception {
        Pipe pipe = Pipe.open();
        try {
            Connection a = pipe.left();
            Connection b = pipe.right();
            a.send(List.of(1, "two", 3.0));
            a.send(null);
            a.sendBytes(new byte[0]);
            a.sendBytes(new byte[] {1, 2, 3, 4, 5}, 1, 3);
            b.send(Map.of("k", 42L));
            assertEquals(List.of(1, "two", 3.0), b.recv());
            assertEquals(null, b.recv());
            assertArrayEquals(new byte[0], b.recvBytes(), "a zero-length message is a message");
            assertArrayEquals(new byte[] {2, 3, 4}, b.recvBytes());
            assertEquals(Map.of("k", 42L), a.recv());
            assertFalse(a.poll());
            assertFalse(b.poll(Duration.ofMillis(20)), "nothing to receive: poll times out");
        } finally {
            closeAll(pipe);
        }
    }

    @Test
    void shouldPollWithoutConsuming() throws Exception {
        Pipe pipe = Pipe.open();
        try {
            pipe.right().send("x");
            assertTrue(pipe.left().poll(WAIT));
            assertTrue(pipe.left().poll());
            assertEquals("x", pipe.left().recv());
            assertFalse(pipe.left().poll());
        } finally {
            closeAll(pipe);
        }
    }

    @Test
    void shouldCarryMessagesLargerThanThePipe() throws Exception {
        Pipe pipe = Pipe.open();
        try {
            byte[] big = new byte[3 * Pipe.CAPACITY + 17];
            new Random(1).nextBytes(big);
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try {
                    return pipe.left().recvBytes();
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            pipe.right().sendBytes(big);
            assertArrayEquals(big, received.get(10, TimeUnit.SECONDS));
        } finally {
            closeAll(pipe);
        }
    }

    @Test
    void shouldEndTheStreamOnceThePeerIsClosedAndDrained() throws Exception {
        Pipe pipe = Pipe.open();
        pipe.right().send("last");
        pipe.right().close();
        assertTrue(pipe.left().poll(), "a message is waiting");
        assertEquals("last", pipe.left().recv(), "what was sent before the close arrives");
        assertTrue(pipe.left().poll(), "poll is true at the end of the stream: recv will not block");
        assertThrows(EOFException.class, () -> pipe.left().recv());
        assertThrows(EOFException.class, () -> pipe.left().recvBytes());
        pipe.left().close();
    }

    @Test
    void shouldReportABrokenPipeWhenTheReaderIsClosed() throws Exception {
        Pipe pipe = Pipe.open();
        pipe.left().close();
        IOException broken = assertThrows(IOException.class, () -> pipe.right().send("lost"));
        assertTrue(broken.getMessage().contains("broken pipe"), broken.getMessage());
        pipe.right().close();
    }

    @Test
    void shouldRefuseUseOfAClosedEndAndBadArguments() throws Exception {
        Pipe pipe = Pipe.open();
        Connection a = pipe.left();
        assertThrows(IllegalArgumentException.class, () -> a.sendBytes(new byte[4], 3, 2));
        assertThrows(IllegalArgumentException.class, () -> a.sendBytes(new byte[4], -1, 1));
        assertThrows(IllegalArgumentException.class, () -> a.recvBytes(-1));
        assertThrows(IllegalArgumentException.class, () -> a.recvBytesInto(new byte[4], 5));
        a.close();
        a.close(); // twice: nothing
        assertTrue(a.isClosed());
        assertThrows(IllegalStateException.class, () -> a.send("x"));
        assertThrows(IllegalStateException.class, () -> a.recv());
        assertThrows(IllegalStateException.class, () -> a.poll());
        pipe.right().close();
    }

    @Test
    void shouldRefuseTheWrongDirectionOfASimplexPipe() throws Exception {
        Pipe pipe = Pipe.open(false);
        try {
            assertTrue(pipe.left().readable());
            assertFalse(pipe.left().writable());
            assertFalse(pipe.right().readable());
            assertTrue(pipe.right().writable());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pipe.left().send("x"));
            assertTrue(e.getMessage().contains("only receives"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> pipe.right().recv());
            pipe.right().send("one way");
            assertEquals("one way", pipe.left().recv());
        } finally {
            closeAll(pipe);
        }
    }

    @Test
    void shouldKeepTheConnectionUsableWhenAnObjectCannotBeSent() throws Exception {
        Pipe pipe = Pipe.open();
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pipe.right().send(new Object()));
            assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
            pipe.right().send("next");
            assertEquals("next", pipe.left().recv());
        } finally {
            closeAll(pipe);
        }
    }

    @Test
    void shouldHandOverAMessageThatDoesNotFitTheBuffer() throws Exception {
        Pipe pipe = Pipe.open();
        try {
            pipe.right().sendBytes(new byte[] {1, 2, 3});
            pipe.right().sendBytes(new byte[] {4, 5, 6});
            byte[] buf = new byte[5];
            assertEquals(3, pipe.left().recvBytesInto(buf, 2));
            assertArrayEquals(new byte[] {0, 0, 1, 2, 3}, buf);
            BufferTooShortException e = assertThrows(BufferTooShortException.class,
                    () -> pipe.left().recvBytesInto(buf, 3));
            assertArrayEquals(new byte[] {4, 5, 6}, e.received(), "the message is in the exception, not lost");
            pipe.right().sendBytes(new byte[10]);
            assertThrows(IOException.class, () -> pipe.left().recvBytes(9));
            assertTrue(pipe.left().isClosed(), "as in Python, a message over maxLength closes the connection");
        } finally {
            closeAll(pipe);
        }
    }

    @Test
    void shouldWakeAThreadWaitingOnAConnectionClosedHere() throws Exception {
        Pipe pipe = Pipe.open();
        CompletableFuture<Object> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return pipe.left().recv();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        pipe.left().close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
        pipe.right().close();
    }

    @Test
    void shouldCarryAnEndsWaitPolicyWithIt() throws Exception {
        // A user's pipe waits as a hand-off (with one CPU it blocks at once); a pool's links wait as streams (they
        // yield first), and a worker's end keeps that in the worker JVM.
        Pipe data = Pipe.open();
        Pipe carrier = Pipe.open();
        try {
            assertTrue(data.left().handOffWaits());
            assertTrue(data.right().handOffWaits());
            data.right().streamWaits();
            assertFalse(data.right().handOffWaits());
            carrier.right().send(data.right());
            Connection stream = (Connection) carrier.left().recv();
            assertFalse(stream.handOffWaits(), "travels with the end");
            carrier.right().send(data.left());
            Connection handOff = (Connection) carrier.left().recv();
            assertTrue(handOff.handOffWaits());
            stream.close();
            handOff.close();
        } finally {
            closeAll(data);
            closeAll(carrier);
        }
    }

    @Test
    void shouldCountACopySentThroughAnotherPipeAsAHolder() throws Exception {
        Pipe data = Pipe.open();
        Pipe carrier = Pipe.open();
        try {
            carrier.right().send(data.right());
            Connection copy = (Connection) carrier.left().recv();
            data.right().close();
            copy.send("through the copy");
            assertEquals("through the copy", data.left().recv());
            assertFalse(data.left().poll(), "the copy is open: no end of stream yet");
            copy.close();
            assertThrows(EOFException.class, () -> data.left().recv());
        } finally {
            closeAll(data);
            closeAll(carrier);
        }
    }

    @Test
    void shouldFinishAMessageInPiecesWhenItsSenderClosesItsCopyMidway() throws Exception {
        Pipe data = Pipe.open(false);
        Pipe carrier = Pipe.open();
        try {
            carrier.right().send(data.right());
            Connection copy = (Connection) carrier.left().recv(); // a second holder of the sending end
            byte[] big = new byte[3 * Pipe.CAPACITY];
            new Random(3).nextBytes(big);
            var sender = async(() -> {
                data.right().sendBytes(big); // stops in the middle: nobody reads yet
                return null;
            });
            Thread.sleep(50);
            data.right().close(); // does not cut the message: the other copy's next message must still arrive
            assertArrayEquals(big, within(() -> data.left().recvBytes()));
            sender.get(10, TimeUnit.SECONDS);
            copy.send("after");
            assertEquals("after", within(() -> data.left().recv()));
            copy.close();
        } finally {
            closeAll(data);
            closeAll(carrier);
        }
    }

    @Test
    void shouldFinishAMessageInPiecesWhenItsReceiverClosesMidway() throws Exception {
        Pipe data = Pipe.open(false);
        Pipe carrier = Pipe.open();
        try {
            carrier.right().send(data.left());
            Connection copy = (Connection) carrier.left().recv(); // a second holder of the receiving end
            byte[] big = new byte[3 * Pipe.CAPACITY];
            new Random(4).nextBytes(big);
            var receiver = async(() -> data.left().recvBytes());
            data.right().sendBytes(big, 0, Pipe.CAPACITY / 2 - 8); // a first message, whole
            Thread sender = Thread.ofPlatform().daemon().start(() -> {
                try {
                    data.right().sendBytes(big);
                    data.right().send("after");
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals(Pipe.CAPACITY / 2 - 8, receiver.get(10, TimeUnit.SECONDS).length);
            var second = async(() -> data.left().recvBytes());
            data.left().close(); // while the second receive may be in the middle of the big message
            try {
                assertArrayEquals(big, second.get(10, TimeUnit.SECONDS), "a started message is read whole");
                assertEquals("after", within(copy::recv));
            } catch (ExecutionException e) { // closed before the message started: the copy gets it whole
                assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
                assertArrayEquals(big, within(copy::recvBytes));
                assertEquals("after", within(copy::recv));
            }
            sender.join(10_000);
            copy.close();
        } finally {
            closeAll(data);
            closeAll(carrier);
        }
    }

    @Test
    void shouldFinishAMessageWhoseLastSendingCopyIsClosedMidway() throws Exception {
        Pipe pipe = Pipe.open(false);
        try {
            byte[] big = new byte[3 * Pipe.CAPACITY];
            new Random(5).nextBytes(big);
            var sender = async(() -> {
                pipe.right().sendBytes(big); // stops in the middle: nobody reads yet
                return null;
            });
            Thread.sleep(50);
            pipe.right().close(); // the only copy of the sending end, while its thread is in the middle
            assertArrayEquals(big, within(() -> pipe.left().recvBytes()), "the started message arrives whole");
            sender.get(10, TimeUnit.SECONDS);
            ExecutionException end = assertThrows(ExecutionException.class, () -> within(() -> pipe.left().recv()));
            assertTrue(end.getCause() instanceof EOFException, "then the end: " + end.getCause());
        } finally {
            pipe.left().close();
        }
    }

    @Test
    void shouldUnlinkThePipesOfCollectedConnections() throws Exception {
        String mine = "jmp-pipe-" + ProcessHandle.current().pid() + "-";
        long before = pipeFiles(mine);
        for (int i = 0; i < 200; i++) {
            Pipe pipe = Pipe.open();
            pipe.left().send(i); // used, never closed, dropped
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long left = pipeFiles(mine);
        while (left > before + 10 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
            left = pipeFiles(mine);
        }
        assertTrue(left <= before + 10, left - before + " of 200 dropped pipes still in " + mine + "*");
    }

    private static long pipeFiles(String prefix) throws IOException {
        try (var files = java.nio.file.Files.list(io.github.jmultiprocessing.internal.shm.ShmDirectory.directory())) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).count();
        }
    }
}

package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.testing.Children;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Issue 13, managers: Python's behaviour and the JDK's contracts, across a server JVM and client JVMs. */
class ManagerParityIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** What a test registers: public, so the server may call it from its own package. */
    public interface Probe {
        /** {@return a value the server makes} */
        Object make();

        /** {@return a number} */
        int number();

        /** Throws the served object's own exception. */
        void fail();
    }

    /** The served probe: {@code make()} returns what does not serialize. */
    static final class ProbeObject implements Probe {
        @Override
        public Object make() {
            return new Object();
        }

        @Override
        public int number() {
            return 42;
        }

        @Override
        public void fail() {
            throw new UnsupportedOperationException("the object's own");
        }
    }

    private interface Hidden {
        int number();
    }

    interface PackagePrivate {
        int number();
    }

    static void appendThroughTheNested(List<Object> outer) {
        @SuppressWarnings("unchecked")
        List<Object> inner = (List<Object>) outer.get(0);
        inner.add("from the child");
    }

    /**
     * Python: {@code b = m.list(); b.append(b); print(b)} prints {@code [<ListProxy object, typeid 'list' at ...>]},
     * and {@code b[0]} is a proxy of the same list. Today: StackOverflowError in the server's toString.
     */
    @Test
    void aListHoldingItselfPrintsTheNestedProxyAndReadsBackAsTheSameList() throws Exception {
        try (Children children = new Children(); Manager manager = Multiprocessing.manager()) {
            List<Object> b = manager.list();
            b.add(b);
            String text = b.toString();
            assertTrue(text.matches("\\[<ListProxy object, typeid 'list' at 0x[0-9a-f]+>]"), text);
            Object back = b.get(0);
            assertInstanceOf(List.class, back);
            assertEquals(b, back, "the element read back is a proxy of the same shared list");
            JvmProcess child = children.start(() -> appendThroughTheNested(b));
            assertEquals(0, Children.joinWithin(child, WAIT));
            assertEquals(2, b.size(), "the child's append through the nested proxy is the list's own");
            assertEquals("from the child", b.get(1));

            Map<String, Object> d = manager.dict();
            List<Integer> l = manager.list(List.of(1, 2));
            d.put("l", l);
            d.put("d", d);
            String dictText = d.toString();
            assertTrue(dictText.matches("\\{l=<ListProxy object, typeid 'list' at 0x[0-9a-f]+>, d=<MapProxy object,"
                    + " typeid 'dict' at 0x[0-9a-f]+>}"), dictText);
            @SuppressWarnings("unchecked")
            List<Integer> stored = (List<Integer>) d.get("l");
            stored.add(3);
            assertEquals(List.of(1, 2, 3), new ArrayList<>(l), "a write through the stored proxy reaches the list");
            assertEquals("[1, 2, 3]", l.toString(), "a proxy's own text is still its object's");
        }
    }

    /**
     * {@code Collections.reverse}, {@code shuffle} and {@code sort} switch to the list iterator's {@code set} from
     * 18 (reverse), 5 (shuffle, a list not RandomAccess) elements. Today: UnsupportedOperationException.
     */
    @Test
    void collectionsAlgorithmsWorkOnAListProxyOfAnySize() throws Exception {
        try (Manager manager = Multiprocessing.manager()) {
            for (int size : new int[] {3, 17, 18, 40}) {
                List<Integer> expected = new ArrayList<>(IntStream.range(0, size).boxed().toList());
                List<Integer> l = manager.list(expected);
                Collections.reverse(l);
                Collections.reverse(expected);
                assertEquals(expected, new ArrayList<>(l), "reverse of " + size);
                Collections.shuffle(l, new Random(7));
                Collections.shuffle(expected, new Random(7));
                assertEquals(expected, new ArrayList<>(l), "shuffle of " + size);
                Collections.sort(l);
                Collections.sort(expected);
                assertEquals(expected, new ArrayList<>(l), "sort of " + size);
                Collections.sort(l, Collections.reverseOrder());
                Collections.sort(expected, Collections.reverseOrder());
                assertEquals(expected, new ArrayList<>(l), "sort of " + size + " in reverse order");
                Collections.swap(l, 0, size - 1);
                Collections.swap(expected, 0, size - 1);
                Collections.fill(l, 5);
                Collections.fill(expected, 5);
                assertEquals(expected, new ArrayList<>(l), "fill of " + size);
            }
        }
    }

    /** The list iterator of a list proxy writes through: set, add and remove, as an ArrayList's does. */
    @Test
    void theListIteratorOfAListProxyWritesThroughAndIteratorRemoveWorks() throws Exception {
        try (Manager manager = Multiprocessing.manager()) {
            List<Integer> l = manager.list(IntStream.range(0, 10).boxed().toList());
            List<Integer> model = new ArrayList<>(IntStream.range(0, 10).boxed().toList());
            for (List<Integer> list : List.of(l, model)) {
                for (Iterator<Integer> it = list.iterator(); it.hasNext(); ) {
                    if (it.next() % 3 == 0) {
                        it.remove();
                    }
                }
                ListIterator<Integer> it = list.listIterator();
                while (it.hasNext()) {
                    int value = it.next();
                    if (value == 4) {
                        it.set(40);
                        it.add(41);
                        it.add(42);
                    }
                }
                while (it.hasPrevious()) {
                    if (it.previous() == 41) {
                        it.remove();
                        assertEquals(42, it.next());
                        it.set(-42);
                        break;
                    }
                }
                ListIterator<Integer> from = list.listIterator(2);
                assertEquals(2, from.nextIndex());
                from.previous();
                from.remove();
            }
            assertEquals(model, new ArrayList<>(l));
            ListIterator<Integer> fresh = l.listIterator();
            assertThrows(IllegalStateException.class, fresh::remove, "nothing returned yet");
            assertThrows(IllegalStateException.class, () -> fresh.set(1));
        }
    }

    /**
     * {@code subList} of a list proxy is a view that writes through, as ArrayList's: {@code subList(a, b).clear()}
     * removes a range, and {@code Collections.rotate} (which reverses sub-lists from 100 elements) works. Today:
     * UnsupportedOperationException (a read-only copy).
     */
    @Test
    void subListOfAListProxyIsAViewThatWritesThrough() throws Exception {
        try (Manager manager = Multiprocessing.manager()) {
            for (int size : new int[] {10, 150}) {
                List<Integer> model = new ArrayList<>(IntStream.range(0, size).boxed().toList());
                List<Integer> l = manager.list(model);
                Collections.rotate(l, 7);
                Collections.rotate(model, 7);
                assertEquals(model, new ArrayList<>(l), "rotate of " + size);
                for (List<Integer> list : List.of(l, model)) {
                    list.subList(2, 5).clear();
                    List<Integer> range = list.subList(1, 6);
                    range.set(0, -1);
                    range.add(2, -2);
                    range.remove(Integer.valueOf(list.get(4)));
                    Collections.reverse(range);
                    range.subList(1, 3).clear();
                    assertEquals(3, range.size());
                }
                assertEquals(model, new ArrayList<>(l), "sub-list writes on " + size);
                assertEquals(model.subList(1, 4), l.subList(1, 4));
                assertThrows(IndexOutOfBoundsException.class, () -> l.subList(0, model.size() + 1));
            }
        }
    }

    /**
     * The sub-list view of a proxy of a list type registered by the user (an ArrayList, whose own subList does not
     * serialize): reading it, and the rotate that reverses sub-lists from 100 elements, work as on the manager's
     * own list type.
     */
    @Test
    @SuppressWarnings("unchecked")
    void subListOfARegisteredArrayListProxyReadsAndRotates() throws Exception {
        try (BaseManager manager = new BaseManager()) {
            manager.register("arraylist", args -> new ArrayList<>(), List.class);
            manager.start();
            List<Integer> l = manager.create("arraylist", List.class);
            List<Integer> model = new ArrayList<>(IntStream.range(0, 150).boxed().toList());
            l.addAll(model);
            assertEquals(model.subList(3, 9), new ArrayList<>(l.subList(3, 9)));
            Collections.rotate(l, 7);
            Collections.rotate(model, 7);
            assertEquals(model, new ArrayList<>(l), "rotate of 150");
            assertThrows(IndexOutOfBoundsException.class, () -> l.subList(0, 151));
        }
    }

    /** A proxy interface the server cannot call (not public) is refused at register(), not at the first call. */
    @Test
    void registerRefusesAProxyInterfaceThatIsNotPublic() {
        BaseManager manager = new BaseManager();
        IllegalArgumentException hidden = assertThrows(IllegalArgumentException.class,
                () -> manager.register("Hidden", args -> (Hidden) () -> 1, Hidden.class));
        assertTrue(hidden.getMessage().contains(Hidden.class.getName()) && hidden.getMessage().contains("public"),
                hidden.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> manager.register("PackagePrivate", args -> (PackagePrivate) () -> 1, PackagePrivate.class));
        manager.register("Probe", args -> new ProbeObject(), Probe.class); // a public nested interface is fine
    }

    /**
     * A method not exposed, and a result that cannot be sent back, are failures of the server (Python's
     * RemoteError), told apart from the object's own exceptions.
     */
    @Test
    void failuresOfTheServerRaiseRemoteExceptionAndTheObjectsOwnExceptionsTheirOwnType() throws Exception {
        try (BaseManager manager = new BaseManager()) {
            manager.register("Probe", args -> new ProbeObject(), Probe.class, "make", "fail");
            manager.start();
            Probe probe = manager.create("Probe", Probe.class);
            RemoteException notExposed = assertThrows(RemoteException.class, probe::number);
            assertTrue(notExposed.getMessage().contains("number"), notExposed.getMessage());
            assertInstanceOf(RemoteTraceback.class, notExposed.getCause(), "the server's trace");
            RemoteException unsendable = assertThrows(RemoteException.class, probe::make);
            assertTrue(unsendable.getMessage().contains("java.lang.Object"), unsendable.getMessage());
            UnsupportedOperationException own = assertThrows(UnsupportedOperationException.class, probe::fail);
            assertEquals("the object's own", own.getMessage());
            assertFalse(RemoteException.class.isInstance(own));
        }
    }

    /** A type the server does not know, or a factory whose object lacks the interface: faults at create. */
    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void createOfATypeTheServerCannotMakeRaisesRemoteException() throws Exception {
        byte[] key = "parity".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (BaseManager server = new BaseManager(null, key)) {
            server.register("Wrong", (SerializableFunction) args -> "not a probe", Probe.class);
            server.start();
            RemoteException wrong = assertThrows(RemoteException.class, () -> server.create("Wrong", Probe.class));
            assertTrue(wrong.getMessage().contains("java.lang.String"), wrong.getMessage());
            try (BaseManager client = new BaseManager(server.address(), key)) {
                client.register("Unknown", null, Probe.class);
                client.connect();
                RemoteException unknown = assertThrows(RemoteException.class,
                        () -> client.create("Unknown", Probe.class));
                assertTrue(unknown.getMessage().contains("Unknown"), unknown.getMessage());
            }
        }
    }

    static void writePid(String file) {
        try {
            Files.writeString(Path.of(file), Long.toString(ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Python's start(initializer): it runs in the server before it serves; the server's pid and exit code show. */
    @Test
    void startRunsTheInitializerInTheServerAndShowsItsPidAndExitCode() throws Exception {
        Path file = Files.createTempFile("manager-initializer", ".pid");
        try {
            Files.delete(file);
            Manager manager = new Manager();
            assertTrue(manager.pid().isEmpty(), "not started");
            String where = file.toString();
            manager.start(() -> writePid(where));
            try {
                long pid = manager.pid().orElseThrow();
                assertTrue(pid != ProcessHandle.current().pid());
                assertEquals(Long.toString(pid), Files.readString(file), "the initializer ran in the server");
                assertTrue(manager.exitCode().isEmpty(), "running");
                assertEquals(1, manager.list(List.of(1)).size());
            } finally {
                manager.shutdown();
            }
            assertEquals(0, manager.exitCode().orElseThrow(), "a server shut down exits with 0");
            assertTrue(manager.pid().isPresent(), "still known after shutdown");

            Manager killed = new Manager();
            killed.start();
            try {
                ProcessHandle server = ProcessHandle.of(killed.pid().orElseThrow()).orElseThrow();
                server.destroyForcibly();
                server.onExit().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (killed.exitCode().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertEquals(-9, killed.exitCode().orElseThrow(), "killed by SIGKILL, as Python's exitcode says");
            } finally {
                killed.shutdown();
            }

            Manager failing = new Manager();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> failing.start(() -> {
                throw new IllegalStateException("initializer failed");
            }));
            assertTrue(e.getMessage().contains("initializer failed"), e.getMessage());
            failing.shutdown();
        } finally {
            Files.deleteIfExists(file);
        }
    }
}

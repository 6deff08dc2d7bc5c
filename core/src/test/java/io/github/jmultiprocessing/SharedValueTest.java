package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jmultiprocessing.internal.shm.ShmDirectory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SharedValueTest {

    @Test
    void shouldRefuseEveryUseOnceClosedAndCloseTheLockItMade() throws Exception {
        SharedValue value = SharedValue.of('q', 5L);
        SharedLock own = value.getLock();
        SharedLock given = new SharedLock();
        SharedValue view = value.withLock(given); // another object of the same memory
        value.close();
        value.close(); // twice does nothing
        assertThrows(IllegalStateException.class, value::getLong);
        assertThrows(IllegalStateException.class, () -> value.setLong(1));
        assertThrows(IllegalStateException.class, own::tryAcquire, "the lock made for the value is closed with it");
        assertTrue(value.toString().contains("closed"), value.toString());
        assertThrows(IllegalStateException.class, () -> new ObjectOutputStream(new ByteArrayOutputStream())
                .writeObject(value), "a closed value cannot be sent");
        assertEquals(5L, view.getLong(), "another object of the same value keeps working");
        view.close();
        assertTrue(given.tryAcquire(), "a lock given to withLock stays open");
        given.release();
        given.close();
        assertThrows(IllegalStateException.class, given::isLocked);
    }

    @Test
    void shouldRefuseAccessUnderALockClosedMeanwhile() {
        SharedValue value = SharedValue.of('i', 3);
        SharedValue sameLock = value.withLock(value.getLock()); // a view under the lock the value made
        SharedArray array = SharedArray.raw('i', 1, 2).withLock(value.getLock());
        value.close(); // closes that lock too: its memory may go back to the heap
        assertThrows(IllegalStateException.class, sameLock::getInt, "an access took a closed lock's word");
        assertThrows(IllegalStateException.class, array::toIntArray, "a bulk copy took a closed lock's word");
        sameLock.close();
        array.close();
    }

    @Test
    void shouldCloseEverySynchronizer() throws Exception {
        List<AutoCloseable> all = List.of(new SharedRLock(), new SharedEvent(), new SharedSemaphore(1),
                new SharedBoundedSemaphore(1), new SharedBarrier(1), new SharedCondition(), SharedArray.of('i', 1, 2));
        for (AutoCloseable closeable : all) {
            closeable.close();
            closeable.close();
            assertTrue(closeable.toString().contains("closed"), closeable.toString());
        }
        assertThrows(IllegalStateException.class, ((SharedEvent) all.get(1))::isSet);
        assertThrows(IllegalStateException.class, ((SharedSemaphore) all.get(2))::tryAcquire);
        assertThrows(IllegalStateException.class, () -> ((SharedArray) all.get(6)).getInt(0));
    }

    @Test
    void shouldRoundTripEveryTypecode() {
        assertEquals(-5, SharedValue.of('b', -5).get());
        assertEquals(250, SharedValue.of('B', 250).get());
        assertEquals(-30000, SharedValue.of('h', -30000).get());
        assertEquals(65535, SharedValue.of('H', 65535).get());
        assertEquals(Integer.MIN_VALUE, SharedValue.of('i', Integer.MIN_VALUE).get());
        assertEquals(4294967295L, SharedValue.of('I', 4294967295L).get());
        assertEquals(Long.MIN_VALUE, SharedValue.of('l', Long.MIN_VALUE).get());
        assertEquals(new BigInteger("18446744073709551615"),
                SharedValue.of('L', new BigInteger("18446744073709551615")).get());
        assertEquals(Long.MAX_VALUE, SharedValue.of('q', Long.MAX_VALUE).get());
        assertEquals(7L, SharedValue.of('Q', 7).get());
        assertEquals(1.25f, SharedValue.of('f', 1.25).get());
        assertEquals(Math.PI, SharedValue.of('d', Math.PI).get());
        assertEquals('x', SharedValue.of('c', 'x').get());
        assertEquals(true, SharedValue.of('?', true).get());
        assertEquals(0, SharedValue.of('i').get());
        assertEquals(0.0, SharedValue.raw('d').get());
        assertEquals(3L, SharedValue.of(long.class, 3L).get());
    }

    @Test
    void shouldRejectOutOfRangeValuesAndUnknownTypecodes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SharedValue.of('b', 128));
        assertTrue(e.getMessage().contains("value=128") && e.getMessage().contains("-128..127"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SharedValue.of('z', 1));
        assertThrows(IllegalArgumentException.class, () -> SharedValue.of('i', "1"));
        assertThrows(IllegalArgumentException.class, () -> SharedValue.of('c', 'é' + 256));
        SharedValue value = SharedValue.of('h', 0);
        assertThrows(IllegalArgumentException.class, () -> value.setInt(40000));
        assertThrows(IllegalArgumentException.class, () -> value.set(1.5));
        assertEquals(0, value.getInt());
    }

    @Test
    void shouldRejectAccessorsThatDoNotSuitTheType() {
        SharedValue d = SharedValue.of('d', 1.0);
        IllegalStateException e = assertThrows(IllegalStateException.class, d::getInt);
        assertTrue(e.getMessage().contains("typecode='d'"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> d.getAndAdd(1));
        assertThrows(IllegalStateException.class, () -> SharedValue.of('i', 1).setDouble(2.0));
        assertThrows(IllegalStateException.class, () -> SharedValue.of('I', 1).getInt());
        assertThrows(IllegalStateException.class, () -> SharedValue.of('?', true).getDouble());
        assertEquals(5L, SharedValue.of('I', 5).getLong());
    }

    @Test
    void shouldUpdateAtomically() {
        SharedValue value = SharedValue.of('i', 10);
        assertEquals(10, value.getAndAdd(5));
        assertEquals(16, value.incrementAndGet());
        assertTrue(value.compareAndSet(16, 1));
        assertFalse(value.compareAndSet(16, 2));
        assertEquals(Integer.MIN_VALUE, SharedValue.raw('i', Integer.MAX_VALUE).incrementAndGet());
        assertEquals(0, SharedValue.raw('B', 255).incrementAndGet());
    }

    @Test
    void shouldNeverMatchAnExpectedValueOutsideTheType() {
        SharedValue b = SharedValue.raw('B', 255);
        assertFalse(b.compareAndSet(-1, 0));
        SharedValue i = SharedValue.raw('i', 5);
        assertFalse(i.compareAndSet((1L << 32) + 5, 7));
        assertEquals(5, i.getInt());
    }

    @Test
    void shouldConvertLargeUnsignedValuesToTheNearestDouble() {
        BigInteger big = BigInteger.ONE.shiftLeft(63).add(BigInteger.valueOf(1025));
        assertEquals(big.doubleValue(), SharedValue.raw('Q', big).getDouble());
    }

    @Test
    void shouldNotDeadlockWhenTheHolderOfItsLockAccessesIt() {
        SharedValue value = SharedValue.of('i', 1);
        try (var _ = value.getLock().locked()) {
            value.setInt(value.getInt() + 1);
            assertEquals(3, value.incrementAndGet());
        }
        assertFalse(value.getLock().isLocked());
    }

    @Test
    void shouldHaveNoLockWhenRawAndShareACallersLock() {
        SharedValue raw = SharedValue.raw('q', 1);
        assertFalse(raw.isSynchronized());
        IllegalStateException e = assertThrows(IllegalStateException.class, raw::getLock);
        assertTrue(e.getMessage().contains("raw"), e.getMessage());
        SharedLock lock = new SharedLock();
        SharedValue guarded = raw.withLock(lock);
        assertTrue(guarded.getLock() == lock);
        guarded.setLong(9);
        assertEquals(9, raw.getLong());
    }

    @Test
    void shouldTravelAsAHandleToTheSameMemory() throws Exception {
        SharedValue value = SharedValue.of('i', 5);
        SharedValue copy = roundTrip(value);
        copy.setInt(6);
        assertEquals(6, value.getInt());
        copy.getLock().acquire();
        assertTrue(value.getLock().isHeldByCurrentThread());
        value.getLock().release();
        assertEquals("SharedValue('i', 6)", copy.toString());
    }

    @Test
    void shouldCarveManyValuesOutOfFewFiles() throws IOException {
        long before = countHeapFiles();
        for (int i = 0; i < 10_000; i++) {
            SharedValue.of('i', i);
        }
        long made = countHeapFiles() - before;
        assertTrue(made <= 4, "10,000 values made " + made + " arena files");
    }

    static long countHeapFiles() throws IOException {
        try (Stream<java.nio.file.Path> files = Files.list(ShmDirectory.directory())) {
            return files.filter(p -> p.getFileName().toString().startsWith("jmp-heap-" + ProcessHandle.current().pid()))
                    .count();
        }
    }

    @SuppressWarnings("unchecked")
    static <T> T roundTrip(T object) throws Exception {
        return (T) deserialize(serialize(object));
    }

    static byte[] serialize(Object object) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        }
        return bytes.toByteArray();
    }

    static Object deserialize(byte[] bytes) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return in.readObject();
        }
    }
}

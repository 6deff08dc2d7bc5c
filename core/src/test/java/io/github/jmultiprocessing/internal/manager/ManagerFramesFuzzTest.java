package io.github.jmultiprocessing.internal.manager;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.jmultiprocessing.testing.Decoding;
import java.io.IOException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing of the manager's frame decoders: requests as the server reads them ({@link ManagerFrames#readRequest}),
 * replies as a client reads them ({@link ManagerFrames#result}) and method signatures from the wire
 * ({@link Methods#resolve}). Arbitrary bytes and mutated valid frames give a value or an {@link IOException} (a
 * reply that is an ERROR: {@link ManagerFrames.Failed}; a signature of no method: {@link NoSuchMethodException})
 * with a message; never a runtime exception, a hang, an Error, or an allocation out of proportion to the frame.
 */
class ManagerFramesFuzzTest {

    private static final byte[] KINDS = {ManagerFrames.CALL, ManagerFrames.CREATE, ManagerFrames.INCREF,
        ManagerFrames.DECREF, ManagerFrames.SHUTDOWN, ManagerFrames.COUNT, ManagerFrames.CANCEL};

    @Provide
    Arbitrary<Object[]> arguments() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(12).map(s -> (Object) s),
                Arbitraries.integers().map(i -> (Object) i), Arbitraries.just(null),
                Arbitraries.longs().array(long[].class).ofMaxSize(4).map(a -> (Object) a))
                .list().ofMaxSize(4).map(List::toArray);
    }

    private static byte[] request(int which, long object, String name, Object[] args) {
        byte kind = KINDS[which];
        return ManagerFrames.request(kind, object, kind == ManagerFrames.CALL || kind == ManagerFrames.CREATE
                ? name : null, args);
    }

    @Property(tries = 300)
    void readRequestShouldReadArbitraryBytesOrFailClearly(@ForAll @Size(max = 100) byte[] bytes) {
        Decoding.assertClear(Decoding.decode(bytes, () -> ManagerFrames.readRequest(bytes)),
                Decoding.describe(bytes), IOException.class);
    }

    @Property(tries = 400)
    void readRequestShouldReadMutatedRequestsOrFailClearly(@ForAll @IntRange(min = 0, max = 6) int which,
            @ForAll long object, @ForAll @Size(max = 30) String name, @ForAll("arguments") Object[] args,
            @ForAll long seed) {
        byte[] valid = request(which, object, name, args);
        Decoding.Outcome<ManagerFrames.Request> intact = Decoding.decode(valid,
                () -> ManagerFrames.readRequest(valid));
        assertEquals(null, intact.failure(), "a valid request failed");
        assertEquals(KINDS[which], intact.value().kind());
        byte[] mutated = Decoding.mutate(valid, new Random(seed));
        Decoding.assertClear(Decoding.decode(mutated, () -> ManagerFrames.readRequest(mutated)),
                Decoding.describe(mutated), IOException.class);
    }

    @Property(tries = 300)
    void resultShouldReadArbitraryAndMutatedRepliesOrFailClearly(@ForAll @Size(max = 100) byte[] bytes,
            @ForAll @Size(max = 20) String value, @ForAll boolean error, @ForAll long seed) {
        Decoding.assertClear(Decoding.decode(bytes, () -> ManagerFrames.result(bytes)), Decoding.describe(bytes),
                IOException.class, ManagerFrames.Failed.class);
        byte[] valid = error ? ManagerFrames.error(ManagerFrames.Failure.of(new IllegalStateException(value), "here"))
                : ManagerFrames.ok(value);
        Decoding.Outcome<Object> intact = Decoding.decode(valid, () -> ManagerFrames.result(valid));
        if (error) {
            assertEquals(ManagerFrames.Failed.class, intact.failure().getClass());
        } else {
            assertEquals(value, intact.value());
        }
        byte[] mutated = Decoding.mutate(valid, new Random(seed));
        Decoding.assertClear(Decoding.decode(mutated, () -> ManagerFrames.result(mutated)),
                Decoding.describe(mutated), IOException.class, ManagerFrames.Failed.class);
    }

    /** A case the fuzzing found (seed -3709955123052974338): an ERROR reply whose failure lost its exception. */
    @org.junit.jupiter.api.Test
    void resultShouldRefuseAnErrorReplyWithoutAnException() {
        byte[] reply = ManagerFrames.error(new ManagerFrames.Failure(null, "in here", false));
        java.io.StreamCorruptedException e = org.junit.jupiter.api.Assertions.assertThrows(
                java.io.StreamCorruptedException.class, () -> ManagerFrames.result(reply));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("without a failure"), e.getMessage());
    }

    @Property(tries = 300)
    void resolveShouldFindTheMethodOfASignatureOrSayThereIsNone(@ForAll @Size(max = 60) String arbitrary,
            @ForAll @IntRange(min = 0, max = 1000) int pick, @ForAll long seed) {
        Method[] methods = Map.class.getMethods();
        Method method = methods[pick % methods.length];
        String signature = Methods.signature(method);
        Decoding.Outcome<Method> found = Decoding.decode(signature.length(), () -> signature,
                () -> Methods.resolve(Map.class, signature));
        assertEquals(null, found.failure());
        assertEquals(signature, Methods.signature(found.value()), "resolved to a method of the same signature");
        byte[] mutated = Decoding.mutate(signature.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                new Random(seed));
        for (String wire : List.of(arbitrary, new String(mutated, java.nio.charset.StandardCharsets.UTF_8))) {
            Decoding.Outcome<Method> outcome = Decoding.decode(wire.length(), () -> wire,
                    () -> Methods.resolve(Map.class, wire));
            Decoding.assertClear(outcome, wire, NoSuchMethodException.class);
            if (outcome.failure() == null) {
                assertEquals(wire, Methods.signature(outcome.value()));
            }
        }
    }

    @Test
    void shouldCarryEveryRequestKindWhole() throws Exception {
        List<Object[]> argumentLists = List.of(new Object[0], new Object[] {"k", 1, null, new long[] {7}});
        for (int which = 0; which < KINDS.length; which++) {
            for (Object[] args : argumentLists) {
                ManagerFrames.Request read = ManagerFrames.readRequest(request(which, 42, "get(java.lang.Object)",
                        args));
                assertEquals(KINDS[which], read.kind());
                if (KINDS[which] == ManagerFrames.CALL || KINDS[which] == ManagerFrames.CREATE) {
                    assertEquals("get(java.lang.Object)", read.name());
                    assertEquals(args.length, read.args().length);
                    List<Object> back = java.util.Arrays.asList(read.args());
                    if (args.length == 4) {
                        assertArrayEquals(new long[] {7}, (long[]) back.get(3));
                    }
                }
            }
        }
        assertThrows(java.io.StreamCorruptedException.class, () -> ManagerFrames.readRequest(new byte[0]));
    }
}

package io.github.jmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The rehearsals of a child's start that standbys and AOT training runs perform in their own JVM. */
class ChildBootstrapTest {

    @Test
    void shouldRunAPoolWorkersFirstTaskInThisJvm() {
        assertTrue(io.github.jmultiprocessing.internal.pool.PoolWorker.rehearse(),
                "the rehearsed worker should answer its call and retire");
        assertTrue(Multiprocessing.activeChildren().isEmpty(), "a rehearsal starts no process");
    }

    @Test
    void shouldRunTheRehearsedTargetWithoutMakingThisJvmAChild() {
        String before = new JvmProcess(() -> { }).getName();
        JvmProcess current = Multiprocessing.currentProcess();

        assertTrue(ChildBootstrap.rehearse(), "the rehearsed target should run through the whole child path");

        assertFalse(JvmProcess.isChild());
        assertEquals(current, Multiprocessing.currentProcess());
        assertEquals(Multiprocessing.currentProcess().getName(), current.getName());
        int number = Integer.parseInt(before.substring(before.lastIndexOf('-') + 1));
        assertEquals("JvmProcess-" + (number + 1), new JvmProcess(() -> { }).getName(),
                "a rehearsal takes no name number from the processes this JVM starts");
    }
}

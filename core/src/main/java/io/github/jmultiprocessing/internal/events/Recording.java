package io.github.jmultiprocessing.internal.events;

/**
 * Whether JFR records in this JVM: asked before any of the library's events is made. The first event object a JVM
 * makes costs it ~200 ms and ~8 MB (JFR's classes, ~110 of them, load and initialize), even with no recording; so
 * none is made until JFR has started ({@code -XX:StartFlightRecording}, {@code jcmd JFR.start}, or the JFR API),
 * which this asks cheaply (~0.1 ms the first time). A JDK without the {@code jdk.jfr} module records nothing.
 */
public final class Recording {

    private static volatile boolean absent; // no jdk.jfr in this runtime

    private Recording() {
    }

    /** {@return true once JFR has started in this JVM: the library's events may then be made} */
    public static boolean on() {
        if (absent) {
            return false;
        }
        try {
            return jdk.jfr.FlightRecorder.isInitialized();
        } catch (LinkageError e) { // a runtime image without jdk.jfr
            absent = true;
            return false;
        }
    }

    /** {@return the system clock now, in microseconds since the epoch: when a process's start began} */
    public static long epochMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /**
     * Commits a {@link ProcessReadyEvent} if JFR records here: the process's target is about to run.
     *
     * @param process       the process's name
     * @param startMethod   how it was started
     * @param startedMicros when its start began ({@link #epochMicros()}, in the parent), or 0 if unknown
     */
    public static void processReady(String process, String startMethod, long startedMicros) {
        if (!on()) {
            return;
        }
        ProcessReadyEvent event = new ProcessReadyEvent();
        if (event.shouldCommit()) {
            event.process = process;
            event.startMethod = startMethod;
            event.sinceStart = startedMicros == 0 ? 0 : Math.max(0, epochMicros() - startedMicros);
            event.commit();
        }
    }
}

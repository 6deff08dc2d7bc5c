package io.github.jmultiprocessing.bench.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs cases of CPython's {@code bench_mp.py} in the same invocation as a harness, and reads their samples. */
final class BenchMp {

    private BenchMp() {
    }

    /**
     * Runs the cases and returns every metric's samples.
     *
     * @param script bench_mp.py
     * @param only   the case ids, comma-separated
     * @param reps   measured reps (one warm-up besides)
     * @return samples by {@code "case|name|unit"}
     * @throws Exception if it fails
     */
    static Map<String, List<Double>> run(Path script, String only, int reps) throws Exception {
        return run(script, only, reps, null);
    }

    /**
     * {@link #run(Path, String, int)}, under {@code taskset -c cpus} unless {@code cpus} is null.
     *
     * @param script bench_mp.py
     * @param only   the case ids, comma-separated
     * @param reps   measured reps (one warm-up besides)
     * @param cpus   the CPU list for taskset, or null
     * @return samples by {@code "case|name|unit"}
     * @throws Exception if it fails
     */
    static Map<String, List<Double>> run(Path script, String only, int reps, String cpus) throws Exception {
        Path json = Files.createTempFile("bench_mp", ".json");
        try {
            List<String> command = new java.util.ArrayList<>();
            if (cpus != null) {
                command.addAll(List.of("taskset", "-c", cpus));
            }
            command.addAll(List.of("python3", script.toString(), "--only", only, "--json", json.toString(), "--reps",
                    Integer.toString(reps), "--warmup", "1"));
            Process python = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            if (!python.waitFor(30, TimeUnit.MINUTES) || python.exitValue() != 0) {
                python.destroyForcibly();
                throw new IllegalStateException("bench_mp.py --only " + only + " failed");
            }
            return LockHarness.readPython(Files.readString(json)).samples();
        } finally {
            Files.deleteIfExists(json);
        }
    }

    /** Puts CPython's samples of {@code key} under our metric's name, if it has them. */
    static void copy(Map<String, List<Double>> into, Map<String, List<Double>> all, String ours, String key) {
        List<Double> samples = all.get(key);
        if (samples != null) {
            into.put(ours, samples);
        }
    }
}

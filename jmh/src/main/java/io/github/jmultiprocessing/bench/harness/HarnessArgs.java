package io.github.jmultiprocessing.bench.harness;

import java.nio.file.Path;
import java.util.Set;

/**
 * The command line the harnesses share: {@code [--reps N] [--no-python] [--bench-mp PATH]} and flags of their own.
 *
 * @param reps   measured reps (after one warm-up)
 * @param python whether to run CPython's bench_mp.py beside
 * @param benchMp where bench_mp.py is
 * @param flags  the harness's own flags given (from those it accepts)
 */
record HarnessArgs(int reps, boolean python, Path benchMp, Set<String> flags) {

    /**
     * {@return the arguments parsed}
     *
     * @param args     the command line
     * @param accepted the harness's own flags (each without a value), e.g. {@code --no-agrona}
     * @throws IllegalArgumentException on an unknown argument
     */
    static HarnessArgs parse(String[] args, String... accepted) {
        int reps = 5;
        boolean python = true;
        Path benchMp = Path.of("/work/shared/anchors/python/bench_mp.py");
        Set<String> own = Set.of(accepted);
        java.util.Set<String> given = new java.util.HashSet<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--no-python" -> python = false;
                case "--bench-mp" -> benchMp = Path.of(args[++i]);
                default -> {
                    if (!own.contains(args[i])) {
                        throw new IllegalArgumentException("argument=" + args[i] + " (expected --reps N, --no-python,"
                                + " --bench-mp PATH" + (own.isEmpty() ? "" : " or one of " + own) + ")");
                    }
                    given.add(args[i]);
                }
            }
        }
        return new HarnessArgs(reps, python, benchMp, Set.copyOf(given));
    }
}

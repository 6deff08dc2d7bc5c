#!/usr/bin/env bash
# Builds the library and the benchmarks, then runs the JMH benchmarks and the cross-process harness
# (child JVMs, side by side with CPython's bench_mp.py). Results go to jmh/results/<timestamp>/.
#
#   jmh/run-benchmarks.sh                          # short JMH settings, harness 1 warm-up + 5 reps, CPython too
#   jmh/run-benchmarks.sh -f 3 -wi 5 -i 10         # any other arguments replace the JMH defaults
#   jmh/run-benchmarks.sh SharedLockUncontended    # ... e.g. a benchmark regex (defaults then still apply)
#   jmh/run-benchmarks.sh --no-jmh --harness-reps 2 --no-python
#   jmh/run-benchmarks.sh --table                  # only the data-path table (issue 16): 3 runs, ours, CPython, Agrona
#   jmh/run-benchmarks.sh --table --cpus 0         # ... everything pinned to CPU 0 (taskset -c 0)
#
# Script options: --no-build, --no-jmh, --no-harness, --no-python, --harness-reps N, --harness-warmup N,
#                 --python-arg ARG (repeatable, passed to bench_mp.py, e.g. --python-arg --no-quiet),
#                 --table (the data-path table only), --runs N and --trials N (its whole-harness runs and warm
#                 trials per run, default 3 and 3), --cpus LIST (taskset -c LIST for the table's processes),
#                 --only REGEX (the table's rows).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

jmh_defaults=(-f 1 -wi 3 -i 5 -w 1s -r 1s)
jmh_args=()
jmh_has_options=false
build=true
run_jmh=true
run_harness=true
harness_args=()
harness_reps=5
harness_warmup=1
table_only=false
table_args=()

while (($#)); do
  case "$1" in
    --no-build) build=false ;;
    --no-jmh) run_jmh=false ;;
    --no-harness) run_harness=false ;;
    --no-python) harness_args+=(--no-python) ;;
    --harness-reps) harness_reps="$2"; shift ;;
    --harness-warmup) harness_warmup="$2"; shift ;;
    --python-arg) harness_args+=(--python-arg "$2"); shift ;;
    --table) table_only=true ;;
    --runs|--trials|--cpus|--only) table_args+=("$1" "$2"); shift ;;
    -h|--help) sed -n '2,/^set /p' "${BASH_SOURCE[0]}" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) jmh_args+=("$1"); jmh_has_options=true ;;
    *) jmh_args+=("$1") ;;
  esac
  shift
done
if ! $jmh_has_options; then
  jmh_args=("${jmh_defaults[@]}" "${jmh_args[@]}")
fi

# A JDK >= 22: $JAVA_HOME if it is one, else the newest under /usr/lib/jvm. (The toolchain Maven selects is not
# visible to a shell script.)
java_feature() { # prints the feature version of the java at $1, or 0
  local line
  line="$("$1" -version 2>&1 | head -n 1)" || { echo 0; return; }
  line="$(sed -E 's/.*version "([0-9]+)(\.[0-9]+)*.*/\1/' <<<"$line")"
  [[ "$line" =~ ^[0-9]+$ ]] && [[ "$line" != 1 ]] && echo "$line" || echo 0
}
jdk=""
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" && "$(java_feature "$JAVA_HOME/bin/java")" -ge 22 ]]; then
  jdk="$JAVA_HOME"
else
  best=0
  for candidate in /usr/lib/jvm/*; do
    [[ -x "$candidate/bin/java" ]] || continue
    v="$(java_feature "$candidate/bin/java")"
    if ((v >= 22 && v > best)); then best=$v; jdk="$candidate"; fi
  done
fi
if [[ -z "$jdk" ]]; then
  echo "run-benchmarks.sh: no JDK >= 22 found (set JAVA_HOME, or install one under /usr/lib/jvm)" >&2
  exit 1
fi
java="$jdk/bin/java"
echo "JDK: $jdk ($("$java" -version 2>&1 | head -n 1))" >&2

if $build; then
  # Maven itself runs on the JDK found: the library's modular jar cannot be assembled by Maven on an older JVM
  # (the jar tool of JDK 17 rejects a release-22 module-info.class).
  (cd "$root" && JAVA_HOME="$jdk" mvn -q install -DskipTests)
  (cd "$root" && JAVA_HOME="$jdk" mvn -q -f jmh/pom.xml package)
fi
jar="$here/target/benchmarks.jar"
[[ -f "$jar" ]] || { echo "run-benchmarks.sh: $jar missing (run without --no-build)" >&2; exit 1; }

out="$here/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
echo "results: $out" >&2

no_python=$([[ " ${harness_args[*]-} " == *" --no-python "* ]] && echo --no-python || true)
run_table() {
  echo "== data-path table (issue 16): ours, CPython and Agrona, warm, whole-harness runs" >&2
  "$java" --enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
    -cp "$jar" io.github.jmultiprocessing.bench.harness.DataPathHarness --out "$out/datapath.md" \
    ${table_args[@]+"${table_args[@]}"} $no_python 2> >(tee "$out/datapath.log" >&2)
}
if $table_only; then
  run_table
  echo "results: $out" >&2
  exit 0
fi

if $run_jmh; then
  echo "== JMH: ${jmh_args[*]}" >&2
  "$java" -jar "$jar" "${jmh_args[@]}" -rf json -rff "$out/jmh.json" 2>&1 | tee "$out/jmh.txt"
fi

if $run_harness; then
  run_table
  echo "== cross-process harness (reps $harness_reps, warm-up $harness_warmup)" >&2
  "$java" --enable-native-access=ALL-UNNAMED -cp "$jar" io.github.jmultiprocessing.bench.harness.LockHarness \
    --reps "$harness_reps" --warmup "$harness_warmup" --python-json "$out/cpython.json" \
    ${harness_args[@]+"${harness_args[@]}"} \
    2> >(tee "$out/harness.log" >&2) | tee "$out/harness.md"
  echo "== queue and pipe harness (reps $harness_reps), beside bench_mp cases 2,3 and Agrona" >&2
  "$java" --enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
    -cp "$jar" io.github.jmultiprocessing.bench.harness.QueueHarness --reps "$harness_reps" \
    $([[ " ${harness_args[*]-} " == *" --no-python "* ]] && echo --no-python) \
    2> >(tee "$out/queue-harness.log" >&2) | tee "$out/queue-harness.md"
  echo "== pool harness (reps $harness_reps), beside bench_mp cases 6,7" >&2
  "$java" --enable-native-access=ALL-UNNAMED -cp "$jar" io.github.jmultiprocessing.bench.harness.PoolHarness \
    --reps "$harness_reps" $([[ " ${harness_args[*]-} " == *" --no-python "* ]] && echo --no-python) \
    2> >(tee "$out/pool-harness.log" >&2) | tee "$out/pool-harness.md"
  echo "== manager harness (reps $harness_reps), beside bench_mp case 8" >&2
  "$java" --enable-native-access=ALL-UNNAMED -cp "$jar" io.github.jmultiprocessing.bench.harness.ManagerHarness \
    --reps "$harness_reps" $([[ " ${harness_args[*]-} " == *" --no-python "* ]] && echo --no-python) \
    2> >(tee "$out/manager-harness.log" >&2) | tee "$out/manager-harness.md"
fi
echo "results: $out" >&2

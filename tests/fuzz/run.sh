#!/usr/bin/env bash
# Runs every libFuzzer target fuzz_* of a fuzz build for a bounded time.
#   tests/fuzz/run.sh [BUILD_DIR] [TARGET...]     (BUILD_DIR default: build/fuzz)
#   ZK_FUZZ_SECONDS=60  seconds per target
#   ZK_FUZZ_SEED=1      libFuzzer -seed: a fixed seed makes a CI run repeat the run checked
#                       before submitting; set ZK_FUZZ_SEED=0 for a random seed when hunting
# Each target starts from its seed corpus tests/fuzz/corpus/<target>/, copied to a scratch
# directory so the tree is never modified (new inputs and crash files stay in the scratch
# directory, which is kept and printed when a target fails). Exit status is non-zero when any
# target crashes, leaks, times out or runs out of memory.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$repo/build/fuzz}
shift $(($# > 0 ? 1 : 0))
seconds=${ZK_FUZZ_SECONDS:-60}
seed=${ZK_FUZZ_SEED:-1}

if (($#)); then
  targets=("$@")
else
  mapfile -t targets < <(find "$build" -maxdepth 3 -type f -name 'fuzz_*' -perm -u+x -printf '%f\n' 2>/dev/null | sort -u)
fi
if ((${#targets[@]} == 0)); then
  echo "fuzz: no fuzz_* targets built in $build; skipping"
  echo "fuzz: 0 passed, 0 failed"
  exit 0
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/zk-fuzz.XXXXXX")
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0 failed=0 failed_names=()
for t in "${targets[@]}"; do
  bin=$(find "$build" -maxdepth 3 -type f -name "$t" -perm -u+x | head -n1)
  if [[ -z $bin ]]; then
    echo "fuzz: $t: not built"; failed=$((failed + 1)); failed_names+=("$t"); continue
  fi
  work=$scratch/$t
  mkdir -p "$work/corpus" "$work/artifacts"
  seeds=$repo/tests/fuzz/corpus/$t
  [[ -d $seeds ]] && cp -r "$seeds/." "$work/corpus/"
  args=(-max_total_time="$seconds" -seed="$seed" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$work/artifacts/")
  [[ -f $repo/tests/fuzz/$t.dict ]] && args+=(-dict="$repo/tests/fuzz/$t.dict")
  nseeds=$(find "$work/corpus" -type f | wc -l)
  echo "fuzz: $t for ${seconds}s from $nseeds seed(s)"
  if "$bin" "${args[@]}" "$work/corpus" > "$work/log" 2>&1; then
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$')
    echo "fuzz: $t PASSED (${execs:-?} runs, corpus $(find "$work/corpus" -type f | wc -l) files)"
    passed=$((passed + 1))
  else
    echo "fuzz: $t FAILED; log and reproducer in $work"
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$work/log" | head -n 20
    failed=$((failed + 1)); failed_names+=("$t")
  fi
done
((failed == 0)) && rm -rf "$scratch"
echo "fuzz: $passed passed, $failed failed${failed_names:+ (${failed_names[*]})}"
((failed == 0))

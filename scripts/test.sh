#!/usr/bin/env bash
# Installs packages, builds and runs every zonekeeper test; ends with one line
#   zonekeeper tests: N passed, M failed
# Stages: clang-format check (one test); release build + ctest (unit, golden, e2e/differential); asan-ubsan build (clang)
# + ctest under ASan+UBSan; fuzz build + each fuzz_* target for ZK_FUZZ_SECONDS (default 60).
# Options:
#   --quick     release build + ctest only
#   --no-asan   skip the ASan+UBSan stage      --no-fuzz   skip the fuzz stage
#   --no-deps   do not run scripts/install-deps.sh
# Environment: ZK_JOBS (build/test parallelism, default nproc), ZK_FUZZ_SECONDS.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
asan=1 fuzz=1 deps=1
for arg in "$@"; do
  case $arg in
    --quick) asan=0 fuzz=0 ;;
    --no-asan) asan=0 ;;
    --no-fuzz) fuzz=0 ;;
    --no-deps) deps=0 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
jobs=${ZK_JOBS:-$(nproc)}
export CTEST_OUTPUT_ON_FAILURE=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
log=$(mktemp -d "${TMPDIR:-/tmp}/zk-test.XXXXXX")
passed=0 failed=0 problems=() t_start=$SECONDS

banner() { printf '\n==== %s\n' "$*"; }
problem() { failed=$((failed + 1)); problems+=("$1"); echo "FAILED: $1"; }

# build PRESET [TARGET...]: configure + build (all targets by default); a broken build
# counts as one failed test.
build() {
  local preset=$1 t0=$SECONDS
  shift
  banner "build $preset (-j$jobs)${*:+: $*}"
  if cmake --preset "$preset" > "$log/configure-$preset.log" 2>&1 &&
     cmake --build --preset "$preset" -j "$jobs" ${*:+--target "$@"} > "$log/build-$preset.log" 2>&1; then
    echo "build $preset: ok ($((SECONDS - t0)) s)"
  else
    tail -n 60 "$log/configure-$preset.log" "$log/build-$preset.log" 2>/dev/null
    problem "build $preset"
    return 1
  fi
}

# run_ctest PRESET: runs ctest in build/PRESET and adds its counts.
run_ctest() {
  local preset=$1 t0=$SECONDS out=$log/ctest-$1.log
  banner "ctest $preset"
  ctest --test-dir "build/$preset" -j "$jobs" --timeout 600 --output-on-failure 2>&1 | tee "$out" |
    grep -vE '^ *Start +[0-9]+: |^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' # keep failures and the summary, not every pass
  local line total bad
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$out" | tail -n1)
  if [[ -n $line ]]; then
    total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
    bad=$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$line")
    passed=$((passed + total - bad)); failed=$((failed + bad))
    ((bad)) && problems+=("ctest $preset: $bad failed")
  elif grep -q 'No tests were found' "$out"; then
    echo "ctest $preset: no tests registered"
  else
    problem "ctest $preset (no summary; see $out)"
  fi
  echo "ctest $preset: $((SECONDS - t0)) s"
}

if ((deps)); then
  banner "install-deps"
  scripts/install-deps.sh || { problem "install-deps"; echo "zonekeeper tests: $passed passed, $failed failed"; exit 1; }
fi

# Formatting is part of the suite: one counted check (fix with scripts/lint.sh --fix).
banner "clang-format"
if scripts/lint.sh --format-only; then passed=$((passed + 1)); else problem "clang-format"; fi

build release && run_ctest release
if ((asan)); then build asan-ubsan && run_ctest asan-ubsan; fi
if ((fuzz)); then
  # Only the fuzz_* targets (and what they link), not the whole tree again.
  fuzz_targets=()
  if cmake --preset fuzz > "$log/configure-fuzz.log" 2>&1; then
    mapfile -t fuzz_targets < <(cmake --build build/fuzz --target help | grep -oE '^fuzz_[A-Za-z0-9_]+' | sort -u)
  fi
  if ((${#fuzz_targets[@]} == 0)); then
    banner "fuzz"
    echo "fuzz: no fuzz_* targets in tests/fuzz/; skipping"
  elif build fuzz "${fuzz_targets[@]}"; then
    banner "fuzz (${ZK_FUZZ_SECONDS:-60} s per target)"
    tests/fuzz/run.sh build/fuzz | tee "$log/fuzz.log"
    line=$(grep -E '^fuzz: [0-9]+ passed, [0-9]+ failed' "$log/fuzz.log" | tail -n1)
    if [[ -n $line ]]; then
      read -r p f < <(sed -E 's/^fuzz: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' <<<"$line")
      passed=$((passed + p)); failed=$((failed + f))
      ((f)) && problems+=("fuzz: $f failed")
    else
      problem "fuzz (no summary)"
    fi
  fi
fi

banner "summary ($((SECONDS - t_start)) s, logs in $log)"
for p in "${problems[@]}"; do echo "  - $p"; done
if ((failed == 0)); then echo "ALL PASSED"; else echo "SOME FAILED"; fi
echo "zonekeeper tests: $passed passed, $failed failed"
((failed == 0))

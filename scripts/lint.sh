#!/usr/bin/env bash
# Lint: clang-format (no changes allowed) on src/ tests/ bench/, clang-tidy (.clang-tidy) on src/.
#   scripts/lint.sh            both;  --format-only / --tidy-only to run one
#   scripts/lint.sh --fix      reformat in place (clang-format -i) instead of checking
# clang-tidy reads compile_commands.json from ZK_LINT_BUILD (default: build/release,
# configured here when missing). Exit status non-zero on any finding.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
format=1 tidy=1 fix=0
for arg in "$@"; do
  case $arg in
    --format-only) tidy=0 ;;
    --tidy-only) format=0 ;;
    --fix) fix=1 tidy=0 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "lint.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
status=0

if ((format)); then
  mapfile -t files < <(git ls-files -- 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h' 'bench/*.cc' 'bench/*.h')
  if ((fix)); then
    clang-format -i "${files[@]}" && echo "clang-format: reformatted ${#files[@]} files"
  elif clang-format --dry-run -Werror "${files[@]}" 2>&1; then
    echo "clang-format: ${#files[@]} files clean"
  else
    echo "clang-format: files above need 'scripts/lint.sh --fix'"; status=1
  fi
fi

if ((tidy)); then
  build=${ZK_LINT_BUILD:-build/release}
  if [[ ! -f $build/compile_commands.json ]]; then
    cmake --preset release > /dev/null || { echo "lint: cannot configure $build"; exit 1; }
  fi
  mapfile -t srcs < <(git ls-files -- 'src/*.cc')
  out=$(mktemp)
  # One clang-tidy per file, as many in parallel as there are cores.
  printf '%s\n' "${srcs[@]}" |
    xargs -P "$(nproc)" -n 1 clang-tidy -p "$build" --quiet --extra-arg=-Wno-unknown-warning-option > "$out" 2> /dev/null
  findings=$(grep -c -E '(warning|error):' "$out")
  cat "$out"; rm -f "$out"
  if ((findings)); then
    echo "clang-tidy: $findings findings in ${#srcs[@]} files"; status=1
  else
    echo "clang-tidy: ${#srcs[@]} files clean"
  fi
fi
exit $status

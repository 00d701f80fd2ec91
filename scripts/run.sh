#!/usr/bin/env bash
# Installs packages, builds zonekeeper (release preset) and runs its main job.
# Today the main job checks the example zones (examples/zones/*.zone) with
# `zonekeeper zone check`; later it becomes `zonekeeper up` (server + API + controller).
# Idempotent: re-running only rebuilds what changed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

scripts/install-deps.sh
cmake --preset release > /dev/null
cmake --build --preset release --target zonekeeper -j "${ZK_JOBS:-$(nproc)}"
bin=$repo/build/release/src/cli/zonekeeper
[[ -x $repo/build/release/zonekeeper ]] && bin=$repo/build/release/zonekeeper

# Origin of an example zone: its file name without .zone, except the load-balancer stand-in.
origin_of() {
  local f=${1##*/}
  case $f in
    elb.zone) echo us-east-1.elb.amazonaws.com. ;;
    *) echo "${f%.zone}." ;;
  esac
}

check_zones() {
  local ok=0 bad=0 f origin
  for f in examples/zones/*.zone; do
    origin=$(origin_of "$f")
    echo "== zonekeeper zone check $f --origin $origin"
    if "$bin" zone check "$f" --origin "$origin"; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
  done
  echo "zone check: $ok zones ok, $bad failed"
  ((bad == 0))
}

main_job() { check_zones "$@"; }  # later: main_job() { exec "$bin" up "$@"; }
main_job "$@"

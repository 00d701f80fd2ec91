#!/usr/bin/env bash
# Installs packages, builds zonekeeper (release preset) and runs its main job.
# The main job checks the example zones (examples/zones/*.zone) with `zonekeeper zone check`,
# then runs `zonekeeper up` in the foreground until Ctrl-C: DNS on 127.0.0.1:5353, the Route53
# API on 127.0.0.1:8053 and the controller on examples/manifests, with its store in
# ./zonekeeper-data (arguments are passed to `zonekeeper up`, e.g. --listen 127.0.0.1:5354).
# Idempotent: re-running only rebuilds what changed and reuses ./zonekeeper-data.
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

main_job() { check_zones && exec "$bin" up --data "$repo/zonekeeper-data" --manifests examples/manifests --zones examples/zones "$@"; }
main_job "$@"

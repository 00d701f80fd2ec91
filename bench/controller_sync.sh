#!/usr/bin/env bash
# Controller benchmark: `zonekeeper sync --once --provider local` with N Ingresses (default
# 10,000, one host each, 10 files) into an empty zone: the cold sync, then a no-change sync.
# Prints wall seconds, CPU seconds (user + system) and max RSS (KiB) of each whole process
# (manifest read + store + plan).
# Usage: bench/controller_sync.sh [ZONEKEEPER_BINARY] [N]
set -eu
ZK=${1:-build/release/src/cli/zonekeeper}
N=${2:-10000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/m" "$WORK/z"
cat >"$WORK/z/bench.example.zone" <<'Z'
$ORIGIN bench.example.
$TTL 300
@ 900 IN SOA ns1.bench.example. hostmaster.bench.example. 1 7200 900 1209600 86400
@ IN NS ns1.bench.example.
ns1 IN A 192.0.2.53
Z
python3 - "$WORK/m" "$N" <<'PY'
import sys
d, n = sys.argv[1], int(sys.argv[2])
per = max(1, n // 10)
for f in range(0, n, per):
    with open(f"{d}/ing{f // per}.yaml", "w") as out:
        for i in range(f, min(n, f + per)):
            out.write(f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: app{i}
  namespace: bench
spec:
  rules:
    - host: app{i}.bench.example
status:
  loadBalancer:
    ingress:
      - ip: 198.51.{(i >> 8) & 255}.{i & 255}
---
""")
PY
ARGS=(sync --once --provider local --data "$WORK/data" --zones "$WORK/z" --manifests "$WORK/m"
      --source ingress --domain-filter bench.example --txt-owner-id bench --txt-prefix 'zk-%{record_type}.' --policy sync)
run() {
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/t" "$ZK" "${ARGS[@]}" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; exit 1; }
  read -r wall user sys rss <"$WORK/t"
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  echo "$1: wall ${wall}s cpu ${cpu}s maxRSS ${rss}KiB  ($(tail -1 "$WORK/out"))"
}
run "cold sync of $N ingresses"
run "no-change sync of $N ingresses"

#!/bin/bash
# The issue's change-API benchmark in one sitting: zonekeeper (bench/api_bench.py,
# `zonekeeper serve --data`) and PowerDNS 4.7 (../shared/bench/api/pdns_api_server.sh and
# pdns_api_bench.py, gsqlite3 backend, api_rectify off for the zone) alternately, ROUNDS
# times each, on the same 100,000-record zone (h<i>.example.com. A), each with dnsperf
# answering-load in the background (unthrottled, pinned to CPU 1), then a table of medians.
#
# Usage: bench/api_vs_pdns.sh ZONEKEEPER [ROUNDS (default 2)] [OUT (default /tmp/api_vs_pdns.log)]
#        ROUNDS 0: only print the table of the results already in OUT, e.g. the OUT files of
#        several one-round sittings concatenated (each sitting stays short on a shared machine).
# Env: SHARED (default ../shared/bench/api next to the repository), RUN_SECONDS (default 10),
#      NO_DNSPERF=1 to measure without the query load,
#      CLIENT_NICE=N and/or CLIENT_CPU=LIST: the benchmark CLIENT of both sides (api_bench.py's
#      measuring loop; pdns_api_bench.py latency/throughput) runs at nice N / on CPUs LIST
#      (taskset -c syntax) while it measures. Servers and dnsperf are left as they are. On a
#      small machine the client competes for the CPUs with dnsperf and the server's DNS workers,
#      where a real API client would sit on another machine; the same treatment goes to both
#      sides, never one. Negative N needs root (CAP_SYS_NICE).
# Each side is measured twice for the 1-change latency: by the Python clients (botocore +
# requests, as pdns_api_bench.py) and by bench/api_replay, a lean C++ client that replays
# ready-made requests (REPLAY, default build/<preset>/bench/api_replay beside ZONEKEEPER)
# with the same loop: on a 2-core machine the Python client's own CPU and wake-ups are most
# of what the first one measures.
# Needs: python3 with boto3/requests, dnsperf, pdns-server, pdns-backend-sqlite3
# (scripts/install-deps.sh --bench).
set -u
ZK=${1:?usage: api_vs_pdns.sh ZONEKEEPER [ROUNDS] [OUT]}
ROUNDS=${2:-2}
OUT=${3:-/tmp/api_vs_pdns.log}
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=${SHARED:-$HERE/../../shared/bench/api}
[[ -d $SHARED ]] || SHARED=/work/shared/bench/api
RUN_SECONDS=${RUN_SECONDS:-10}
REPLAY=${REPLAY:-$(cd "$(dirname "$ZK")/../.." && pwd)/bench/api_replay}
export DIR=${PDNS_DIR:-/tmp/pdnsbench} DNSPORT=15353 APIPORT=18081
PDNS_API=http://127.0.0.1:$APIPORT/api/v1/servers/localhost
[[ $ROUNDS -gt 0 ]] && : >"$OUT"
command -v pdns_server >/dev/null || { echo "pdns_server not installed"; exit 1; }

QFILE=$(mktemp /tmp/api_vs_pdns_q.XXXXXX)
python3 -c "
import random
r = random.Random(7)
print('\n'.join('h%d.example.com. A' % r.randrange(100000) for _ in range(100000)))" >"$QFILE"
trap 'rm -f "$QFILE"' EXIT

dnsperf_start() {  # $1: port; sets DNSPERF_PID, output in $DNSPERF_OUT
  DNSPERF_OUT=$(mktemp /tmp/api_vs_pdns_dnsperf.XXXXXX)
  taskset -c 1 dnsperf -s 127.0.0.1 -p "$1" -d "$QFILE" -l 3600 -c 1 -T 1 >"$DNSPERF_OUT" 2>&1 &
  DNSPERF_PID=$!
  sleep 1
}
dnsperf_stop() {  # $1: label
  kill -INT "$DNSPERF_PID" 2>/dev/null
  wait "$DNSPERF_PID" 2>/dev/null
  local qps lost
  qps=$(sed -n 's/.*Queries per second: *\([0-9.]*\).*/\1/p' "$DNSPERF_OUT")
  lost=$(sed -n 's/.*Queries lost: *\([0-9]*\).*/\1/p' "$DNSPERF_OUT")
  echo "RESULT {\"kind\": \"pdns_dnsperf\", \"label\": \"$1\", \"qps\": ${qps:-null}, \"lost\": ${lost:-null}}" | tee -a "$OUT"
  rm -f "$DNSPERF_OUT"
}

CLIENT_FLAGS=() PDNS_CLIENT=()
if [[ -n ${CLIENT_NICE:-} ]]; then
  CLIENT_FLAGS+=(--client-nice "$CLIENT_NICE")
  PDNS_CLIENT+=(nice -n "$CLIENT_NICE")
fi
if [[ -n ${CLIENT_CPU:-} ]]; then
  CLIENT_FLAGS+=(--client-cpu "$CLIENT_CPU")
  PDNS_CLIENT+=(taskset -c "$CLIENT_CPU")
fi
[[ ${#PDNS_CLIENT[@]} -gt 0 ]] && echo "client treatment (both sides): nice ${CLIENT_NICE:-unchanged}, CPUs ${CLIENT_CPU:-any}"

for r in $(seq 1 "$ROUNDS"); do
  echo "=== round $r: zonekeeper ($(cut -d' ' -f1-3 /proc/loadavg))"
  ZKFLAGS=(--label "zonekeeper-r$r" --run-seconds "$RUN_SECONDS" "${CLIENT_FLAGS[@]}")
  [[ -z ${NO_DNSPERF:-} ]] && ZKFLAGS+=(--dnsperf)
  python3 "$HERE/api_bench.py" "$ZK" "${ZKFLAGS[@]}" | tee -a "$OUT" | grep -v '^RESULT'

  echo "=== round $r: PowerDNS ($(cut -d' ' -f1-3 /proc/loadavg))"
  sh "$SHARED/pdns_api_server.sh" init >/dev/null
  sh "$SHARED/pdns_api_server.sh" start
  PID=$(cat "$DIR/pdns_server.pid")
  # The zone first, with api_rectify off (PowerDNS's default re-checks the zone on every PATCH).
  curl -fs -H 'X-API-Key: benchkey' -H 'Content-Type: application/json' -X POST "$PDNS_API/zones" \
    -d '{"name": "example.com.", "kind": "Native", "nameservers": ["ns1.example.com."]}' >/dev/null
  curl -fs -H 'X-API-Key: benchkey' -H 'Content-Type: application/json' -X PUT "$PDNS_API/zones/example.com." \
    -d '{"api_rectify": false}' || echo "could not turn api_rectify off"
  python3 "$SHARED/pdns_api_bench.py" load --records 100000 --batch 1000 | tee -a "$OUT" | grep -v '^RESULT'
  [[ -z ${NO_DNSPERF:-} ]] && dnsperf_start "$DNSPORT"
  "${PDNS_CLIENT[@]}" python3 "$SHARED/pdns_api_bench.py" latency -n 200 --server-pid "$PID" --label "pdns-r$r" | tee -a "$OUT" | grep -v '^RESULT'
  python3 "$HERE/api_bench.py" --attach-pdns "http://127.0.0.1:$APIPORT" --dns "127.0.0.1:$DNSPORT" \
    --replay "$REPLAY" --server-pid "$PID" --label "pdns-r$r" "${CLIENT_FLAGS[@]}" | tee -a "$OUT" | grep -v '^RESULT'
  "${PDNS_CLIENT[@]}" python3 "$SHARED/pdns_api_bench.py" throughput --sizes 1,10,1000 --runs 3 --run-seconds "$RUN_SECONDS" \
    --server-pid "$PID" --label "pdns-r$r" | tee -a "$OUT" | grep -v '^RESULT'
  [[ -z ${NO_DNSPERF:-} ]] && dnsperf_stop "pdns-r$r"
  sh "$SHARED/pdns_api_server.sh" stop
done

python3 - "$OUT" <<'EOF'
import json, statistics, sys
rows = [json.loads(l[7:]) for l in open(sys.argv[1]) if l.startswith("RESULT ")]
def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else float("nan")
table = {}
for name, lat_kind, rtt, vis, thr_kind, dp_kind in (
        ("zonekeeper", "zk_change_latency", "change_rtt", "visible_after_200", "zk_change_throughput", "zk_dnsperf"),
        ("PowerDNS 4.7 (api_rectify off)", "pdns_change_latency", "patch_rtt", "visible_after_patch_returned",
         "pdns_patch_throughput", "pdns_dnsperf")):
    lat = [x for x in rows if x["kind"] == lat_kind]
    thr = [x for x in rows if x["kind"] == thr_kind]
    dp = [x for x in rows if x["kind"] == dp_kind]
    srv = [x["server_change_duration"] for x in lat if x.get("server_change_duration")]
    cells = ["%.2f / %.2f ms" % (med(x[rtt]["p50_ms"] for x in lat), med(x[rtt]["p99_ms"] for x in lat)),
             "%.2f / %.2f ms" % (med(x["p50_ms"] for x in srv), med(x["p99_ms"] for x in srv)) if srv else "-",
             "%.2f / %.2f ms" % (med(x[vis]["p50_ms"] for x in lat), med(x[vis]["p99_ms"] for x in lat))]
    cells.append(" / ".join("%.0f" % med(x["median_rrsets_per_s"] for x in thr if x["rrsets_per_request"] == s)
                            for s in (1, 10, 1000)))
    cells.append("%.0f" % med(x["qps"] for x in dp) if dp else "-")
    print("| %s | %s | %d |" % (name, " | ".join(cells), len(lat)))
    lean = [x for x in rows if x["kind"] == "replay_change_latency" and
            x["label"].startswith("zonekeeper" if name == "zonekeeper" else "pdns")]
    if lean:
        srv = [x["server_change_duration"] for x in lean if x.get("server_change_duration")]
        print("| %s, lean client (api_replay) | %.2f / %.2f ms | %s | %.2f / %.2f ms | | | %d |" % (
            name, med(x["change_rtt"]["p50_ms"] for x in lean), med(x["change_rtt"]["p99_ms"] for x in lean),
            "%.2f / %.2f ms" % (med(x["p50_ms"] for x in srv), med(x["p99_ms"] for x in srv)) if srv else "-",
            med(x["visible_after_200"]["p50_ms"] for x in lean), med(x["visible_after_200"]["p99_ms"] for x in lean),
            len(lean)))
print("columns: 1-change round trip p50 / p99 | the same requests inside the server (its "
      "zonekeeper_api_request_duration_seconds histogram), p50 / p99 | answer served after the 200, p50 / p99 | "
      "record sets/s at 1 / 10 / 1000 per request | dnsperf QPS meanwhile | rounds (medians over rounds)")
EOF
echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg); raw results in $OUT"

#!/usr/bin/env bash
# Zone-parse benchmark: how fast zonekeeper reads and checks a large zone file, compared in
# the same run and on the same file with nsd-checkzone, named-checkzone and Knot's load time.
#
#   bench/zoneparse.sh [--records N] [--runs R] [--zone FILE --origin NAME] [--no-knot]
#
# Steps: generate an N-record zone (default 1,000,000) with gen_zone.py (cached in the work
# dir); run `zonekeeper zone check`, `nsd-checkzone` and `named-checkzone` R times each
# (default 3), alternating, pinned to CPU 0, under /usr/bin/time -v; take medians of wall
# time and max RSS; then run `run_anchor.sh --mode load` for Knot (exec until it answers SOA).
# Prints MB/s, records/s, RSS bytes per record and zonekeeper's ratio against each.
#
# Environment: ZK_BENCH_DIR (gen_zone.py + run_anchor.sh; default ../shared/bench from the
# repo root, else /work/shared/bench), ZK_BENCH_WORK (default /tmp/zk-bench), ZK_BIN
# (zonekeeper binary; default the release build, built when missing).
# Needs: scripts/install-deps.sh --bench (knot, nsd, bind9, time).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
records=1000000 runs=3 zone="" origin=example.com. knot=1
while (($#)); do
  case $1 in
    --records) records=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --zone) zone=$2; shift 2 ;;
    --origin) origin=$2; shift 2 ;;
    --no-knot) knot=0; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "zoneparse: unknown option $1" >&2; exit 2 ;;
  esac
done
benchdir=${ZK_BENCH_DIR:-$repo/../shared/bench}
[[ -f $benchdir/gen_zone.py ]] || benchdir=/work/shared/bench
[[ -f $benchdir/gen_zone.py ]] || { echo "zoneparse: gen_zone.py not found; set ZK_BENCH_DIR" >&2; exit 1; }
work=${ZK_BENCH_WORK:-/tmp/zk-bench}
mkdir -p "$work"
[[ -x /usr/bin/time ]] || { echo "zoneparse: /usr/bin/time missing (scripts/install-deps.sh --bench)" >&2; exit 1; }

# zonekeeper binary (release build)
bin=${ZK_BIN:-}
if [[ -z $bin ]]; then
  for b in "$repo/build/release/zonekeeper" "$repo/build/release/src/cli/zonekeeper"; do
    [[ -x $b ]] && bin=$b && break
  done
  if [[ -z $bin ]]; then
    (cd "$repo" && cmake --preset release > /dev/null && cmake --build --preset release --target zonekeeper)
    bin=$repo/build/release/src/cli/zonekeeper
  fi
fi

# The zone file
if [[ -z $zone ]]; then
  zone=$work/${origin%.}-r$records.zone
  if [[ ! -s $zone ]]; then
    echo "generating $records-record zone $zone"
    python3 "$benchdir/gen_zone.py" --origin "$origin" --records "$records" --zone "$zone" > /dev/null
  fi
fi
zone=$(readlink -f "$zone")
bytes=$(stat -c %s "$zone")
rrs=$(grep -cvE '^[[:space:]]*($|;|\$)' "$zone")  # gen_zone.py writes one RR per line
echo "zone: $zone ($rrs RRs, $bytes bytes, origin $origin)"

declare -A cmd=(
  [zonekeeper]="$bin zone check $zone --origin $origin"
  [nsd-checkzone]="nsd-checkzone $origin $zone"
  # -i local: integrity checks of in-zone names only; the default (full) also resolves every
  # out-of-zone MX/NS/SRV target over the network, which stalled for minutes offline.
  [named-checkzone]="named-checkzone -i local $origin $zone"
)
tools=()
for t in zonekeeper nsd-checkzone named-checkzone; do
  read -r exe _ <<<"${cmd[$t]}"
  if command -v "$exe" > /dev/null; then tools+=("$t"); else echo "skipping $t: $exe not installed"; fi
done

# One timed run: appends "wall_ms maxrss_kb cpu_s" to $work/$tool.runs; fails on a non-zero exit.
measure() {
  local t=$1 log=$work/$1.log t0 t1 rss cpu
  t0=$(date +%s%N)
  # shellcheck disable=SC2086  # the command line is split on purpose
  if ! taskset -c 0 /usr/bin/time -v -o "$work/$t.time" ${cmd[$t]} > "$log" 2>&1; then
    echo "$t FAILED (exit $(awk -F': ' '/Exit status/{print $2}' "$work/$t.time")); output:"
    head -n 20 "$log"
    return 1
  fi
  t1=$(date +%s%N)
  rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$work/$t.time")
  cpu=$(awk -F': ' '/User time|System time/{s += $2} END{print s}' "$work/$t.time")
  echo "$(((t1 - t0) / 1000000)) $rss $cpu" >> "$work/$t.runs"
  printf '  %-16s %6.3f s wall  %6.2f s cpu  %7.1f MiB\n' "$t" "$(((t1 - t0) / 1000000))e-3" "$cpu" "$((rss * 10 / 1024))e-1"
}

failed=()
for t in "${tools[@]}"; do rm -f "$work/$t.runs"; done
for r in $(seq 1 "$runs"); do
  echo "run $r/$runs"
  for t in "${tools[@]}"; do
    [[ " ${failed[*]} " == *" $t "* ]] && continue
    measure "$t" || failed+=("$t")
  done
done

median() { sort -n | awk '{v[NR]=$1} END{if (NR==0) print ""; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
declare -A sec rss cpu
for t in "${tools[@]}"; do
  [[ -s $work/$t.runs && " ${failed[*]} " != *" $t "* ]] || continue
  sec[$t]=$(cut -d' ' -f1 "$work/$t.runs" | median | awk '{print $1/1000}')
  rss[$t]=$(cut -d' ' -f2 "$work/$t.runs" | median)  # KiB
  cpu[$t]=$(cut -d' ' -f3 "$work/$t.runs" | median)
done

if ((knot)); then
  if command -v knotd > /dev/null; then
    echo "knot: $benchdir/run_anchor.sh --mode load --runs $runs --zone $zone --origin $origin knot"
    "$benchdir/run_anchor.sh" --mode load --runs "$runs" --zone "$zone" --origin "$origin" \
      --workroot "$work/anchor" knot > "$work/knot.log" 2>&1 || true
    grep -E '^run [0-9]+:' "$work/knot.log" | sed 's/^/  /'
    summary=$(grep '^SUMMARY knot load' "$work/knot.log" || true)
    if [[ -n $summary ]]; then
      sec[knot-load]=$(sed -E 's/.*median load_time=([0-9.]+)s.*/\1/' <<<"$summary")
      # peak RSS (VmHWM), MiB -> KiB, comparable with /usr/bin/time's maximum RSS
      rss[knot-load]=$(sed -E 's/.*peak=([0-9.]+)MiB.*/\1/' <<<"$summary" | awk '{printf "%d", $1*1024}')
      tools+=(knot-load)
    else
      echo "knot: no SUMMARY line; see $work/knot.log"; tail -n 5 "$work/knot.log"
    fi
  else
    echo "skipping knot: knotd not installed"
  fi
fi

echo
echo "Zone parse, $rrs RRs, $((bytes / 1000000)) MB, medians of $runs runs ($(date -u +%F), $(nproc) cores):"
printf '| %-16s | %8s | %8s | %8s | %10s | %11s | %9s | %-22s |\n' tool "wall s" "CPU s" "MB/s" "records/s" "max RSS MiB" "RSS B/RR" "zonekeeper wall / RSS"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' ------------------ ---------- ---------- ---------- ------------ ------------- ----------- ------------------------
for t in "${tools[@]}"; do
  [[ -n ${sec[$t]:-} ]] || continue
  awk -v t="$t" -v s="${sec[$t]}" -v c="${cpu[$t]:--}" -v k="${rss[$t]}" -v b="$bytes" -v n="$rrs" \
      -v zs="${sec[zonekeeper]:-}" -v zk="${rss[zonekeeper]:-}" 'BEGIN{
    if (c != "-") c = sprintf("%.2f", c)
    ratio = (t == "zonekeeper" || zs == "" || s == 0 || k == 0) ? "-" : sprintf("%.2fx / %.2fx", zs/s, zk/k)
    printf "| %-16s | %8.3f | %8s | %8.1f | %10.0f | %11.1f | %9.0f | %-22s |\n",
      t, s, c, (s > 0 ? b/1e6/s : 0), (s > 0 ? n/s : 0), k/1024, k*1024/n, ratio }'
done
echo "(MB/s and records/s from wall time; ratios < 1 mean zonekeeper takes less time / memory;"
echo " knot-load = exec until Knot answers SOA, run after the others, so its ratio is less exact)"
((${#failed[@]} == 0)) || { echo "failed: ${failed[*]}"; exit 1; }

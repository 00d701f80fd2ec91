# Shared helpers for the `zonekeeper serve` end-to-end tests (sourced).
# The test sets BIN and, before calling start_serve, may set DIG_OPTS.
# Provides: TMP (removed on exit), PID (the server, stopped on exit),
# fail, expect, eventually, start_serve, wait_port, q. Counts in CHECKS/FAILS.
TMP=$(mktemp -d)
PID=
FAILS=0
CHECKS=0
DIG_OPTS=${DIG_OPTS:-+time=3 +tries=2}
lib_cleanup() {
  if [[ -n $PID ]] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID"; wait "$PID" 2>/dev/null; fi
  rm -rf "$TMP"
}
trap lib_cleanup EXIT
command -v dig >/dev/null || { echo "dig not installed"; exit 1; }

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

# wait_port LOG [TRIES] [PREFIX]: prints the port of the first 127.0.0.1 listener
# the program logged ("PREFIX127.0.0.1:PORT", PREFIX default "listening on ",
# the DNS server's line), waiting up to TRIES x 0.1 s; prints nothing if none.
wait_port() {
  local log=$1 tries=${2:-100} prefix=${3:-listening on } p=
  for _ in $(seq 1 "$tries"); do
    p=$(grep -o "${prefix}127.0.0.1:[0-9]*" "$log" 2>/dev/null | head -1 | sed 's/.*://')
    [[ -n $p ]] && break
    sleep 0.1
  done
  echo "$p"
}

# wait_api_port LOG: the same for the Route53 API's "listening on http://..." line.
wait_api_port() { wait_port "$1" 100 "listening on http://"; }

# start_serve LOG serve-args...: starts `$BIN serve` in the background (PID),
# stderr in LOG and stdout in LOG.out, sets PORT, and exits the test if it does
# not come up.
start_serve() {
  local log=$1
  shift
  "$BIN" serve "$@" >"$log.out" 2>"$log" &
  PID=$!
  PORT=$(wait_port "$log")
  [[ -n $PORT ]] || { cat "$log"; echo "FAIL: server did not start"; exit 1; }
}

# stop_serve: SIGTERM, then the exit status must be 0.
stop_serve() {
  CHECKS=$((CHECKS + 1))
  kill -TERM "$PID"
  wait "$PID"
  local rc=$?
  PID=
  [[ $rc -eq 0 ]] || fail "exit status $rc after SIGTERM"
}

# shellcheck disable=SC2086
q() { dig @127.0.0.1 -p "$PORT" $DIG_OPTS "$@"; }

# expect DESCRIPTION PATTERN dig-args...: the dig output must match the extended regex.
expect() {
  local what=$1 pattern=$2
  shift 2
  CHECKS=$((CHECKS + 1))
  local out
  out=$(q "$@" 2>&1)
  if ! grep -Eq -- "$pattern" <<<"$out"; then
    fail "$what: /$pattern/ not in:"
    echo "$out" | sed 's/^/    /'
  fi
}

# Like expect, but retries for up to 5 s (changes seen by polling or a signal).
eventually() {
  local what=$1 pattern=$2
  shift 2
  CHECKS=$((CHECKS + 1))
  local out
  for _ in $(seq 1 50); do
    out=$(q "$@" 2>&1)
    grep -Eq -- "$pattern" <<<"$out" && return 0
    sleep 0.1
  done
  fail "$what: /$pattern/ not in:"
  echo "$out" | sed 's/^/    /'
}

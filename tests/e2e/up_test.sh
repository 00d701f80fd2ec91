#!/usr/bin/env bash
# End-to-end: `zonekeeper up` (DNS server + API + controller in one process) with the
# reference deployment, checked with dig: the controller's records, the hand-made records,
# a manifest edit seen within 2 s, a restart reusing the data dir, and SIGTERM exit 0.
# Usage: up_test.sh ZONEKEEPER_BINARY REPO_ROOT
set -u
ZK=$(realpath "$1")
ROOT=$2
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" # TMP (removed on exit), PID (stopped on exit), fail, CHECKS/FAILS
WORK=$TMP
# check DESCRIPTION CONDITION: eval'd first, so that $? in it is the previous command's.
check() {
  if eval "$2"; then echo "ok   $1"; else fail "$1"; fi
  CHECKS=$((CHECKS + 1))
}
# Fixed ports: the banner prints the --listen argument, so port 0 would not do.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
DPORT=$(free_port)
APORT=$(free_port)

mkdir -p "$WORK/m" "$WORK/cwd"
cp "$ROOT"/examples/manifests/*.yaml "$WORK/m/"
q() { dig @127.0.0.1 -p "$DPORT" +short +time=1 +tries=1 "$@" | sort | tr '\n' ' ' | sed 's/ $//'; }
rcode() { dig @127.0.0.1 -p "$DPORT" +time=1 +tries=1 "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
# Waits up to $1 tenths of a second for `q ${@:3}` to print $2.
wait_for() {
  local n=$1 want=$2
  shift 2
  for ((i = 0; i < n; i++)); do
    [[ $(q "$@") == "$want" ]] && return 0
    sleep 0.1
  done
  return 1
}
start() {
  (cd "$WORK/cwd" && exec "$ZK" up --listen "127.0.0.1:$DPORT" --api-listen "127.0.0.1:$APORT" \
     --data "$WORK/data" --manifests "$WORK/m" --zones "$ROOT/examples/zones" >"$WORK/out" 2>"$WORK/err") &
  PID=$!
}
stop() {
  kill -TERM "$PID"
  wait "$PID"
  local rc=$?
  PID=""
  return $rc
}

# Missing directories: a clear message, exit 2.
(cd "$WORK/cwd" && "$ZK" up --listen "127.0.0.1:$DPORT" --data "$WORK/d2" >/dev/null 2>"$WORK/e2")
check "no examples/manifests in cwd: exit 2" "[[ $? -eq 2 ]]"
check "no examples/manifests: message" 'grep -q "manifests examples/manifests: not a directory" "$WORK/e2"'

start
check "api answers the load balancer's addresses (ALIAS to the elb zone)" \
  'wait_for 100 "203.0.113.30 203.0.113.31" api.wiperinstall.rainx.com A'
check "banner shows a dig command" 'grep -q "dig @127.0.0.1 -p $DPORT api.wiperinstall.rainx.com" "$WORK/out"'
check "api listening" 'grep -q "listening on http://127.0.0.1:$APORT" "$WORK/out"'
check "wiperinstall.click apex A" '[[ $(q wiperinstall.click A) == "203.0.113.40" ]]'
check "wiperinstall.click apex AAAA" '[[ $(q wiperinstall.click AAAA) == "2001:db8::40" ]]'
check "tekton A" '[[ $(q tekton.wiperinstall.rainx.com A) == "203.0.113.10" ]]'
check "shop.example.org REFUSED (no zone)" '[[ $(rcode shop.example.org A) == REFUSED ]]'
check "hand-made mail A untouched" '[[ $(q mail.wiperinstall.rainx.com A) == "198.51.100.25" ]]'
check "hand-made MX untouched" '[[ $(q wiperinstall.rainx.com MX) == "10 mail.wiperinstall.rainx.com." ]]'
check "hand-made TXT untouched" '[[ $(q wiperinstall.rainx.com TXT) == "\"v=spf1 mx -all\"" ]]'
check "hand-made status CNAME untouched" '[[ $(q status.wiperinstall.rainx.com CNAME) == "statuspage.example.net." ]]'
check "ownership TXT written" '[[ $(q extdns-a.tekton.wiperinstall.rainx.com TXT) == *"owner=zonekeeper"* ]]'

# Edit a manifest: the answer changes within 2 s.
sed -i 's/ip: 203.0.113.10$/ip: 203.0.113.11/' "$WORK/m/infra.yaml"
check "manifest edit seen within 2 s" 'wait_for 20 "203.0.113.11" tekton.wiperinstall.rainx.com A'

stop
check "SIGTERM: exit 0" "[[ $? -eq 0 ]]"

# A second run reuses the data dir (zones not imported twice, records kept).
start
check "restart: tekton keeps the edited address" 'wait_for 100 "203.0.113.11" tekton.wiperinstall.rainx.com A'
check "restart: hand-made MX still there" '[[ $(q wiperinstall.rainx.com MX) == "10 mail.wiperinstall.rainx.com." ]]'
kill -INT "$PID"
wait "$PID"
rc=$?
PID=""
check "SIGINT: exit 0" "[[ $rc -eq 0 ]]"

if ((FAILS > 0)); then
  echo "--- stderr:"; tail -30 "$WORK/err"
fi
echo "up e2e: $FAILS of $CHECKS checks failed"
((FAILS == 0))

#!/usr/bin/env bash
# End-to-end: the same manifests synced through the `route53` provider into a running
# `zonekeeper api` give the same zone contents as the `local` provider (issue 5).
# Usage: controller_route53_self_test.sh ZONEKEEPER_BINARY REPO_ROOT
set -u
ZK=$1
ROOT=$2
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" # TMP (removed on exit), PID (stopped on exit), fail, CHECKS/FAILS
WORK=$TMP
# check DESCRIPTION CONDITION: eval'd first, so that $? in it is the previous command's.
check() {
  if eval "$2"; then echo "ok   $1"; else fail "$1"; fi
  CHECKS=$((CHECKS + 1))
}

ZONES=(elb.zone:us-east-1.elb.amazonaws.com. wiperinstall.click.zone:wiperinstall.click.
       wiperinstall.rainx.com.zone:wiperinstall.rainx.com.)
for d in d1 d2; do
  for z in "${ZONES[@]}"; do
    "$ZK" zone import --data "$WORK/$d" -o "${z#*:}" "$ROOT/examples/zones/${z%%:*}" >/dev/null 2>"$WORK/err" ||
      fail "import ${z%%:*} into $d: $(cat "$WORK/err")"
  done
done
COMMON=(--once --manifests "$ROOT/examples/manifests" --source ingress --source service
        --domain-filter wiperinstall.rainx.com --domain-filter wiperinstall.click
        --txt-owner-id zonekeeper --txt-prefix 'extdns-%{record_type}.' --policy sync)

# route53 provider -> zonekeeper api (data d1)
eval "$("$ZK" keys create --data "$WORK/d1" --name ctl)"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
"$ZK" api --data "$WORK/d1" --api-listen 127.0.0.1:0 >"$WORK/api.out" 2>&1 &
PID=$!
PORT=$(wait_api_port "$WORK/api.out")
[[ -n $PORT ]] || { cat "$WORK/api.out"; echo "FAIL: zonekeeper api did not start"; exit 1; }
out=$("$ZK" sync --provider route53 --route53-endpoint "http://127.0.0.1:$PORT" "${COMMON[@]}" 2>"$WORK/err")
check "route53 sync exit 0 ($(tail -2 "$WORK/err"))" "[[ $? -eq 0 ]]"
check "route53 sync creates records" '[[ $out == *"10 to create"* ]]'
out=$("$ZK" sync --provider route53 --route53-endpoint "http://127.0.0.1:$PORT" "${COMMON[@]}" 2>"$WORK/err")
check "route53 second sync is a no-op" '[[ $out == *"no changes"* ]]'
kill "$PID"; wait "$PID" 2>/dev/null; PID=""

# local provider (data d2)
out=$("$ZK" sync --provider local --data "$WORK/d2" "${COMMON[@]}" 2>"$WORK/err")
check "local sync exit 0 ($(tail -2 "$WORK/err"))" "[[ $? -eq 0 ]]"
check "local sync creates records" '[[ $out == *"10 to create"* ]]'

for z in "${ZONES[@]}"; do
  name=${z#*:}
  "$ZK" zone export --data "$WORK/d1" "$name" >"$WORK/$name.d1" 2>&1
  "$ZK" zone export --data "$WORK/d2" "$name" >"$WORK/$name.d2" 2>&1
  check "$name: route53 via api == local" 'diff -u "$WORK/$name.d1" "$WORK/$name.d2"'
done
check "owned records exported" 'grep -q "tekton.wiperinstall.rainx.com." "$WORK/wiperinstall.rainx.com..d1"'

echo "$FAILS of $CHECKS checks failed"
[[ $FAILS -eq 0 ]]

#!/usr/bin/env bash
# End-to-end ALIAS with an upstream: one zonekeeper serves the load balancer
# names (shared/reference/zones/elb.zone stand-in, here a copy in the tree) and
# acts as the upstream; a second serves a zone whose apex and www are ALIASes to
# those names, with --alias-resolver pointing at the first.
# Usage: alias_test.sh ZONEKEEPER SOURCE_DIR
set -u
BIN=$1
SRC=$2
TMP=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT
FAILS=0
CHECKS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

cat >"$TMP/elb.zone" <<'ZONE'
$ORIGIN us-east-1.elb.amazonaws.com.
$TTL 60
@       IN SOA ns.us-east-1.elb.amazonaws.com. hostmaster.us-east-1.elb.amazonaws.com. 1 3600 600 86400 60
        IN NS  ns.us-east-1.elb.amazonaws.com.
ns      IN A   198.51.100.1
k8s-default-backend-5d8f2a1c9e-1234567890   IN A    203.0.113.30
k8s-default-backend-5d8f2a1c9e-1234567890   IN A    203.0.113.31
k8s-frontend-web-8c1e4b7f20-987654321       IN A    203.0.113.40
k8s-frontend-web-8c1e4b7f20-987654321       IN AAAA 2001:db8::40
ZONE
cat >"$TMP/app.zone" <<'ZONE'
$TTL 300
@    SOA ns1.app.test. host.app.test. 1 3600 600 86400 60
@    NS  ns1.app.test.
ns1  A   192.0.2.1
@    ALIAS k8s-frontend-web-8c1e4b7f20-987654321.us-east-1.elb.amazonaws.com.
www  ALIAS k8s-default-backend-5d8f2a1c9e-1234567890.us-east-1.elb.amazonaws.com.
gone ALIAS nothere.us-east-1.elb.amazonaws.com.
ZONE

start() {  # start LOGFILE ARGS... ; sets PORT
  local log=$1
  shift
  "$BIN" serve --listen 127.0.0.1:0 "$@" 2>"$log" &
  PIDS+=($!)
  PORT=
  for _ in $(seq 1 100); do
    PORT=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$log" | head -1 | sed 's/.*://')
    [[ -n $PORT ]] && return 0
    sleep 0.1
  done
  cat "$log"
  echo "FAIL: server did not start"
  exit 1
}
start "$TMP/up.log" --zone us-east-1.elb.amazonaws.com.="$TMP/elb.zone"
UP=$PORT
start "$TMP/app.log" --zone app.test.="$TMP/app.zone" --alias-resolver 127.0.0.1:$UP
APP=$PORT

expect() {
  local what=$1 pattern=$2
  shift 2
  CHECKS=$((CHECKS + 1))
  local out
  out=$(dig @127.0.0.1 -p "$APP" +time=3 +tries=2 +norec "$@" 2>&1)
  if ! grep -Eq -- "$pattern" <<<"$out"; then
    fail "$what: /$pattern/ not in:"
    echo "$out" | sed 's/^/    /'
  fi
}
expect "apex ALIAS A from upstream" '^app\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+203\.0\.113\.40' app.test A
expect "apex ALIAS AAAA from upstream" '^app\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+AAAA[[:space:]]+2001:db8::40' app.test AAAA
expect "TTL is the target's" '^app\.test\.[[:space:]]+(5[0-9]|60)[[:space:]]+IN[[:space:]]+A' app.test A
expect "apex SOA unaffected" 'flags: qr aa; QUERY: 1, ANSWER: 1' app.test SOA
expect "www ALIAS two addresses" 'ANSWER: 2,' www.app.test A
expect "target without AAAA: NODATA" 'flags: qr aa; QUERY: 1, ANSWER: 0, AUTHORITY: 1' www.app.test AAAA
expect "missing target: NODATA" 'status: NOERROR' gone.app.test A

# An alias created through the API (a store publication, not a zone file) to a
# name outside the served zones: the target is resolved as soon as the zone is
# published, so the very first query for it already gets the addresses (a target
# first seen on the query path would get SERVFAIL once).
if command -v aws >/dev/null; then
  "$BIN" serve --listen 127.0.0.1:0 --data "$TMP/data" --api-listen 127.0.0.1:0 --alias-resolver 127.0.0.1:$UP \
    >"$TMP/store.out" 2>"$TMP/store.log" &
  PIDS+=($!)
  SP= AP=
  for _ in $(seq 1 100); do
    SP=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$TMP/store.log" | head -1 | sed 's/.*://')
    AP=$(grep -ho 'listening on http://127.0.0.1:[0-9]*' "$TMP/store.out" "$TMP/store.log" | head -1 | sed 's/.*://')
    [[ -n $SP && -n $AP ]] && break
    sleep 0.1
  done
  CHECKS=$((CHECKS + 1))
  if [[ -z $SP || -z $AP ]]; then
    fail "serve --data with --alias-resolver did not start: $(cat "$TMP/store.log" "$TMP/store.out")"
  else
    eval "$("$BIN" keys create --data "$TMP/data" --name alias-e2e)"
    export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=
    r53() { aws --endpoint-url "http://127.0.0.1:$AP" route53 "$@"; }
    ZID=$(r53 create-hosted-zone --name store.test --caller-reference alias-e2e --query 'HostedZone.Id' --output text)
    CID=$(r53 change-resource-record-sets --hosted-zone-id "$ZID" --query 'ChangeInfo.Id' --output text \
      --change-batch '{"Changes":[{"Action":"CREATE","ResourceRecordSet":{"Name":"store.test","Type":"A",
        "AliasTarget":{"HostedZoneId":"Z35SXDOTRQ7X7K","EvaluateTargetHealth":false,
        "DNSName":"k8s-default-backend-5d8f2a1c9e-1234567890.us-east-1.elb.amazonaws.com"}}}]}')
    for _ in $(seq 1 50); do
      [[ $(r53 get-change --id "$CID" --query 'ChangeInfo.Status' --output text) == INSYNC ]] && break
      sleep 0.1
    done
    sleep 1  # the background resolution (one upstream round trip), never a query
    CHECKS=$((CHECKS + 1))
    out=$(dig @127.0.0.1 -p "$SP" +time=3 +tries=1 +norec store.test A 2>&1)
    grep -q 'status: NOERROR' <<<"$out" && grep -Eq 'store\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+203\.0\.113\.3[01]' <<<"$out" ||
      fail "first query for an API-created alias: $out"
  fi
else
  echo "aws CLI not installed: the API-created alias check is skipped"
fi

# Upstream gone: cached answers keep being served.
kill -TERM "${PIDS[0]}"
wait "${PIDS[0]}" 2>/dev/null
expect "cached after upstream stops" '203\.0\.113\.40' app.test A

echo "$CHECKS checks, $FAILS failed"
[[ $FAILS -eq 0 ]]

#!/usr/bin/env bash
# End-to-end: `zonekeeper serve --data DIR` serves a zone imported with
# `zonekeeper zone import`, and picks up changes committed by another process
# (tests/e2e/store_change_tool.cc) on the same store: record changes, aliases,
# zone creation and deletion. Also: a zone both in --zone and in the store is
# refused at startup, and file zones and store zones are served side by side.
# Usage: serve_store_test.sh ZONEKEEPER STORE_CHANGE SOURCE_DIR
set -u
BIN=$1
CHANGE=$2
SRC=$3
DIG_OPTS="+time=2 +tries=1 +norec"
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

ZONE=wiperinstall.rainx.com.
DATA=$TMP/data
"$BIN" zone import --data "$DATA" --origin $ZONE "$SRC/examples/zones/wiperinstall.rainx.com.zone" \
  >"$TMP/import.out" 2>&1 || { cat "$TMP/import.out"; echo "FAIL: import"; exit 1; }

# A file zone beside the store's zones.
cat >"$TMP/file.zone" <<'ZONE'
$ORIGIN file.example.
$TTL 60
@ IN SOA ns.file.example. admin.file.example. 7 3600 600 86400 60
@ IN NS ns.file.example.
ns IN A 192.0.2.53
www IN A 192.0.2.80
ZONE

# Refused: the same name from a zone file and from the store.
"$BIN" serve --listen 127.0.0.1:0 --no-api --data "$DATA" --zone $ZONE="$SRC/examples/zones/wiperinstall.rainx.com.zone" \
  2>"$TMP/conflict.log" &
CPID=$!
for _ in $(seq 1 50); do kill -0 $CPID 2>/dev/null || break; sleep 0.1; done
if kill -0 $CPID 2>/dev/null; then
  kill -TERM $CPID; wait $CPID 2>/dev/null
  fail "serve started with a zone both in --zone and in --data"
else
  wait $CPID; rc=$?
  CHECKS=$((CHECKS + 1))
  [[ $rc -ne 0 ]] || fail "conflict: exit status 0"
  grep -q "also hosted zone" "$TMP/conflict.log" || fail "conflict: no message: $(cat "$TMP/conflict.log")"
fi

start_serve "$TMP/log" --listen 127.0.0.1:0 --data "$DATA" --store-poll-ms 50 --zone file.example.="$TMP/file.zone" \
  --api-listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0
# The Route53 API runs in the same process by default (--no-api turns it off).
APORT=$(wait_api_port "$TMP/log.out")
[[ -n $APORT ]] || { cat "$TMP/log.out" "$TMP/log"; echo "FAIL: the API did not start with serve --data"; exit 1; }
S='[[:space:]]+'

# The hand-made records of the imported zone.
expect "SOA authoritative" "flags: qr aa;.*ANSWER: 1" $ZONE SOA
expect "mail A" "mail\.wiperinstall\.rainx\.com\.${S}300${S}IN${S}A${S}198\.51\.100\.25" mail.$ZONE A
expect "MX" "wiperinstall\.rainx\.com\.${S}300${S}IN${S}MX${S}10 mail\.wiperinstall\.rainx\.com\." $ZONE MX
expect "MX additional A" "ADDITIONAL: [2-9]" $ZONE MX
expect "TXT" "wiperinstall\.rainx\.com\.${S}300${S}IN${S}TXT${S}\"v=spf1 mx -all\"" $ZONE TXT
expect "status CNAME" "status\.wiperinstall\.rainx\.com\.${S}300${S}IN${S}CNAME${S}statuspage\.example\.net\." status.$ZONE A
expect "NXDOMAIN" "status: NXDOMAIN" nothere.$ZONE A
expect "file zone served too" "www\.file\.example\.${S}60${S}IN${S}A${S}192\.0\.2\.80" www.file.example A
SERIAL0=$(q +short $ZONE SOA | awk '{print $3}')

# Changes from another process.
"$CHANGE" "$DATA" change $ZONE CREATE app.$ZONE A 60 192.0.2.10 192.0.2.11 >/dev/null || fail "store_change create"
eventually "created A" "app\.wiperinstall\.rainx\.com\.${S}60${S}IN${S}A${S}192\.0\.2\.1[01]" app.$ZONE A
expect "serial bumped" "ANSWER: 1" $ZONE SOA
SERIAL1=$(q +short $ZONE SOA | awk '{print $3}')
CHECKS=$((CHECKS + 1))
[[ $SERIAL1 -eq $((SERIAL0 + 1)) ]] || fail "serial $SERIAL0 -> $SERIAL1, expected +1"
"$CHANGE" "$DATA" change $ZONE UPSERT $ZONE TXT 120 '"v=spf1 -all"' >/dev/null || fail "store_change upsert"
eventually "upserted TXT" "${S}120${S}IN${S}TXT${S}\"v=spf1 -all\"" $ZONE TXT
"$CHANGE" "$DATA" change $ZONE DELETE mail.$ZONE A 300 198.51.100.25 >/dev/null || fail "store_change delete"
eventually "deleted A is NXDOMAIN" "status: NXDOMAIN" mail.$ZONE A
"$CHANGE" "$DATA" alias $ZONE CREATE www.$ZONE A app.$ZONE >/dev/null || fail "store_change alias"
eventually "alias answers the target's A" "www\.wiperinstall\.rainx\.com\.${S}[0-9]+${S}IN${S}A${S}192\.0\.2\.1[01]" www.$ZONE A

# A new hosted zone, then its deletion.
"$CHANGE" "$DATA" create-zone new.example. >/dev/null || fail "store_change create-zone"
eventually "new zone served" "flags: qr aa;.*ANSWER: 1" new.example. SOA
"$CHANGE" "$DATA" delete-zone new.example. >/dev/null || fail "store_change delete-zone"
eventually "deleted zone refused" "status: REFUSED" new.example. SOA

# The same process's API: the aws CLI changes a record, dig sees it, and
# GetChange says INSYNC once the server answers with it.
if command -v aws >/dev/null; then
  eval "$("$BIN" keys create --data "$DATA" --name e2e)"
  export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=
  r53() { aws --endpoint-url "http://127.0.0.1:$APORT" route53 "$@"; }
  ZID=$(r53 list-hosted-zones-by-name --dns-name $ZONE --query 'HostedZones[0].Id' --output text)
  CHECKS=$((CHECKS + 1))
  [[ $ZID == /hostedzone/* ]] || fail "hosted zone id from the API: '$ZID'"
  CID=$(r53 change-resource-record-sets --hosted-zone-id "$ZID" --query 'ChangeInfo.Id' --output text \
    --change-batch '{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"cli.wiperinstall.rainx.com",
      "Type":"A","TTL":30,"ResourceRecords":[{"Value":"192.0.2.77"}]}}]}')
  CHECKS=$((CHECKS + 1))
  [[ $CID == /change/* ]] || fail "change id from the API: '$CID'"
  # wait_insync CHANGE_ID: GetChange until INSYNC (5 s at most); sets STATUS.
  wait_insync() {
    STATUS=
    for _ in $(seq 1 50); do
      STATUS=$(r53 get-change --id "$1" --query 'ChangeInfo.Status' --output text)
      [[ $STATUS == INSYNC ]] && break
      sleep 0.1
    done
  }
  wait_insync "$CID"
  CHECKS=$((CHECKS + 1))
  [[ $STATUS == INSYNC ]] || fail "GetChange: $STATUS, expected INSYNC"
  expect "change made through serve's own API is answered" "cli\.wiperinstall\.rainx\.com\.${S}30${S}IN${S}A${S}192\.0\.2\.77" cli.$ZONE A

  # serve's /metrics has the API's request durations, by operation.
  MPORT=$(sed -n 's|.*metrics on http://127\.0\.0\.1:\([0-9]*\)/metrics.*|\1|p' "$TMP/log" | head -1)
  M=$(curl -fs "http://127.0.0.1:$MPORT/metrics")
  CHECKS=$((CHECKS + 1))
  grep -q '^zonekeeper_api_request_duration_seconds_count{operation="ChangeResourceRecordSets"} 1$' <<<"$M" ||
    fail "serve /metrics: no ChangeResourceRecordSets count of 1: $(grep -c api_request <<<"$M") api lines"
  CHECKS=$((CHECKS + 1))
  grep -Eq '^zonekeeper_api_request_duration_seconds_bucket\{operation="GetChange",le="\+Inf"\} [1-9]' <<<"$M" ||
    fail "serve /metrics: no GetChange observations"
  CHECKS=$((CHECKS + 1))
  grep -q '^zonekeeper_queries_total{transport="udp"}' <<<"$M" || fail "serve /metrics: DNS counters missing"

  # A second hosted zone of the same name (Route53 allows it): this server
  # serves the first and declines the second, whose changes must not stay
  # PENDING waiting for it.
  DUPZ=$(r53 create-hosted-zone --name $ZONE --caller-reference dup-$$ --query 'HostedZone.Id' --output text)
  CHECKS=$((CHECKS + 1))
  [[ $DUPZ == /hostedzone/* && $DUPZ != "$ZID" ]] || fail "second hosted zone of the same name: '$DUPZ'"
  DCID=$(r53 change-resource-record-sets --hosted-zone-id "$DUPZ" --query 'ChangeInfo.Id' --output text \
    --change-batch '{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"dup.wiperinstall.rainx.com",
      "Type":"A","TTL":30,"ResourceRecords":[{"Value":"192.0.2.78"}]}}]}')
  wait_insync "$DCID"
  CHECKS=$((CHECKS + 1))
  [[ $STATUS == INSYNC ]] || fail "GetChange for a zone the server declines: $STATUS, expected INSYNC"
  CHECKS=$((CHECKS + 1))
  grep -q "not served: another zone with that name is served" "$TMP/log" || fail "serve did not log the declined zone"
  r53 change-resource-record-sets --hosted-zone-id "$DUPZ" >/dev/null --change-batch '{"Changes":[{"Action":"DELETE",
    "ResourceRecordSet":{"Name":"dup.wiperinstall.rainx.com","Type":"A","TTL":30,"ResourceRecords":[{"Value":"192.0.2.78"}]}}]}'
  r53 delete-hosted-zone --id "$DUPZ" >/dev/null

  # A separate `zonekeeper api` process on the same store: its GetChange waits
  # for the serve process (registered in the store's server registry), so at
  # INSYNC dig must already see the change, with no retry.
  "$BIN" api --data "$DATA" --api-listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 >"$TMP/api.out" 2>"$TMP/api.log" &
  API_PID=$!
  APORT2=$(wait_api_port "$TMP/api.out")
  CHECKS=$((CHECKS + 1))
  if [[ -z $APORT2 ]]; then
    fail "zonekeeper api did not start: $(cat "$TMP/api.out" "$TMP/api.log")"
  else
    for i in 1 2 3; do
      CID=$(aws --endpoint-url "http://127.0.0.1:$APORT2" route53 change-resource-record-sets --hosted-zone-id "$ZID" \
        --query 'ChangeInfo.[Id,Status]' --output text --change-batch '{"Changes":[{"Action":"UPSERT",
        "ResourceRecordSet":{"Name":"apart.wiperinstall.rainx.com","Type":"A","TTL":30,
        "ResourceRecords":[{"Value":"192.0.2.'$((100 + i))'"}]}}]}')
      CHECKS=$((CHECKS + 1))
      [[ $CID == *PENDING* ]] || fail "change $i through a separate api process: '$CID', expected PENDING first"
      CID=${CID%%[[:space:]]*}
      STATUS=
      for _ in $(seq 1 100); do
        STATUS=$(aws --endpoint-url "http://127.0.0.1:$APORT2" route53 get-change --id "$CID" \
          --query 'ChangeInfo.Status' --output text)
        [[ $STATUS == INSYNC ]] && break
        sleep 0.05
      done
      CHECKS=$((CHECKS + 1))
      [[ $STATUS == INSYNC ]] || fail "separate api: GetChange $STATUS, expected INSYNC"
      expect "at INSYNC the other process answers change $i" \
        "apart\.wiperinstall\.rainx\.com\.${S}30${S}IN${S}A${S}192\.0\.2\.$((100 + i))" apart.$ZONE A
    done
    # `zonekeeper api --metrics-listen`: the three changes, each under 1 s ("le" 1 holds them all).
    MPORT2=$(sed -n 's|.*metrics on http://127\.0\.0\.1:\([0-9]*\)/metrics.*|\1|p' "$TMP/api.out" | head -1)
    M=$(curl -fs "http://127.0.0.1:$MPORT2/metrics")
    CHECKS=$((CHECKS + 1))
    grep -q '^zonekeeper_api_request_duration_seconds_bucket{operation="ChangeResourceRecordSets",le="1"} 3$' <<<"$M" ||
      fail "api /metrics: ChangeResourceRecordSets: $(grep 'ChangeResourceRecordSets.*le="1"' <<<"$M")"
  fi
  kill -TERM "$API_PID" 2>/dev/null
  wait "$API_PID" 2>/dev/null
else
  echo "aws CLI not installed: API-in-serve checks skipped"
fi

# Clean stop.
kill -TERM "$PID"
wait "$PID"
rc=$?
PID=
CHECKS=$((CHECKS + 1))
[[ $rc -eq 0 ]] || fail "exit status $rc after SIGTERM"

echo "$CHECKS checks, $FAILS failures"
if [[ $FAILS -ne 0 ]]; then echo "--- server log"; cat "$TMP/log.out" "$TMP/log"; exit 1; fi
exit 0

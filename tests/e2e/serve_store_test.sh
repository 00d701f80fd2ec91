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
"$BIN" serve --listen 127.0.0.1:0 --data "$DATA" --zone $ZONE="$SRC/examples/zones/wiperinstall.rainx.com.zone" \
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

start_serve "$TMP/log" --listen 127.0.0.1:0 --data "$DATA" --store-poll-ms 50 --zone file.example.="$TMP/file.zone"
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

# Clean stop.
kill -TERM "$PID"
wait "$PID"
rc=$?
PID=
CHECKS=$((CHECKS + 1))
[[ $rc -eq 0 ]] || fail "exit status $rc after SIGTERM"

echo "$CHECKS checks, $FAILS failures"
if [[ $FAILS -ne 0 ]]; then echo "--- server log"; cat "$TMP/log"; exit 1; fi
exit 0

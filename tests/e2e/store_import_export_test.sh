#!/usr/bin/env bash
# zonekeeper zone import/export: a zone file into the store and back, the
# round trip, permissions of the data directory, and refused inputs.
# Usage: store_import_export_test.sh ZONEKEEPER
set -euo pipefail
ZK=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
fail() { echo "FAIL: $*" >&2; exit 1; }

cat > ex.zone <<'ZONE'
$ORIGIN example.com.
$TTL 3600
@ IN SOA ns1.example.com. admin.example.com. 2024010101 7200 900 1209600 300
@ IN NS ns1.example.com.
@ IN NS ns2.example.net.
ns1 IN A 192.0.2.53
www IN A 192.0.2.2
WWW IN A 192.0.2.1
www 600 IN AAAA 2001:db8::1
*.wild IN TXT "hello world"
mail IN MX 10 mx.example.net.
@ IN ALIAS lb.example.net.
cname IN CNAME www
ZONE

cat > expected <<'OUT'
example.com. 3600 IN SOA ns1.example.com. admin.example.com. 2024010101 7200 900 1209600 300
example.com. 300 IN ALIAS lb.example.net.
example.com. 3600 IN NS ns1.example.com.
example.com. 3600 IN NS ns2.example.net.
cname.example.com. 3600 IN CNAME www.example.com.
mail.example.com. 3600 IN MX 10 mx.example.net.
ns1.example.com. 3600 IN A 192.0.2.53
*.wild.example.com. 3600 IN TXT "hello world"
www.example.com. 3600 IN A 192.0.2.1
www.example.com. 3600 IN A 192.0.2.2
www.example.com. 600 IN AAAA 2001:db8::1
OUT

out=$("$ZK" zone import --data data ex.zone --origin example.com. --caller-reference ref-1)
echo "$out"
id=$(echo "$out" | sed -n 's/.*imported as hosted zone \(Z[A-Z0-9]*\),.*/\1/p')
[[ -n "$id" ]] || fail "no zone id in: $out"
echo "$out" | grep -q "10 record sets, serial 2024010101" || fail "summary: $out"
[[ $(stat -c %a data) == 700 ]] || fail "data dir mode $(stat -c %a data)"
[[ $(stat -c %a data/zones.db) == 600 ]] || fail "database mode $(stat -c %a data/zones.db)"

"$ZK" zone export --data data "$id" > by-id
diff -u expected by-id || fail "export by id differs"
"$ZK" zone export --data data example.com. -w by-name
diff -u expected by-name || fail "export by name differs"

# Round trip: the export imports again to the same zone.
"$ZK" zone import --data data2 by-id --origin example.com. >/dev/null
"$ZK" zone export --data data2 example.com > again
diff -u expected again || fail "round trip differs"

# The same CallerReference again: refused, nothing added.
if "$ZK" zone import --data data ex.zone --origin example.com. --caller-reference ref-1 2> err; then
  fail "duplicate caller reference accepted"
fi
grep -q "already been created with the specified caller reference 'ref-1'" err || fail "message: $(cat err)"
"$ZK" zone export --data data example.com. > /dev/null || fail "a second zone appeared"

# A zone with errors is not imported.
printf '%s\n' '$TTL 60' '@ SOA ns. h. 1 2 3 4 5' '@ NS ns.' 'x CNAME y' 'x A 192.0.2.1' > bad.zone
if "$ZK" zone import --data data3 bad.zone --origin bad.test. 2> err; then fail "bad zone imported"; fi
grep -q "not imported" err || fail "message: $(cat err)"
if "$ZK" zone export --data data3 bad.test. 2> err; then fail "bad zone exported"; fi

# Unknown zone, missing data directory: exit 1 with a message.
if "$ZK" zone export --data data nope.example. 2> err; then fail "unknown zone exported"; fi
grep -q "no hosted zone with id or name 'nope.example.'" err || fail "message: $(cat err)"
if "$ZK" zone export --data missing example.com. 2> err; then fail "missing data dir"; fi
grep -q "no data directory missing" err || fail "message: $(cat err)"
echo "store import/export: OK"

#!/usr/bin/env bash
# End-to-end: start `zonekeeper serve` on a free loopback port and check real
# dig answers over UDP and TCP, SIGHUP reload of a changed zone file, and a
# clean exit on SIGTERM.  Usage: serve_test.sh ZONEKEEPER_BINARY SOURCE_DIR
set -u
BIN=$1
SRC=$2
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cp "$SRC/tests/golden/server/zones/example.com.zone" "$TMP/example.com.zone"
cp "$SRC/tests/golden/server/zones/sub.example.com.zone" "$TMP/sub.zone"

V6=()
if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then V6=(--listen '[::1]:0'); fi
start_serve "$TMP/log" --listen 127.0.0.1:0 "${V6[@]}" --workers 2 --metrics-listen 127.0.0.1:0 \
  --zone example.com.="$TMP/example.com.zone" --zone sub.example.com.="$TMP/sub.zone"

expect "SOA is authoritative" 'flags: qr aa;.*ANSWER: 1' example.com SOA +norec
expect "A answer" 'www\.example\.com\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.1' www.example.com A
expect "qname case preserved" 'WwW\.ExAmPlE\.cOm\.[[:space:]]+3600' WwW.ExAmPlE.cOm A
expect "NXDOMAIN" 'status: NXDOMAIN' nothere.example.com A
expect "NXDOMAIN negative TTL" 'example\.com\.[[:space:]]+300[[:space:]]+IN[[:space:]]+SOA' nothere.example.com A
expect "NODATA for empty non-terminal" 'flags: qr aa; QUERY: 1, ANSWER: 0, AUTHORITY: 1' b.c.example.com A +norec
expect "REFUSED outside our zones" 'status: REFUSED' www.example.org A
expect "RA never set" 'flags: qr rd;' www.example.org A +rec
expect "referral without AA" 'flags: qr;.*ANSWER: 0, AUTHORITY: 2, ADDITIONAL: 2' www.deleg.example.com A +norec
expect "nested zone wins" 'host\.sub\.example\.com\.[[:space:]]+600[[:space:]]+IN[[:space:]]+A' host.sub.example.com A
expect "CNAME chain" 'chain2\.example\.com\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+CNAME' chain1.example.com A
expect "wildcard" 'foo\.wild\.example\.com\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.99' foo.wild.example.com A
expect "ALIAS" 'elb\.example\.com\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.1' elb.example.com A
expect "EDNS 1232" 'udp: 1232' www.example.com A +edns=0
expect "BADVERS" 'status: BADVERS' www.example.com A +edns=1 +noednsnegotiation
expect "TC without EDNS" 'flags: qr aa tc; QUERY: 1, ANSWER: 0' big.example.com TXT +noedns +ignore +norec
expect "TCP whole answer" 'ANSWER: 10,' big.example.com TXT +noedns +tcp
expect "TCP keepalive pipelining" 'status: NXDOMAIN' +tcp +keepopen www.example.com A nothere.example.com A
if [[ ${#V6[@]} -gt 0 ]]; then
  P6=$(grep -o 'listening on \[::1\]:[0-9]*' "$TMP/log" | head -1 | sed 's/.*://')
  CHECKS=$((CHECKS + 1))
  dig @::1 -p "$P6" +time=3 +tries=2 www.example.com A | grep -q '192\.0\.2\.1' || fail "IPv6 UDP"
  CHECKS=$((CHECKS + 1))
  dig @::1 -p "$P6" +time=3 +tries=2 +tcp www.example.com A | grep -q '192\.0\.2\.1' || fail "IPv6 TCP"
fi
expect "NOTIMP for NOTIFY" 'status: NOTIMP' +opcode=notify example.com SOA
# RFC 6891 section 7 / RFC 8906: error answers keep the OPT of the query.
expect "NOTIMP carries the OPT" 'udp: 1232' +opcode=notify +edns=0 example.com SOA
expect "REFUSED carries the OPT" 'udp: 1232' +edns=0 www.example.org A

# A second server on an address this one serves must refuse to start.
CHECKS=$((CHECKS + 1))
timeout 10 "$BIN" serve --listen 127.0.0.1:"$PORT" --zone example.com.="$TMP/example.com.zone" 2>"$TMP/dup.log"
RC=$?
[[ $RC -ne 0 && $RC -ne 124 ]] || fail "second serve on 127.0.0.1:$PORT: exit status $RC"
grep -q "127.0.0.1:$PORT is already in use" "$TMP/dup.log" || fail "second serve: no clear error: $(cat "$TMP/dup.log")"
# Only UDP taken by someone else (no TCP listener): refused too.
CHECKS=$((CHECKS + 1))
python3 - "$BIN" "$TMP/example.com.zone" <<'PY2' || fail "UDP-only conflict not detected"
import socket, subprocess, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
r = subprocess.run([sys.argv[1], "serve", "--listen", "127.0.0.1:%d" % port, "--zone", "example.com.=" + sys.argv[2]],
                   capture_output=True, text=True, timeout=10)
sys.exit(0 if r.returncode != 0 and "already in use" in r.stderr else 1)
PY2
expect "first server still answers" '192\.0\.2\.1' www.example.com A

# Packet cache: the same query (no random DNS cookie) three times over two workers
# meets an answer replayed at least once; after the SIGHUP reload below the replay must
# stop (checked by asking the very same query again).
for _ in 1 2 3; do expect "cached A answer" '192\.0\.2\.1' www.example.com A +nocookie; done

# Prometheus endpoint: counters moved, by transport and RCODE.
MPORT=$(grep -o 'metrics on http://127.0.0.1:[0-9]*' "$TMP/log" | head -1 | sed 's/.*://')
CHECKS=$((CHECKS + 1))
http_get() {  # URL -> "STATUS\nBODY" (python3 rather than curl: one dependency less)
  python3 - "$1" <<'PY'
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(sys.argv[1], timeout=3) as r:
        print(r.status); print(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code)
PY
}
METRICS=$(http_get "http://127.0.0.1:$MPORT/metrics")
for pat in 'zonekeeper_queries_total\{transport="udp"\} [1-9]' 'zonekeeper_queries_total\{transport="tcp"\} [1-9]' \
  'zonekeeper_responses_total\{transport="udp",rcode="NXDOMAIN"\} [1-9]' \
  'zonekeeper_responses_total\{transport="udp",rcode="REFUSED"\} [1-9]' \
  'zonekeeper_truncated_total\{transport="udp"\} [1-9]' 'zonekeeper_packet_cache_hits_total [1-9]' \
  'zonekeeper_zone_serial\{zone="example.com."\} 2024010101'; do
  grep -Eq -- "$pat" <<<"$METRICS" || fail "metrics: /$pat/ not in: $METRICS"
done
CHECKS=$((CHECKS + 1))
[[ $(http_get "http://127.0.0.1:$MPORT/other" | head -1) == 404 ]] || fail "metrics: other path not 404"

# SIGHUP: a changed file is reloaded, an unchanged one is not.
sed -i 's/^www         IN A     192.0.2.1$/www         IN A     192.0.2.111/; s/2024010101/2024010102/' "$TMP/example.com.zone"
kill -HUP "$PID"
for _ in $(seq 1 30); do grep -q 'SIGHUP' "$TMP/log" && break; sleep 0.1; done
expect "reloaded zone served" '192\.0\.2\.111' www.example.com A
for _ in 1 2; do expect "no replay of the old zone" '192\.0\.2\.111' www.example.com A +nocookie; done
expect "reloaded serial" '2024010102' example.com SOA
CHECKS=$((CHECKS + 1))
grep -q 'SIGHUP: 1 zone(s) reloaded' "$TMP/log" || fail "only the changed zone is reloaded: $(grep SIGHUP "$TMP/log")"

# A broken file on reload keeps the old snapshot.
echo 'broken line here !!!' >>"$TMP/example.com.zone"
kill -HUP "$PID"
for _ in $(seq 1 30); do [[ $(grep -c 'SIGHUP' "$TMP/log") -ge 2 ]] && break; sleep 0.1; done
expect "old zone kept after failed reload" '192\.0\.2\.111' www.example.com A

# Garbage does not stop the server.
CHECKS=$((CHECKS + 1))
head -c 300 /dev/urandom >"$TMP/junk"
if command -v python3 >/dev/null; then
  python3 - "$PORT" "$TMP/junk" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
data = open(sys.argv[2], 'rb').read()
for i in range(0, 300, 7):
    s.sendto(data[:i], ('127.0.0.1', int(sys.argv[1])))
PY
fi
expect "still answering after garbage" 'status: NOERROR' www.example.com A

CHECKS=$((CHECKS + 1))
kill -TERM "$PID"
wait "$PID"
RC=$?
[[ $RC -eq 0 ]] || fail "exit status after SIGTERM was $RC"
PID=
grep -q 'stopping' "$TMP/log" || fail "no stop line in the log"

# A config file supplies options; the command line overrides it.
cat >"$TMP/serve.toml" <<CONF
listen = ["127.0.0.1:1"]
zone = ["example.com.=$TMP/example.com.zone"]
workers = 2
CONF
sed -i '/broken line here/d' "$TMP/example.com.zone"
start_serve "$TMP/log2" --config "$TMP/serve.toml" --listen 127.0.0.1:0
expect "zone from the config file" '192\.0\.2\.111' www.example.com A
CHECKS=$((CHECKS + 1))
grep -q '2 worker(s)' "$TMP/log2" || fail "workers from the config file: $(cat "$TMP/log2")"

# SIGHUP re-reads the config file's zone list: add a zone, then drop one.
hup() {  # hup LOG: send SIGHUP and wait for its log line
  local n
  n=$(grep -c 'SIGHUP' "$1")
  kill -HUP "$PID"
  for _ in $(seq 1 50); do [[ $(grep -c 'SIGHUP' "$1") -gt $n ]] && break; sleep 0.1; done
}
cat >"$TMP/serve.toml" <<CONF
listen = ["127.0.0.1:1"]
zone = ["example.com.=$TMP/example.com.zone", "sub.example.com.=$TMP/sub.zone"]
workers = 2
CONF
hup "$TMP/log2"
expect "SIGHUP: zone added from the config" 'host\.sub\.example\.com\.[[:space:]]+600[[:space:]]+IN[[:space:]]+A' host.sub.example.com A
expect "SIGHUP: other zone still served" '192\.0\.2\.111' www.example.com A
cat >"$TMP/serve.toml" <<CONF
listen = ["127.0.0.1:1"]
zone = ["sub.example.com.=$TMP/sub.zone"]
CONF
hup "$TMP/log2"
expect "SIGHUP: zone removed" 'status: REFUSED' www.example.com A
expect "SIGHUP: kept zone served" 'host\.sub\.example\.com\.[[:space:]]+600' host.sub.example.com A
CHECKS=$((CHECKS + 1))
grep -q 'zone example.com. removed' "$TMP/log2" || fail "no removal log line: $(cat "$TMP/log2")"
# A broken file: the old snapshot stays and the log names the line.
cp "$TMP/sub.zone" "$TMP/sub.zone.good"
printf 'bad-line IN A 999.1.2.3\n' >>"$TMP/sub.zone"
hup "$TMP/log2"
expect "SIGHUP: broken file keeps the old zone" 'host\.sub\.example\.com\.[[:space:]]+600' host.sub.example.com A
CHECKS=$((CHECKS + 1))
grep -Eq "sub\.zone:[0-9]+:" "$TMP/log2" || fail "no file:line for the broken zone: $(tail -3 "$TMP/log2")"
# A broken config file leaves the zone list as it was.
echo 'zone = [' >"$TMP/serve.toml"
hup "$TMP/log2"
expect "SIGHUP: bad config keeps zones" 'host\.sub\.example\.com\.[[:space:]]+600' host.sub.example.com A
kill -TERM "$PID"
wait "$PID"
PID=
CHECKS=$((CHECKS + 1))
echo 'bogus = 1' >"$TMP/bad.toml"
"$BIN" serve --config "$TMP/bad.toml" 2>/dev/null
[[ $? -eq 2 ]] || fail "unknown config key must be a usage error"

echo "$CHECKS checks, $FAILS failed"
[[ $FAILS -eq 0 ]]

#!/usr/bin/env bash
# Differential test: the golden zones (without ALIAS, which Knot does not know)
# served by Knot DNS and by zonekeeper; generated queries (every name x many
# types, missing names, wildcards, EDNS and not, TCP, small buffers) must get
# the same answers. Differences that are RFC-permitted choices are listed,
# with the reason, in diff_knot_allow.txt.
# Usage: diff_knot_test.sh ZONEKEEPER DNSDIFF SOURCE_DIR
set -u
BIN=$1
DIFF=$2
SRC=$3
command -v knotd >/dev/null || { echo "knotd not installed: skipped"; exit 77; }
TMP=$(mktemp -d)
KPID=
ZPID=
cleanup() {
  for p in $KPID $ZPID; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
KPORT=$(free_port)
ZPORT=$(free_port)

Z=$SRC/tests/golden/server/zones
grep -v 'ALIAS' "$Z/example.com.zone" >"$TMP/example.com.zone"
cp "$Z/sub.example.com.zone" "$TMP/sub.example.com.zone"
mkdir -p "$TMP/db"
cat >"$TMP/knot.conf" <<CONF
server:
    rundir: "$TMP"
    listen: 127.0.0.1@$KPORT
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$TMP/db"
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: "$TMP"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
  - domain: example.com.
    file: "$TMP/example.com.zone"
  - domain: sub.example.com.
    file: "$TMP/sub.example.com.zone"
CONF
knotd -c "$TMP/knot.conf" 2>"$TMP/knot.log" &
KPID=$!
"$BIN" serve --listen 127.0.0.1:$ZPORT --zone example.com.="$TMP/example.com.zone" \
  --zone sub.example.com.="$TMP/sub.example.com.zone" 2>"$TMP/zk.log" &
ZPID=$!
for port in $KPORT $ZPORT; do
  for _ in $(seq 1 100); do
    dig @127.0.0.1 -p "$port" +time=1 +tries=1 example.com SOA 2>/dev/null | grep -q 'flags: qr aa' && break
    sleep 0.1
  done
done

# Queries: every owner name (and a few variations) with many types and options.
python3 - "$TMP/example.com.zone" >"$TMP/queries.txt" <<'PY'
import re, sys
names = set(["example.com.", "sub.example.com.", "host.sub.example.com.", "nothere.sub.example.com."])
origin = "example.com."
for line in open(sys.argv[1]):
    line = line.split(";")[0].rstrip()
    if not line or line[0] in " \t$":
        continue
    owner = line.split()[0]
    names.add(owner if owner.endswith(".") else (origin if owner == "@" else owner + "." + origin))
extra = []
for n in sorted(names):
    if n.startswith("*."):
        extra += ["foo." + n[2:], "a.b." + n[2:]]
    extra += ["nx." + n, "x.y." + n]
types = ["A", "AAAA", "NS", "SOA", "MX", "TXT", "CNAME", "SRV", "DS", "DNAME", "PTR", "CAA", "ANY"]
opts = ["", " edns", " do", " tcp", " edns=512", " rd"]
i = 0
for n in sorted(names):
    for t in types:
        # Every name and type with three of the option sets, rotating.
        for k in range(3):
            print(f"{n} {t}{opts[(i + 2 * k) % len(opts)]}")
        i += 1
for n in sorted(set(extra)):
    for t in ["A", "TXT", "MX"]:
        print(f"{n} {t}{opts[i % len(opts)]}")
        i += 1
import random
rnd = random.Random(4592)
for _ in range(600):  # random labels under random names, random case
    base = rnd.choice(sorted(names)).lstrip("*.")
    label = "".join(rnd.choice("abcxyz019-") for _ in range(rnd.randint(1, 8))).strip("-") or "q"
    name = "".join(c.upper() if rnd.random() < 0.3 else c for c in f"{label}.{base}")
    print(f"{name} {rnd.choice(types)}{rnd.choice(opts)}")
for n in ["WwW.ExAmPlE.CoM.", "FOO.WILD.example.com.", "Host.Dn.Example.Com."]:
    print(f"{n} A")
print("www.example.com. A ednsver=1")
print("www.example.com. A ednsopt=fde9000401020304")
print("big.example.com. TXT")
print("big.example.com. TXT edns=512")
print("big.example.com. TXT edns")
print("www.example.org. A")
print("www.example.com. A class=CH")
PY
"$DIFF" 127.0.0.1:$KPORT 127.0.0.1:$ZPORT "$TMP/queries.txt" --allow "$SRC/tests/e2e/diff_knot_allow.txt" || exit 1
# The same queries again: zonekeeper now replays its UDP answers from the packet cache
# (the key ignores the query ID), and the replays must agree with Knot just the same.
"$DIFF" 127.0.0.1:$KPORT 127.0.0.1:$ZPORT "$TMP/queries.txt" --allow "$SRC/tests/e2e/diff_knot_allow.txt"

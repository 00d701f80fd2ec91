#!/usr/bin/env bash
# End-to-end: `zonekeeper sync` with the reference deployment (examples/manifests,
# examples/zones) on the inmemory and local providers, under each policy.
# Usage: controller_sync_test.sh ZONEKEEPER_BINARY REPO_ROOT
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

mkdir -p "$WORK/m" "$WORK/empty"
cp "$ROOT"/examples/manifests/*.yaml "$WORK/m/"
COMMON=(--source ingress --source service --domain-filter wiperinstall.rainx.com --domain-filter wiperinstall.click
        --txt-owner-id zonekeeper --txt-prefix 'extdns-%{record_type}.' --zones "$ROOT/examples/zones")
LOCAL=(--provider local --data "$WORK/data" "${COMMON[@]}")

# 1. Dry run on the inmemory provider prints the expected plan.
out=$("$ZK" sync --once --dry-run --provider inmemory "${COMMON[@]}" --manifests "$WORK/m" --policy upsert-only 2>"$WORK/err")
check "dry run exit 0" "[[ $? -eq 0 ]]"
for want in "+ create wiperinstall.click A ALIAS" "+ create wiperinstall.click AAAA ALIAS" \
            "+ create api.wiperinstall.rainx.com A ALIAS" "+ create tekton.wiperinstall.rainx.com A [203.0.113.10]" \
            "+ create tekton-webhook.wiperinstall.rainx.com A ttl=60 [203.0.113.10]" \
            "+ create teleport.wiperinstall.rainx.com AAAA [2001:db8::20]" \
            "+ create argo-cd.teleport.wiperinstall.rainx.com A [203.0.113.20]" "10 to create, 0 to update, 0 to delete"; do
  check "dry run shows: $want" '[[ $out == *"$want"* ]]'
done
check "dry run: nothing for shop.example.org" '[[ $out != *shop.example.org* ]]'
check "dry run: hand-made records untouched" '[[ $out != *status.* && $out != *mail.* ]]'

# 2. upsert-only into the local store: first sync creates, second is a no-op.
out=$("$ZK" sync --once "${LOCAL[@]}" --manifests "$WORK/m" --policy upsert-only 2>"$WORK/err")
check "first sync exit 0" "[[ $? -eq 0 ]]"
check "first sync creates 10" '[[ $out == *"10 to create, 0 to update, 0 to delete"* ]]'
out=$("$ZK" sync --once "${LOCAL[@]}" --manifests "$WORK/m" --policy upsert-only 2>"$WORK/err")
check "second sync is a no-op" '[[ $out == "no changes" ]]'

# 3. A deleted Ingress: upsert-only keeps its records, sync removes them.
rm "$WORK/m/backend.yaml"
out=$("$ZK" sync --once "${LOCAL[@]}" --manifests "$WORK/m" --policy upsert-only 2>"$WORK/err")
check "upsert-only keeps records of a deleted Ingress" '[[ $out == "no changes" ]]'
out=$("$ZK" sync --once "${LOCAL[@]}" --manifests "$WORK/m" --policy sync 2>"$WORK/err")
check "sync deletes api A and AAAA" '[[ $out == *"- delete api.wiperinstall.rainx.com A ALIAS"* && $out == *"- delete api.wiperinstall.rainx.com AAAA ALIAS"* && $out == *"0 to create, 0 to update, 2 to delete"* ]]'
cp "$ROOT/examples/manifests/backend.yaml" "$WORK/m/"

# 4. create-only never updates; upsert-only does.
sed -i 's/ip: 203.0.113.10$/ip: 203.0.113.11/' "$WORK/m/infra.yaml"
out=$("$ZK" sync --once "${LOCAL[@]}" --manifests "$WORK/m" --policy create-only 2>"$WORK/err")
check "create-only: recreates api, no updates" '[[ $out == *"2 to create, 0 to update, 0 to delete"* ]]'
out=$("$ZK" sync --once "${LOCAL[@]}" --manifests "$WORK/m" --policy upsert-only 2>"$WORK/err")
check "upsert-only: updates both tekton names" '[[ $out == *"0 to create, 2 to update, 0 to delete"* && $out == *"~ update tekton.wiperinstall.rainx.com A [203.0.113.11]"* ]]'

# 5. Everything owned, nothing hand-made: sync with no objects deletes exactly the 10 owned record sets,
#    and only with --force-deletes (the safety limit).
out=$("$ZK" sync --once --dry-run "${LOCAL[@]}" --manifests "$WORK/empty" --policy sync 2>"$WORK/err")
check "delete limit refuses deleting everything" '[[ $? -ne 0 ]] && grep -q "refusing a plan that deletes 10 of 10" "$WORK/err"'
out=$("$ZK" sync --once --dry-run "${LOCAL[@]}" --manifests "$WORK/empty" --policy sync --force-deletes 2>"$WORK/err")
check "forced: 10 owned deletes, no hand-made record" '[[ $out == *"0 to create, 0 to update, 10 to delete"* && $out != *status.* && $out != *mail.* && $out != *" MX "* ]]'

# 6. ExternalDNS's default TXT naming at a zone apex is a clear error naming the fix.
"$ZK" sync --once --provider inmemory --source ingress --zones "$ROOT/examples/zones" --manifests "$WORK/m" \
  --policy upsert-only --txt-owner-id zonekeeper --domain-filter wiperinstall.click >/dev/null 2>"$WORK/err"
check "apex ownership outside the zone fails" '[[ $? -eq 1 ]] && grep -q "would be a-wiperinstall.click, outside its zone wiperinstall.click; use a --txt-prefix ending with" "$WORK/err"'

# 7. Invalid YAML is reported with file and line, the rest is applied.
printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [oops\n' > "$WORK/m/bad.yaml"
out=$("$ZK" sync --once --dry-run --provider inmemory "${COMMON[@]}" --manifests "$WORK/m" --policy sync 2>"$WORK/err")
check "invalid YAML reported with file:line" 'grep -q "bad.yaml:[0-9]*: invalid YAML" "$WORK/err"'
check "other manifests still planned" '[[ $out == *"10 to create"* ]]'
rm "$WORK/m/bad.yaml"

# 8. Flags: --policy is required, unknown values are usage errors (exit 2).
"$ZK" sync --once --source ingress --manifests "$WORK/m" >/dev/null 2>&1
check "missing --policy is a usage error" '[[ $? -eq 2 ]]'
"$ZK" sync --once --source ingress --manifests "$WORK/m" --policy sometimes >/dev/null 2>&1
check "bad --policy is a usage error" '[[ $? -eq 2 ]]'
"$ZK" sync --once --source ingress --manifests "$WORK/m" --policy sync --label-filter 'a in (b' >/dev/null 2>&1
check "bad --label-filter is a usage error" '[[ $? -eq 2 ]]'

# 9. Long-running: a new manifest file is applied by the watch, long before the interval.
"$ZK" sync "${LOCAL[@]}" --manifests "$WORK/m" --policy upsert-only --interval 1h --min-event-sync-interval 0s \
  --metrics-address 127.0.0.1:0 2>"$WORK/bg.log" &
PID=$!
port=""
for _ in $(seq 1 50); do
  port=$(sed -n 's/.*metrics and \/healthz on port \([0-9]*\).*/\1/p' "$WORK/bg.log")
  [[ -n $port ]] && break
  sleep 0.1
done
check "status server started" '[[ -n $port ]]'
sleep 0.5
cat > "$WORK/m/late.yaml" <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: late
  namespace: default
  annotations:
    external-dns.alpha.kubernetes.io/hostname: late.wiperinstall.rainx.com
spec:
  type: LoadBalancer
status:
  loadBalancer:
    ingress:
      - ip: 203.0.113.66
YAML
seen=0
for _ in $(seq 1 50); do
  out=$("$ZK" sync --once --dry-run "${LOCAL[@]}" --manifests "$WORK/m" --policy upsert-only 2>/dev/null)
  if [[ $out == "no changes" ]]; then seen=1; break; fi
  sleep 0.1
done
check "watch applied late.yaml within 5 s" '[[ $seen -eq 1 ]]'
if [[ -n $port ]]; then
  metrics=$(curl -s "http://127.0.0.1:$port/metrics")
  check "/metrics counts successful syncs" '[[ $metrics =~ zonekeeper_sync_total\{result=\"success\"\}\ [1-9] ]]'
  check "/metrics owned records by type" '[[ $metrics == *"zonekeeper_owned_records{type=\"A\"} 7"* ]]'
  check "/healthz ok" '[[ $(curl -s -o /dev/null -w "%{http_code}" "http://127.0.0.1:$port/healthz") == 200 ]]'
fi
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
check "SIGTERM stops sync cleanly" '[[ $rc -eq 0 ]]'
check "log shows the event-driven change" 'grep -q "late.wiperinstall.rainx.com A \[203.0.113.66\]" "$WORK/bg.log"'

if [[ $FAILS -ne 0 ]]; then echo "$FAILS of $CHECKS check(s) failed"; exit 1; fi
echo "all $CHECKS checks passed"

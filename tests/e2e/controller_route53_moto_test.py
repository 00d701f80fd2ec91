#!/usr/bin/env python3
"""End-to-end: `zonekeeper sync --provider route53` against moto_server.

Creates the two reference hosted zones in moto (with the hand-made records),
syncs the reference manifests (upsert-only, TXT registry, prefix
'extdns-%{record_type}.'), then checks the record sets with boto3: the
controller's records and ownership TXT are there, the hand-made ones unchanged,
a second sync is a no-op, and sync removes the records of a deleted Ingress.
Exit 77 (skipped) when moto_server or boto3 is missing.
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

try:
    import boto3
except ImportError:
    sys.exit(77)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zonekeeper", required=True)
    ap.add_argument("--root", required=True)
    args = ap.parse_args()
    moto = shutil.which("moto_server")
    if not moto:
        return 77
    port = free_port()
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    server = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=env)
    work = tempfile.mkdtemp()
    failures = []

    def check(label, cond, detail=""):
        print(("ok   " if cond else "FAIL ") + label + ("" if cond else f"\n     {detail}"))
        if not cond:
            failures.append(label)

    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        r53 = boto3.client("route53", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                           aws_secret_access_key="testing")
        zones = {}
        for name in ("wiperinstall.rainx.com", "wiperinstall.click"):
            zones[name] = r53.create_hosted_zone(Name=name, CallerReference=name)["HostedZone"]["Id"]

        def change(zone, name, rtype, values, ttl=300):
            r53.change_resource_record_sets(HostedZoneId=zones[zone], ChangeBatch={"Changes": [{
                "Action": "CREATE", "ResourceRecordSet": {"Name": name, "Type": rtype, "TTL": ttl,
                                                          "ResourceRecords": [{"Value": v} for v in values]}}]})

        change("wiperinstall.rainx.com", "status.wiperinstall.rainx.com.", "CNAME", ["statuspage.example.net."])
        change("wiperinstall.rainx.com", "mail.wiperinstall.rainx.com.", "A", ["198.51.100.25"])
        change("wiperinstall.rainx.com", "wiperinstall.rainx.com.", "TXT", ['"v=spf1 mx -all"'])
        change("wiperinstall.click", "wiperinstall.click.", "TXT", ['"google-site-verification=3bG2fQ9kX7s"'])

        def rrsets(zone):
            out = {}
            for rs in r53.list_resource_record_sets(HostedZoneId=zones[zone])["ResourceRecordSets"]:
                out[(rs["Name"], rs["Type"])] = rs
            return out

        before = {z: rrsets(z) for z in zones}
        manifests = os.path.join(work, "m")
        shutil.copytree(os.path.join(args.root, "examples", "manifests"), manifests)

        def sync(policy, *extra):
            cmd = [args.zonekeeper, "sync", "--once", "--provider", "route53", "--route53-endpoint", url,
                   "--source", "ingress", "--source", "service", "--policy", policy,
                   "--domain-filter", "wiperinstall.rainx.com", "--domain-filter", "wiperinstall.click",
                   "--txt-owner-id", "zonekeeper", "--txt-prefix", "extdns-%{record_type}.",
                   "--manifests", manifests, *extra]
            p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
            return p.returncode, p.stdout, p.stderr

        rc, out, err = sync("upsert-only")
        check("first sync succeeds", rc == 0, err)
        check("first sync creates 10", "10 to create, 0 to update, 0 to delete" in out, out)
        rainx = rrsets("wiperinstall.rainx.com")
        click = rrsets("wiperinstall.click")
        api = rainx.get(("api.wiperinstall.rainx.com.", "A"), {})
        check("api is an alias to the load balancer",
              api.get("AliasTarget", {}).get("DNSName", "").rstrip(".") ==
              "k8s-default-backend-5d8f2a1c9e-1234567890.us-east-1.elb.amazonaws.com", api)
        check("apex of wiperinstall.click is an alias", ("wiperinstall.click.", "A") in click and
              "AliasTarget" in click[("wiperinstall.click.", "A")], click.keys())
        tele = rainx.get(("teleport.wiperinstall.rainx.com.", "AAAA"), {})
        check("teleport AAAA", [r["Value"] for r in tele.get("ResourceRecords", [])] == ["2001:db8::20"], tele)
        hook = rainx.get(("tekton-webhook.wiperinstall.rainx.com.", "A"), {})
        check("tekton-webhook TTL 60", hook.get("TTL") == 60, hook)
        own = rainx.get(("extdns-a.api.wiperinstall.rainx.com.", "TXT"), {})
        check("ownership TXT in ExternalDNS format",
              [r["Value"] for r in own.get("ResourceRecords", [])] ==
              ['"heritage=external-dns,external-dns/owner=zonekeeper,external-dns/resource=ingress/default/backend"'],
              own)
        check("apex ownership inside the zone", ("extdns-a.wiperinstall.click.", "TXT") in click, click.keys())
        for z in zones:
            now = rrsets(z)
            for key, rs in before[z].items():
                check(f"hand-made {key} untouched", now.get(key) == rs, (rs, now.get(key)))
        check("nothing for shop.example.org", not any("shop" in k[0] for z in zones for k in rrsets(z)))

        rc, out, err = sync("upsert-only")
        check("second sync is a no-op", rc == 0 and out.strip() == "no changes", out + err)

        os.remove(os.path.join(manifests, "backend.yaml"))
        rc, out, err = sync("upsert-only")
        check("upsert-only keeps api", out.strip() == "no changes" and
              ("api.wiperinstall.rainx.com.", "A") in rrsets("wiperinstall.rainx.com"), out + err)
        rc, out, err = sync("sync")
        rainx = rrsets("wiperinstall.rainx.com")
        check("sync removes api and its ownership", rc == 0 and ("api.wiperinstall.rainx.com.", "A") not in rainx and
              ("extdns-a.api.wiperinstall.rainx.com.", "TXT") not in rainx, out + err)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Differential test: the same boto3 calls against moto_server (a behavioural
reference for Route53) and `zonekeeper api`; the responses must have the same
shape (keys, nesting, value types) and the errors the same codes.

Usage: api_moto_diff.py --zonekeeper PATH [--moto-server PATH]
Skips (exit 0 with a message) when moto_server is not installed.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

# Fields whose presence legitimately differs (moto extras / optional fields).
IGNORED_KEYS = {"ResponseMetadata", "LinkedService", "Features", "DelegationSet.Id", "VPCs",
                "HostedZone.Config.Comment", "HostedZones.Config.Comment", "ChangeInfo.Comment",
                # moto adds the CallerReference of reusable delegation sets to every zone's set.
                "DelegationSet.CallerReference"}

# Steps where moto is known to differ from Route53 (botocore's model and AWS's
# documentation); zonekeeper follows Route53 there.
KNOWN_MOTO_DEVIATIONS = {
    "ListHostedZones": "moto omits Marker, which the model marks as required",
    "ListHostedZonesByName": "moto omits IsTruncated and MaxItems (required in the model)",
    "error:DELETE missing": "Route53 answers InvalidChangeBatch 'Tried to delete resource record set ... but it "
                            "was not found'; moto answers InvalidInput",
    "error:GetChange unknown": "moto answers any change id; Route53 answers NoSuchChange",
    "error:CreateHostedZone same reference": "moto accepts a reused CallerReference; Route53 answers "
                                             "HostedZoneAlreadyExists",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shape(value, path=""):
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            p = (path + "." + k) if path else k
            if k in IGNORED_KEYS or p in IGNORED_KEYS:
                continue
            out[k] = shape(v, p)
        return out
    if isinstance(value, list):
        return [shape(value[0], path)] if value else []
    return type(value).__name__


def scenario(r53, suffix):
    """Runs every operation; returns [(step, shape-or-error-code)]."""
    out = []

    def step(name, fn, **kw):
        try:
            r = fn(**kw)
            out.append((name, shape(r)))
            return r
        except ClientError as e:
            out.append((name, "error:" + e.response["Error"]["Code"]))
            return None

    z = step("CreateHostedZone", r53.create_hosted_zone, Name="diff%s.example" % suffix, CallerReference="d" + suffix,
             HostedZoneConfig={"Comment": "c", "PrivateZone": False})
    zid = z["HostedZone"]["Id"]
    step("GetHostedZone", r53.get_hosted_zone, Id=zid)
    step("ListHostedZones", r53.list_hosted_zones)
    step("ListHostedZonesByName", r53.list_hosted_zones_by_name, DNSName="diff%s.example" % suffix, MaxItems="1")
    step("GetHostedZoneCount", r53.get_hosted_zone_count)
    step("UpdateHostedZoneComment", r53.update_hosted_zone_comment, Id=zid, Comment="c2")
    rr = lambda a, n, t, v: {"Action": a, "ResourceRecordSet": {"Name": n, "Type": t, "TTL": 60,
                                                                 "ResourceRecords": [{"Value": x} for x in v]}}
    name = "diff%s.example" % suffix
    c = step("ChangeResourceRecordSets", r53.change_resource_record_sets, HostedZoneId=zid, ChangeBatch={
        "Comment": "batch", "Changes": [rr("CREATE", "a." + name, "A", ["192.0.2.1"]),
                                        rr("CREATE", "a." + name, "TXT", ['"owner=x"']),
                                        rr("CREATE", "*." + name, "A", ["192.0.2.2"])]})
    step("GetChange", r53.get_change, Id=c["ChangeInfo"]["Id"])
    step("ListResourceRecordSets(page)", r53.list_resource_record_sets, HostedZoneId=zid, MaxItems="2")
    step("ListResourceRecordSets(start)", r53.list_resource_record_sets, HostedZoneId=zid,
         StartRecordName="a." + name, StartRecordType="TXT")
    step("ChangeTagsForResource", r53.change_tags_for_resource, ResourceType="hostedzone",
         ResourceId=zid.split("/")[-1], AddTags=[{"Key": "k", "Value": "v"}])
    step("ListTagsForResource", r53.list_tags_for_resource, ResourceType="hostedzone", ResourceId=zid.split("/")[-1])
    step("ListTagsForResources", r53.list_tags_for_resources, ResourceType="hostedzone",
         ResourceIds=[zid.split("/")[-1]])
    step("error:duplicate CREATE", r53.change_resource_record_sets, HostedZoneId=zid, ChangeBatch={
        "Changes": [rr("CREATE", "a." + name, "A", ["192.0.2.1"])]})
    step("error:DELETE missing", r53.change_resource_record_sets, HostedZoneId=zid, ChangeBatch={
        "Changes": [rr("DELETE", "zz." + name, "A", ["192.0.2.1"])]})
    step("error:GetHostedZone unknown", r53.get_hosted_zone, Id="ZNOSUCHZONE0000")
    step("error:GetChange unknown", r53.get_change, Id="CNOSUCHCHANGE00")
    step("error:CreateHostedZone same reference", r53.create_hosted_zone, Name="other%s.example" % suffix,
         CallerReference="d" + suffix)
    step("error:DeleteHostedZone not empty", r53.delete_hosted_zone, Id=zid)
    step("ChangeResourceRecordSets(DELETE)", r53.change_resource_record_sets, HostedZoneId=zid, ChangeBatch={
        "Changes": [rr("DELETE", "a." + name, "A", ["192.0.2.1"]), rr("DELETE", "a." + name, "TXT", ['"owner=x"']),
                    rr("DELETE", "*." + name, "A", ["192.0.2.2"])]})
    step("DeleteHostedZone", r53.delete_hosted_zone, Id=zid)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zonekeeper", required=True)
    ap.add_argument("--moto-server", default=shutil.which("moto_server"))
    args = ap.parse_args()
    if not args.moto_server:
        print("moto_server not installed: skipped")
        return 0
    data = tempfile.mkdtemp(prefix="zk_api_moto_")
    procs = []
    try:
        out = subprocess.run([args.zonekeeper, "keys", "create", "--data", data, "--name", "diff"], check=True,
                             capture_output=True, text=True).stdout
        key = dict(line.split("=", 1) for line in out.split())
        zk = subprocess.Popen([args.zonekeeper, "api", "--data", data, "--api-listen", "127.0.0.1:0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        procs.append(zk)
        zk_port = int(re.search(r":(\d+)$", zk.stdout.readline().strip()).group(1))
        moto_port = free_port()
        moto = subprocess.Popen([args.moto_server, "-p", str(moto_port)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        procs.append(moto)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", moto_port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        cfg = Config(retries={"max_attempts": 1})
        zk_client = boto3.client("route53", endpoint_url="http://127.0.0.1:%d" % zk_port, region_name="us-east-1",
                                 aws_access_key_id=key["AWS_ACCESS_KEY_ID"],
                                 aws_secret_access_key=key["AWS_SECRET_ACCESS_KEY"], config=cfg)
        moto_client = boto3.client("route53", endpoint_url="http://127.0.0.1:%d" % moto_port,
                                   region_name="us-east-1", aws_access_key_id="testing",
                                   aws_secret_access_key="testing", config=cfg)
        ours, theirs = scenario(zk_client, "1"), scenario(moto_client, "1")
        failures = 0
        known = 0
        for (step, a), (_, b) in zip(ours, theirs):
            if a == b:
                print("same  %s" % step)
            elif step in KNOWN_MOTO_DEVIATIONS:
                known += 1
                print("known %s: %s" % (step, KNOWN_MOTO_DEVIATIONS[step]))
            else:
                failures += 1
                print("DIFF  %s\n  zonekeeper: %s\n  moto:       %s" % (step, a, b))
        print("%d of %d steps differ unexpectedly (%d known moto deviations)" % (failures, len(ours), known))
        return 1 if failures else 0
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

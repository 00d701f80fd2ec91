#!/usr/bin/env python3
"""End-to-end test of `zonekeeper api` with real clients: boto3, botocore's
SigV4 signer and the aws CLI.

Starts `zonekeeper api --api-listen 127.0.0.1:0` on a temporary data dir,
creates access keys with `zonekeeper keys create`, then exercises every
operation, pagination, the error codes, ExternalDNS's access pattern and TLS.

Usage: api_e2e.py --zonekeeper PATH [-v]
"""

import argparse
import contextlib
import datetime
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
from botocore.config import Config
from botocore.exceptions import ClientError

ZONEKEEPER = None
NS = "{https://route53.amazonaws.com/doc/2013-04-01/}"


class Server:
    """One `zonekeeper api` process on a free loopback port."""

    def __init__(self, data_dir, extra_args=()):
        self.data_dir = data_dir
        self.proc = subprocess.Popen(
            [ZONEKEEPER, "api", "--data", data_dir, "--api-listen", "127.0.0.1:0", *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"listening on (https?)://127\.0\.0\.1:(\d+)", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("zonekeeper api did not start: %r %s" % (line, self.proc.stderr.read()))
        self.scheme, self.port = m.group(1), int(m.group(2))
        self.endpoint = "%s://127.0.0.1:%d" % (self.scheme, self.port)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


def create_key(data_dir, name, policy=None):
    args = [ZONEKEEPER, "keys", "create", "--data", data_dir, "--name", name]
    if policy is not None:
        path = os.path.join(data_dir, name + ".policy.json")
        with open(path, "w") as f:
            json.dump(policy, f)
        args += ["--policy", path]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    env = dict(line.split("=", 1) for line in out.strip().splitlines())
    assert set(env) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}, out
    return env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]


def client(endpoint, key, region="us-east-1", verify=True):
    return boto3.client("route53", endpoint_url=endpoint, region_name=region, aws_access_key_id=key[0],
                        aws_secret_access_key=key[1], verify=verify,
                        config=Config(retries={"max_attempts": 1}))


def change(action, name, rtype, values, ttl=300):
    return {"Action": action, "ResourceRecordSet": {
        "Name": name, "Type": rtype, "TTL": ttl, "ResourceRecords": [{"Value": v} for v in values]}}


def error_code(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], \
            e.response["Error"].get("Message", "")
    return None, 200, ""


def raw_request(endpoint, method, path, body=b"", headers=None):
    req = urllib.request.Request(endpoint + path, data=body if method != "GET" else None, method=method,
                                 headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@contextlib.contextmanager
def botocore_clock(when):
    """botocore's SigV4 signers (headers and presigned URLs) sign at `when` instead of now."""
    real = botocore.auth.datetime.datetime

    class Fixed(real):
        @classmethod
        def utcnow(cls):
            return when.replace(tzinfo=None)

        @classmethod
        def now(cls, tz=None):
            return when if tz else when.replace(tzinfo=None)

    botocore.auth.datetime.datetime = Fixed
    try:
        yield
    finally:
        botocore.auth.datetime.datetime = real


def signed_request(endpoint, key, method, path, body=b"", region="us-east-1", when=None, sign_body=True,
                   headers=None):
    """Signs with botocore's own SigV4 signer (optionally at a given time)."""
    req = botocore.awsrequest.AWSRequest(method=method, url=endpoint + path, data=body, headers=headers or {})
    if sign_body:
        req.headers["X-Amz-Content-SHA256"] = botocore.auth.SigV4Auth(None, "route53", region).payload(req)
    creds = botocore.credentials.Credentials(key[0], key[1])
    signer = botocore.auth.SigV4Auth(creds, "route53", region)
    if when is not None:
        with botocore_clock(when):
            signer.add_auth(req)
    else:
        signer.add_auth(req)
    return req


def send(endpoint, req, body_override=None):
    prepared = req.prepare()
    body = prepared.body if body_override is None else body_override
    path = prepared.url[len(endpoint):]
    return raw_request(endpoint, prepared.method, path, body or b"", dict(prepared.headers))


def self_signed_cert(directory):
    """A one-day self-signed certificate for 127.0.0.1 (openssl): (cert path, key path)."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def read_text(path):
    """The file's text ("" while it does not exist)."""
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return ""


def xml_code(body):
    root = ET.fromstring(body)
    return root.find(NS + "Error/" + NS + "Code").text


class ApiE2E(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="zk_api_e2e_")
        cls.admin = create_key(cls.dir, "admin")
        cls.server = Server(cls.dir)
        cls.r53 = client(cls.server.endpoint, cls.admin)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def new_zone(self, name):
        r = self.r53.create_hosted_zone(Name=name, CallerReference=name + str(time.monotonic_ns()))
        return r["HostedZone"]["Id"].split("/")[-1]

    # ---- every operation ----

    def test_zone_lifecycle(self):
        r = self.r53.create_hosted_zone(Name="life.example", CallerReference="life-1",
                                        HostedZoneConfig={"Comment": "first", "PrivateZone": False})
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 201)
        # An absolute URL from the Host header botocore sent (the API reference: "the unique URL
        # representing the new hosted zone").
        self.assertEqual(r["Location"], self.server.endpoint + "/2013-04-01" + r["HostedZone"]["Id"])
        self.assertEqual(r["HostedZone"]["Name"], "life.example.")
        # INSYNC once every registered DNS server serves it (none here: at once).
        self.assertIn(r["ChangeInfo"]["Status"], ("PENDING", "INSYNC"))
        self.assertEqual(self.r53.get_change(Id=r["ChangeInfo"]["Id"])["ChangeInfo"]["Id"], r["ChangeInfo"]["Id"])
        self.assertGreaterEqual(len(r["DelegationSet"]["NameServers"]), 2)
        zid = r["HostedZone"]["Id"]
        got = self.r53.get_hosted_zone(Id=zid)
        self.assertEqual(got["HostedZone"]["Config"]["Comment"], "first")
        self.assertEqual(got["HostedZone"]["ResourceRecordSetCount"], 2)
        upd = self.r53.update_hosted_zone_comment(Id=zid, Comment="second")
        self.assertEqual(upd["HostedZone"]["Config"]["Comment"], "second")
        self.assertGreaterEqual(self.r53.get_hosted_zone_count()["HostedZoneCount"], 1)
        c = self.r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Comment": "c1", "Changes": [
            change("CREATE", "www.life.example", "A", ["192.0.2.1", "192.0.2.2"]),
            change("CREATE", "*.life.example.", "TXT", ['"hello world"', '"two"']),
            change("CREATE", "mx.life.example", "MX", ["10 mail.life.example"]),
            change("CREATE", "v6.life.example", "AAAA", ["2001:db8::1"]),
            change("CREATE", "alias-cname.life.example", "CNAME", ["target.example.org"]),
            {"Action": "CREATE", "ResourceRecordSet": {"Name": "life.example", "Type": "AAAA", "AliasTarget": {
                "HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": "d111.cloudfront.net", "EvaluateTargetHealth": False}}},
        ]})
        self.assertIn(c["ChangeInfo"]["Status"], ("PENDING", "INSYNC"))
        self.assertEqual(c["ChangeInfo"]["Comment"], "c1")
        ch = self.r53.get_change(Id=c["ChangeInfo"]["Id"])
        self.assertEqual(ch["ChangeInfo"]["Id"], c["ChangeInfo"]["Id"])
        self.r53.get_waiter("resource_record_sets_changed").wait(Id=c["ChangeInfo"]["Id"],
                                                                  WaiterConfig={"Delay": 1, "MaxAttempts": 5})
        sets = self.r53.list_resource_record_sets(HostedZoneId=zid)["ResourceRecordSets"]
        by = {(s["Name"], s["Type"]): s for s in sets}
        self.assertEqual(by[("\\052.life.example.", "TXT")]["ResourceRecords"],
                         [{"Value": '"hello world"'}, {"Value": '"two"'}])
        # Values are listed as they were written (Route53 keeps the text: a name without its trailing dot
        # comes back without it, which is what Terraform compares against its configuration).
        self.assertEqual(by[("mx.life.example.", "MX")]["ResourceRecords"], [{"Value": "10 mail.life.example"}])
        self.assertEqual(by[("alias-cname.life.example.", "CNAME")]["ResourceRecords"],
                         [{"Value": "target.example.org"}])
        self.assertEqual(by[("life.example.", "AAAA")]["AliasTarget"]["DNSName"], "d111.cloudfront.net.")
        self.assertNotIn("TTL", by[("life.example.", "AAAA")])
        self.assertEqual(by[("www.life.example.", "A")]["TTL"], 300)
        # Names in DNS order with the labels reversed; apex first.
        self.assertEqual(sets[0]["Name"], "life.example.")
        # Tags.
        self.r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zid.split("/")[-1],
                                          AddTags=[{"Key": "owner", "Value": "e2e"}, {"Key": "tmp", "Value": "x"}])
        self.r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zid.split("/")[-1],
                                          RemoveTagKeys=["tmp"])
        tags = self.r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zid.split("/")[-1])
        self.assertEqual(tags["ResourceTagSet"]["Tags"], [{"Key": "owner", "Value": "e2e"}])
        many = self.r53.list_tags_for_resources(ResourceType="hostedzone", ResourceIds=[zid.split("/")[-1]])
        self.assertEqual(many["ResourceTagSets"][0]["Tags"], [{"Key": "owner", "Value": "e2e"}])
        # Delete: not empty until the extra sets are gone.
        code, status, _ = error_code(self.r53.delete_hosted_zone, Id=zid)
        self.assertEqual((code, status), ("HostedZoneNotEmpty", 400))
        deletes = [{"Action": "DELETE", "ResourceRecordSet": s} for s in sets if s["Type"] not in ("SOA", "NS")]
        self.r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": deletes})
        d = self.r53.delete_hosted_zone(Id=zid)
        self.assertEqual(self.r53.get_change(Id=d["ChangeInfo"]["Id"])["ChangeInfo"]["Id"], d["ChangeInfo"]["Id"])
        code, status, _ = error_code(self.r53.get_hosted_zone, Id=zid)
        self.assertEqual((code, status), ("NoSuchHostedZone", 404))

    # ---- pagination ----

    def test_values_listed_as_written(self):
        zid = self.new_zone("asis.example")
        self.r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": [
            change("CREATE", "a.asis.example", "CNAME", ["www.example.org"]),
            change("CREATE", "b.asis.example", "CNAME", ["www.example.org."]),
            change("CREATE", "m.asis.example", "MX", ["20 mx2.example.org", "10 mx1.example.org."]),
            change("CREATE", "t.asis.example", "A", ["192.0.2.7"])]})
        by = {(s["Name"], s["Type"]): [r["Value"] for r in s.get("ResourceRecords", [])]
              for s in self.r53.list_resource_record_sets(HostedZoneId=zid)["ResourceRecordSets"]}
        self.assertEqual(by[("a.asis.example.", "CNAME")], ["www.example.org"])
        self.assertEqual(by[("b.asis.example.", "CNAME")], ["www.example.org."])
        self.assertEqual(sorted(by[("m.asis.example.", "MX")]), ["10 mx1.example.org.", "20 mx2.example.org"])
        self.assertEqual(by[("t.asis.example.", "A")], ["192.0.2.7"])
        # DELETE matches by value, whichever way the name is written; UPSERT replaces the text too.
        self.r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": [
            change("DELETE", "a.asis.example", "CNAME", ["www.example.org."]),
            change("UPSERT", "b.asis.example", "CNAME", ["www.example.org"])]})
        by = {(s["Name"], s["Type"]): [r["Value"] for r in s.get("ResourceRecords", [])]
              for s in self.r53.list_resource_record_sets(HostedZoneId=zid)["ResourceRecordSets"]}
        self.assertNotIn(("a.asis.example.", "CNAME"), by)
        self.assertEqual(by[("b.asis.example.", "CNAME")], ["www.example.org"])

    def test_pagination(self):
        zones = [self.new_zone("page%02d.test" % i) for i in range(7)]
        seen = []
        for page in self.r53.get_paginator("list_hosted_zones").paginate(PaginationConfig={"PageSize": 2}):
            self.assertLessEqual(len(page["HostedZones"]), 2)
            seen += [z["Id"].split("/")[-1] for z in page["HostedZones"]]
        self.assertEqual(len(seen), len(set(seen)))
        self.assertTrue(set(zones) <= set(seen))
        r = self.r53.list_hosted_zones_by_name(DNSName="page03.test", MaxItems="2")
        self.assertEqual([z["Name"] for z in r["HostedZones"]], ["page03.test.", "page04.test."])
        self.assertTrue(r["IsTruncated"])
        self.assertEqual(r["NextDNSName"], "page05.test.")
        r2 = self.r53.list_hosted_zones_by_name(DNSName=r["NextDNSName"], HostedZoneId=r["NextHostedZoneId"],
                                                MaxItems="2")
        self.assertEqual(r2["HostedZones"][0]["Name"], "page05.test.")
        z = zones[0]
        batch = []
        for i in range(60):
            batch.append(change("CREATE", "h%03d.page00.test" % i, "A", ["192.0.2.%d" % (i + 1)]))
            batch.append(change("CREATE", "h%03d.page00.test" % i, "TXT", ['"t%d"' % i]))
        self.r53.change_resource_record_sets(HostedZoneId=z, ChangeBatch={"Changes": batch})
        names = []
        pages = 0
        for page in self.r53.get_paginator("list_resource_record_sets").paginate(
                HostedZoneId=z, PaginationConfig={"PageSize": 17}):
            pages += 1
            names += [(s["Name"], s["Type"]) for s in page["ResourceRecordSets"]]
        self.assertEqual(len(names), 122)
        self.assertEqual(len(set(names)), 122)
        self.assertEqual(pages, 8)
        # StartRecordName/Type continue exactly where NextRecordName/Type point.
        p = self.r53.list_resource_record_sets(HostedZoneId=z, MaxItems="3", StartRecordName="h010.page00.test",
                                               StartRecordType="TXT")
        self.assertEqual((p["ResourceRecordSets"][0]["Name"], p["ResourceRecordSets"][0]["Type"]),
                         ("h010.page00.test.", "TXT"))
        self.assertEqual((p["NextRecordName"], p["NextRecordType"]), ("h012.page00.test.", "A"))

    def test_list_by_name_in_route53_order(self):
        # The API reference: labels reversed, compared as escaped text with the trailing dot ("ord.a-b."
        # before "ord.a." since '-' < '.'), then by ID. Every zone of this test ends in ".ord.", so they are
        # contiguous in the listing whatever other tests created.
        names = ["c.ord", "a.ord", "x.a.ord", "a-b.ord", "0.ord", "a0.ord", "a_b.ord", "a\\041b.ord", "ord"]
        ids = {}
        for n in names:
            ids[self.new_zone(n)] = n
        want = ["ord.", "0.ord.", "a-b.ord.", "a.ord.", "x.a.ord.", "a0.ord.", "a\\041b.ord.", "a_b.ord.", "c.ord."]

        def ours(zones):
            return [z["Name"] for z in zones if z["Id"].split("/")[-1] in ids]

        r = self.r53.list_hosted_zones_by_name(DNSName="ord")
        self.assertEqual(ours(r["HostedZones"]), want)
        self.assertEqual([z["Name"] for z in r["HostedZones"]][:len(want)], want)
        # Starting at a-b.ord lists a.ord and x.a.ord after it (they were skipped when the order was RFC 4034's).
        r = self.r53.list_hosted_zones_by_name(DNSName="a-b.ord", MaxItems="3")
        self.assertEqual([z["Name"] for z in r["HostedZones"]], want[2:5])
        self.assertTrue(r["IsTruncated"])
        self.assertEqual(r["NextDNSName"], "a0.ord.")
        # One zone per page through NextDNSName/NextHostedZoneId visits the same sequence.
        seen, start = [], {"DNSName": "ord"}
        for _ in range(30):
            page = self.r53.list_hosted_zones_by_name(MaxItems="1", **start)
            seen += [z["Name"] for z in page["HostedZones"]]
            if not page["IsTruncated"] or not seen[-1].endswith("ord."):
                break
            start = {"DNSName": page["NextDNSName"], "HostedZoneId": page["NextHostedZoneId"]}
        self.assertEqual([n for n in seen if n.endswith(".ord.") or n == "ord."], want)
        # ListHostedZones lists in the same order.
        listed = []
        for page in self.r53.get_paginator("list_hosted_zones").paginate(PaginationConfig={"PageSize": 2}):
            listed += page["HostedZones"]
        self.assertEqual(ours(listed), want)

    def test_list_hosted_zones_by_type(self):
        zid = self.new_zone("public.type.test")
        self.assertIn(zid, [z["Id"].split("/")[-1] for z in self.r53.list_hosted_zones()["HostedZones"]])
        # Every zone here is public.
        r = self.r53.list_hosted_zones(HostedZoneType="PrivateHostedZone")
        self.assertEqual(r["HostedZones"], [])
        self.assertFalse(r["IsTruncated"])
        # The API reference's only valid value is PrivateHostedZone (botocore does not check enums).
        code, status, message = error_code(self.r53.list_hosted_zones, HostedZoneType="PublicHostedZone")
        self.assertEqual((code, status), ("InvalidInput", 400))
        self.assertIn("PrivateHostedZone", message)

    def test_optional_bodies(self):
        r = self.r53.create_hosted_zone(Name="comment.opt.test", CallerReference="opt-%d" % time.monotonic_ns(),
                                        HostedZoneConfig={"Comment": "first"})
        zid = r["HostedZone"]["Id"]
        self.assertEqual(self.r53.get_hosted_zone(Id=zid)["HostedZone"]["Config"]["Comment"], "first")
        # Without Comment botocore sends no body; Route53 deletes the comment.
        self.r53.update_hosted_zone_comment(Id=zid)
        self.assertNotIn("Comment", self.r53.get_hosted_zone(Id=zid)["HostedZone"]["Config"])
        self.r53.update_hosted_zone_comment(Id=zid, Comment="second")
        self.assertEqual(self.r53.get_hosted_zone(Id=zid)["HostedZone"]["Config"]["Comment"], "second")
        # A request element without <Comment> does the same.
        ep = self.server.endpoint
        status, body = send(ep, signed_request(ep, self.admin, "POST", "/2013-04-01" + zid, body=(
            b'<UpdateHostedZoneCommentRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"/>')))
        self.assertEqual(status, 200, body)
        self.assertNotIn("Comment", self.r53.get_hosted_zone(Id=zid)["HostedZone"]["Config"])
        # ChangeTagsForResource with neither AddTags nor RemoveTagKeys: accepted, nothing changes.
        short = zid.split("/")[-1]
        self.r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=short,
                                          AddTags=[{"Key": "k", "Value": "v"}])
        self.r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=short)
        tags = self.r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=short)
        self.assertEqual(tags["ResourceTagSet"]["Tags"], [{"Key": "k", "Value": "v"}])

    def test_oversized_body_is_route53_xml(self):
        import http.client
        host, port = self.server.endpoint.split("//")[1].split(":")
        for method in ("POST", "DELETE"):
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            try:
                try:
                    conn.request(method, "/2013-04-01/hostedzone", body=b"x" * (5 * 1024 * 1024),
                                 headers={"Content-Type": "application/xml"})
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the server may answer before it has read the whole body
                resp = conn.getresponse()
                body = resp.read()
                self.assertEqual(resp.status, 413, method)
                self.assertRegex(resp.getheader("x-amz-request-id") or "", r"^[0-9a-f-]{36}$", method)
                root = ET.fromstring(body)
                self.assertEqual(root.find(NS + "Error/" + NS + "Code").text, "InvalidInput")
                self.assertIn("4194304", root.find(NS + "Error/" + NS + "Message").text)
                self.assertEqual(root.find(NS + "RequestId").text, resp.getheader("x-amz-request-id"))
            finally:
                conn.close()

    # ---- error codes ----

    def test_error_codes(self):
        z = self.new_zone("errors.test")
        self.r53.create_hosted_zone(Name="dup.test", CallerReference="dup-ref")
        self.assertEqual(error_code(self.r53.create_hosted_zone, Name="dup2.test", CallerReference="dup-ref")[:2],
                         ("HostedZoneAlreadyExists", 409))
        self.assertEqual(error_code(self.r53.create_hosted_zone, Name="bad..name", CallerReference="bad")[:2],
                         ("InvalidDomainName", 400))
        self.assertEqual(error_code(self.r53.get_hosted_zone, Id="ZDOESNOTEXIST")[:2], ("NoSuchHostedZone", 404))
        self.assertEqual(error_code(self.r53.get_change, Id="CDOESNOTEXIST")[:2], ("NoSuchChange", 404))
        self.assertEqual(error_code(self.r53.list_tags_for_resource, ResourceType="healthcheck",
                                    ResourceId="abc")[:2], ("NoSuchHealthCheck", 404))
        self.r53.change_resource_record_sets(HostedZoneId=z, ChangeBatch={"Changes": [
            change("CREATE", "a.errors.test", "A", ["192.0.2.1"])]})
        code, status, msg = error_code(self.r53.change_resource_record_sets, HostedZoneId=z, ChangeBatch={
            "Changes": [change("CREATE", "a.errors.test", "A", ["192.0.2.1"])]})
        self.assertEqual((code, status), ("InvalidChangeBatch", 400))
        self.assertIn("but it already exists", msg)
        try:
            self.r53.change_resource_record_sets(HostedZoneId=z, ChangeBatch={"Changes": [
                change("DELETE", "a.errors.test", "A", ["192.0.2.99"])]})
            self.fail("DELETE with other values succeeded")
        except self.r53.exceptions.InvalidChangeBatch as e:
            self.assertIn("do not match", str(e))
        self.assertEqual(error_code(self.r53.change_resource_record_sets, HostedZoneId=z, ChangeBatch={
            "Changes": [change("CREATE", "b.errors.test", "A", ["1.2.3"])]})[0], "InvalidChangeBatch")
        self.assertEqual(error_code(self.r53.change_resource_record_sets, HostedZoneId=z, ChangeBatch={
            "Changes": [change("CREATE", "x.elsewhere.test", "A", ["192.0.2.1"])]})[0], "InvalidChangeBatch")
        self.assertEqual(error_code(self.r53.change_resource_record_sets, HostedZoneId=z, ChangeBatch={
            "Changes": [change("CREATE", "errors.test", "CNAME", ["x.example.org"])]})[0], "InvalidChangeBatch")
        weighted = change("CREATE", "w.errors.test", "A", ["192.0.2.1"])
        weighted["ResourceRecordSet"].update({"SetIdentifier": "one", "Weight": 10})
        code, status, msg = error_code(self.r53.change_resource_record_sets, HostedZoneId=z,
                                       ChangeBatch={"Changes": [weighted]})
        self.assertEqual((code, status), ("InvalidInput", 400))
        self.assertIn("routing policies are not supported yet", msg)
        self.assertEqual(error_code(self.r53.list_resource_record_sets, HostedZoneId=z, MaxItems="zero")[0],
                         "InvalidInput")

    def test_alias_type_and_wildcard_rules(self):
        z = self.new_zone("page.test")
        other = self.new_zone("other.page-target.test")
        elb = "Z35SXDOTRQ7X7K"  # not ours: an ELB's zone, taken on trust

        def alias(action, name, rtype, zone_id, target):
            return {"Action": action, "ResourceRecordSet": {"Name": name, "Type": rtype, "AliasTarget": {
                "HostedZoneId": zone_id, "DNSName": target, "EvaluateTargetHealth": False}}}

        def refused(changes, zone=z):
            code, status, msg = error_code(self.r53.change_resource_record_sets, HostedZoneId=zone,
                                           ChangeBatch={"Changes": changes})
            self.assertEqual((code, status), ("InvalidChangeBatch", 400), msg)
            return msg

        def names(zone=z):
            sets = self.r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
            return {(s["Name"], s["Type"], "AliasTarget" in s) for s in sets}

        # 1. Alias beside plain A/AAAA: a zonekeeper limit, refused in both orders, nothing applied.
        a = alias("CREATE", "mix.page.test", "A", elb, "lb-1.us-east-1.elb.amazonaws.com")
        v6 = change("CREATE", "mix.page.test", "AAAA", ["2001:db8::1"])
        for batch in ([a, v6], [v6, a]):
            msg = refused(batch)
            self.assertIn("RRSet of type AAAA with DNS name mix.page.test. cannot be created beside an alias", msg)
            self.assertIn("zonekeeper does not serve alias and plain A/AAAA record sets at one name yet", msg)
        self.assertNotIn(("mix.page.test.", "A", True), names())
        self.r53.change_resource_record_sets(HostedZoneId=z, ChangeBatch={"Changes": [
            a, change("CREATE", "mix.page.test", "TXT", ['"heritage=external-dns"'])]})
        refused([v6])
        # Replacing the alias by plain records in one batch is fine.
        delete_a = dict(a, Action="DELETE")
        self.r53.change_resource_record_sets(HostedZoneId=z, ChangeBatch={"Changes": [
            delete_a, change("CREATE", "mix.page.test", "A", ["192.0.2.5"]), v6]})
        self.assertIn(("mix.page.test.", "AAAA", False), names())
        # 2. Alias targets in our own zones (Route53's messages); foreign zone ids unchecked.
        msg = refused([alias("CREATE", "www.page.test", "A", z, "lb.elsewhere.net")])
        self.assertIn("Tried to create an alias that targets lb.elsewhere.net., type A in zone %s, but the alias "
                      "target name does not lie within the target zone" % z, msg)
        msg = refused([alias("CREATE", "www.page.test", "A", "/hostedzone/" + z, "app.page.test")])
        self.assertIn("Tried to create an alias that targets app.page.test., type A in zone %s, but that target "
                      "was not found" % z, msg)
        refused([alias("CREATE", "x.page.test", "A", other, "svc.other.page-target.test")])
        self.r53.change_resource_record_sets(HostedZoneId=z, ChangeBatch={"Changes": [
            alias("CREATE", "www.page.test", "A", z, "app.page.test"),
            change("CREATE", "app.page.test", "A", ["192.0.2.10"])]})
        self.assertIn(("www.page.test.", "A", True), names())
        self.r53.change_resource_record_sets(HostedZoneId=z, ChangeBatch={"Changes": [
            alias("CREATE", "elb.page.test", "A", elb, "k8s-web-1.us-east-1.elb.amazonaws.com")]})
        # 3. Types outside Route53's list, and wildcard NS sets.
        code, status, msg = error_code(self.r53.change_resource_record_sets, HostedZoneId=z, ChangeBatch={
            "Changes": [change("CREATE", "d.page.test", "DNAME", ["target.example.org."])]})
        self.assertEqual((code, status), ("InvalidInput", 400))
        self.assertIn("'DNAME' is not a supported record type", msg)
        msg = refused([change("CREATE", "*.ns.page.test", "NS", ["ns1.example.net"])])
        self.assertIn("the * wildcard cannot be used for NS records", msg)
        self.assertNotIn(("\\052.ns.page.test.", "NS", False), names())

    def test_auth_errors(self):
        ep = self.server.endpoint
        status, body = raw_request(ep, "GET", "/2013-04-01/hostedzone")
        self.assertEqual((status, xml_code(body)), (403, "MissingAuthenticationToken"))
        bogus = client(ep, ("AKIAAAAAAAAAAAAAAAAA", "x" * 40))
        self.assertEqual(error_code(bogus.list_hosted_zones)[:2], ("InvalidClientTokenId", 403))
        wrong = client(ep, (self.admin[0], "y" * 40))
        self.assertEqual(error_code(wrong.list_hosted_zones)[:2], ("SignatureDoesNotMatch", 403))
        # Any region in the credential scope is accepted.
        self.assertIn("HostedZones", client(ep, self.admin, region="ap-southeast-2").list_hosted_zones())
        # botocore's signer round trips: odd query strings and path segments.
        for path in ["/2013-04-01/hostedzonesbyname?dnsname=%2A.example.com&maxitems=1",
                     "/2013-04-01/hostedzonesbyname?dnsname=%5C052.example.com",
                     "/2013-04-01/hostedzonecount?b=2&a=1&a=0&empty=",
                     "/2013-04-01/hostedzone/ZNOPE%2Fx/rrset?name=a%20b&type=TXT"]:
            req = signed_request(ep, self.admin, "GET", path)
            status, body = send(ep, req)
            self.assertNotIn(b"SignatureDoesNotMatch", body, path)
        # Clock skew: signed 20 minutes ago.
        past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=20)
        status, body = send(ep, signed_request(ep, self.admin, "GET", "/2013-04-01/hostedzonecount", when=past))
        self.assertEqual((status, xml_code(body)), (403, "SignatureDoesNotMatch"))
        self.assertIn(b"Signature expired", body)
        # Body changed after signing with x-amz-content-sha256.
        req = signed_request(ep, self.admin, "POST", "/2013-04-01/hostedzone",
                             body=b"<CreateHostedZoneRequest/>")
        status, body = send(ep, req, body_override=b"<CreateHostedZoneRequest><Name>evil.test</Name>"
                                                   b"</CreateHostedZoneRequest>")
        self.assertEqual((status, xml_code(body)), (400, "XAmzContentSHA256Mismatch"))

    def test_date_header_instead_of_x_amz_date(self):
        """SigV4 with the HTTP Date header (no X-Amz-Date), signed by a plain hmac/hashlib
        implementation rather than botocore (which always sends X-Amz-Date)."""
        import hashlib
        import hmac
        ep = self.server.endpoint
        host = ep.split("//", 1)[1]

        def sign(date_header, scope_day, path="/2013-04-01/hostedzonecount"):
            canonical = "\n".join(["GET", path, "", "date:%s" % date_header, "host:%s" % host, "",
                                    "date;host", hashlib.sha256(b"").hexdigest()])
            when = datetime.datetime.strptime(date_header, "%a, %d %b %Y %H:%M:%S GMT")
            scope = "%s/us-east-1/route53/aws4_request" % scope_day
            to_sign = "\n".join(["AWS4-HMAC-SHA256", when.strftime("%Y%m%dT%H%M%SZ"), scope,
                                  hashlib.sha256(canonical.encode()).hexdigest()])
            key = ("AWS4" + self.admin[1]).encode()
            for part in (scope_day, "us-east-1", "route53", "aws4_request"):
                key = hmac.new(key, part.encode(), hashlib.sha256).digest()
            sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
            return {"Date": date_header, "Authorization": "AWS4-HMAC-SHA256 Credential=%s/%s, "
                    "SignedHeaders=date;host, Signature=%s" % (self.admin[0], scope, sig)}

        now = datetime.datetime.now(datetime.timezone.utc)
        http_date = now.strftime("%a, %d %b %Y %H:%M:%S GMT")
        status, body = raw_request(ep, "GET", "/2013-04-01/hostedzonecount", headers=sign(http_date,
                                                                                          now.strftime("%Y%m%d")))
        self.assertEqual(status, 200, body)
        self.assertIn(b"<HostedZoneCount>", body)
        # The scope's day must be the Date header's day.
        other_day = (now - datetime.timedelta(days=1)).strftime("%Y%m%d")
        status, body = raw_request(ep, "GET", "/2013-04-01/hostedzonecount", headers=sign(http_date, other_day))
        self.assertEqual((status, xml_code(body)), (403, "SignatureDoesNotMatch"))
        # Neither date header: AWS's message.
        headers = sign(http_date, now.strftime("%Y%m%d"))
        del headers["Date"]
        status, body = raw_request(ep, "GET", "/2013-04-01/hostedzonecount", headers=headers)
        self.assertEqual((status, xml_code(body)), (400, "IncompleteSignature"))
        self.assertIn("either a 'X-Amz-Date' or a 'Date' header",
                      ET.fromstring(body).find(NS + "Error/" + NS + "Message").text)

    def test_presigned_url(self):
        """Query-string SigV4: a URL from botocore's generate_presigned_url, fetched with urllib."""
        ep = self.server.endpoint
        self.new_zone("presign-a.example")
        self.new_zone("presign-b.example")
        url = self.r53.generate_presigned_url("list_hosted_zones", Params={"MaxItems": "1"}, ExpiresIn=300)
        self.assertIn("X-Amz-Signature=", url)
        self.assertTrue(url.startswith(ep))
        status, body = raw_request(ep, "GET", url[len(ep):])
        self.assertEqual(status, 200, body)
        root = ET.fromstring(body)
        self.assertEqual(root.tag, NS + "ListHostedZonesResponse")
        self.assertEqual(root.find(NS + "MaxItems").text, "1")
        self.assertEqual(len(root.findall(NS + "HostedZones/" + NS + "HostedZone")), 1)
        self.assertEqual(root.find(NS + "IsTruncated").text, "true")
        # A changed parameter breaks the signature.
        status, body = raw_request(ep, "GET", url[len(ep):].replace("maxitems=1", "maxitems=2"))
        self.assertEqual((status, xml_code(body)), (403, "SignatureDoesNotMatch"))
        # Expired: signed two hours ago for one hour.
        when = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=2)
        with botocore_clock(when):
            old = self.r53.generate_presigned_url("list_hosted_zones", ExpiresIn=3600)
        status, body = raw_request(ep, "GET", old[len(ep):])
        self.assertEqual((status, xml_code(body)), (403, "AccessDenied"))
        self.assertIn(b"Request has expired", body)
        # An unknown key in the URL.
        bogus = client(ep, ("AKIAAAAAAAAAAAAAAAAA", "x" * 40)).generate_presigned_url("list_hosted_zones")
        status, body = raw_request(ep, "GET", bogus[len(ep):])
        self.assertEqual((status, xml_code(body)), (403, "InvalidClientTokenId"))

    def test_body_read_whatever_its_content_type(self):
        z = self.new_zone("ctype.test")
        changes = "".join(
            "<Change><Action>CREATE</Action><ResourceRecordSet><Name>c%d.ctype.test</Name><Type>TXT</Type>"
            "<TTL>60</TTL><ResourceRecords><ResourceRecord><Value>\"%s\"</Value></ResourceRecord>"
            "</ResourceRecords></ResourceRecordSet></Change>" % (i, "x" * 200) for i in range(60))
        body = ("<ChangeResourceRecordSetsRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
                "<ChangeBatch><Changes>%s</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>" % changes).encode()
        self.assertGreater(len(body), 16384)  # cpp-httplib refuses form bodies over 8 KiB unless bypassed
        ep = self.server.endpoint
        for i, ctype in enumerate(["application/x-www-form-urlencoded", "application/json", "text/plain",
                                   "application/xml"]):
            this = body.replace(b"ctype.test</Name>", b"ctype.test</Name>", 1).replace(b">c", b">t%d-c" % i)
            status, resp = send(ep, signed_request(ep, self.admin, "POST", "/2013-04-01/hostedzone/%s/rrset/" % z,
                                                   body=this, headers={"Content-Type": ctype}))
            self.assertEqual(status, 200, (ctype, resp[:300]))
        status, _ = raw_request(ep, "POST", "/2013-04-01/hostedzone", b"x" * (5 * 1024 * 1024))
        self.assertEqual(status, 413)
        # Multipart is the one Content-Type refused (the HTTP library only hands it out part by part).
        status, resp = send(ep, signed_request(ep, self.admin, "POST", "/2013-04-01/hostedzone/%s/rrset/" % z,
                                               body=body, headers={"Content-Type": "multipart/form-data; boundary=b"}))
        self.assertEqual((status, xml_code(resp)), (400, "InvalidInput"))

    def test_policy_access_denied(self):
        mine = self.new_zone("mine.policy.test")
        other = self.new_zone("other.policy.test")
        key = create_key(self.dir, "external-dns", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "route53:ChangeResourceRecordSets",
             "Resource": "arn:aws:route53:::hostedzone/" + mine},
            {"Effect": "Allow", "Action": ["route53:ListHostedZones", "route53:ListResourceRecordSets",
                                           "route53:ListTagsForResources", "route53:GetChange"], "Resource": "*"}]})
        limited = client(self.server.endpoint, key)
        limited.change_resource_record_sets(HostedZoneId=mine, ChangeBatch={"Changes": [
            change("UPSERT", "a.mine.policy.test", "A", ["192.0.2.1"])]})
        code, status, msg = error_code(limited.change_resource_record_sets, HostedZoneId=other, ChangeBatch={
            "Changes": [change("UPSERT", "a.other.policy.test", "A", ["192.0.2.1"])]})
        self.assertEqual((code, status), ("AccessDenied", 403))
        self.assertIn("User: arn:aws:iam::000000000000:user/external-dns is not authorized to perform: "
                      "route53:ChangeResourceRecordSets on resource: arn:aws:route53:::hostedzone/" + other, msg)
        self.assertEqual(error_code(limited.delete_hosted_zone, Id=mine)[0], "AccessDenied")
        self.assertEqual(error_code(limited.create_hosted_zone, Name="x.test", CallerReference="x")[0],
                         "AccessDenied")
        limited.list_hosted_zones()

    def test_keys_cli_list_and_delete_apply_live(self):
        key = create_key(self.dir, "short-lived")
        r53 = client(self.server.endpoint, key)
        r53.get_hosted_zone_count()
        listed = subprocess.run([ZONEKEEPER, "keys", "list", "--data", self.dir], check=True, capture_output=True,
                                text=True).stdout
        self.assertIn(key[0] + "\tshort-lived\tallow-all", listed)
        self.assertNotIn(key[1], listed)  # secrets are never listed
        mode = os.stat(os.path.join(self.dir, "api_keys.json")).st_mode & 0o777
        self.assertEqual(mode, 0o600)
        subprocess.run([ZONEKEEPER, "keys", "delete", "--data", self.dir, "short-lived"], check=True)
        self.assertEqual(error_code(r53.get_hosted_zone_count)[:2], ("InvalidClientTokenId", 403))
        gone = subprocess.run([ZONEKEEPER, "keys", "delete", "--data", self.dir, "short-lived"], capture_output=True)
        self.assertNotEqual(gone.returncode, 0)
        bad = os.path.join(self.dir, "bad-policy.json")
        with open(bad, "w") as f:
            f.write('{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {}}]}')
        refused = subprocess.run([ZONEKEEPER, "keys", "create", "--data", self.dir, "--name", "c", "--policy", bad],
                                 capture_output=True, text=True)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("Condition", refused.stderr)

    # ---- ExternalDNS's access pattern ----

    def test_external_dns_pattern(self):
        z = self.new_zone("edns.test")
        key = create_key(self.dir, "edns-%d" % time.monotonic_ns(), {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["route53:ChangeResourceRecordSets"],
             "Resource": ["arn:aws:route53:::hostedzone/*"]},
            {"Effect": "Allow", "Action": ["route53:ListHostedZones", "route53:ListResourceRecordSets",
                                           "route53:ListTagsForResources"], "Resource": ["*"]}]})
        r53 = client(self.server.endpoint, key)

        def records():
            out = {}
            for page in r53.get_paginator("list_resource_record_sets").paginate(
                    HostedZoneId=z, PaginationConfig={"PageSize": 5}):
                for s in page["ResourceRecordSets"]:
                    out[(s["Name"], s["Type"])] = s
            return out

        zones = [zz for page in r53.get_paginator("list_hosted_zones").paginate() for zz in page["HostedZones"]]
        ids = [zz["Id"].split("/")[-1] for zz in zones]
        self.assertIn(z, ids)
        tags = r53.list_tags_for_resources(ResourceType="hostedzone", ResourceIds=ids[:10])
        self.assertEqual(len(tags["ResourceTagSets"]), min(10, len(ids)))
        owner = '"heritage=external-dns,external-dns/owner=e2e,external-dns/resource=ingress/default/app%d"'
        create = []
        for i in range(12):
            create.append(change("CREATE", "app%d.edns.test" % i, "A", ["10.0.0.%d" % (i + 1)], ttl=300))
            create.append(change("CREATE", "a-app%d.edns.test" % i, "TXT", [owner % i], ttl=300))
        r53.change_resource_record_sets(HostedZoneId=z, ChangeBatch={"Changes": create})
        current = records()
        self.assertEqual(current[("app3.edns.test.", "A")]["ResourceRecords"], [{"Value": "10.0.0.4"}])
        self.assertEqual(current[("a-app3.edns.test.", "TXT")]["ResourceRecords"], [{"Value": owner % 3}])
        upsert = [change("UPSERT", "app%d.edns.test" % i, "A", ["10.1.0.%d" % (i + 1)]) for i in range(6)]
        r53.change_resource_record_sets(HostedZoneId=z, ChangeBatch={"Changes": upsert})
        delete = []
        for i in range(6, 12):
            delete.append({"Action": "DELETE", "ResourceRecordSet": current[("app%d.edns.test." % i, "A")]})
            delete.append({"Action": "DELETE", "ResourceRecordSet": current[("a-app%d.edns.test." % i, "TXT")]})
        r53.change_resource_record_sets(HostedZoneId=z, ChangeBatch={"Changes": delete})
        after = records()
        self.assertEqual(after[("app0.edns.test.", "A")]["ResourceRecords"], [{"Value": "10.1.0.1"}])
        self.assertNotIn(("app7.edns.test.", "A"), after)
        self.assertNotIn(("a-app7.edns.test.", "TXT"), after)
        self.assertEqual(len(after), 2 + 6 + 6)

    # ---- the aws CLI ----

    def test_aws_cli(self):
        if not shutil.which("aws"):
            self.skipTest("aws CLI not installed")
        env = dict(os.environ, AWS_ACCESS_KEY_ID=self.admin[0], AWS_SECRET_ACCESS_KEY=self.admin[1],
                   AWS_DEFAULT_REGION="eu-central-1", AWS_CONFIG_FILE="/dev/null",
                   AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_PAGER="")

        def aws(*args, check=True):
            p = subprocess.run(["aws", "--endpoint-url", self.server.endpoint, "--output", "json", "route53", *args],
                               env=env, capture_output=True, text=True, timeout=60)
            if check and p.returncode != 0:
                self.fail("aws %s failed: %s" % (" ".join(args), p.stderr))
            return json.loads(p.stdout) if p.returncode == 0 and p.stdout.strip() else p

        created = aws("create-hosted-zone", "--name", "cli.test", "--caller-reference", "cli-1")
        zid = created["HostedZone"]["Id"]
        batch = os.path.join(self.dir, "batch.json")
        with open(batch, "w") as f:
            json.dump({"Changes": [change("CREATE", "r%d.cli.test" % i, "A", ["192.0.2.%d" % (i + 1)])
                                   for i in range(9)]}, f)
        c = aws("change-resource-record-sets", "--hosted-zone-id", zid, "--change-batch", "file://" + batch)
        aws("wait", "resource-record-sets-changed", "--id", c["ChangeInfo"]["Id"])
        listed = aws("list-resource-record-sets", "--hosted-zone-id", zid, "--page-size", "4")
        self.assertEqual(len(listed["ResourceRecordSets"]), 11)
        first = aws("list-resource-record-sets", "--hosted-zone-id", zid, "--max-items", "3")
        self.assertEqual(len(first["ResourceRecordSets"]), 3)
        self.assertIn("NextToken", first)
        self.assertIn(zid, [z["Id"] for z in aws("list-hosted-zones")["HostedZones"]])
        self.assertEqual(aws("get-hosted-zone", "--id", zid)["HostedZone"]["Name"], "cli.test.")
        failed = aws("get-hosted-zone", "--id", "ZNOPE", check=False)
        self.assertNotEqual(failed.returncode, 0)
        self.assertIn("NoSuchHostedZone", failed.stderr)
        dup = aws("change-resource-record-sets", "--hosted-zone-id", zid, "--change-batch", "file://" + batch,
                  check=False)
        self.assertIn("InvalidChangeBatch", dup.stderr)
        aws("update-hosted-zone-comment", "--id", zid, "--comment", "note")
        self.assertEqual(aws("get-hosted-zone", "--id", zid)["HostedZone"]["Config"]["Comment"], "note")
        aws("update-hosted-zone-comment", "--id", zid)
        self.assertNotIn("Comment", aws("get-hosted-zone", "--id", zid)["HostedZone"]["Config"])
        self.assertEqual(aws("list-hosted-zones", "--hosted-zone-type", "PrivateHostedZone")["HostedZones"], [])


class RestartE2E(unittest.TestCase):
    def test_acknowledged_changes_survive_sigkill(self):
        d = tempfile.mkdtemp(prefix="zk_api_restart_")
        try:
            admin = create_key(d, "admin")
            server = Server(d)
            r53 = client(server.endpoint, admin)
            zid = r53.create_hosted_zone(Name="keep.test", CallerReference="keep")["HostedZone"]["Id"]
            r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": [
                change("CREATE", "a.keep.test", "A", ["192.0.2.7"])]})
            server.proc.kill()  # SIGKILL: only what was acknowledged must be there
            server.proc.wait()
            server.proc.stdout.close()
            server.proc.stderr.close()
            server = Server(d)
            try:
                r53 = client(server.endpoint, admin)
                sets = r53.list_resource_record_sets(HostedZoneId=zid)["ResourceRecordSets"]
                self.assertIn({"Value": "192.0.2.7"},
                              [rr for s in sets if s["Name"] == "a.keep.test." for rr in s["ResourceRecords"]])
            finally:
                server.stop()
        finally:
            shutil.rmtree(d, ignore_errors=True)


class TlsE2E(unittest.TestCase):
    def test_https(self):
        if not shutil.which("openssl"):
            self.skipTest("openssl not installed")
        d = tempfile.mkdtemp(prefix="zk_api_tls_")
        try:
            cert, key = self_signed_cert(d)
            admin = create_key(d, "admin")
            server = Server(d, ["--tls-cert", cert, "--tls-key", key])
            try:
                self.assertEqual(server.scheme, "https")
                r53 = client(server.endpoint, admin, verify=cert)
                created = r53.create_hosted_zone(Name="tls.test", CallerReference="tls")
                self.assertEqual(created["Location"], server.endpoint + "/2013-04-01" + created["HostedZone"]["Id"])
                self.assertTrue(created["Location"].startswith("https://"))
                self.assertEqual(r53.get_hosted_zone_count()["HostedZoneCount"], 1)
            finally:
                server.stop()
        finally:
            shutil.rmtree(d, ignore_errors=True)


class AccessLogE2E(unittest.TestCase):
    def test_a_line_per_request(self):
        d = tempfile.mkdtemp(prefix="zk_api_log_")
        try:
            log = os.path.join(d, "access.log")
            admin = create_key(d, "admin")
            server = Server(d, ["--api-access-log", log])
            try:
                r53 = client(server.endpoint, admin)
                zone = r53.create_hosted_zone(Name="log.test", CallerReference="log")["HostedZone"]["Id"]
                status, _ = raw_request(server.endpoint, "GET", "/2013-04-01/hostedzone")
                self.assertEqual(status, 403)
                bogus = client(server.endpoint, (admin[0], "y" * 40))
                self.assertEqual(error_code(bogus.get_hosted_zone, Id=zone)[:2], ("SignatureDoesNotMatch", 403))
                # A request line cannot forge a log line (the target is logged escaped).
                status, _ = raw_request(server.endpoint, "GET", "/2013-04-01/x%0Akey=forged%20\"q\"")
                self.assertEqual(status, 403)
                lines = []
                for _ in range(200):  # written after each response went out
                    lines = read_text(log).splitlines()
                    if len(lines) >= 4:
                        break
                    time.sleep(0.02)
            finally:
                server.stop()
            self.assertEqual(len(lines), 4, lines)
            field = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')
            entries = [dict(field.findall(line)) for line in lines]
            for e, line in zip(entries, lines):
                self.assertEqual(set(e), {"time", "remote", "method", "path", "op", "status", "error", "key",
                                          "request_id", "duration_ms", "in", "out"}, line)
                self.assertRegex(e["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
                self.assertRegex(e["remote"], r"^127\.0\.0\.1:\d+$")
                self.assertGreater(float(e["duration_ms"]), 0.0)
            create, unsigned, wrong, odd = entries
            self.assertEqual((create["method"], create["op"], create["status"], create["error"], create["key"]),
                             ("POST", "CreateHostedZone", "201", "-", admin[0]))
            self.assertEqual(create["path"], "/2013-04-01/hostedzone")
            self.assertGreater(int(create["in"]), 0)
            self.assertEqual((unsigned["op"], unsigned["status"], unsigned["error"], unsigned["key"]),
                             ("ListHostedZones", "403", "MissingAuthenticationToken", "-"))
            self.assertEqual((wrong["op"], wrong["status"], wrong["error"], wrong["key"]),
                             ("GetHostedZone", "403", "SignatureDoesNotMatch", "-"))
            self.assertEqual(odd["path"], '"/2013-04-01/x%0Akey=forged%20\\"q\\""')
            self.assertEqual(odd["key"], "-")
            self.assertEqual(len({e["request_id"] for e in entries}), 4)
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_unwritable_log_is_a_clear_error(self):
        d = tempfile.mkdtemp(prefix="zk_api_log_")
        try:
            out = subprocess.run([ZONEKEEPER, "api", "--data", d, "--api-listen", "127.0.0.1:0", "--api-access-log",
                                  os.path.join(d, "no", "such", "dir", "access.log")],
                                 capture_output=True, text=True, timeout=30)
            self.assertNotEqual(out.returncode, 0)
            self.assertIn("cannot open access log", out.stderr)
        finally:
            shutil.rmtree(d, ignore_errors=True)


class ExportE2E(unittest.TestCase):
    def test_export_does_not_depend_on_value_order(self):
        """Values given in any order through the API export as the same zone file (RFC 4034 6.3 order)."""
        d = tempfile.mkdtemp(prefix="zk_api_export_")
        try:
            admin = create_key(d, "admin")
            server = Server(d)
            try:
                r53 = client(server.endpoint, admin)
                texts = []
                for i, values in enumerate((['"b"', '"a"', '"c"'], ['"c"', '"a"', '"b"'])):
                    zid = r53.create_hosted_zone(Name="exp%d.test" % i, CallerReference="exp%d" % i)["HostedZone"]["Id"]
                    r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": [
                        change("CREATE", "t.exp%d.test" % i, "TXT", values),
                        change("CREATE", "m.exp%d.test" % i, "A", ["192.0.2.9", "192.0.2.1", "192.0.2.5"])]})
                    out = subprocess.run([ZONEKEEPER, "zone", "export", "--data", d, "exp%d.test" % i],
                                         capture_output=True, text=True, check=True).stdout
                    texts.append([line.replace("exp%d" % i, "expN") for line in out.splitlines()
                                  if " IN TXT " in line or " IN A " in line])
            finally:
                server.stop()
            self.assertEqual(texts[0], texts[1])
            self.assertEqual([line.split()[-1] for line in texts[0]],
                             ["192.0.2.1", "192.0.2.5", "192.0.2.9", '"a"', '"b"', '"c"'])
        finally:
            shutil.rmtree(d, ignore_errors=True)


class NameServersE2E(unittest.TestCase):
    """--name-servers: the delegation set, SOA MNAME and apex NS of zones created from then on."""

    def test_configured_name_servers(self):
        d = tempfile.mkdtemp(prefix="zk_api_ns_")
        try:
            admin = create_key(d, "admin")
            server = Server(d, ["--name-servers", "ns1.dns.example.net,NS2.dns.example.net."])
            try:
                r53 = client(server.endpoint, admin)
                r = r53.create_hosted_zone(Name="ns.test", CallerReference="ns")
                self.assertEqual(r["DelegationSet"]["NameServers"], ["ns1.dns.example.net", "ns2.dns.example.net"])
                zid = r["HostedZone"]["Id"]
                self.assertEqual(r53.get_hosted_zone(Id=zid)["DelegationSet"]["NameServers"],
                                 ["ns1.dns.example.net", "ns2.dns.example.net"])
                sets = {(s["Type"]): s for s in r53.list_resource_record_sets(HostedZoneId=zid)["ResourceRecordSets"]}
                self.assertEqual(sorted(v["Value"] for v in sets["NS"]["ResourceRecords"]),
                                 ["ns1.dns.example.net.", "ns2.dns.example.net."])
                self.assertTrue(sets["SOA"]["ResourceRecords"][0]["Value"].startswith("ns1.dns.example.net. "),
                                sets["SOA"])
            finally:
                server.stop()
            for bad, why in (("com", "at least two labels"), ("a..b", "not a name server")):
                out = subprocess.run([ZONEKEEPER, "api", "--data", d, "--api-listen", "127.0.0.1:0", "--name-servers",
                                      bad], capture_output=True, text=True, timeout=30)
                self.assertEqual(out.returncode, 2, out.stderr)
                self.assertIn(why, out.stderr)
        finally:
            shutil.rmtree(d, ignore_errors=True)


class ServeApiOptionsE2E(unittest.TestCase):
    """`serve --data` runs the API too: its TLS and access log options, and their misuse."""

    def test_serve_api_over_tls_with_access_log(self):
        if not shutil.which("openssl"):
            self.skipTest("openssl not installed")
        d = tempfile.mkdtemp(prefix="zk_serve_tls_")
        try:
            cert, key = self_signed_cert(d)
            admin = create_key(d, "admin")
            log = os.path.join(d, "access.log")
            proc = subprocess.Popen([ZONEKEEPER, "serve", "--data", d, "--listen", "127.0.0.1:0", "--api-listen",
                                     "127.0.0.1:0", "--api-tls-cert", cert, "--api-tls-key", key,
                                     "--api-access-log", log],
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            try:
                m = None
                for _ in range(50):
                    line = proc.stdout.readline()
                    m = re.search(r"listening on (https?)://127\.0\.0\.1:(\d+)", line)
                    if m or not line:
                        break
                self.assertIsNotNone(m, "serve printed no API address")
                self.assertEqual(m.group(1), "https")
                r53 = client("https://127.0.0.1:%s" % m.group(2), admin, verify=cert)
                r53.create_hosted_zone(Name="servetls.test", CallerReference="servetls")
                self.assertEqual(r53.get_hosted_zone_count()["HostedZoneCount"], 1)
                for _ in range(200):
                    if "op=GetHostedZoneCount" in read_text(log):
                        break
                    time.sleep(0.02)
                self.assertIn("op=GetHostedZoneCount status=200 error=- key=%s" % admin[0], read_text(log))
            finally:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                proc.stdout.close()
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_api_options_without_the_api_are_refused(self):
        d = tempfile.mkdtemp(prefix="zk_serve_opts_")
        try:
            for args, why in ((["--api-access-log", "-"], "need --data"),
                              (["--data", d, "--no-api", "--api-tls-cert", "c.pem"], "not --no-api")):
                out = subprocess.run([ZONEKEEPER, "serve", "--listen", "127.0.0.1:0"] + args,
                                     capture_output=True, text=True, timeout=30)
                self.assertEqual(out.returncode, 2, out.stderr)
                self.assertIn(why, out.stderr)
        finally:
            shutil.rmtree(d, ignore_errors=True)


def main():
    global ZONEKEEPER
    parser = argparse.ArgumentParser()
    parser.add_argument("--zonekeeper", required=True)
    args, rest = parser.parse_known_args()
    ZONEKEEPER = os.path.abspath(args.zonekeeper)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()

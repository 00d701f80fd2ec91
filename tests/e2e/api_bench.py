#!/usr/bin/env python3
"""ChangeResourceRecordSets latency through `zonekeeper api` (HTTP + SigV4 +
XML + store), not run by ctest.

Usage: api_bench.py ZONEKEEPER [extra `zonekeeper api` flags, e.g. --store memory]

Fills a zone with 20,000 A record sets in 1000-change batches (timed), then
times 300 one-change and 100 ten-change batches. Requests are signed with
botocore's SigV4 signer before the clock starts and sent on one keep-alive
connection, so the figures are the server's round trip, not boto3's overhead.
"""

import http.client
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials


def main():
    zk = sys.argv[1]
    data = tempfile.mkdtemp(prefix="zk_api_bench_")
    out = subprocess.run([zk, "keys", "create", "--data", data, "--name", "bench"], capture_output=True, text=True,
                         check=True).stdout
    key = dict(line.split("=", 1) for line in out.split())
    proc = subprocess.Popen([zk, "api", "--data", data, "--api-listen", "127.0.0.1:0"] + sys.argv[2:],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = int(re.search(r":(\d+)$", proc.stdout.readline().strip()).group(1))
        endpoint = "http://127.0.0.1:%d" % port
        r53 = boto3.client("route53", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id=key["AWS_ACCESS_KEY_ID"],
                           aws_secret_access_key=key["AWS_SECRET_ACCESS_KEY"])
        zone = r53.create_hosted_zone(Name="bench.test", CallerReference="bench")["HostedZone"]["Id"].split("/")[-1]
        creds = botocore.credentials.Credentials(key["AWS_ACCESS_KEY_ID"], key["AWS_SECRET_ACCESS_KEY"])
        conn = http.client.HTTPConnection("127.0.0.1", port)
        path = "/2013-04-01/hostedzone/%s/rrset/" % zone

        def body(changes):
            items = "".join(
                "<Change><Action>CREATE</Action><ResourceRecordSet><Name>%s</Name><Type>A</Type><TTL>60</TTL>"
                "<ResourceRecords><ResourceRecord><Value>%s</Value></ResourceRecord></ResourceRecords>"
                "</ResourceRecordSet></Change>" % c for c in changes)
            return ('<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">'
                    "<ChangeBatch><Changes>%s</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>" % items).encode()

        def send(payload):
            req = botocore.awsrequest.AWSRequest(method="POST", url=endpoint + path, data=payload)
            botocore.auth.SigV4Auth(creds, "route53", "us-east-1").add_auth(req)
            start = time.perf_counter()
            conn.request("POST", path, body=payload, headers=dict(req.headers))
            resp = conn.getresponse()
            text = resp.read()
            elapsed = time.perf_counter() - start
            if resp.status != 200:
                raise RuntimeError("HTTP %d: %s" % (resp.status, text[:300]))
            return elapsed

        big = [send(body([("h%d-%d.bench.test" % (i, j), "10.%d.%d.%d" % (i, j // 256, j % 256))
                          for j in range(1000)])) for i in range(20)]
        one = [send(body([("one%d.bench.test" % i, "192.0.2.1")])) for i in range(300)]
        ten = [send(body([("ten%d-%d.bench.test" % (i, j), "192.0.2.1") for j in range(10)])) for i in range(100)]

        def pct(values, q):
            values = sorted(values)
            return values[int(q * (len(values) - 1))] * 1000

        print("changes/batch  p50 ms  p99 ms  record sets/s")
        for n, v in ((1, one), (10, ten), (1000, big)):
            print("%13d  %6.2f  %6.2f  %13.0f" % (n, pct(v, .5), pct(v, .99), n / statistics.median(v)))
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()

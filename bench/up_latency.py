#!/usr/bin/env python3
"""Latency from a manifest edit to the new DNS answer in `zonekeeper up`.

Starts `zonekeeper up` on free loopback ports with a copy of the example
manifests and zones, then N times writes an Ingress (host
lat.wiperinstall.rainx.com) with a new load-balancer address, atomically
(write + rename, as kubectl-less editors and config management do), and polls
the server over UDP every millisecond until the answer carries the new address.
Prints p50/p90/p99/max in milliseconds.

    bench/up_latency.py build/release/src/cli/zonekeeper [--edits 100]
"""
import argparse
import os
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HOST = "lat.wiperinstall.rainx.com"
MANIFEST = """apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: latency
  namespace: bench
spec:
  rules:
    - host: {host}
status:
  loadBalancer:
    ingress:
      - ip: {ip}
"""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def query(name, qid):
    q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00" + struct.pack(">HH", 1, 1)


def answers_with(sock, port, packed_ip, qid):
    sock.sendto(query(HOST, qid), ("127.0.0.1", port))
    try:
        data, _ = sock.recvfrom(4096)
    except socket.timeout:
        return False
    ancount = struct.unpack(">H", data[6:8])[0]
    return ancount > 0 and packed_ip in data[12:]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("zonekeeper")
    ap.add_argument("--edits", type=int, default=100)
    ap.add_argument("--source", default=os.path.join(os.path.dirname(__file__), ".."))
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="zk-uplat.")
    try:
        manifests = os.path.join(tmp, "manifests")
        shutil.copytree(os.path.join(args.source, "examples", "manifests"), manifests)
        dns, api = free_port(), free_port()
        log = open(os.path.join(tmp, "up.log"), "w")
        proc = subprocess.Popen(
            [args.zonekeeper, "up", "--listen", f"127.0.0.1:{dns}", "--api-listen", f"127.0.0.1:{api}",
             "--data", os.path.join(tmp, "data"), "--manifests", manifests,
             "--zones", os.path.join(args.source, "examples", "zones")],
            stdout=log, stderr=subprocess.STDOUT)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.settimeout(0.2)
        deadline = time.time() + 30
        while True:  # any answer: up is serving
            sock.sendto(query(HOST, 1), ("127.0.0.1", dns))
            try:
                sock.recvfrom(4096)
                break
            except socket.timeout:
                pass
            if time.time() > deadline or proc.poll() is not None:
                sys.exit("zonekeeper up did not start; see " + log.name)
            time.sleep(0.1)
        sock.settimeout(0.05)
        lat = []
        path = os.path.join(manifests, "latency.yaml")
        for i in range(args.edits):
            ip = f"198.51.100.{i % 250 + 1}"
            packed = socket.inet_aton(ip)
            with open(path + ".tmp", "w") as f:
                f.write(MANIFEST.format(host=HOST, ip=ip))
            t0 = time.perf_counter()
            os.rename(path + ".tmp", path)
            qid = 2
            while not answers_with(sock, dns, packed, qid & 0xFFFF):
                qid += 1
                if time.perf_counter() - t0 > 10:
                    sys.exit(f"edit {i}: {ip} not answered within 10 s")
                time.sleep(0.001)
            lat.append((time.perf_counter() - t0) * 1000)
            time.sleep(0.05)  # let the controller settle before the next edit
        proc.terminate()
        proc.wait(timeout=10)
        lat.sort()
        pct = lambda p: lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))]
        print(f"edits={len(lat)} p50={statistics.median(lat):.1f}ms p90={pct(90):.1f}ms "
              f"p99={pct(99):.1f}ms max={lat[-1]:.1f}ms")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

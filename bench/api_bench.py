#!/usr/bin/env python3
"""ChangeResourceRecordSets speed of `zonekeeper serve --data DIR` (DNS + Route53 API
in one process), in the shape of ../shared/bench/api/pdns_api_bench.py so that the
two tables line up (same zone, same names, same addresses, same loops):

  load        100,000 A record sets h<i>.example.com. (CREATE, 1000 per batch)
  latency     -n one-change UPSERTs of random names: the round trip of the request,
              and the time from the 200 to the first UDP answer carrying the new
              address (the server is asked again at once until it does)
  throughput  batches of 1, 10 and 1000 changes: request latency and record sets per
              second (--runs runs, each bounded in requests and time). 1 and 10: UPSERTs of
              existing names (PowerDNS: REPLACE); 1000: Route53 counts an UPSERT as two
              records (limit 1000), so CREATE of 1000 new names and DELETE of them, alternately

Usage:
  api_bench.py build/release/src/cli/zonekeeper [--dnsperf] [--label L] [--serve-arg=--workers=1]
  api_bench.py --attach http://127.0.0.1:PORT --dns 127.0.0.1:PORT --key-id .. --secret .. ...

Requests are signed with botocore's SigV4 signer before the clock starts and sent on
one keep-alive connection with `requests` (as pdns_api_bench.py sends its PATCHes;
--client http.client for the leaner client). --dnsperf runs dnsperf unthrottled in the
background (queries for the zone's names, pinned to CPU --dnsperf-cpu) during latency
and throughput, and reports its QPS. --client-nice/--client-cpu set this client's own nice value and CPUs
while it measures (the server and dnsperf are not affected). Results: lines "RESULT {json}" plus a short human
line each, like pdns_api_bench.py. Every loop is bounded in count and time.
"""
import argparse
import json
import math
import os
import random
import re
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

ZONE = "example.com."


def pct(values, p):
    """Nearest-rank percentile (p in 0..100), as pdns_api_bench.py."""
    s = sorted(values)
    if not s:
        return float("nan")
    return s[max(1, math.ceil(p / 100.0 * len(s))) - 1]


def summary_ms(values):
    v = [x * 1000.0 for x in values]
    return {"n": len(v), "p50_ms": round(pct(v, 50), 3), "p99_ms": round(pct(v, 99), 3),
            "max_ms": round(max(v), 3) if v else None, "min_ms": round(min(v), 3) if v else None,
            "mean_ms": round(statistics.fmean(v), 3) if v else None}


def emit(kind, **data):
    data["kind"] = kind
    print("RESULT " + json.dumps(data, sort_keys=True), flush=True)


def load_avg():
    with open("/proc/loadavg") as f:
        return f.read().split()[:3]


def load_ip(i):
    return "10.%d.%d.%d" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)


class ChangeIPs:
    """172.16/12 addresses, never a load address, never the previous value of a name."""

    def __init__(self, start=1):
        self.c = start

    def next(self):
        c = self.c
        self.c += 1
        return "172.%d.%d.%d" % (16 + ((c >> 16) & 15), (c >> 8) & 255, c & 255)


def name_of(i):
    return "h%d.%s" % (i, ZONE)


def proc_cpu_s(pid):
    if not pid:
        return None
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


METRIC = "zonekeeper_api_request_duration_seconds"


def scrape_change_hist(metrics_url):
    """The server's ChangeResourceRecordSets duration histogram: {le (float): cumulative count}."""
    if not metrics_url:
        return None
    import urllib.request
    text = urllib.request.urlopen(metrics_url, timeout=10).read().decode()
    out = {}
    for m in re.finditer(r'^%s_bucket\{operation="ChangeResourceRecordSets",le="([^"]+)"\} (\d+)$' % METRIC, text,
                         re.M):
        out[float(m.group(1))] = int(m.group(2))  # float("+Inf") is inf
    return out or None


def hist_quantiles(before, after, qs=(50, 99)):
    """Server-side percentiles (ms) of the requests between two scrapes, interpolated
    linearly within buckets as Prometheus' histogram_quantile does."""
    if not before or not after:
        return None
    bounds = sorted(after)
    cum = [after[b] - before.get(b, 0) for b in bounds]
    n = cum[-1]
    res = {"n": n}
    for q in qs:
        if n == 0:
            res["p%d_ms" % q] = None
            continue
        rank = q / 100.0 * n
        i = next(k for k, c in enumerate(cum) if c >= rank)
        if math.isinf(bounds[i]):  # beyond the last bound: report that bound
            res["p%d_ms" % q] = round(bounds[i - 1] * 1000.0, 3)
            continue
        lo, clo = (bounds[i - 1], cum[i - 1]) if i > 0 else (0.0, 0)
        frac = (rank - clo) / (cum[i] - clo) if cum[i] > clo else 1.0
        res["p%d_ms" % q] = round((lo + (bounds[i] - lo) * frac) * 1000.0, 3)
    return res


def thread_sched(pid):
    """Per server thread: (comm, nice) -> [run_ns, runqueue_wait_ns, slices] (/proc/PID/task/*/schedstat)."""
    out = {}
    if not pid:
        return out
    base = "/proc/%d/task" % pid
    try:
        tids = os.listdir(base)
    except OSError:
        return out
    for tid in tids:
        try:
            with open("%s/%s/stat" % (base, tid)) as f:
                stat = f.read()
            with open("%s/%s/schedstat" % (base, tid)) as f:
                run, wait, slices = (int(x) for x in f.read().split())
        except (OSError, ValueError):
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        nice = int(stat.rsplit(")", 1)[1].split()[16])
        out[tid] = (comm, nice, run, wait, slices)
    return out


def sched_delta(before, after, per, by_thread=False):
    """Run and runqueue-wait ms per request (`per` requests), summed by thread nice value
    (by_thread: each thread that ran, as nice/tid)."""
    agg = {}
    for tid, (comm, nice, run, wait, slices) in after.items():
        b = before.get(tid, (comm, nice, 0, 0, 0))
        if by_thread and run == b[2]:
            continue
        a = agg.setdefault("nice%d/%s" % (nice, tid) if by_thread else "nice%d" % nice, [0, 0, 0, 0])
        a[0] += run - b[2]
        a[1] += wait - b[3]
        a[2] += slices - b[4]
        a[3] += 1
    return {k: {"threads": v[3], "run_ms_per_req": round(v[0] / 1e6 / max(1, per), 3),
                "wait_ms_per_req": round(v[1] / 1e6 / max(1, per), 3),
                "slices_per_req": round(v[2] / max(1, per), 2)} for k, v in sorted(agg.items())}


class UDPResolver:
    """A queries over UDP; returns (rcode, sorted addresses)."""

    def __init__(self, hostport, timeout=1.0):
        host, port = hostport.rsplit(":", 1)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.connect((host, int(port)))
        self.sock.settimeout(timeout)

    def query_a(self, name):
        qid = random.getrandbits(16)
        qname = b"".join(bytes([len(x)]) + x.encode() for x in name.rstrip(".").split(".")) + b"\0"
        self.sock.send(struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0) + qname + struct.pack("!HH", 1, 1))
        for _ in range(16):  # bounded: skip stray datagrams
            try:
                resp = self.sock.recv(4096)
            except socket.timeout:
                return -1, []
            rid, flags, qd, an, _ns, _ar = struct.unpack("!HHHHHH", resp[:12])
            if rid != qid:
                continue
            off = 12

            def skip(off):
                for _ in range(128):
                    ln = resp[off]
                    if ln & 0xC0 == 0xC0:
                        return off + 2
                    if ln == 0:
                        return off + 1
                    off += 1 + ln
                raise ValueError("name too long")

            for _ in range(qd):
                off = skip(off) + 4
            addrs = []
            for _ in range(an):
                off = skip(off)
                rtype, _c, _t, rdlen = struct.unpack("!HHIH", resp[off:off + 10])
                off += 10
                if rtype == 1 and rdlen == 4:
                    addrs.append(socket.inet_ntoa(resp[off:off + 4]))
                off += rdlen
            return flags & 0xF, sorted(addrs)
        return -1, []


class Route53:
    """Pre-signed ChangeResourceRecordSets on one keep-alive connection."""

    def __init__(self, endpoint, key_id, secret, client="requests"):
        import botocore.auth
        import botocore.awsrequest
        import botocore.credentials

        self.endpoint = endpoint.rstrip("/")
        self.auth = botocore.auth.SigV4Auth(botocore.credentials.Credentials(key_id, secret), "route53",
                                            "us-east-1")
        self.AWSRequest = botocore.awsrequest.AWSRequest
        self.client = client
        if client == "requests":
            import requests
            self.session = requests.Session()
        else:
            import http.client
            host, port = self.endpoint.split("//", 1)[1].rsplit(":", 1)
            self.conn = http.client.HTTPConnection(host, int(port))
        self.zone_id = None

    def signed(self, method, path, body=b""):
        req = self.AWSRequest(method=method, url=self.endpoint + path, data=body)
        self.auth.add_auth(req)
        return method, path, body, dict(req.headers)

    def send(self, prepared):
        method, path, body, headers = prepared
        if self.client == "requests":
            r = self.session.request(method, self.endpoint + path, data=body, headers=headers, timeout=120)
            status, text = r.status_code, r.content
        else:
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
            status, text = resp.status, resp.read()
        if status not in (200, 201):
            raise RuntimeError("%s %s: HTTP %d %s" % (method, path, status, text[:300]))
        return text

    def find_or_create_zone(self):
        text = self.send(self.signed("GET", "/2013-04-01/hostedzonesbyname?dnsname=" + ZONE + "&maxitems=1"))
        m = re.search(rb"<Id>/hostedzone/([^<]+)</Id><Name>" + re.escape(ZONE.encode()), text)
        if m:
            self.zone_id = m.group(1).decode()
            return False
        body = ('<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">'
                "<Name>%s</Name><CallerReference>bench-%d</CallerReference></CreateHostedZoneRequest>"
                % (ZONE, time.time_ns())).encode()
        text = self.send(self.signed("POST", "/2013-04-01/hostedzone", body))
        self.zone_id = re.search(rb"<Id>/hostedzone/([^<]+)</Id>", text).group(1).decode()
        return True

    def change(self, action, items):
        """items: [(name, ip)] -> signed request (send it with send())."""
        ch = "".join(
            "<Change><Action>%s</Action><ResourceRecordSet><Name>%s</Name><Type>A</Type><TTL>300</TTL>"
            "<ResourceRecords><ResourceRecord><Value>%s</Value></ResourceRecord></ResourceRecords>"
            "</ResourceRecordSet></Change>" % (action, n, ip) for n, ip in items)
        body = ('<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">'
                "<ChangeBatch><Changes>%s</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>" % ch).encode()
        return self.signed("POST", "/2013-04-01/hostedzone/%s/rrset/" % self.zone_id, body)


class DnsPerf:
    """dnsperf unthrottled in the background over the zone's names."""

    def __init__(self, dns, records, cpu, tmp, seconds):
        host, port = dns.rsplit(":", 1)
        qfile = os.path.join(tmp, "queries.txt")
        rnd = random.Random(7)
        with open(qfile, "w") as f:
            for _ in range(100000):
                f.write("%s A\n" % name_of(rnd.randrange(records)))
        cmd = ["dnsperf", "-s", host, "-p", port, "-d", qfile, "-l", str(seconds), "-c", "1", "-T", "1"]
        if cpu is not None and shutil.which("taskset"):
            cmd = ["taskset", "-c", str(cpu)] + cmd
        self.out = os.path.join(tmp, "dnsperf.out")
        self.proc = subprocess.Popen(cmd, stdout=open(self.out, "w"), stderr=subprocess.STDOUT)
        time.sleep(1.0)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(2)  # SIGINT: dnsperf prints its statistics
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        text = open(self.out).read()
        m = re.search(r"Queries per second:\s+([\d.]+)", text)
        lost = re.search(r"Queries lost:\s+(\d+)", text)
        return {"qps": float(m.group(1)) if m else None, "lost": int(lost.group(1)) if lost else None}


def cmd_load(a, api):
    created = api.find_or_create_zone()
    t_start = time.perf_counter()
    times = []
    if created:
        for lo in range(0, a.records, a.batch):
            if time.perf_counter() - t_start > a.max_seconds:
                raise SystemExit("load: gave up after %.0f s" % a.max_seconds)
            req = api.change("CREATE", [(name_of(i), load_ip(i)) for i in range(lo, min(a.records, lo + a.batch))])
            t1 = time.perf_counter()
            api.send(req)
            times.append(time.perf_counter() - t1)
        total = time.perf_counter() - t_start
        emit("zk_load", records=a.records, batch=a.batch, batches=len(times), total_s=round(total, 2),
             rrsets_per_s=round(a.records / total, 1), batch_request=summary_ms(times))
        print("loaded %d A record sets in %d batches of %d: %.1f s (%.0f record sets/s)"
              % (a.records, len(times), a.batch, total, a.records / total), flush=True)


def cmd_latency(a, api):
    res = UDPResolver(a.dns)
    rnd = random.Random(a.seed)
    ips = ChangeIPs(start=a.ip_start)
    rtts = []
    for _ in range(500):
        t0 = time.perf_counter()
        res.query_a(name_of(0))
        rtts.append(time.perf_counter() - t0)
    cpu0 = proc_cpu_s(a.server_pid)
    hist0 = scrape_change_hist(a.metrics)
    sched0 = thread_sched(a.server_pid)
    change_rtt, visible, stale_polls = [], [], []
    timeouts = 0
    t_begin = time.perf_counter()
    for i in rnd.sample(range(a.records), a.n):
        if time.perf_counter() - t_begin > a.max_seconds:
            break
        name = name_of(i)
        res.query_a(name)
        res.query_a(name)
        new_ip = ips.next()
        req = api.change("UPSERT", [(name, new_ip)])
        t0 = time.perf_counter()
        api.send(req)
        t1 = time.perf_counter()
        stale, ok = 0, False
        for _ in range(a.max_polls):
            _rcode, addrs = res.query_a(name)
            t2 = time.perf_counter()
            if addrs == [new_ip]:
                ok = True
                break
            stale += 1
            if t2 - t1 > a.poll_timeout:
                break
        if not ok:
            timeouts += 1
            continue
        change_rtt.append(t1 - t0)
        visible.append(t2 - t1)
        stale_polls.append(stale)
    cpu1 = proc_cpu_s(a.server_pid)
    sched1 = thread_sched(a.server_pid)
    sched = sched_delta(sched0, sched1, len(change_rtt), a.thread_detail)
    server = hist_quantiles(hist0, scrape_change_hist(a.metrics))
    cpu_ms = round(1000.0 * (cpu1 - cpu0) / max(1, len(change_rtt)), 2) if cpu0 is not None else None
    emit("zk_change_latency", label=a.label, n=len(change_rtt), not_visible_within_timeout=timeouts,
         dns_rtt=summary_ms(rtts), change_rtt=summary_ms(change_rtt), visible_after_200=summary_ms(visible),
         server_change_duration=server, server_threads=sched,
         iterations_with_stale_answer=sum(1 for s in stale_polls if s), server_cpu_ms_per_iteration=cpu_ms,
         load_avg=load_avg())
    v, r = summary_ms(visible), summary_ms(change_rtt)
    print("[%s] change rtt p50/p99/max %.2f/%.2f/%.2f ms (in the server p50/p99 %s); answered after the 200 "
          "p50/p99/max %.3f/%.3f/%.3f ms; stale iterations %d/%d; DNS rtt p50 %.3f ms; server CPU/iteration %s ms"
          % (a.label, r["p50_ms"], r["p99_ms"], r["max_ms"],
             "%.2f/%.2f ms" % (server["p50_ms"], server["p99_ms"]) if server and server["n"] else "-",
             v["p50_ms"], v["p99_ms"], v["max_ms"],
             sum(1 for s in stale_polls if s), len(stale_polls), summary_ms(rtts)["p50_ms"], cpu_ms), flush=True)
    if sched:
        print("[%s] server threads per iteration, by nice value: %s" % (a.label, "; ".join(
            "%s (%d threads): run %.3f ms, waiting for a CPU %.3f ms, %.1f slices"
            % (k, v["threads"], v["run_ms_per_req"], v["wait_ms_per_req"], v["slices_per_req"])
            for k, v in sched.items())), flush=True)
    return r, v, server


def write_plan(path, items):
    """api_replay's plan: "zkreplay 1", then per change "NAME IP NBYTES" and the raw request."""
    with open(path, "wb") as f:
        f.write(b"zkreplay 1\n")
        for name, ip, raw in items:
            f.write(b"%s %s %d\n" % (name.encode(), ip.encode(), len(raw)))
            f.write(raw)


def raw_request(method, netloc, path, headers, body):
    head = "%s %s HTTP/1.1\r\nHost: %s\r\n" % (method, path, netloc)
    head += "".join("%s: %s\r\n" % (k, v) for k, v in headers.items() if k.lower() not in ("host", "content-length"))
    head += "Content-Length: %d\r\nConnection: keep-alive\r\n\r\n" % len(body)
    return head.encode() + body


def run_replay(a, api_hostport, plan_items, tmp, label, server_pid=0, metrics=None):
    """The latency loop again with bench/api_replay (the lean C++ client): same names drawn
    the same way, same polling; prints its line, returns its RESULT (plus the server's view)."""
    path = os.path.join(tmp, "plan-%s" % label)
    write_plan(path, plan_items)
    hist0 = scrape_change_hist(metrics)
    sched0 = thread_sched(server_pid)
    out = subprocess.run([a.replay, "--api", api_hostport, "--dns", a.dns, "--plan", path, "--label", label,
                          "--poll-timeout", str(a.poll_timeout)], capture_output=True, text=True)
    if out.returncode not in (0, 1):
        raise SystemExit("api_replay failed: " + out.stderr[-2000:])
    res = json.loads(next(l for l in out.stdout.splitlines() if l.startswith("RESULT "))[7:])
    res["server_change_duration"] = hist_quantiles(hist0, scrape_change_hist(metrics))
    res["server_threads"] = sched_delta(sched0, thread_sched(server_pid), res["n"])
    res["load_avg"] = load_avg()
    emit(**res)
    srv = res["server_change_duration"]
    print("%s%s" % ("\n".join(l for l in out.stdout.splitlines() if not l.startswith("RESULT ")),
                    " (in the server p50/p99 %.2f/%.2f ms)" % (srv["p50_ms"], srv["p99_ms"])
                    if srv and srv["n"] else ""), flush=True)
    return res


def cmd_replay(a, api, endpoint, tmp):
    rnd = random.Random(a.seed + 1)
    ips = ChangeIPs(start=a.ip_start + 3000000)
    netloc = endpoint.split("//", 1)[1]
    items = []
    for i in rnd.sample(range(a.records), a.n):
        name, ip = name_of(i), ips.next()
        method, path, body, headers = api.change("UPSERT", [(name, ip)])
        items.append((name, ip, raw_request(method, netloc, path, headers, body)))
    return run_replay(a, netloc, items, tmp, a.label + "-lean", a.server_pid, a.metrics)


def cmd_replay_pdns(a, tmp):
    """--attach-pdns: the lean client's latency loop against PowerDNS's API (PATCH, REPLACE),
    the same names and loop as cmd_replay; pdns_api_bench.py does the rest for PowerDNS."""
    rnd = random.Random(a.seed + 1)
    ips = ChangeIPs(start=a.ip_start + 3000000)
    netloc = a.attach_pdns.split("//", 1)[1].rstrip("/")
    path = "/api/v1/servers/localhost/zones/" + ZONE
    items = []
    for i in rnd.sample(range(a.records), a.n):
        name, ip = name_of(i), ips.next()
        body = json.dumps({"rrsets": [{"name": name, "type": "A", "ttl": 300, "changetype": "REPLACE",
                                       "records": [{"content": ip, "disabled": False}]}]}).encode()
        items.append((name, ip, raw_request("PATCH", netloc, path, {"X-API-Key": a.pdns_key,
                                                                    "Content-Type": "application/json"}, body)))
    return run_replay(a, netloc, items, tmp, a.label + "-lean", a.server_pid)


def cmd_throughput(a, api):
    ips = ChangeIPs(start=a.ip_start + 1000000)
    nxt = [a.name_offset]

    def names(k):
        out = []
        for _ in range(k):
            out.append(name_of(nxt[0] % a.records))
            nxt[0] += 1
        return out

    fresh = [0]

    def batch(size):
        """UPSERTs of existing names (PowerDNS's REPLACE) while they fit Route53's limit
        (an UPSERT counts as two records); else CREATE of new names x<j>, then DELETE of
        the same ones, alternately, so the zone stays at its size."""
        if 2 * size <= 1000:
            return api.change("UPSERT", [(n, ips.next()) for n in names(size)])
        k = fresh[0]
        fresh[0] += 1
        items = [("x%d.%s" % ((k // 2) * size + j, ZONE), "192.0.2.%d" % (j % 250 + 1)) for j in range(size)]
        return api.change("CREATE" if k % 2 == 0 else "DELETE", items)

    results = {}
    for size in [int(x) for x in a.sizes.split(",")]:
        nreq = max(a.min_requests, a.rrsets_per_run // size)
        for _ in range(2):
            api.send(batch(size))
        runs = []
        for _run in range(a.runs):
            # Sign every request of the run before the clock starts (pdns builds its JSON
            # in the loop, which is cheap; SigV4 signing in Python is not).
            reqs = [batch(size) for _ in range(nreq)]
            lat = []
            hist0 = scrape_change_hist(a.metrics)
            cpu0 = proc_cpu_s(a.server_pid)
            t0 = time.perf_counter()
            done = 0
            for req in reqs:
                t1 = time.perf_counter()
                api.send(req)
                lat.append(time.perf_counter() - t1)
                done += 1
                if done >= a.min_requests and time.perf_counter() - t0 > a.run_seconds:
                    break
            el = time.perf_counter() - t0
            cpu1 = proc_cpu_s(a.server_pid)
            runs.append({"requests": done, "seconds": round(el, 3), "req_per_s": round(done / el, 2),
                         "rrsets_per_s": round(done * size / el, 1), "req_latency": summary_ms(lat),
                         "server_duration": hist_quantiles(hist0, scrape_change_hist(a.metrics)),
                         "server_cpu_ms_per_request": (round(1000.0 * (cpu1 - cpu0) / done, 2)
                                                       if cpu0 is not None else None),
                         "load_avg": load_avg()})
        rs = [r["rrsets_per_s"] for r in runs]
        p50 = statistics.median(r["req_latency"]["p50_ms"] for r in runs)
        p99 = statistics.median(r["req_latency"]["p99_ms"] for r in runs)
        sp50 = [r["server_duration"]["p50_ms"] for r in runs if r["server_duration"]]
        sp50 = statistics.median(sp50) if sp50 and None not in sp50 else None
        emit("zk_change_throughput", label=a.label, rrsets_per_request=size, runs=runs,
             median_rrsets_per_s=statistics.median(rs), median_p50_ms=p50, median_p99_ms=p99,
             median_server_p50_ms=sp50,
             min_rrsets_per_s=min(rs), max_rrsets_per_s=max(rs))
        print("[%s] %4d changes/batch: p50 %.2f ms p99 %.2f ms (in the server p50 %s), %.0f record sets/s "
              "(median of %d; runs %s; server CPU ms/request %s)"
              % (a.label, size, p50, p99, "%.2f ms" % sp50 if sp50 is not None else "-", statistics.median(rs),
                 len(runs), rs, [r["server_cpu_ms_per_request"] for r in runs]), flush=True)
        results[size] = (p50, p99, statistics.median(rs))
    return results


def cmd_concurrent(a, endpoint, key_id, secret):
    """--concurrency N: N connections (one thread each) sending 1-change UPSERTs at once;
    concurrent batches share a commit (group commit), so record sets/s grows with N."""
    n = a.concurrency
    clients = [Route53(endpoint, key_id, secret, "http.client") for _ in range(n)]
    clients[0].find_or_create_zone()
    for c in clients[1:]:
        c.zone_id = clients[0].zone_id
    ips = ChangeIPs(start=a.ip_start + 2000000)
    per = max(50, a.rrsets_per_run // (10 * n))
    reqs = [[c.change("UPSERT", [(name_of((k * per + j) % a.records), ips.next())]) for j in range(per)]
            for k, c in enumerate(clients)]
    lat = [[] for _ in range(n)]

    def work(k):
        for req in reqs[k]:
            t1 = time.perf_counter()
            clients[k].send(req)
            lat[k].append(time.perf_counter() - t1)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(n)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    el = time.perf_counter() - t0
    all_lat = [x for v in lat for x in v]
    emit("zk_concurrent", label=a.label, connections=n, requests=len(all_lat), seconds=round(el, 3),
         rrsets_per_s=round(len(all_lat) / el, 1), req_latency=summary_ms(all_lat), load_avg=load_avg())
    s = summary_ms(all_lat)
    print("[%s] %d connections x 1-change UPSERTs: %.0f record sets/s, p50 %.2f ms p99 %.2f ms (%d requests)"
          % (a.label, n, len(all_lat) / el, s["p50_ms"], s["p99_ms"], len(all_lat)), flush=True)


def parse_cpus(text):
    """taskset -c syntax: "1", "0,1", "0-1"."""
    cpus = set()
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        cpus.update(range(int(lo), int(hi or lo) + 1))
    return cpus


def wait_for(path, pattern, proc, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("zonekeeper exited: " + open(path).read()[-2000:])
        try:
            m = re.search(pattern, open(path).read())
            if m:
                return m
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    raise SystemExit("timed out waiting for %r in %s" % (pattern, path))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("zonekeeper", nargs="?", help="binary to start (`serve --data`); omit with --attach")
    ap.add_argument("--attach", help="endpoint of a running serve (with --dns, --key-id, --secret)")
    ap.add_argument("--attach-pdns", help="URL of a running PowerDNS API (with --dns): only the lean client's "
                                          "latency loop (phase replay), the same as for zonekeeper")
    ap.add_argument("--pdns-key", default="benchkey", help="PowerDNS X-API-Key (with --attach-pdns)")
    ap.add_argument("--replay", help="bench/api_replay binary (default: next to the zonekeeper binary's build, "
                                     "build/*/bench/api_replay)")
    ap.add_argument("--dns", help="ADDR:PORT of the DNS server (with --attach)")
    ap.add_argument("--key-id")
    ap.add_argument("--secret")
    ap.add_argument("--server-pid", type=int, default=0)
    ap.add_argument("--metrics", help="with --attach: URL of the server's /metrics (server-side durations)")
    ap.add_argument("--data", help="store directory (default: a new temporary one, removed at the end)")
    ap.add_argument("--serve-arg", action="append", default=[], help="extra `serve` argument (repeatable)")
    ap.add_argument("--client", choices=["requests", "http.client"], default="requests")
    ap.add_argument("--records", type=int, default=100000)
    ap.add_argument("--batch", type=int, default=1000, help="changes per load batch")
    ap.add_argument("-n", type=int, default=200, help="latency iterations")
    ap.add_argument("--sizes", default="1,10,1000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rrsets-per-run", type=int, default=30000)
    ap.add_argument("--min-requests", type=int, default=5)
    ap.add_argument("--run-seconds", type=float, default=15.0)
    ap.add_argument("--name-offset", type=int, default=50000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ip-start", type=int, default=1)
    ap.add_argument("--poll-timeout", type=float, default=30.0)
    ap.add_argument("--max-polls", type=int, default=1000000)
    ap.add_argument("--max-seconds", type=float, default=300.0)
    ap.add_argument("--label", default="zonekeeper")
    ap.add_argument("--dnsperf", action="store_true", help="dnsperf load in the background while measuring")
    ap.add_argument("--dnsperf-cpu", type=int, default=1, help="CPU to pin dnsperf to (-1: no pinning)")
    ap.add_argument("--client-nice", type=int, default=None,
                    help="nice value of this client while measuring (latency, throughput, concurrent); "
                         "api_vs_pdns.sh's CLIENT_NICE gives PowerDNS's client the same")
    ap.add_argument("--client-cpu", default=None,
                    help="CPU list (as taskset -c) this client runs on while measuring; see --client-nice")
    ap.add_argument("--thread-detail", action="store_true",
                    help="latency: the server's threads' CPU and runqueue wait one by one, not by nice value")
    ap.add_argument("--phases", default="load,latency,replay,throughput",
                    help="any of load, latency, replay (the latency loop with the lean C++ client "
                         "bench/api_replay), throughput, concurrent (with --concurrency)")
    ap.add_argument("--concurrency", type=int, default=8, help="connections of the concurrent phase")
    a = ap.parse_args()

    if a.replay is None and a.zonekeeper:
        a.replay = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(a.zonekeeper)))),
                                "bench", "api_replay")
    tmp = tempfile.mkdtemp(prefix="zk_api_bench_")
    if a.attach_pdns:
        if not a.dns or not a.replay:
            ap.error("--attach-pdns needs --dns and --replay")
        try:
            if a.client_nice is not None:
                os.setpriority(os.PRIO_PROCESS, 0, a.client_nice)
            if a.client_cpu is not None:
                os.sched_setaffinity(0, parse_cpus(a.client_cpu))
            cmd_replay_pdns(a, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    proc = None
    data = a.data or os.path.join(tmp, "data")
    try:
        if a.attach:
            endpoint, key_id, secret = a.attach, a.key_id, a.secret
        else:
            if not a.zonekeeper:
                ap.error("give the zonekeeper binary or --attach")
            out = subprocess.run([a.zonekeeper, "keys", "create", "--data", data, "--name", "bench%d" % time.time_ns()],
                                 capture_output=True, text=True, check=True).stdout
            key = dict(line.split("=", 1) for line in out.split())
            key_id, secret = key["AWS_ACCESS_KEY_ID"], key["AWS_SECRET_ACCESS_KEY"]
            log = os.path.join(tmp, "serve.log")
            proc = subprocess.Popen([a.zonekeeper, "serve", "--data", data, "--listen", "127.0.0.1:0",
                                     "--api-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"] + a.serve_arg,
                                    stdout=open(log + ".out", "w"), stderr=open(log, "w"))
            a.server_pid = proc.pid
            dport = wait_for(log, r"listening on 127\.0\.0\.1:(\d+)", proc).group(1)
            aport = wait_for(log + ".out", r"listening on http://127\.0\.0\.1:(\d+)", proc).group(1)
            endpoint, a.dns = "http://127.0.0.1:%s" % aport, "127.0.0.1:%s" % dport
            a.metrics = "http://127.0.0.1:%s/metrics" % wait_for(log, r"metrics on http://127\.0\.0\.1:(\d+)/", proc).group(1)
        api = Route53(endpoint, key_id, secret, a.client)
        phases = a.phases.split(",")
        if "load" in phases:
            cmd_load(a, api)
        else:
            api.find_or_create_zone()
        perf = None
        if a.dnsperf:
            perf = DnsPerf(a.dns, a.records, a.dnsperf_cpu if a.dnsperf_cpu >= 0 else None, tmp, 3600)
        # Applied here, after the server and dnsperf were started, so that only this
        # (single-threaded) client is affected.
        if a.client_nice is not None:
            os.setpriority(os.PRIO_PROCESS, 0, a.client_nice)
        if a.client_cpu is not None:
            os.sched_setaffinity(0, parse_cpus(a.client_cpu))
        try:
            lat = cmd_latency(a, api) if "latency" in phases else None
            if "replay" in phases:
                if a.replay and os.access(a.replay, os.X_OK):
                    cmd_replay(a, api, endpoint, tmp)
                else:
                    print("no api_replay binary (%s): phase replay skipped" % a.replay, flush=True)
            thr = cmd_throughput(a, api) if "throughput" in phases else None
            if "concurrent" in phases:
                cmd_concurrent(a, endpoint, key_id, secret)
        finally:
            dp = perf.stop() if perf else None
        if dp:
            emit("zk_dnsperf", label=a.label, **dp)
            print("[%s] dnsperf in the background: %s qps, %s lost" % (a.label, dp["qps"], dp["lost"]))
        if lat and thr:
            print("\n| %s | 1 change p50 / p99 | in the server p50 / p99 | answer served after the 200, p50 / p99 "
                  "| record sets/s at %s |" % (a.label, " / ".join(a.sizes.split(","))))
            srv = lat[2]
            print("| | %.2f / %.2f ms | %s | %.2f / %.2f ms | %s |" % (
                lat[0]["p50_ms"], lat[0]["p99_ms"],
                "%.2f / %.2f ms" % (srv["p50_ms"], srv["p99_ms"]) if srv and srv["n"] else "-",
                lat[1]["p50_ms"], lat[1]["p99_ms"], " / ".join("%.0f" % thr[s][2] for s in sorted(thr))))
            print("load average %s" % " ".join(load_avg()))
    finally:
        if proc:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Differential test: `zonekeeper zone check` against BIND's named-checkzone.

For every *.zone file under CORPUS (valid/ and invalid/):
  * zonekeeper must accept every file in valid/ and reject every file in invalid/;
  * zonekeeper and named-checkzone must agree on accept/reject, except for data
    outside the origin, which BIND drops with a warning and zonekeeper rejects;
  * for every accepted file, `zonekeeper zone print` output, read back by
    named-compilezone, must give the same record set as named-compilezone gives
    for the original file.

The origin of a file is its '; origin: NAME' comment, else the $ORIGIN on its
first non-comment line, else example.com. Tools run in the file's folder so $INCLUDE paths agree.
Standard library only. Exit status 0 when everything agrees, 1 otherwise.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile


def origin_of(path):
    with open(path, "rb") as f:
        text = f.read().decode("latin-1")
    m = re.search(r"^;\s*origin:\s*(\S+)", text, re.M)
    if m:
        return m.group(1)
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(";"):
            continue
        m = re.match(r"\$ORIGIN\s+(\S+)", line, re.I)
        if m and m.group(1).endswith("."):
            return m.group(1)
        break
    return "example.com."


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def canonical_records(compilezone, origin, path, cwd):
    """Sorted, whitespace-normalized records as BIND reads them, or None on failure."""
    rc, out, err = run([compilezone, "-q", "-i", "none", "-k", "ignore", "-n", "ignore", "-f", "text",
                        "-F", "text", "-s", "full", "-o", "-", origin, path], cwd)
    if rc != 0:
        return None, err + out
    lines = []
    for line in out.splitlines():
        line = line.strip()
        if not line or line.startswith(";"):
            continue
        lines.append(" ".join(line.split()))
    return sorted(lines), ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--zonekeeper", required=True, help="path to the zonekeeper binary")
    ap.add_argument("--corpus", required=True, help="folder with valid/ and invalid/ zone files")
    ap.add_argument("--named-checkzone", default="named-checkzone")
    ap.add_argument("--named-compilezone", default="named-compilezone")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    zk = os.path.abspath(args.zonekeeper)

    files = []
    for root, _, names in os.walk(args.corpus):
        for n in names:
            if n.endswith(".zone"):
                files.append(os.path.join(root, n))
    files.sort()
    if not files:
        print("no zone files under %s" % args.corpus)
        return 1

    failures = []
    counts = {"agree": 0, "out_of_zone_exception": 0, "roundtrip": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            rel = os.path.relpath(path, args.corpus)
            expect_valid = rel.split(os.sep)[0] == "valid"
            cwd = os.path.dirname(os.path.abspath(path))
            base = os.path.basename(path)
            origin = origin_of(path)

            zrc, zout, zerr = run([zk, "zone", "check", base, "--origin", origin], cwd)
            brc, bout, berr = run([args.named_checkzone, origin, base], cwd)
            if zrc not in (0, 1):
                failures.append("%s: zonekeeper exited %d (crash or usage error): %s" % (rel, zrc, zerr.strip()))
                continue
            zk_ok, bind_ok = zrc == 0, brc == 0
            if args.verbose:
                print("%-55s zonekeeper=%s bind=%s" % (rel, "OK" if zk_ok else "reject", "OK" if bind_ok else "reject"))
            if zk_ok != expect_valid:
                failures.append("%s: zonekeeper %s it, but it is in %s/:\n%s" % (
                    rel, "accepted" if zk_ok else "rejected", "valid" if expect_valid else "invalid", zerr.strip()))
                continue
            if zk_ok != bind_ok:
                bind_text = bout + berr
                zk_errors = [l for l in zerr.splitlines() if ": warning: " not in l and l.strip()]
                if (not zk_ok and bind_ok and "out-of-zone" in bind_text and zk_errors
                        and all("is outside the zone" in l for l in zk_errors)):
                    counts["out_of_zone_exception"] += 1
                    continue
                failures.append("%s: zonekeeper %s, named-checkzone %s\n  zonekeeper: %s\n  bind: %s" % (
                    rel, "accepts" if zk_ok else "rejects", "accepts" if bind_ok else "rejects",
                    zerr.strip().replace("\n", "\n    "), bind_text.strip().replace("\n", "\n    ")))
                continue
            counts["agree"] += 1
            if not zk_ok:
                continue
            printed = os.path.join(tmp, base + ".printed")
            prc, pout, perr = run([zk, "zone", "print", base, "--origin", origin, "--write", printed], cwd)
            if prc != 0:
                failures.append("%s: zone print failed (%d): %s" % (rel, prc, perr.strip()))
                continue
            want, werr = canonical_records(args.named_compilezone, origin, base, cwd)
            got, gerr = canonical_records(args.named_compilezone, origin, printed, cwd)
            if want is None or got is None:
                failures.append("%s: named-compilezone failed on the %s: %s" % (
                    rel, "original" if want is None else "printed form", (werr or gerr).strip()))
                continue
            if want != got:
                missing = sorted(set(want) - set(got))[:5]
                extra = sorted(set(got) - set(want))[:5]
                failures.append("%s: printed zone differs from the original as BIND reads them\n"
                                "  only in original: %s\n  only in printed: %s" % (rel, missing, extra))
                continue
            counts["roundtrip"] += 1

    print("%d zone files: %d agree with named-checkzone, %d out-of-zone exceptions, %d printed and "
          "read back identically" % (len(files), counts["agree"], counts["out_of_zone_exception"],
                                     counts["roundtrip"]))
    if failures:
        print("\n%d FAILURES:" % len(failures))
        for f in failures:
            print("- " + f)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())

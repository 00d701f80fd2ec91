#!/usr/bin/env bash
# Installs the Debian 12 packages zonekeeper needs to build and test it.
#   scripts/install-deps.sh          build + test packages (what CI needs)
#   scripts/install-deps.sh --bench  also the servers and tools the benchmarks compare with
# Idempotent: only missing packages are installed; root is needed only then.
set -euo pipefail
pkgs=(
  # toolchain
  build-essential cmake ninja-build clang clang-format clang-tidy lld
  libclang-rt-14-dev libfuzzer-14-dev
  # libraries
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libfmt-dev libsqlite3-dev
  # API (XML, IAM policy JSON, HTTP) and controller (manifests, route53 provider over libcurl)
  libpugixml-dev nlohmann-json3-dev libcpp-httplib-dev libssl-dev libyaml-dev pkg-config libcurl4-openssl-dev
  # reference tools used by the tests (named-checkzone, dig, kdig; knotd for the differential test)
  bind9-utils bind9-dnsutils knot-dnsutils knot python3
)
bench_pkgs=(
  # zone-load and query benchmarks (bench/): anchor servers, load generator, /usr/bin/time
  nsd bind9 dnsperf time
  # change-API benchmark (bench/api_vs_pdns.sh): PowerDNS with its HTTP API on SQLite
  pdns-server pdns-backend-sqlite3
)
for arg in "$@"; do
  case $arg in
    --bench) pkgs+=("${bench_pkgs[@]}") ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "install-deps: unknown option $arg" >&2; exit 2 ;;
  esac
done

# The API tests drive zonekeeper with the aws CLI and boto3; the machine image ships
# them with its Python, a bare Debian gets them from Debian's packages.
command -v aws >/dev/null 2>&1 || pkgs+=(awscli)
python3 -c 'import boto3' >/dev/null 2>&1 || pkgs+=(python3-boto3)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing ${missing[*]}; run as root to install them" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Packaged daemons (knot, nsd, bind9) must not start on port 53 during install: a
# policy-rc.d that denies every start, removed afterwards unless one was already there.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null

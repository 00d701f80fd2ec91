#!/usr/bin/env bash
# Installs the Debian 12 packages zonekeeper needs to build, test and benchmark.
# Idempotent: apt-get skips what is already installed.
set -euo pipefail
if [[ $(id -u) -ne 0 ]]; then echo "install-deps: run as root (apt-get)" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
pkgs=(
  # toolchain
  build-essential cmake ninja-build clang clang-format clang-tidy lld
  libclang-rt-14-dev libfuzzer-14-dev
  # libraries
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libfmt-dev
  # reference tools used by the tests (named-checkzone, dig, kdig)
  bind9-utils bind9-dnsutils knot-dnsutils python3
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  # Packaged daemons (knot, nsd, bind9) must not start on port 53 during install.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

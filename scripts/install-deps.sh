#!/usr/bin/env bash
# Installs what sipactor needs to build, test, benchmark and fuzz on Debian 12.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libcaf-dev catch2 libssl-dev libsqlite3-dev openssl libtcmalloc-minimal4
  libbenchmark-dev sip-tester
  clang-14 libfuzzer-14-dev libclang-rt-14-dev
  libosip2-dev libsofia-sip-ua-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# Installs every Debian package that building, testing, benchmarking and the demo need.
# Idempotent: a machine that already has them all costs one dpkg query and no apt run.
set -euo pipefail

PACKAGES=(
  make gcc clang llvm pkg-config
  libbpf-dev libxdp-dev xdp-tools bpftool libelf-dev zlib1g-dev
  libcmocka-dev libsqlite3-dev libjson-c-dev
  iproute2 iputils-ping iputils-arping netcat-openbsd tcpdump ethtool jq sqlite3
  python3 curl universal-ctags clang-format gnuplot-nox
  linux-libc-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing Debian packages: ${missing[*]}" >&2
  echo "deps: run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

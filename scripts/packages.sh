#!/usr/bin/env bash
# scripts/packages.sh — installs the Debian packages benji needs to build, test and benchmark.
# Sourced by setup.sh and test.sh; safe to run again (apt-get skips what is installed).
set -euo pipefail
packages=(
  libssl-dev libzstd-dev libsqlite3-dev librbd-dev librados-dev   # C libraries
  zstd jq sqlite3 e2fsprogs python3-venv                          # tests, examples and bench/
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
command -v swift >/dev/null || { [ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"; } || true
command -v swift >/dev/null || { echo "benji needs Swift 6 (swift.org); none found on PATH or in /opt/swift" >&2; exit 1; }

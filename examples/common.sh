# Sourced by the examples: uses $BENJI_CATALOG/$BENJI_STORE if set, else a scratch repository.
set -euo pipefail
if ! command -v benji >/dev/null; then
  echo "$0: benji is not on PATH; build it (scripts/setup.sh) and add .build/release to PATH" >&2
  exit 127
fi
scratch="" work=""
trap 'rm -rf "$work" $scratch' EXIT
if [ -z "${own_repository:-}" ] && { [ -z "${BENJI_CATALOG:-}" ] || [ -z "${BENJI_STORE:-}" ]; }; then
  scratch=$(mktemp -d /tmp/benji-example.XXXXXX)
  export BENJI_CATALOG="$scratch/catalog.sqlite" BENJI_STORE="file://$scratch/store"
  if ! out=$(benji init --no-config 2>&1); then echo "$out" >&2; exit 1; fi
  echo "using a scratch repository in $scratch" >&2
fi
work=$(mktemp -d /tmp/benji-example-data.XXXXXX)
# sample_image PATH SIZE: random data, text and zeros.
sample_image() {
  truncate -s "$2" "$1"
  head -c 3000000 /dev/urandom | dd of="$1" conv=notrunc status=none
  { for i in $(seq 1 20000); do echo "line $i of a text that compresses"; done; } | dd of="$1" bs=1M seek=5 conv=notrunc status=none
}

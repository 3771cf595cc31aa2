#!/usr/bin/env bash
# make-images.sh WORKDIR — builds the benchmark images (idempotent):
#   base.img     a 4 GiB ext4 image holding ~2.5 GiB of real files (copied from /usr)
#   changed.img  a copy with ~2% of its 4 MiB blocks overwritten with new data
#   hints.json   `rbd diff --format=json`-style extents of exactly those blocks
#   sparse.img   a 64 GiB sparse image with the same data as base.img in its first 4 GiB
#   nonzero.img  the 4 MiB blocks of base.img that are not all zeros, one after another (what a restore
#                decompresses: for its limit's zstd decompression rate)
set -euo pipefail
work=${1:?usage: make-images.sh WORKDIR}
mkdir -p "$work"
cd "$work"
size=$((4 << 30))
payload=$((2560 << 20))
block=$((4 << 20))

if [ ! -f base.img ]; then
  echo "building base.img: ~2.5 GiB of files from /usr in a 4 GiB ext4 image" >&2
  rm -rf staging list
  # Regular files in a fixed order, up to the payload size.
  find /usr -xdev -type f -size -64M -printf '%s %p\n' 2>/dev/null | sort -k2 > all || true
  awk -v limit="$payload" '{ total += $1; if (total > limit) exit; print $2 }' all > list
  rm -f all
  mkdir staging
  tar -cf - -T list 2>/dev/null | tar -xf - -C staging || [ -n "$(ls staging)" ]
  truncate -s "$size" base.img.tmp
  mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 -d staging base.img.tmp
  rm -rf staging list
  mv base.img.tmp base.img
fi

if [ ! -f changed.img ] || [ ! -f hints.json ]; then
  echo "building changed.img: 2% of the 4 MiB blocks rewritten" >&2
  cp --sparse=always base.img changed.img.tmp
  blocks=$((size / block))
  count=$((blocks * 2 / 100))
  # A fixed seed keeps the figures comparable between runs.
  python3 - "$blocks" "$count" <<'PY' > picks
import random, sys
n, k = int(sys.argv[1]), int(sys.argv[2])
random.seed(20261127)
print("\n".join(str(b) for b in sorted(random.sample(range(n), k))))
PY
  printf '[' > hints.json
  first=1
  while read -r b; do
    head -c "$block" /dev/urandom | dd of=changed.img.tmp bs="$block" seek="$b" conv=notrunc status=none
    [ $first = 1 ] || printf ',' >> hints.json
    first=0
    printf '{"offset":%d,"length":%d,"exists":"true"}' $((b * block)) "$block" >> hints.json
  done < picks
  printf ']\n' >> hints.json
  rm -f picks
  mv changed.img.tmp changed.img
fi

if [ ! -f sparse.img ]; then
  cp --sparse=always base.img sparse.img.tmp
  truncate -s 64G sparse.img.tmp
  mv sparse.img.tmp sparse.img
fi
if [ ! -f nonzero.img ]; then
  python3 - <<'PY'
block = 4 << 20
zero = bytes(block)
with open("base.img", "rb") as src, open("nonzero.img.tmp", "wb") as out:
    while data := src.read(block):
        if data != zero[:len(data)]:
            out.write(data)
PY
  mv nonzero.img.tmp nonzero.img
fi
ls -ls "$work"/*.img >&2

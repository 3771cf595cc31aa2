#!/usr/bin/env bash
# scripts/setup.sh — the first command of the README: installs what benji needs, builds it, and runs
# the main job on the embedded defaults: a backup and a restore of a sample image, with a file store
# and a SQLite catalog in a scratch directory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/packages.sh

echo "== building (release)" >&2
swift build -c release >&2
bin=$(pwd)/.build/release
export PATH="$bin:$PATH"

demo=$(mktemp -d /tmp/benji-demo.XXXXXX)
export BENJI_CATALOG="$demo/catalog.sqlite" BENJI_STORE="file://$demo/store"
run() { echo "\$ $*" >&2; "$@"; }

echo "== demo in $demo" >&2
# A sample image: an ext4 file system holding some of /usr/share, with free (zero) space around it.
mkdir -p "$demo/files"
cp -r /usr/share/doc/. "$demo/files/" 2>/dev/null || true
truncate -s 256M "$demo/sample.img"
mkfs.ext4 -q -F -d "$demo/files" "$demo/sample.img"
rm -rf "$demo/files"

run benji init --no-config
v1=$(run benji backup "$demo/sample.img" sample --label demo=yes)
echo "version $v1" >&2
v2=$(run benji backup "$demo/sample.img" sample --base "$v1")
echo "version $v2 (nothing changed: nothing new stored)" >&2
run benji ls
run benji restore "$v2" "$demo/restored.img" --sparse
run cmp "$demo/sample.img" "$demo/restored.img"
echo "== the restored image is identical; the same with the stage tools:" >&2
echo "\$ benji-diff $demo/sample.img sample | benji-chunk | benji-catalog dedup | benji-seal | benji-put | benji-catalog commit --quiet" >&2
v3=$(benji-diff "$demo/sample.img" sample | benji-chunk | benji-catalog dedup | benji-seal | benji-put | benji-catalog commit --quiet)
echo "version $v3" >&2
echo "\$ benji-catalog blocks $v3 | benji-put --get | benji-seal --open | benji-write $demo/restored2.img" >&2
benji-catalog blocks "$v3" | benji-put --get | benji-seal --open | benji-write "$demo/restored2.img"
run cmp "$demo/sample.img" "$demo/restored2.img"
echo "== and into an encrypted store (AES-256-GCM under a key file):" >&2
mkdir -p "$demo/encrypted"
export BENJI_CATALOG="$demo/encrypted/catalog.sqlite" BENJI_STORE="file://$demo/encrypted/store"
run benji keygen "$demo/encrypted/master.key"
run benji init --no-config --key-file "$demo/encrypted/master.key"
v4=$(run benji backup "$demo/sample.img" sample --key-file "$demo/encrypted/master.key")
echo "version $v4" >&2
run benji restore "$v4" "$demo/restored3.img" --key-file "$demo/encrypted/master.key"
run cmp "$demo/sample.img" "$demo/restored3.img"
echo "== done: binaries in $bin, demo files in $demo (catalog.sqlite and store, and encrypted/)" >&2

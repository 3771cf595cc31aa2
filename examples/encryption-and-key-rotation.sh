#!/usr/bin/env bash
# An encrypted store: a key file, a backup and a restore through the pipeline, then a key rotation —
# add a second key, rewrap every object's data key under it, retire the first.
own_repository=1  # encryption is chosen when a store is created: this example makes its own
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
export BENJI_CATALOG="$work/catalog.sqlite" BENJI_STORE="file://$work/store"
benji keygen "$work/first.key"
benji init --no-config --key-file "$work/first.key"
export BENJI_KEY_FILE="$work/first.key"

sample_image "$work/disk.img" 24M
version=$(benji-diff "$work/disk.img" vm1 | benji-chunk | benji-catalog dedup | benji-seal | benji-put | benji-catalog commit --quiet)
echo "backed up as $version; object names are keyed hashes, not the blocks' SHA-256:"
benji-catalog blocks "$version" | jq -r 'select(.type == "block" and .object) | "  sha256 \(.sha256[0:16])…  object \(.object[0:16])…"' | head -3

benji keygen "$work/second.key"
second=$(benji key add --new-key-file "$work/second.key")
first=$(benji key list --json | jq -r "select(.id != \"$second\") | .id")
benji rekey --to "$second" --new-key-file "$work/second.key"
benji key retire "$first" --key-file "$work/second.key"
benji key list --usage

export BENJI_KEY_FILE="$work/second.key"
benji-catalog blocks "$version" | benji-put --get | benji-seal --open | benji-write "$work/restored.img"
cmp "$work/disk.img" "$work/restored.img" && echo "restored $version with the second key: identical"
if ! benji restore "$version" "$work/again.img" --key-file "$work/first.key" 2>/dev/null; then
  echo "the retired first key no longer opens the store (exit 77)"
fi

#!/usr/bin/env bash
# A write-only backup host: it holds a writer key made from a public key, so it can back up (and
# deduplicate) but not read anything back; restores need the private key, kept elsewhere.
own_repository=1  # encryption is chosen when a store is created: this example makes its own
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
export BENJI_CATALOG="$work/catalog.sqlite" BENJI_STORE="file://$work/store"

# Where restores happen: a key pair. Only owner.key.pub travels to the backup host.
benji keygen "$work/owner.key" --type x25519
# On the backup host: a store encrypted for that public key, and the host's writer key.
benji init --no-config --public-key "$work/owner.key.pub" --writer-key "$work/writer.key"

sample_image "$work/disk.img" 16M
export BENJI_KEY_FILE="$work/writer.key"
version=$(benji backup "$work/disk.img" db1)
again=$(benji backup "$work/disk.img" db1 --json | jq -r '"\(.id): \(.bytes_written) bytes written (deduplicated)"')
echo "backed up $version; again as $again"
if ! benji restore "$version" "$work/nope.img" 2>/dev/null; then
  echo "the backup host cannot restore (exit 77): it has no private key"
fi

# Where the private key is:
benji restore "$version" "$work/restored.img" --key-file "$work/owner.key"
cmp "$work/disk.img" "$work/restored.img" && echo "restored $version with the private key: identical"

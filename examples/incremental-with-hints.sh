#!/usr/bin/env bash
# An incremental backup that reads only the changed blocks, given a change list in the format of
# `rbd diff --format=json` (any tracker's extents work, as JSON or as NDJSON extent records).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
image=$work/disk.img
sample_image "$image" 64M
base=$(benji backup "$image" vm1 --block-size 1M)

# Change two 1 MiB regions and discard (zero) a third, and describe the changes.
head -c 1048576 /dev/urandom | dd of="$image" bs=1M seek=10 conv=notrunc status=none
head -c 1048576 /dev/urandom | dd of="$image" bs=1M seek=42 conv=notrunc status=none
dd if=/dev/zero of="$image" bs=1M seek=20 count=1 conv=notrunc status=none
cat > "$work/changes.json" <<'JSON'
[{"offset":10485760,"length":1048576,"exists":"true"},
 {"offset":44040192,"length":1048576,"exists":"true"},
 {"offset":20971520,"length":1048576,"exists":"false"}]
JSON

next=$(benji backup "$image" vm1 --base "$base" --hints "$work/changes.json")
benji ls --json --volume vm1 | jq -c '{id, bytes_read, bytes_written, bytes_sparse}'
benji restore "$next" "$work/restored.img"
cmp "$image" "$work/restored.img" && echo "incremental $next restores identical"

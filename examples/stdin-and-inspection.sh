#!/usr/bin/env bash
# Back up a raw stream from stdin, save the record stream to a file on the way, and look into it with jq.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
sample_image "$work/disk.img" 8M

# The stream between stages is plain NDJSON: tee it, replay it, send it over ssh.
cat "$work/disk.img" | benji-chunk - streamed --block-size 64K | tee "$work/stream.ndjson" > /dev/null
jq -c 'select(.type != "block") ' "$work/stream.ndjson"
echo "zero blocks: $(jq -s '[.[] | select(.type == "block" and .zero)] | length' "$work/stream.ndjson")"

# Replaying the saved stream into the rest of the pipeline commits it.
version=$(benji-catalog dedup < "$work/stream.ndjson" | benji-seal | benji-put | benji-catalog commit --quiet)
benji restore "$version" - | cmp - "$work/disk.img" && echo "$version restores identical"

# A truncated stream is never committed: every stage fails with exit status 65.
if head -n 5 "$work/stream.ndjson" | benji-catalog dedup | benji-seal | benji-put | benji-catalog commit 2>/dev/null; then
  echo "a truncated stream was committed" >&2; exit 1
fi
echo "a truncated stream was refused"

#!/usr/bin/env bash
# The backup and restore paths spelled out with the stage tools.
# Usage: backup-and-restore-pipeline.sh [IMAGE VOLUME]
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
image=${1:-$work/disk.img}
volume=${2:-example}
[ $# -ge 1 ] || sample_image "$image" 16M

# Backup: plan | read+hash | drop known blocks | compress | store | record the version.
version=$(benji-diff "$image" "$volume" \
  | benji-chunk \
  | benji-catalog dedup \
  | benji-seal \
  | benji-put \
  | benji-catalog commit --quiet)
echo "backed up $image as $version"

# Restore: the version's blocks | fetch objects | verify and decompress | write.
benji-catalog blocks "$version" | benji-put --get | benji-seal --open | benji-write "$work/restored.img"
cmp "$image" "$work/restored.img" && echo "restored $version: identical"

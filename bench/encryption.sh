#!/usr/bin/env bash
# bench/encryption.sh — what encryption costs: first backup and restore of the bench image with
# compression only, with AES-256-GCM under a key file, and write-only (X25519), in alternating rounds of
# one run; then a rekey of the store, per 1000 objects. See bench/README.md. Takes 2–4 minutes.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
work=${BENCH_WORK:-$here/work}
rounds=${BENCH_ROUNDS:-3}
mkdir -p "$work"

. "$here/lib.sh"

rm -rf "$work"/enc-*
build_benji
"$here/make-images.sh" "$work"
img="$work/base.img"
warm_files=("$img")

gcm=$(openssl speed -evp aes-256-gcm -bytes 4194304 -seconds 2 2>/dev/null | awk '/^AES-256-GCM/ { sub("k", "", $2); printf "%.0f", $2 * 1000 }')
log "AES-256-GCM (openssl speed, one core) $((gcm / 1000000)) MB/s"

# A fresh repository per backup, in a directory of its own (see run.sh on ext4 and deleted inodes).
n=0
repo() {  # repo MODE: plain | aes | x25519 — sets the environment for a new repository
  n=$((n + 1))
  local d="$work/enc-$n"
  mkdir -p "$d"
  export BENJI_CATALOG="$d/catalog.sqlite" BENJI_STORE="file://$d/store"
  unset BENJI_KEY_FILE
  case $1 in
    plain) benji init --no-config 2>/dev/null ;;
    aes) benji keygen "$d/master.key" 2>/dev/null; benji init --no-config --key-file "$d/master.key" 2>/dev/null
         export BENJI_KEY_FILE="$d/master.key" ;;
    x25519) benji keygen "$d/owner.key" --type x25519 2>/dev/null
            benji init --no-config --public-key "$d/owner.key.pub" --writer-key "$d/writer.key" 2>/dev/null
            export BENJI_KEY_FILE="$d/writer.key" ;;
  esac
}
declare -A backup restore dirs cpu_backup cpu_restore
# timed_cpu VAR CMD...: runs CMD, its stdout to $work/enc-out.txt; sets VAR to its user+system seconds.
timed_cpu() {
  local var=$1; shift
  /usr/bin/time -f '%U %S' -o "$work/enc-cpu.txt" "$@" > "$work/enc-out.txt"
  printf -v "$var" '%s' "$(awk '{ printf "%.2f", $1 + $2 }' "$work/enc-cpu.txt")"
}
for r in $(seq 1 "$rounds"); do
  for mode in plain aes x25519; do
    repo $mode
    dirs[$mode]="$work/enc-$n"
    warm; settle; t0=$(now)
    timed_cpu c benji backup "$img" vol
    v=$(cat "$work/enc-out.txt")
    t=$(since "$t0" 3); backup[$mode]=$(min "$t" "${backup[$mode]:-}"); cpu_backup[$mode]=$(min "$c" "${cpu_backup[$mode]:-}")
    [ $mode = x25519 ] && export BENJI_KEY_FILE="${dirs[$mode]}/owner.key"
    rm -f "$work/enc-restore.img" "$work/enc-out.txt" "$work/enc-cpu.txt"
    warm; settle; t0=$(now)
    timed_cpu c benji restore "$v" "$work/enc-restore.img"
    t=$(since "$t0" 3); restore[$mode]=$(min "$t" "${restore[$mode]:-}"); cpu_restore[$mode]=$(min "$c" "${cpu_restore[$mode]:-}")
    cmp "$img" "$work/enc-restore.img" || { log "bench: restore differs ($mode)"; exit 1; }
    log "round $r $mode: backup ${backup[$mode]}s restore ${restore[$mode]}s (best so far)"
  done
done
rm -f "$work/enc-restore.img" "$work/enc-out.txt" "$work/enc-cpu.txt"

# Rekey the last AES store: add a key and rewrap every object under it.
d="${dirs[aes]}"
export BENJI_CATALOG="$d/catalog.sqlite" BENJI_STORE="file://$d/store" BENJI_KEY_FILE="$d/master.key"
benji keygen "$d/second.key" 2>/dev/null
second=$(benji key add --new-key-file "$d/second.key")
settle
rekey=$(benji rekey --to "$second" --new-key-file "$d/second.key" --json 2>/dev/null)
objects=$(jq -r .rewrapped <<< "$rekey")
seconds=$(jq -r .seconds <<< "$rekey")
rm -rf "$work"/enc-*

echo
echo "AES-256-GCM $((gcm / 1000000)) MB/s per core (openssl speed); best of $rounds alternating rounds"
printf '%-34s %9s %9s %7s   %s\n' "wall time (CPU time)" "zstd only" "encrypted" "ratio" "(CPU ratio)"
for op in backup restore; do
  declare -n t=$op c=cpu_$op
  printf '%-34s %8ss %8ss %7s   (%s)  target <= 1.10\n' "$op, key file" "${t[plain]}" "${t[aes]}" \
    "$(ratio "${t[aes]}" "${t[plain]}" 3)" "$(ratio "${c[aes]}" "${c[plain]}" 3)"
  printf '%-34s %8ss %8ss %7s   (%s)\n' "$op, write-only (x25519)" "${t[plain]}" "${t[x25519]}" \
    "$(ratio "${t[x25519]}" "${t[plain]}" 3)" "$(ratio "${c[x25519]}" "${c[plain]}" 3)"
done
awk -v n="$objects" -v s="$seconds" 'BEGIN { printf "rekey: %d objects in %.3f s: %.3f s per 1000 objects (%.0f us each: header read, unwrap, wrap, in-place write)\n", n, s, s / n * 1000, s / n * 1e6 }'

# bench/lib.sh — helpers the benchmark scripts share (sourced after they set `root`).

log() { printf '%s\n' "$*" >&2; }
now() { date +%s.%N; }
# since T0 [DIGITS]: the seconds since T0 (from `now`), with DIGITS decimals (default 2).
since() { awk -v a="$1" -v b="$(now)" -v d="${2:-2}" 'BEGIN { printf("%." d "f", b - a) }'; }
# ratio A B [DIGITS]: A / B.
ratio() { awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { printf("%." d "f", a / b) }'; }
# min A B: the smaller of two numbers; A if B is empty.
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a < b) ? a : b }'; }
# Quiesce the disk: earlier runs' writeback and discards would otherwise land in the next timing.
settle() { sync; sleep 2; }
# The tools read the images from the page cache: this VM reclaims cold page cache within minutes
# (DAMON), so the images a step reads (warm_files) are read again right before each timing.
warm_files=()
warm() { [ ${#warm_files[@]} -eq 0 ] || cat "${warm_files[@]}" > /dev/null; }
# Builds benji in release mode and puts its binaries first on PATH.
build_benji() {
  log "== building benji (release)"
  (cd "$root" && swift build -c release >&2)
  export PATH="$root/.build/release:$PATH"
}
# uncache DIR...: drops the page-cache pages of every file under the directories, as if written long ago
# (a restore usually reads its store from the disk; dirty pages are written first).
uncache() {
  sync
  python3 - "$@" <<'PY'
import os, sys
for top in sys.argv[1:]:
    for d, _, files in os.walk(top):
        for f in files:
            fd = os.open(os.path.join(d, f), os.O_RDONLY)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            os.close(fd)
PY
}

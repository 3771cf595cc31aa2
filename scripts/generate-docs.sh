#!/usr/bin/env bash
# scripts/generate-docs.sh [--check] — regenerates man/ (from the ArgumentParser declarations, through
# swift-argument-parser's generate-manual plugin) and completions/ (bash, zsh, fish, from each binary's
# --generate-completion-script). With --check, changes nothing and fails if either is stale.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tools=(benji benji-diff benji-chunk benji-seal benji-put benji-catalog benji-write)
# Pinned, so that the pages change only when the commands do. Bump with each release.
manual_date=2026-11-27

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/man" "$out/completions"

swift build >&2
bin=$(swift build --show-bin-path)
# The plugin builds the package and writes a page for every executable product.
rm -rf .build/plugins/GenerateManual/outputs
swift package plugin generate-manual --date "$manual_date" --authors "the benji developers" >&2
for tool in "${tools[@]}"; do
  cp .build/plugins/GenerateManual/outputs/"$tool"/*.1 "$out/man/"
  "$bin/$tool" --generate-completion-script bash > "$out/completions/$tool.bash"
  "$bin/$tool" --generate-completion-script zsh > "$out/completions/_$tool"
  "$bin/$tool" --generate-completion-script fish > "$out/completions/$tool.fish"
done

# What the plugin's pages get wrong or leave generic, mended in place: blank lines in descriptions
# (mdoc wants .Pp), a "subcommand" argument and a "help" subcommand that tools without subcommands do
# not have, and the standard EXIT STATUS sentence, replaced by benji's statuses (docs/design.md §3).
python3 - "$out/man" <<'PY'
import os, re, sys
statuses = """.Bl -tag -width 6n -compact
.It 0
success
.It 1
other failure
.It 3
finished, but some blocks failed (reported on stderr)
.It 64
usage error
.It 65
bad input data: a malformed or truncated record stream, a checksum or authentication failure, wrong or empty hints
.It 66
not found: a version, source or object
.It 69
store unreachable
.It 73
restore target exists (use --force), is a directory, or is a device too small
.It 74
I/O error
.It 75
the volume is locked by a running backup
.It 77
permission denied: a protected version, a wrong or missing key
.It 78
configuration error
.It 129 , 130 , 143
stopped by SIGHUP, SIGINT or SIGTERM; the work in progress was abandoned cleanly (nothing committed, no lock left, a new restore file removed); a second signal ends the process at once
.It 141
stdout was closed by its reader; no message, as SIGPIPE would
.El"""
with_subcommands = {"benji.1", "benji-catalog.1"}
for name in sorted(os.listdir(sys.argv[1])):
    path = os.path.join(sys.argv[1], name)
    lines = open(path).read().split("\n")
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if name not in with_subcommands:
            if line == ".Ar subcommand":
                i += 1
                continue
            if line == ".It Em help" and i + 4 < len(lines) and lines[i + 4] == ".El":
                i += 5
                continue
        if line == ".Ex -std":
            out.append(statuses)
        elif line == "" and i + 1 < len(lines):
            out.append(".Pp")
        else:
            out.append(line)
        i += 1
    open(path, "w").write("\n".join(out))
PY

if [ "${1:-}" = "--check" ]; then
  if ! diff -r man "$out/man" >/dev/null 2>&1 || ! diff -r completions "$out/completions" >/dev/null 2>&1; then
    diff -r man "$out/man" | head -20 >&2 || true
    diff -r completions "$out/completions" | head -20 >&2 || true
    echo "man/ or completions/ is stale: run scripts/generate-docs.sh and commit the result" >&2
    exit 1
  fi
  echo "man/ and completions/ are current" >&2
else
  rm -rf man completions
  cp -r "$out/man" man
  cp -r "$out/completions" completions
  echo "regenerated man/ ($(ls man | wc -l) pages) and completions/" >&2
fi

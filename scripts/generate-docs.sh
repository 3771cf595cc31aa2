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

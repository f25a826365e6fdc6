#!/usr/bin/env bash
# Regenerates contracts/ from the consumers' public sources at the pinned versions: runs every
# tools/contracts/extract-*.py and extract-*.sh with the repository root and contracts/ as arguments.
# Run it after every pin change (plugins.txt, a Dockerfile's base, an agent's base); the contract tests fail until
# the contracts match the pins. Sources are bare git repositories fetched under $CONTRACTS_MIRROR (default
# /work/.mirror/<owner>+<name>/repo); an extractor whose source is missing fails naming the repository to fetch.
# The extractors write into a fresh folder that replaces contracts/ only when all of them succeeded.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$repo/contracts"
work="$(mktemp -d "${TMPDIR:-/tmp}/contracts.XXXXXX")"
trap 'rm -rf "$work"' EXIT

shopt -s nullglob
extractors=("$here"/extract-*.py "$here"/extract-*.sh)
[ ${#extractors[@]} -gt 0 ] || { echo "regenerate: no tools/contracts/extract-*.py or extract-*.sh" >&2; exit 1; }
# Files no extractor writes (none today) would be lost; keep a hand-written note out of contracts/.
failed=()
for extractor in "${extractors[@]}"; do
  case "$extractor" in
    *.py) runner=(python3 "$extractor") ;;
    *.sh) runner=(bash "$extractor") ;;
  esac
  if ! "${runner[@]}" "$repo" "$work"; then
    failed+=("$(basename "$extractor")")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "regenerate: failed: ${failed[*]}; contracts/ is unchanged" >&2
  exit 1
fi
rm -rf "$out.new"
cp -r "$work" "$out.new"
rm -rf "$out"
mv "$out.new" "$out"
echo "regenerate: $(ls "$out" | wc -l) contract files in contracts/"

#!/usr/bin/env bash
# Regenerates contracts/ from the consumers' public sources at the pinned versions: runs every
# tools/contracts/extract-*.py and extract-*.sh with the repository root and contracts/ as arguments.
# Run it after every pin change (plugins.txt, a Dockerfile's base, an agent's base); the contract tests fail until
# the contracts match the pins. Sources are bare git repositories, <owner>+<name>/repo, in $CONTRACTS_MIRROR when set
# (nothing is fetched into it), else in the repository's ignored .cache/sources, cloned from
# https://github.com/<owner>/<name>.git on first use (tools/contracts/javasource.py git_dir). A source that cannot be
# found or cloned fails its extractor, naming the repository.
# Each extractor is called as `extract-X REPOSITORY_ROOT OUTPUT_DIRECTORY` (also in $CONTRACTS_OUTPUT) and writes its
# contract files there: a scratch folder whose files are copied into contracts/ only when every extractor
# succeeded, so a failed run leaves contracts/ as it was. Files of contracts/ no extractor wrote are kept.
# --check writes nothing and fails when a committed contract differs from what the sources give; it is the check of
# the contracts against the consumers' sources (the test suite reads only the committed contracts). It also runs the
# real inbound-agent entrypoint (extract-inbound-agent.py records what it executes), so it needs bash.
set -euo pipefail
check=false
[ "${1:-}" = "--check" ] && check=true

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$repo/contracts"
work="$(mktemp -d "${TMPDIR:-/tmp}/contracts.XXXXXX")"
trap 'rm -rf "$work"' EXIT

shopt -s nullglob
extractors=("$here"/extract-*.py "$here"/extract-*.sh)
[ ${#extractors[@]} -gt 0 ] || { echo "regenerate: no tools/contracts/extract-*.py or extract-*.sh" >&2; exit 1; }
failed=()
for extractor in "${extractors[@]}"; do
  case "$extractor" in
    *.py) runner=(python3 "$extractor") ;;
    *.sh) runner=(bash "$extractor") ;;
  esac
  if ! CONTRACTS_OUTPUT="$work" "${runner[@]}" "$repo" "$work"; then
    failed+=("$(basename "$extractor")")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "regenerate: failed: ${failed[*]}; contracts/ is unchanged" >&2
  exit 1
fi
written=("$work"/*)
[ ${#written[@]} -gt 0 ] || { echo "regenerate: the extractors wrote nothing" >&2; exit 1; }
if $check; then
  stale=()
  for file in "${written[@]}"; do
    cmp -s "$file" "$out/$(basename "$file")" || stale+=("contracts/$(basename "$file")")
  done
  [ ${#stale[@]} -eq 0 ] || { echo "regenerate --check: ${stale[*]} differ from the sources: run tools/contracts/regenerate.sh" >&2; exit 1; }
  echo "regenerate --check: ${#written[@]} contract files match the sources"
  exit 0
fi
mkdir -p "$out"
cp "${written[@]}" "$out"/
echo "regenerate: ${#written[@]} contract files written into contracts/ by ${#extractors[@]} extractors"

#!/usr/bin/env bash
# Regenerates every contract under contracts/ from the fetched public sources: runs each
# tools/contracts/extract-*.py (arguments, e.g. --check, are passed on to each).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for extractor in "$here"/extract-*.py; do
  python3 "$extractor" "$@"
done

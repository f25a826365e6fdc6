#!/usr/bin/env bash
# Pins one plugin of the Jenkins master at a version and rewrites everything that follows from it: the plugin's
# line under [top-level] in images/jenkins-master/plugins.txt (with its repository and tag), the [dependencies]
# section (the closure of the top-level plugins, tools/contracts/extract-plugin-closure.py), and contracts/ (all
# extractors, tools/contracts/regenerate.sh). Then it shows what changed; review it as docs/plugins.md says.
# A dependency given here moves to [top-level] (pinned above what the others require); a new id is added there.
# Sources come from $CONTRACTS_MIRROR (see tools/contracts/regenerate.sh); a plugin or dependency whose repository is
# not fetched fails naming it, and nothing is changed.
#
# Usage: tools/contracts/bump-plugin.sh ID VERSION      e.g. tools/contracts/bump-plugin.sh git 5.11.0
set -euo pipefail
[ $# -eq 2 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
id="$1"
version="$2"
[[ "$id" =~ ^[A-Za-z0-9_.-]+$ ]] || { echo "bump-plugin: '$id' is not a plugin id" >&2; exit 2; }
[[ "$version" =~ ^[A-Za-z0-9_.+-]+$ && "$version" != latest && "$version" != experimental ]] || { echo "bump-plugin: '$version' is not a version (a release, e.g. 5.11.0)" >&2; exit 2; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
plugins="$repo/images/jenkins-master/plugins.txt"
work="$(mktemp -d "${TMPDIR:-/tmp}/bump-plugin.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp "$plugins" "$work/plugins.txt"

# plugins.txt first (the closure), then every contract from it; a failure puts plugins.txt back (regenerate.sh
# leaves contracts/ as it was when an extractor fails).
if ! python3 "$here/extract-plugin-closure.py" "$repo" "$work/out" --set-top-level "$id" "$version" \
   || ! "$here/regenerate.sh"; then
  cp "$work/plugins.txt" "$plugins"
  echo "bump-plugin: $id $version not pinned; plugins.txt and contracts/ are unchanged" >&2
  exit 1
fi

cd "$repo"
if command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1; then
  git --no-pager diff --stat -- images/jenkins-master/plugins.txt contracts/
  git --no-pager diff --no-color -U0 -- images/jenkins-master/plugins.txt | grep -E '^[-+][^-+#]' || true
else
  diff "$work/plugins.txt" "$plugins" || true
fi
echo "bump-plugin: $id $version pinned; review the changes (docs/plugins.md), then build (./build.sh --target=BuildMasterImage)"

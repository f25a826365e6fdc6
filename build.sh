#!/usr/bin/env bash
# Runs the build from any directory: ./build.sh [--target=TASK] [options]   (./build.sh --help)
#
# Fast path: the build program is compiled once and then run directly. `dotnet run` would re-evaluate
# MSBuild on every call (over a second); here a fingerprint of the build's sources decides whether to compile.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$root/build/bin/Release/net10.0"
program="$out/Build.dll"
stamp="$out/.sources"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "Error: dotnet was not found on PATH. Install the .NET 10 SDK (https://dotnet.microsoft.com/download) and run again." >&2
  exit 1
fi

fingerprint() {
  # Names, sizes and modification times of everything the build program is compiled from.
  find "$root/build" "$root/Directory.Build.props" \
    \( -path "$root/build/bin" -o -path "$root/build/obj" \) -prune -o \
    -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.targets' -o -name '*.json' \) \
    -printf '%p %s %T@\n' | LC_ALL=C sort | cksum
}

current="$(fingerprint)"
if [[ ! -f "$program" || ! -f "$stamp" || "$(cat "$stamp")" != "$current" ]]; then
  echo "Compiling the build program..." >&2
  if ! compile_log="$(dotnet build "$root/build/Build.csproj" --configuration Release --nologo --verbosity quiet 2>&1)"; then
    printf '%s\n' "$compile_log" >&2
    echo "Error: the build program did not compile; see the errors above." >&2
    exit 1
  fi
  printf '%s\n' "$current" > "$stamp"
fi

exec dotnet "$program" --working="$root" "$@"

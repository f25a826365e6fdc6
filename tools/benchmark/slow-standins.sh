#!/usr/bin/env bash
# The tests' stand-in bases (tests/standins/) with a RUN step that takes as long as the real image's: each
# stand-in's /bin/sh is replaced by a busybox script that, for a `sh -c` of a RUN step (and not for the
# scripts that step calls), sleeps the time run-step-durations.json gives the step (times SCALE), then runs it.
# Prints one `real-image=slow-stand-in` line per base of tests/standins/standins.json.
# Usage: slow-standins.sh SCALE TAG_PREFIX   (images TAG_PREFIX/<name>:slow, built with --network=host)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
scale="$1" prefix="$2"
bash "$repo/tests/standins/build-standins.sh" >/dev/null
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
python3 - "$here/run-step-durations.json" "$scale" >"$context/sh" <<'PY'
import json, sys
table, scale = json.load(open(sys.argv[1])), float(sys.argv[2])
print("#!/bin/busybox sh")
print("# A RUN step (sh -c, outside any other step) first waits as long as the real image's step: tools/benchmark/run-step-durations.json.")
print('if [ "$1" = "-c" ] && [ -z "${BENCHMARK_RUN_STEP:-}" ]; then')
print("  export BENCHMARK_RUN_STEP=1")
print('  case "$2" in')
for word, step in sorted(table["steps"].items(), key=lambda s: -s[1]["seconds"]):
    print(f'    *{word}*) /bin/busybox sleep {step["seconds"] * scale:.2f} ;;')
print(f'    *) /bin/busybox sleep {table["default"]["seconds"] * scale:.2f} ;;')
print("  esac")
print("fi")
print('exec /bin/busybox sh "$@"')
PY
chmod 755 "$context/sh"
python3 -c 'import json,sys; [print(f"{k}={v}") for k,v in json.load(open(sys.argv[1])).items()]' "$repo/tests/standins/standins.json" |
while IFS='=' read -r real standin; do
  user="$(docker image inspect "$standin" --format '{{.Config.User}}')"
  slow="$prefix/$(basename "${standin%%:*}"):slow"
  printf 'FROM %s\nUSER root\nRUN ["/bin/busybox", "rm", "-f", "/bin/sh"]\nCOPY sh /bin/sh\nUSER %s\n' "$standin" "${user:-root}" >"$context/Dockerfile"
  docker build -q --network=host -t "$slow" "$context" >/dev/null 2>&1 || docker build --network=host -t "$slow" "$context"
  echo "$real=$slow"
done

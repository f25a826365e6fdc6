#!/usr/bin/env bash
# Benchmark of the local Deploy (not a test): a full Deploy from clean, then a Deploy with nothing changed,
# then the same no-change Deploy as on a fresh CI runner, against moto_server and docker-registry on loopback,
# started here so that their state outlives one run.
# "From clean": the full run builds with --no-cache, so docker's layer cache from earlier runs does not turn
# its image builds into cache hits; the no-change run uses the cache as CI would. The fresh-runner run first
# empties the daemon of the project's images and of the bases (as a new CI machine has neither), with the bases
# in a registry: it should build, pull, push, register and roll nothing, in about the time of the warm run.
# Prints wall times and their ratios, the build's own overhead (wall time not spent in tasks), the build
# process's peak memory, and what the no-change runs did. Images build on the tests' stand-in bases, pushed
# into the loopback registry (the real names mapped to them with --base-images), unless --real-bases is given.
# Usage: tools/benchmark.sh [--real-bases]
#        tools/benchmark.sh --latency-model [--time-scale=S]: the first Deploy under an AWS latency model, against
#        its parts one after another and a stack-by-stack aws cloudformation deploy (tools/benchmark/latency-model.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ "${1:-}" == "--latency-model" ]]; then
  shift
  exec "$root/tools/benchmark/latency-model.sh" "$@"
fi
cd "$root"
work="$(mktemp -d)"
pids=()
prefix="bench-$RANDOM"
# The daemon's names (repo:tag and repo@digest) of the images under a prefix, with or without a registry host.
local_images() {
  docker images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}' | awk -v p="$1" '
    $1 ~ "(^|/)" p "/" { if ($2 != "<none>") print $1 ":" $2; if ($3 != "<none>") print $1 "@" $3 }'
}
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  { local_images "$prefix"; local_images "$prefix-bases"; } | xargs -r docker rmi -f >/dev/null 2>&1 || true
  [ -n "${KEEP_BENCHMARK:-}" ] && echo "logs kept in $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done; echo "no answer from $1" >&2; exit 1; }

moto_port="$(free_port)"; registry_port="$(free_port)"
python3 tools/moto/serve.py -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 & pids+=($!)
printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s/registry\nhttp:\n  addr: 127.0.0.1:%s\n' "$work" "$registry_port" >"$work/registry.yml"
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 & pids+=($!)
wait_for "http://127.0.0.1:$moto_port/moto-api/"; wait_for "http://127.0.0.1:$registry_port/v2/"

args=(--target=Deploy --environment=local --image-prefix="$prefix" --start-local-services=false
      --aws-endpoint-url="http://127.0.0.1:$moto_port/" --registry="127.0.0.1:$registry_port")
if [[ "${1:-}" != "--real-bases" ]]; then
  # The stand-ins served by the loopback registry under this run's names, as a CI runner gets its bases from a
  # registry; the stand-ins' own standin/*:test names stay (other work on this daemon may use them).
  bash tests/standins/build-standins.sh >/dev/null
  while IFS='=' read -r real standin; do
    served="127.0.0.1:$registry_port/$prefix-bases/${standin#standin/}"
    docker tag "$standin" "$served" && docker push "$served" >/dev/null && docker rmi "$served" >/dev/null
    args+=("--base-images=$real=$served")
  done < <(python3 -c 'import json,sys; [print(f"{k}={v}") for k,v in json.load(open("tests/standins/standins.json")).items()]')
fi
export AWS_ACCESS_KEY_ID=benchmark AWS_SECRET_ACCESS_KEY=benchmark NO_COLOR=1
./build.sh --tree >/dev/null  # compile first, so neither run pays for it
./build.sh --target=Clean >/dev/null  # from clean: no validation stamp, no rendered files

run() {
  local name="$1" start end
  shift
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/$name.rss" ./build.sh "${args[@]}" "$@" >"$work/$name.log" 2>&1 || { tail -30 "$work/$name.log"; exit 1; }
  end=$(date +%s.%N)
  python3 - "$name" "$start" "$end" "$work/$name.log" "$work/$name.rss" <<'PY'
import re, sys
name, start, end, log, rss = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
wall = end - start
tasks = sum(int(h) * 3600 + int(m) * 60 + float(s) for h, m, s in re.findall(r"^\w+\s+(\d+):(\d+):([\d.]+)\s+(?:Succeeded|Skipped)", open(log).read(), re.M))
print(f"{name}: {wall:.2f} s wall, {tasks:.2f} s in tasks (tools and AWS), {wall - tasks:.2f} s build overhead, peak {int(open(rss).read().split()[-1]) // 1024} MiB")
print(f"{name}_wall={wall:.3f}", file=open(log + ".wall", "w"))
PY
}

echo "full run: no layer cache (--no-cache: every image built from scratch, as on a fresh CI runner)"
run full --no-cache
echo "no-change run: same inputs, docker's cache and the images of the full run in place"
run no-change
echo "fresh-runner run: nothing changed, the daemon emptied of the project's images and of the bases"
local_images "$prefix" | xargs -r docker rmi -f >/dev/null 2>&1 || true
[[ "${1:-}" != "--real-bases" ]] && { local_images "$prefix-bases" | xargs -r docker rmi -f >/dev/null 2>&1 || true; }
[[ "${1:-}" == "--real-bases" ]] && echo "  (--real-bases: the real bases are left in the daemon)"
left="$( { local_images "$prefix"; local_images "$prefix-bases"; } | wc -l)"
[ "$left" -eq 0 ] || { echo "the daemon still holds $left images of this run" >&2; exit 1; }
run fresh-runner
python3 - "$work/full.log.wall" "$work/no-change.log.wall" "$work/fresh-runner.log.wall" <<'PY'
import sys
full, again, fresh = (float(open(p).read().split("=")[1]) for p in sys.argv[1:4])
print(f"no-change / full: {again / full:.2f} (goal: under 0.10)")
print(f"fresh-runner / no-change: {fresh / again:.2f} (goal: at most 1.5)")
PY
for name in no-change fresh-runner; do
  log="$work/$name.log"
  echo "what the $name run did:"
  echo "  built $(grep -c ': building ' "$log"), pushed $(grep -c ': pushed ' "$log"), registered $(grep -c ': registered ' "$log"), services rolled $(grep -cE ': (created|updated), now ' "$log"), stacks changed $(grep -c ' change(s)' "$log")"
done
pulled="$( { local_images "$prefix"; local_images "$prefix-bases"; } | wc -l)"
echo "  fresh-runner: images in the daemon afterwards (pulled or built): $pulled"

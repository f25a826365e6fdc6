#!/usr/bin/env bash
# tools/benchmark.sh --latency-model: the first Deploy of the local environment (moto_server and docker-registry
# on loopback, as tools/benchmark.sh) with AWS's latencies modelled, not a test.
# - CloudFormation goes through tools/benchmark/latency-front.py, which holds each change set and each stack in
#   progress as long as resource-durations.json says its resources take (times --time-scale);
# - images build on the stand-in bases with each RUN step as long as run-step-durations.json says
#   (tools/benchmark/slow-standins.sh), from scratch (--no-cache).
# It prints the first Deploy's wall time; the sum of its parts one after another (today's order: every stack,
# then every image, then the rest), from the run's own records: each stack's start (its CreateChangeSet) and
# end (the first DescribeStacks that showed it complete) as the front saw them, and each task's time from the
# build's report; then the same templates deployed stack by stack with `aws cloudformation deploy` (the aws CLI
# v1 on PATH) through the same front. Last line: `first-deploy / sequential: R`.
# --time-scale=S multiplies every modelled time (default 1: the durations as given; 0.2 runs in about a fifth
# of the time, but the build's 5 s and the CLI's 30 s polls then weigh more than they would in AWS).
# Usage: tools/benchmark.sh --latency-model [--time-scale=S]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
scale=1
for arg in "$@"; do
  case "$arg" in
    --time-scale=*) scale="${arg#*=}" ;;
    *) echo "latency-model: unknown argument '$arg' (use --time-scale=S)" >&2; exit 2 ;;
  esac
done

work="$(mktemp -d)"
pids=()
prefix="bench-$RANDOM"
# The daemon's names (repo:tag and repo@digest: the build pulls bases by digest) of the images under a prefix.
local_images() {
  docker images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}' | awk -v p="$1" '
    $1 ~ "(^|/)" p "/" { if ($2 != "<none>") print $1 ":" $2; if ($3 != "<none>") print $1 "@" $3 }'
}
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  { local_images "$prefix"; local_images "$prefix-bases"; local_images "$prefix-slow"; } | xargs -r docker rmi -f >/dev/null 2>&1 || true
  [ -n "${KEEP_BENCHMARK:-}" ] && echo "logs kept in $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 100); do curl -sS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done; echo "no answer from $1" >&2; exit 1; }

moto_port="$(free_port)"; registry_port="$(free_port)"; front_port="$(free_port)"
python3 tools/moto/serve.py -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 & pids+=($!)
printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s/registry\nhttp:\n  addr: 127.0.0.1:%s\n' "$work" "$registry_port" >"$work/registry.yml"
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 & pids+=($!)
python3 tools/benchmark/latency-front.py --moto "http://127.0.0.1:$moto_port/" --port "$front_port" \
  --durations tools/benchmark/resource-durations.json --scale "$scale" --record "$work/stacks.jsonl" >"$work/front.log" 2>&1 & pids+=($!)
wait_for "http://127.0.0.1:$moto_port/moto-api/"; wait_for "http://127.0.0.1:$registry_port/v2/"; wait_for "http://127.0.0.1:$front_port/moto-api/"

args=(--target=Deploy --environment=local --image-prefix="$prefix" --start-local-services=false --no-cache
      --aws-endpoint-url="http://127.0.0.1:$moto_port/" --registry="127.0.0.1:$registry_port")
# The slow stand-ins served by the loopback registry, as a CI runner gets its bases from a registry.
while IFS='=' read -r real slow; do
  served="127.0.0.1:$registry_port/$prefix-bases/$(basename "${slow%%:*}")"
  docker tag "$slow" "$served" && docker push "$served" >/dev/null && docker rmi "$served" >/dev/null
  args+=("--base-images=$real=$served")
done < <(tools/benchmark/slow-standins.sh "$scale" "$prefix-slow")

export AWS_ACCESS_KEY_ID=benchmark AWS_SECRET_ACCESS_KEY=benchmark AWS_DEFAULT_REGION=eu-west-1 NO_COLOR=1
# The user's step before a first deploy (README, "First deploy", step 4): the admin secret the environment names,
# made in this moto as CheckEnvironment expects it (the build makes it itself only in a moto it starts).
python3 - "http://127.0.0.1:$moto_port/" <<'PY'
import json, sys, boto3
arn = json.load(open("environments/local.json"))["parameters"]["AdminPasswordSecretArn"]
name, suffix = arn.split(":secret:")[1].rsplit("-", 1)
boto3.client("secretsmanager", endpoint_url=sys.argv[1], region_name="eu-west-1").create_secret(
    Name=name, SecretString="benchmark", Tags=[{"Key": "_custom_id_", "Value": suffix}])
PY
./build.sh --tree >/dev/null  # compile first, so the run does not pay for it
./build.sh --target=Clean >/dev/null

echo "first Deploy (time scale $scale): stacks through the latency front, images from scratch on the slow stand-ins"
start=$(date +%s.%N)
AWS_ENDPOINT_URL_CLOUDFORMATION="http://127.0.0.1:$front_port/" ./build.sh "${args[@]}" >"$work/deploy.log" 2>&1 || { tail -40 "$work/deploy.log"; exit 1; }
end=$(date +%s.%N)

echo "the same templates, stack by stack with aws cloudformation deploy, through the same front"
python3 tools/benchmark/cli-deploy.py "http://127.0.0.1:$front_port/" eu-west-1 clibench environments/local.json >"$work/cli.json" 2>"$work/cli.log" || { tail -20 "$work/cli.log"; exit 1; }

python3 - "$start" "$end" "$work/deploy.log" "$work/stacks.jsonl" "$work/cli.json" <<'PY'
import json, re, sys
start, end, log, record, cli = float(sys.argv[1]), float(sys.argv[2]), open(sys.argv[3]).read(), sys.argv[4], json.load(open(sys.argv[5]))
wall = end - start
events = [json.loads(l) for l in open(record)]
stacks = {}
for e in events:
    if not e["stack"].startswith("local-jenkins-"):
        continue
    s = stacks.setdefault(e["stack"][len("local-jenkins-"):], {})
    s.setdefault(e["event"], e["t"])
missing = [n for n, s in stacks.items() if "complete" not in s or "create_change_set" not in s]
if missing or not stacks:
    sys.exit(f"no start or end recorded for stacks {missing or 'at all'}: see the front's record")
durations = {n: s["complete"] - s["create_change_set"] for n, s in stacks.items()}
span = max(s["complete"] for s in stacks.values()) - min(s["create_change_set"] for s in stacks.values())
# The run's summary: a row per task with its start, end and duration on one clock (tasks overlap).
rows = {m[0]: (float(m[1]), float(m[2])) for m in re.findall(r"^(\w+)\s+([\d.]+) s\s+([\d.]+) s\s+[\d.]+ s\s+(?:Succeeded|Skipped)", log, re.M)}
if "DeployInfrastructure" not in rows:
    sys.exit("the Deploy's summary has no DeployInfrastructure row: see the deploy log")
tasks = {n: e - b for n, (b, e) in rows.items()}
deploy_task = tasks["DeployInfrastructure"]
images = sum(t for n, t in tasks.items() if n.startswith("Build") and n.endswith(("Image", "Images")))
rest = sum(t for n, t in tasks.items() if n != "DeployInfrastructure") - images
# The build's own time outside every task: the wall time less the union of the tasks' intervals.
covered, reach = 0.0, None
for b, e in sorted(rows.values()):
    if reach is None or b > reach:
        covered += e - b
        reach = e
    elif e > reach:
        covered += e - reach
        reach = e
overhead = max(0.0, wall - covered)
sequential = sum(durations.values()) + max(0.0, deploy_task - span) + images + rest + overhead
print("stacks (start = CreateChangeSet, end = seen complete), seconds:")
for n, s in sorted(stacks.items(), key=lambda p: p[1]["create_change_set"]):
    print(f"  {n:16} {s['create_change_set'] - start:7.1f} -> {s['complete'] - start:7.1f}  ({durations[n]:.1f})")
print(f"stacks: {span:.1f} s from the first start to the last end, {sum(durations.values()):.1f} s one after another ({span / sum(durations.values()):.2f})")
print(f"sequential parts: stacks {sum(durations.values()):.1f} + DeployInfrastructure's own {max(0.0, deploy_task - span):.1f} + image builds {images:.1f} + other tasks {rest:.1f} + build overhead {overhead:.1f} = {sequential:.1f} s")
print(f"first Deploy: {wall:.1f} s wall")
cli_total = cli["total"]
print(f"aws cloudformation deploy, stack by stack: {cli_total:.1f} s for the stacks alone")
print(f"DeployInfrastructure / aws-cli stack by stack: {deploy_task / cli_total:.2f}")
print(f"first-deploy (stacks and images) / aws-cli stacks alone: {wall / cli_total:.2f}")
print(f"first-deploy / sequential: {wall / sequential:.2f}")
PY

#!/usr/bin/env bash
# Times a first local Deploy (not a test) of one or more repositories, each with N agent toolchains, runs taken
# in turn (repository A, B, A, B, ...) so that the load of a shared machine weighs on each alike.
#
# A first Deploy: for every run a fresh moto_server and a fresh docker-registry (new ports, empty storage), a new
# image prefix, and the daemon emptied of the images of earlier runs (their layers go with them, so no layer of
# a toolchain is a cache hit). The bases are the tests' stand-ins (tests/standins/build-standins.sh of this script's
# repository, for every repository), kept in the daemon. The templates' validation stamp is kept (made once per copy, untimed).
#
# Toolchains: each repository is copied once (its tracked and untracked, not ignored, files). Runs with more
# than the repository's toolchains add copies of images/agents/<template> (default python), each with an ENV
# line of its own after FROM, so that no copy's layers are another's; runs with fewer leave out the last in name
# order. environments/local.json's AgentMaxInstances becomes N, so that CheckPlacement places one agent of every
# toolchain (docs/capacity.md). Nothing is written to the repositories themselves.
#
# Only the Deploy process is timed (/usr/bin/time: wall seconds); starting the services and emptying the daemon
# are not. Prints every run, then per repository and N the median, and the ratios of the medians.
#
# Usage: tools/bench/first-deploy.sh [--runs=3] [--agents=4,16] [--template=python] OUT REPOSITORY...
#   OUT          a folder for the copies, the logs and results.tsv (created; copies are reused when present)
#   REPOSITORY   a checkout of this project (a git work tree); its label in the results is its folder's name
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
runs=3 agents=4,16 template=python
while [[ $# -gt 0 && "$1" == --* ]]; do
  case "$1" in
    --runs=*) runs="${1#*=}" ;;
    --agents=*) agents="${1#*=}" ;;
    --template=*) template="${1#*=}" ;;
    *) echo "first-deploy: unknown option $1 (use --runs=, --agents=, --template=)" >&2; exit 2 ;;
  esac
  shift
done
[[ $# -ge 2 ]] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
out="$(mkdir -p "$1" && cd "$1" && pwd)"; shift
repositories=()
for repository in "$@"; do
  [[ -d "$repository/images/agents" ]] || { echo "first-deploy: $repository is not a checkout of this project (no images/agents)" >&2; exit 2; }
  repositories+=("$(cd "$repository" && pwd)")
done
IFS=',' read -r -a counts <<<"$agents"
for tool in docker docker-registry python3 git /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "first-deploy: $tool is not installed" >&2; exit 2; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 150); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done; echo "first-deploy: no answer from $1" >&2; return 1; }
# The daemon's names (repo:tag and repo@digest) of the images under a prefix, with or without a registry host.
local_images() {
  docker images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}' | awk -v p="$1" '
    $1 ~ "(^|/)" p "/" { if ($2 != "<none>") print $1 ":" $2; if ($3 != "<none>") print $1 "@" $3 }'
}

pids=()
stop_services() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; pids=(); }
prefixes=()
cleanup() { stop_services; for p in "${prefixes[@]}"; do local_images "$p" | xargs -r docker rmi -f >/dev/null 2>&1 || true; done; }
trap cleanup EXIT

# One copy of a repository, compiled once and its templates validated once (cfn-lint's stamp: the templates do
# not change with the toolchains, and cfn-lint alone takes minutes on a loaded machine). The toolchain copies
# wait in .bench-toolchains until a run with that many asks for them.
prepare() {
  local repository="$1" copy="$2" most="$3"
  if [[ ! -f "$copy/.bench-ready" ]]; then
    rm -rf "$copy"; mkdir -p "$copy/.bench-toolchains"
    git -C "$repository" ls-files -co --exclude-standard -z | (cd "$repository" && tar --null -T - -cf - 2>/dev/null) | tar -xf - -C "$copy"
    local have i name
    have="$(ls "$copy/images/agents" | wc -l)"
    for ((i = have + 1; i <= most; i++)); do
      name="$template-copy$(printf '%02d' "$i")"
      cp -r "$copy/images/agents/$template" "$copy/.bench-toolchains/$name"
      # Its own ENV line after FROM: every later layer differs from the template's and the other copies'.
      sed -i "0,/^FROM /{/^FROM /a ENV BENCHMARK_TOOLCHAIN=$name
}" "$copy/.bench-toolchains/$name/Dockerfile"
    done
    (cd "$copy" && NO_COLOR=1 ./build.sh --target=ValidateTemplates >"$copy/.bench-prepare.log" 2>&1) || { tail -20 "$copy/.bench-prepare.log"; exit 1; }
    touch "$copy/.bench-ready"
  fi
}

# The copy with N toolchains (the repository's own first, in name order, then the copies), and an
# AgentMaxInstances of N in environments/local.json, so that CheckPlacement places an agent of each.
set_toolchains() {
  local copy="$1" n="$2" name
  mv "$copy"/images/agents/* "$copy/.bench-toolchains/"
  for name in $(ls "$copy/.bench-toolchains" | sort | head -n "$n"); do mv "$copy/.bench-toolchains/$name" "$copy/images/agents/"; done
  [[ "$(ls "$copy/images/agents" | wc -l)" -eq "$n" ]] || { echo "first-deploy: $copy has fewer than $n toolchains" >&2; exit 1; }
  python3 - "$copy/environments/local.json" "$n" <<'PY'
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
settings = json.load(open(path))
settings.setdefault("parameters", {})["AgentMaxInstances"] = str(n)
json.dump(settings, open(path, "w"), indent=2)
PY
}

# The stand-ins of this script's own repository for every repository measured: the same bases for all, and the
# ones the daemon's other users (this repository's tests) build, so that this run does not replace theirs.
own="$(cd "$here/../.." && pwd)"
bash "$own/tests/standins/build-standins.sh" >/dev/null
mapfile -t base_arguments < <(python3 -c 'import json,sys; [print(f"--base-images={k}={v}") for k,v in json.load(open(sys.argv[1])).items()]' "$own/tests/standins/standins.json")
export AWS_ACCESS_KEY_ID=benchmark AWS_SECRET_ACCESS_KEY=benchmark NO_COLOR=1
results="$out/results.tsv"
[[ -f "$results" ]] || printf 'repository\tagents\trun\twall_s\texit\n' >"$results"

most="$(printf '%s\n' "${counts[@]}" | sort -n | tail -1)"
for ((r = 0; r < ${#repositories[@]}; r++)); do prepare "${repositories[r]}" "$out/copies/$(basename "${repositories[r]}")" "$most"; done

for ((run = 1; run <= runs; run++)); do
  for n in "${counts[@]}"; do
    for ((r = 0; r < ${#repositories[@]}; r++)); do
      label="$(basename "${repositories[r]}")"; copy="$out/copies/$label"
      set_toolchains "$copy" "$n"
      work="$out/runs/$label-$n-$run"; rm -rf "$work"; mkdir -p "$work"
      prefix="bench-first-$$-$label-$n-$run"; prefixes+=("$prefix")
      moto_port="$(free_port)"; registry_port="$(free_port)"
      python3 "$here/../moto/serve.py" -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 & pids+=($!)
      printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s/registry\nhttp:\n  addr: 127.0.0.1:%s\n' "$work" "$registry_port" >"$work/registry.yml"
      docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 & pids+=($!)
      wait_for "http://127.0.0.1:$moto_port/moto-api/"; wait_for "http://127.0.0.1:$registry_port/v2/"
      # The admin password secret local.json names, as the README's first deploy has the user create it (moto makes
      # the ARN's six-character suffix from its "_custom_id_" tag); the same for every repository.
      python3 - "http://127.0.0.1:$moto_port" "$copy/environments/local.json" <<'PY'
import boto3, json, sys
arn = json.load(open(sys.argv[2]))["parameters"]["AdminPasswordSecretArn"]
name, suffix = arn.split(":")[6].rsplit("-", 1)
boto3.client("secretsmanager", endpoint_url=sys.argv[1], region_name=arn.split(":")[3]).create_secret(
    Name=name, SecretString="benchmark", Tags=[{"Key": "_custom_id_", "Value": suffix}])
PY
      status=0
      (cd "$copy" && /usr/bin/time -f '%e' -o "$work/wall" ./build.sh --target=Deploy --environment=local --start-local-services=false \
        --image-prefix="$prefix" --aws-endpoint-url="http://127.0.0.1:$moto_port/" --registry="127.0.0.1:$registry_port" \
        "${base_arguments[@]}" >"$work/deploy.log" 2>&1) || status=$?
      wall="$(tail -1 "$work/wall")"
      printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$n" "$run" "$wall" "$status" | tee -a "$results"
      [[ $status -eq 0 ]] || { echo "first-deploy: the Deploy failed, see $work/deploy.log:" >&2; tail -15 "$work/deploy.log" >&2; }
      stop_services
      local_images "$prefix" | xargs -r docker rmi -f >/dev/null 2>&1 || true
      rm -rf "$work/registry"
    done
  done
done

python3 - "$results" "${counts[@]}" <<'PY'
import csv, statistics, sys
rows = [r for r in csv.DictReader(open(sys.argv[1]), delimiter="\t") if r["exit"] == "0"]
labels = list(dict.fromkeys(r["repository"] for r in rows))
median = {}
for label in labels:
    for n in sys.argv[2:]:
        walls = sorted(float(r["wall_s"]) for r in rows if r["repository"] == label and r["agents"] == n)
        if walls:
            median[label, n] = statistics.median(walls)
            print(f"{label}, {n} agents: median {median[label, n]:.2f} s of {len(walls)} runs (min {walls[0]:.2f}, max {walls[-1]:.2f})")
ns = sys.argv[2:]
for label in labels:
    if len(ns) == 2 and (label, ns[0]) in median and (label, ns[1]) in median:
        print(f"{label}: {ns[1]} agents / {ns[0]} agents: {median[label, ns[1]] / median[label, ns[0]]:.2f}")
if len(labels) == 2:
    for n in ns:
        if (labels[0], n) in median and (labels[1], n) in median:
            print(f"{n} agents: {labels[1]} / {labels[0]}: {median[labels[1], n] / median[labels[0], n]:.2f}")
PY
